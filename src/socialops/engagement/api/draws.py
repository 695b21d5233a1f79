"""API of the engagement app: draws."""

from ninja import Router

router = Router(tags=["draws"])
