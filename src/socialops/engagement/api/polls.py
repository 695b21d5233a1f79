"""API of the engagement app: polls."""

from ninja import Router

router = Router(tags=["polls"])
