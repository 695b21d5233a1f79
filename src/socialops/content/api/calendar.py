"""API: calendar."""

from ninja import Router

router = Router(tags=["calendar"])
