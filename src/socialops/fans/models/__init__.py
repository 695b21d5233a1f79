"""Models of the fans app, one module per area."""

from .coupons import CodeSource, Coupon, CouponCampaign, Redemption, RedemptionSource
from .orders import OrderImport, OrderLine, OrderMapping
from .people import (
    Fan,
    Interaction,
    InteractionKind,
    InteractionSource,
    InterestSource,
    Person,
    PersonInterest,
    PersonMerge,
    SourceCursor,
    SourceStream,
)
from .playbooks import (
    ActionStatus,
    FollowUp,
    FollowUpStatus,
    Playbook,
    PlaybookAction,
    PlaybookRun,
    PlaybookTrigger,
)
from .segments import (
    Segment,
    SegmentDailySize,
    SegmentEvent,
    SegmentEventKind,
    SegmentKind,
    SegmentMembership,
    ValueModelFit,
)

__all__ = [
    "ActionStatus",
    "CodeSource",
    "Coupon",
    "CouponCampaign",
    "Fan",
    "FollowUp",
    "FollowUpStatus",
    "Interaction",
    "InteractionKind",
    "InteractionSource",
    "InterestSource",
    "OrderImport",
    "OrderLine",
    "OrderMapping",
    "Person",
    "PersonInterest",
    "PersonMerge",
    "Playbook",
    "PlaybookAction",
    "PlaybookRun",
    "PlaybookTrigger",
    "Redemption",
    "RedemptionSource",
    "Segment",
    "SegmentDailySize",
    "SegmentEvent",
    "SegmentEventKind",
    "SegmentKind",
    "SegmentMembership",
    "SourceCursor",
    "SourceStream",
    "ValueModelFit",
]
