"""API of the goals app: metric snapshots and imports, goals, strategies."""

from ninja import Router

from .goals import router as goals_router
from .metrics import router as metrics_router

router = Router()
router.add_router("/", metrics_router)
router.add_router("/", goals_router)
