"""Reads of coupon campaigns: the list, one campaign, its coupons, redemptions and funnel."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet, Sum
from django.shortcuts import get_object_or_404

from socialops.workspaces.models import Workspace
from socialops.workspaces.selectors import member_rows

from ..models import Coupon, CouponCampaign, Redemption


def campaign_list(*, workspace: Workspace, user: Any) -> QuerySet[CouponCampaign]:
    """The workspace's coupon campaigns, latest first, with their account and strategy."""
    return member_rows(CouponCampaign, workspace=workspace, user=user).select_related("account", "strategy")


def campaign_get(*, workspace: Workspace, user: Any, campaign_id: int) -> CouponCampaign:
    """One campaign of this workspace, or Http404."""
    return get_object_or_404(campaign_list(workspace=workspace, user=user), pk=campaign_id)


def campaign_coupons(*, workspace: Workspace, user: Any, campaign: CouponCampaign) -> QuerySet[Coupon]:
    """The campaign's coupons (issued first, newest first), with their person and redemption."""
    return (
        member_rows(Coupon, workspace=workspace, user=user)
        .filter(campaign=campaign)
        .select_related("person", "redemption")
        .order_by("-issued_at", "-pk")
    )


def campaign_redemptions(
    *, workspace: Workspace, user: Any, campaign: CouponCampaign
) -> QuerySet[Redemption]:
    """The campaign's redemptions, latest first."""
    return (
        member_rows(Redemption, workspace=workspace, user=user)
        .filter(coupon__campaign=campaign)
        .select_related("coupon", "person")
        .order_by("-redeemed_at", "-pk")
    )


@dataclass(frozen=True)
class Funnel:
    """A campaign's funnel: coupons issued → redeemed → revenue of the redeemed orders."""

    issued: int
    redeemed: int
    revenue: Decimal
    unissued: int

    @property
    def redemption_rate(self) -> float | None:
        return self.redeemed / self.issued if self.issued else None


def campaign_funnel(*, workspace: Workspace, user: Any, campaign: CouponCampaign) -> Funnel:
    """Issued, redeemed and revenue of one campaign (revenue: the sum of redeemed orders' amounts)."""
    coupons = campaign_coupons(workspace=workspace, user=user, campaign=campaign)
    issued = coupons.filter(person__isnull=False).count()
    unissued = coupons.filter(person__isnull=True).count()
    redemptions = campaign_redemptions(workspace=workspace, user=user, campaign=campaign)
    revenue = redemptions.aggregate(total=Sum("order_amount"))["total"] or Decimal(0)
    return Funnel(issued=issued, redeemed=redemptions.count(), revenue=Decimal(revenue), unissued=unissued)
