"""API of the fans app: orders."""

from ninja import Router

router = Router(tags=["fans"])
