"""API of the engagement app: campaigns."""

from ninja import Router

router = Router(tags=["campaigns"])
