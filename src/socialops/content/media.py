"""Pure helpers for uploaded media: recognise the file from its bytes, read its size, make thumbnails.

No Django here: the upload service turns a ``MediaError`` into a ValidationError in the user's
language (the messages are built there from ``code`` and ``params``). The file name a person
gave is never trusted: the type comes from the bytes (Pillow for images, the ISO base media
file format's ``ftyp`` box for MP4/MOV), and video duration and size come from the ``mvhd`` and
``tkhd`` boxes parsed here in pure Python, since no ffprobe is available where this runs.
"""

from __future__ import annotations

import io
import struct
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from PIL import Image, UnidentifiedImageError

IMAGE_MAX_BYTES = 10 * 1024 * 1024
IMAGE_MAX_SIDE = 8000
IMAGE_MIN_SIDE = 100
VIDEO_MAX_BYTES = 200 * 1024 * 1024
THUMB_MAX_SIDE = 320

# Pillow format name → MIME type; anything else Pillow recognises (BMP, TIFF, …) is refused
# because the platforms do not take it.
IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}
# QuickTime files say "qt  "; every other ftyp brand of the family is served as MP4.
QUICKTIME_BRAND = b"qt  "
VIDEO_BRANDS = {
    b"isom",
    b"iso2",
    b"iso3",
    b"iso4",
    b"iso5",
    b"iso6",
    b"mp41",
    b"mp42",
    b"avc1",
    b"M4V ",
    b"M4VP",
    b"dash",
    b"msnv",
    b"mmp4",
    b"3gp4",
    b"3gp5",
    b"3gp6",
    b"qt  ",
    b"f4v ",
}
# Still-image and audio members of the same box family (HEIC, AVIF, M4A) are not videos.
NOT_VIDEO_BRANDS = {b"heic", b"heix", b"mif1", b"msf1", b"avif", b"avis", b"M4A ", b"M4B ", b"crx "}


