"""Turning the content app's media assets into connector MediaFiles."""

from __future__ import annotations

from typing import Any

from .connectors.base import MediaFile


def media_file_from_asset(
    asset: Any, *, url: str = "", with_data: bool = True, description: str = ""
) -> MediaFile:
    """A MediaFile for a content.MediaAsset: its bytes for upload connectors, ``url`` for link-based ones.

    Asset files are private; ``url`` should be one the receiver can open (for the manual
    connector the asset's page in socialops, for a webhook a signed or public URL).
    """
    data = None
    if with_data:
        with asset.file.open("rb") as fh:
            data = fh.read()
    return MediaFile(
        filename=asset.original_name,
        content_type=asset.content_type,
        data=data,
        url=url,
        description=description,
        asset_id=asset.pk,
    )
