"""API of the community app: groups, members, sharing plans, moderation; events, tickets."""

from ninja import Router

from .events import router as events_router
from .groups import router as groups_router
from .moderation import router as moderation_router

router = Router()
router.add_router("/", groups_router)
router.add_router("/", events_router)
router.add_router("/", moderation_router)
