"""API: metrics."""

from ninja import Router

router = Router(tags=["metrics"])
