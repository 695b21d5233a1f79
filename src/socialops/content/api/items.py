"""API: items."""

from ninja import Router

router = Router(tags=["items"])
