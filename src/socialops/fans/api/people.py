"""API of the fans app: people."""

from ninja import Router

router = Router(tags=["fans"])
