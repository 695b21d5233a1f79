"""API: goals."""

from ninja import Router

router = Router(tags=["goals"])
