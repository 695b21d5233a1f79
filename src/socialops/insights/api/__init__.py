"""API of the insights app: analyses, recommendations, reports."""

from ninja import Router

from .content import router as content_router
from .goals import router as goals_router
from .growth import router as growth_router
from .recommendations import router as recommendations_router
from .reports import router as reports_router

router = Router()
router.add_router("/", content_router)
router.add_router("/", growth_router)
router.add_router("/", goals_router)
router.add_router("/", recommendations_router)
router.add_router("/", reports_router)
