"""API of the content app: items and themes, the marketing calendar, cadence and the plan."""

from ninja import Router

from .calendar import router as calendar_router
from .items import router as items_router
from .plan import router as plan_router
from .saved_views import router as saved_views_router

router = Router()
router.add_router("/", items_router)
router.add_router("/", calendar_router)
router.add_router("/", plan_router)
router.add_router("/", saved_views_router)
