"""API of the engagement app: the inbox (threads, replies, notes, alerts, saved replies, rules,
settings, the report) and campaigns (topics, ideas, polls and surveys, lucky draws)."""

from ninja import Router

from .campaigns import router as campaigns_router
from .draws import router as draws_router
from .polls import router as polls_router
from .reports import router as reports_router
from .setup import router as setup_router
from .threads import router as threads_router

router = Router()
router.add_router("/", threads_router)
router.add_router("/", setup_router)
router.add_router("/", reports_router)
router.add_router("/", campaigns_router)
router.add_router("/", polls_router)
router.add_router("/", draws_router)
