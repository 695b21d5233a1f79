"""API of the fans app: segments."""

from ninja import Router

router = Router(tags=["fans"])
