"""API of the fans app: people and fans, orders, segments and tiers, coupons, playbooks."""

from ninja import Router

from .coupons import router as coupons_router
from .orders import router as orders_router
from .people import router as people_router
from .playbooks import router as playbooks_router
from .segments import router as segments_router

router = Router()
router.add_router("/", people_router)
router.add_router("/", orders_router)
router.add_router("/", segments_router)
router.add_router("/", coupons_router)
router.add_router("/", playbooks_router)
