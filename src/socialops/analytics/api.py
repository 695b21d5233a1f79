"""API: post history, column mappings, post imports, best time to post."""

from ninja import Router

router = Router(tags=["analytics"])
