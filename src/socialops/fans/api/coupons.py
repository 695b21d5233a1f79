"""API of the fans app: coupons."""

from ninja import Router

router = Router(tags=["fans"])
