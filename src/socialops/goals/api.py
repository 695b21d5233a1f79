"""API of this app (filled in by its issue work)."""

from ninja import Router

router = Router(tags=["goals"])
