"""API of the insights app: analyses, recommendations, reports."""

from ninja import Router

from .content import router as content_router

router = Router()
router.add_router("/", content_router)
