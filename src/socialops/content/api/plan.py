"""API: plan."""

from ninja import Router

router = Router(tags=["plan"])
