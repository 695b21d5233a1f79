"""Funnels (issue 14 §2): exposure → interaction → click → lead → order per account and period,
with step rates and where the biggest drop is.

Every figure is a sum over goals' daily metric snapshots: impressions (exposure), likes +
comments + shares + saves (interaction), link clicks, leads and orders; coupon redemptions and
revenue are shown beside them. The coupons and the order import of the fans app write their
conversions into these snapshots (fans.services.conversions), so the funnel reads one place.
A step with no figure on any day of the window has no data: it is said so, and no rate is
computed into or out of it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy

from socialops.accounts.models import SocialAccount
from socialops.accounts.selectors import own_accounts
from socialops.core.time import local_today
from socialops.goals.models import MetricSnapshot
from socialops.workspaces.access import membership_get
from socialops.workspaces.models import Workspace

STEPS: tuple[tuple[str, Any], ...] = (
    ("exposure", gettext_lazy("Exposure (impressions)")),
    ("interaction", gettext_lazy("Interactions")),
    ("click", gettext_lazy("Link clicks")),
    ("lead", gettext_lazy("Leads")),
    ("order", gettext_lazy("Orders")),
)
# The step each rate is taken from. Leads and orders are both rated from clicks: an order need not
# start as a lead, so chaining them would give rates over 100%.
FROM = {"interaction": "exposure", "click": "interaction", "lead": "click", "order": "click"}
ENGAGEMENT_FIELDS = ("likes", "comments", "shares", "saves")
DAY_CHOICES = (30, 90, 180)
DEFAULT_DAYS = 30


def _sum(values: list[Any]) -> Any:
    known = [v for v in values if v is not None]
    return sum(known) if known else None


def _funnel(snaps: list[MetricSnapshot]) -> dict[str, Any]:
    engagements = [s.engagements for s in snaps]
    figures = {
        "exposure": _sum([s.impressions for s in snaps]),
        "interaction": _sum(engagements),
        "click": _sum([s.link_clicks for s in snaps]),
        "lead": _sum([s.leads for s in snaps]),
        "order": _sum([s.orders for s in snaps]),
    }
    steps = []
    for key, label in STEPS:
        value = figures[key]
        source = FROM.get(key)
        before = figures[source] if source else None
        rate = value / before if value is not None and before else None
        steps.append(
            {
                "key": key,
                "label": str(label),
                "value": value,
                "has_data": value is not None,
                "from_step": source,
                "rate": rate,
            }
        )
    rated = [s for s in steps if s["rate"] is not None]
    biggest = min(rated, key=lambda s: s["rate"]) if rated else None
    revenue = _sum([s.revenue for s in snaps])
    orders = figures["order"]
    return {
        "steps": steps,
        "biggest_drop": biggest["key"] if biggest else None,
        "no_data": [s["key"] for s in steps if not s["has_data"]],
        "coupon_redemptions": _sum([s.coupon_redemptions for s in snaps]),
        "revenue": float(revenue) if isinstance(revenue, Decimal) else revenue,
        "revenue_per_order": float(revenue) / orders if revenue is not None and orders else None,
        "days": len({s.date for s in snaps}),
    }


def funnel(
    *,
    workspace: Workspace,
    user: Any,
    account: SocialAccount | None = None,
    days: int = DEFAULT_DAYS,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """The funnel over the last ``days`` days for all our accounts together and for each one."""
    membership_get(workspace=workspace, user=user)
    today = today or local_today(workspace)
    start = today - dt.timedelta(days=days - 1)
    accounts = [account] if account is not None else list(own_accounts(workspace=workspace, user=user))
    snaps = list(
        MetricSnapshot.objects.filter(
            workspace=workspace, account__in=accounts, date__gte=start, date__lte=today
        ).order_by("account_id", "date")
    )
    per_account = []
    for acc in accounts:
        mine = [s for s in snaps if s.account_id == acc.pk]
        per_account.append(
            {
                "account": acc.pk,
                "account_name": f"{acc.display_name} · {acc.get_platform_display()}",
                **_funnel(mine),
            }
        )
    return {"start": start, "end": today, "days": days, "total": _funnel(snaps), "accounts": per_account}
