"""Builders shared by the item, theme and media tests (through the services, as the product does).

Real files are made here: PNG/JPEG images drawn with Pillow and MP4s assembled box by box, so
the upload code reads what a camera or editor would write.
"""

from __future__ import annotations

import datetime as dt
import io
import struct
from typing import Any

from PIL import Image

from socialops.content.models import ContentItem, MediaAsset, Theme
from socialops.content.services import items as services
from socialops.content.services import media as media_services


def make_theme(workspace: Any, name: str = "行业动态", **kwargs: Any) -> Theme:
    return services.theme_create(workspace=workspace, actor=None, name=name, **kwargs)


def make_item(workspace: Any, theme: Theme, title: str = "新品发布", **kwargs: Any) -> ContentItem:
    fields: dict[str, Any] = {"form": "article", "body": "# 标题\n\n正文", "evergreen": True}
    fields.update(kwargs)
    if "deadline" in kwargs and "evergreen" not in kwargs:
        fields["evergreen"] = False
    return services.content_item_create(workspace=workspace, actor=None, title=title, theme=theme, **fields)


def image_bytes(
    width: int = 400,
    height: int = 300,
    fmt: str = "PNG",
    color: tuple[int, ...] = (200, 30, 30),
    mode: str = "RGB",
) -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height), color).save(out, fmt)
    return out.getvalue()


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def _mvhd(timescale: int, duration: int, version: int = 0) -> bytes:
    if version == 1:
        head = struct.pack(">B3xQQIQ", 1, 0, 0, timescale, duration)
    else:
        head = struct.pack(">B3xIIII", 0, 0, 0, timescale, duration)
    # rate, volume, reserved, matrix, pre-defined, next track id: the fixed rest of the box.
    rest = struct.pack(">IH10x", 0x00010000, 0x0100) + b"\x00" * 36 + b"\x00" * 24 + struct.pack(">I", 2)
    return _box(b"mvhd", head + rest)


def _tkhd(width: int, height: int) -> bytes:
    payload = struct.pack(">B3xIIII", 0, 0, 0, 1, 0)  # version/flags, created, modified, track id, reserved
    payload += struct.pack(">I8xHHHH", 0, 0, 0, 0, 0)  # duration, reserved, layer, group, volume, reserved
    payload += b"\x00" * 36  # matrix
    payload += struct.pack(">II", width << 16, height << 16)
    return _box(b"tkhd", payload)


def _trak(handler: bytes, width: int, height: int) -> bytes:
    hdlr = _box(b"hdlr", struct.pack(">I4s4s12x", 0, b"\x00\x00\x00\x00", handler) + b"\x00")
    return _box(b"trak", _tkhd(width, height) + _box(b"mdia", hdlr))


def mp4_bytes(
    *,
    seconds: float = 12.5,
    timescale: int = 1000,
    width: int = 1280,
    height: int = 720,
    brand: bytes = b"isom",
    mvhd_version: int = 0,
    with_audio: bool = True,
    moov: bool = True,
    mdat_size: int = 64,
) -> bytes:
    """A small but well-formed MP4: ftyp, moov (mvhd + an audio and a video track), mdat."""
    ftyp = _box(b"ftyp", brand + struct.pack(">I", 0x200) + brand + b"mp41")
    tracks = (_trak(b"soun", 0, 0) if with_audio else b"") + _trak(b"vide", width, height)
    moov_box = (
        _box(b"moov", _mvhd(timescale, int(seconds * timescale), mvhd_version) + tracks) if moov else b""
    )
    mdat = _box(b"mdat", b"\x00" * mdat_size)
    return ftyp + moov_box + mdat


def upload(workspace: Any, content: bytes, name: str = "photo.png", actor: Any = None) -> MediaAsset:
    return media_services.media_asset_upload(
        workspace=workspace, actor=actor, file_name=name, content=content
    ).asset


def tomorrow() -> dt.date:
    return dt.date.today() + dt.timedelta(days=1)
