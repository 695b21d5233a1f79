"""API of the fans app: playbooks."""

from ninja import Router

router = Router(tags=["fans"])
