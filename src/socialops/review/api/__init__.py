"""API of the review app: checks and the workflow."""

from ninja import Router

from .checks import router as checks_router
from .workflow import router as workflow_router

router = Router()
router.add_router("/", checks_router)
router.add_router("/", workflow_router)