class MediaError(Exception):
    """Why a file was refused: a stable ``code`` and the ``params`` its message needs."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class MediaInfo:
    """What the bytes are: kind, MIME type, pixel size and (videos) duration in seconds."""

    kind: str  # "image" | "video"
    content_type: str
    extension: str
    width: int | None
    height: int | None
    duration_seconds: float | None = None


def inspect_media(content: bytes) -> MediaInfo:
    """Recognise an image or video from its bytes and check the limits; raise MediaError otherwise."""
    if not content:
        raise MediaError("empty")
    if _looks_like_iso_media(content):
        return inspect_video(content)
    return inspect_image(content)


def inspect_image(content: bytes) -> MediaInfo:
    """A JPEG/PNG/GIF/WebP within the size and dimension limits, fully decodable."""
    if len(content) > IMAGE_MAX_BYTES:
        raise MediaError("image_too_big", size=len(content), limit=IMAGE_MAX_BYTES)
    try:
        with warnings.catch_warnings():
            # A decompression-bomb warning becomes an error: the dimension check below says why.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(content))
            fmt = image.format or ""
            width, height = image.size
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise MediaError("unknown_type") from None
    except (OSError, ValueError, SyntaxError, struct.error):
        raise MediaError("damaged") from None
    if fmt not in IMAGE_TYPES:
        raise MediaError("unsupported_image", format=fmt)
    if width > IMAGE_MAX_SIDE or height > IMAGE_MAX_SIDE:
        raise MediaError("image_too_large", width=width, height=height, limit=IMAGE_MAX_SIDE)
    if width < IMAGE_MIN_SIDE or height < IMAGE_MIN_SIDE:
        raise MediaError("image_too_small", width=width, height=height, limit=IMAGE_MIN_SIDE)
    try:
        # verify() catches broken structure; load() (on a fresh handle) catches truncated pixel data.
        Image.open(io.BytesIO(content)).verify()
        Image.open(io.BytesIO(content)).load()
    except Exception:  # Pillow raises many types for broken files; all mean the same to a person.
        raise MediaError("damaged") from None
    extension = {"JPEG": ".jpg", "PNG": ".png", "GIF": ".gif", "WEBP": ".webp"}[fmt]
    return MediaInfo("image", IMAGE_TYPES[fmt], extension, width, height)


def make_thumbnail(content: bytes, max_side: int = THUMB_MAX_SIDE) -> bytes:
    """A JPEG at most ``max_side`` pixels on its longer side, transparency flattened onto white."""
    image: Any = Image.open(io.BytesIO(content))
    image.seek(0)  # the first frame of an animated GIF/WebP
    if image.format == "JPEG":
        image.draft("RGB", (max_side, max_side))  # decode at reduced scale: much faster for big photos
    image.thumbnail((max_side, max_side))
    if image.mode in ("RGBA", "LA", "P", "PA"):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    elif image.mode != "RGB":
        image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=82, optimize=True)
    return out.getvalue()


# ---- MP4 / MOV ------------------------------------------------------------------------------


def _looks_like_iso_media(content: bytes) -> bool:
    # The ftyp box comes first in every MP4/MOV a camera or editor writes (ISO/IEC 14496-12 §4.3).
    return len(content) >= 8 and content[4:8] == b"ftyp"


def _boxes(data: bytes, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """(type, payload start, payload end) of each box between start and end; MediaError if the sizes lie."""
    pos = start
    while pos < end:
        if end - pos < 8:
            raise MediaError("damaged")
        size, kind = struct.unpack(">I4s", data[pos : pos + 8])
        header = 8
        if size == 1:
            if end - pos < 16:
                raise MediaError("damaged")
            size = struct.unpack(">Q", data[pos + 8 : pos + 16])[0]
            header = 16
        elif size == 0:
            size = end - pos  # "extends to the end of the file"
        if size < header or pos + size > end:
            raise MediaError("damaged")
        yield kind, pos + header, pos + size
        pos += size


def _child(data: bytes, start: int, end: int, kind: bytes) -> tuple[int, int] | None:
    for box, payload, box_end in _boxes(data, start, end):
        if box == kind:
            return payload, box_end
    return None


def _mvhd_duration(data: bytes, start: int, end: int) -> float | None:
    if end - start < 4:
        raise MediaError("damaged")
    version = data[start]
    if version == 1:
        if end - start < 32:
            raise MediaError("damaged")
        timescale, duration = struct.unpack(">IQ", data[start + 20 : start + 32])
    else:
        if end - start < 20:
            raise MediaError("damaged")
        timescale, duration = struct.unpack(">II", data[start + 12 : start + 20])
    # All-ones means "unknown" (e.g. a live recording still being written); 0 in fragmented files.
    if timescale == 0 or duration in (0, 0xFFFFFFFF, 0xFFFFFFFFFFFFFFFF):
        return None
    return duration / timescale


def _tkhd_size(data: bytes, start: int, end: int) -> tuple[int, int]:
    if end - start < 4:
        raise MediaError("damaged")
    version = data[start]
    # width and height are the last 8 bytes of the box (16.16 fixed point), after the matrix.
    offset = start + (88 if version == 1 else 76)
    if end - offset < 8:
        raise MediaError("damaged")
    width, height = struct.unpack(">II", data[offset : offset + 8])
    return width >> 16, height >> 16


def _handler(data: bytes, trak_start: int, trak_end: int) -> bytes | None:
    mdia = _child(data, trak_start, trak_end, b"mdia")
    if mdia is None:
        return None
    hdlr = _child(data, mdia[0], mdia[1], b"hdlr")
    if hdlr is None or hdlr[1] - hdlr[0] < 12:
        return None
    return data[hdlr[0] + 8 : hdlr[0] + 12]


def inspect_video(content: bytes) -> MediaInfo:
    """An MP4/MOV within the size limit, with its duration (mvhd) and picture size (video track's tkhd)."""
    if len(content) > VIDEO_MAX_BYTES:
        raise MediaError("video_too_big", size=len(content), limit=VIDEO_MAX_BYTES)
    end = len(content)
    boxes = list(_boxes(content, 0, end))
    kind, payload, box_end = boxes[0]
    if kind != b"ftyp" or box_end - payload < 8:
        raise MediaError("damaged")
    major = content[payload : payload + 4]
    compatible = {content[i : i + 4] for i in range(payload + 8, box_end - 3, 4)}
    brands = {major} | compatible
    if major in NOT_VIDEO_BRANDS or not brands & VIDEO_BRANDS:
        raise MediaError("unknown_type")
    moov = next(((p, e) for k, p, e in boxes if k == b"moov"), None)
    if moov is None:
        # Cameras write the index (moov) last: a file cut short loses it and cannot be played.
        raise MediaError("video_no_index")
    mvhd = _child(content, moov[0], moov[1], b"mvhd")
    if mvhd is None:
        raise MediaError("video_no_index")
    duration = _mvhd_duration(content, *mvhd)
    width = height = None
    for box, payload_start, payload_end in _boxes(content, moov[0], moov[1]):
        if box != b"trak":
            continue
        tkhd = _child(content, payload_start, payload_end, b"tkhd")
        if tkhd is None:
            continue
        track_width, track_height = _tkhd_size(content, *tkhd)
        handler = _handler(content, payload_start, payload_end)
        if handler == b"vide" or (handler is None and track_width and track_height):
            width, height = track_width or None, track_height or None
            break
    if major == QUICKTIME_BRAND:
        return MediaInfo("video", "video/quicktime", ".mov", width, height, duration)
    return MediaInfo("video", "video/mp4", ".mp4", width, height, duration)
