"""API of the community app: events."""

from ninja import Router

router = Router(tags=["community"])
