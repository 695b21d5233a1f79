"""API of the goals app: metric snapshots and imports, goals, strategies, the competitor comparison."""

from ninja import Router

from .competitors import router as competitors_router
from .goals import router as goals_router
from .metrics import router as metrics_router

router = Router()
router.add_router("/", metrics_router)
router.add_router("/", goals_router)
router.add_router("/", competitors_router)
