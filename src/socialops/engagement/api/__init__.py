"""API of the inbox: threads, replies, notes and alerts; saved replies, rules and settings; the report."""

from ninja import Router

from .reports import router as reports_router
from .setup import router as setup_router
from .threads import router as threads_router

router = Router()
router.add_router("/", threads_router)
router.add_router("/", setup_router)
router.add_router("/", reports_router)
