"""Uploads and deletions in the media library (images and videos reused across items).

Files are stored content-addressed (one copy per workspace and SHA-256) in the configured
storage: the data dir's media/ by default, S3-compatible storage when SOCIALOPS_S3_BUCKET is
set. They are never served from a public URL: a member-only view streams them.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import unicodedata
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from socialops.core.actors import user_or_none
from socialops.workspaces.access import require_perm
from socialops.workspaces.audit import audit_record, audit_saved, snapshot
from socialops.workspaces.models import Workspace
from socialops.workspaces.roles import Perm

from ..media import (
    IMAGE_MAX_BYTES,
    IMAGE_MAX_SIDE,
    IMAGE_MIN_SIDE,
    VIDEO_MAX_BYTES,
    MediaError,
    inspect_media,
    make_thumbnail,
)
from ..models import MediaAsset, MediaKind
from ..selectors.items import media_asset_usage

FILE_NAME_MAX = 255


class MediaUpload(NamedTuple):
    """The stored asset, and whether this upload added it (False: the same file was already there)."""

    asset: MediaAsset
    created: bool


def clean_file_name(file_name: Any) -> str:
    """The last path component, without control characters, at most 255 characters."""
    name = str(file_name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    if len(name) > FILE_NAME_MAX:
        stem, ext = os.path.splitext(name)
        name = stem[: FILE_NAME_MAX - len(ext[:10])] + ext[:10]
    return name or "upload"


def media_error_message(error: MediaError, name: str) -> str:
    """A person's explanation of why their file was refused, naming the file."""
    p = error.params
    if error.code == "empty":
        return _("“%(name)s” is empty.") % {"name": name}
    if error.code == "unknown_type":
        return _("“%(name)s” is not a JPEG, PNG, GIF or WebP image or an MP4/MOV video.") % {"name": name}
    if error.code == "unsupported_image":
        return _("“%(name)s” is a %(format)s image; upload JPEG, PNG, GIF or WebP.") % {
            "name": name,
            "format": p.get("format") or "?",
        }
    if error.code == "image_too_big":
        return _("“%(name)s” is %(size)s; an image may be at most %(limit)s.") % {
            "name": name,
            "size": filesizeformat(p["size"]),
            "limit": filesizeformat(IMAGE_MAX_BYTES),
        }
    if error.code == "image_too_large":
        return _("“%(name)s” is %(width)d×%(height)d pixels; at most %(limit)d×%(limit)d.") % {
            "name": name,
            "width": p["width"],
            "height": p["height"],
            "limit": IMAGE_MAX_SIDE,
        }
    if error.code == "image_too_small":
        return _("“%(name)s” is %(width)d×%(height)d pixels; at least %(limit)d×%(limit)d.") % {
            "name": name,
            "width": p["width"],
            "height": p["height"],
            "limit": IMAGE_MIN_SIDE,
        }
    if error.code == "video_too_big":
        return _("“%(name)s” is %(size)s; a video may be at most %(limit)s.") % {
            "name": name,
            "size": filesizeformat(p["size"]),
            "limit": filesizeformat(VIDEO_MAX_BYTES),
        }
    if error.code == "video_no_index":
        return _(
            "“%(name)s” has no MP4 index (moov box): the file is incomplete or was not finished by "
            "the camera or editor. Export it again."
        ) % {"name": name}
    return _("“%(name)s” is damaged or incomplete and cannot be read.") % {"name": name}


def _asset_snapshot(asset: MediaAsset) -> dict[str, Any]:
    # File fields are stored names, not file objects, in the log.
    data = snapshot(asset, exclude={"file", "thumbnail"})
    data["file"] = asset.file.name or ""
    data["thumbnail"] = asset.thumbnail.name or ""
    return data


def _store(field: Any, instance: MediaAsset, file_name: str, content: bytes) -> None:
    """Save into storage under the field's content-addressed name, reusing a copy already there."""
    name = field.field.generate_filename(instance, file_name)
    if field.storage.exists(name):
        # Left by an earlier upload whose transaction rolled back: same name means same bytes.
        field.name = name
    else:
        field.save(file_name, ContentFile(content), save=False)


@transaction.atomic
def media_asset_upload(*, workspace: Workspace, actor: Any, file_name: str, content: bytes) -> MediaUpload:
    """Add an image (JPEG/PNG/GIF/WebP) or video (MP4/MOV) to the library; the same bytes again give the existing asset."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.CONTENT_EDIT)
    name = clean_file_name(file_name)
    if not isinstance(content, bytes | bytearray):
        raise ValidationError({"file": [_("“%(name)s” could not be read.") % {"name": name}]})
    content = bytes(content)
    try:
        info = inspect_media(content)
    except MediaError as exc:
        raise ValidationError({"file": [media_error_message(exc, name)]}) from exc
    digest = hashlib.sha256(content).hexdigest()
    existing = MediaAsset.objects.filter(workspace=workspace, sha256=digest).first()
    if existing is not None:
        return MediaUpload(existing, False)
    user = user_or_none(actor)
    asset = MediaAsset(
        workspace=workspace,
        kind=info.kind,
        original_name=name,
        content_type=info.content_type,
        size_bytes=len(content),
        width=info.width,
        height=info.height,
        duration_seconds=info.duration_seconds,
        sha256=digest,
        uploaded_by=user,
    )
    # The stored name takes the extension of what the bytes are, not of what the name claimed.
    _store(asset.file, asset, f"upload{info.extension}", content)
    if info.kind == MediaKind.IMAGE:
        _store(asset.thumbnail, asset, "thumb.jpg", make_thumbnail(content))
    try:
        with transaction.atomic():
            asset.save()
    except IntegrityError:
        # Someone uploaded the same file at the same moment: theirs is the one.
        existing = MediaAsset.objects.filter(workspace=workspace, sha256=digest).first()
        if existing is None:
            raise
        return MediaUpload(existing, False)
    audit_saved(asset, workspace=workspace, actor=actor, action="media_asset.upload", snap=_asset_snapshot)
    return MediaUpload(asset, True)


@transaction.atomic
def media_asset_delete(*, workspace: Workspace, actor: Any, asset: MediaAsset) -> None:
    """Delete an asset no item or variant uses, and its stored files once the deletion commits."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.CONTENT_EDIT)
    if asset.workspace_id != workspace.pk:
        raise ValidationError({"asset": [_("Not found.")]})
    usage = media_asset_usage(workspace=workspace, asset=asset)
    users = [f"“{i.title}”" for i in usage["items"]] + [
        f"“{v.item.title}” @ {v.account.display_name}" for v in usage["variants"]
    ]
    if users:
        raise ValidationError(
            {
                "asset": [
                    _("“%(name)s” is still used by %(users)s. Remove it there first.")
                    % {
                        "name": asset.original_name,
                        "users": "、".join(users[:5]) + ("…" if len(users) > 5 else ""),
                    }
                ]
            }
        )
    audit_record(
        workspace=workspace,
        actor=actor,
        action="media_asset.delete",
        obj=asset,
        before=_asset_snapshot(asset),
    )
    files = [(f.storage, f.name) for f in (asset.file, asset.thumbnail) if f.name]
    asset.delete()

    def remove_files() -> None:
        for storage, name in files:
            # Already gone is fine: nothing refers to it any more.
            with contextlib.suppress(OSError):
                storage.delete(name)

    transaction.on_commit(remove_files)
