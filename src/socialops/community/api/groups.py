"""API of the community app: groups."""

from ninja import Router

router = Router(tags=["community"])
