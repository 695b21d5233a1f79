"""Coupon redemptions and the orders they bring, written into the accounts' conversion metrics.

The rule: on every local day on which an account's coupon campaigns saw activity (a
redemption, or an order line credited to the account through a coupon), the three conversion
columns of that account-day's MetricSnapshot — ``coupon_redemptions``, ``orders`` and
``revenue`` — are owned by the coupons and written with source "coupons":

* coupon_redemptions: redemptions of the account's campaigns redeemed that day;
* orders: distinct orders among them (a redemption without an order id counts as one order),
  plus order lines credited to the account (``OrderLine.account``) that day under other order ids;
* revenue: the sum of those orders' amounts (each order once).

Other columns of the snapshot (followers, impressions…) are left as they are. The figures are
recomputed from the rows every time, so writing them twice changes nothing. Goals of kind
conversion on these metrics, and strategies linked to the campaigns, read these snapshots.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from socialops.accounts.models import SocialAccount
from socialops.goals.services.metrics import snapshot_upsert, snapshots_upsert_many
from socialops.workspaces.access import require_perm
from socialops.workspaces.models import Workspace
from socialops.workspaces.roles import Perm

from ..models import OrderLine, Redemption

SOURCE = "coupons"

Key = tuple[int, dt.date]


def _local_day(workspace: Workspace, moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment, workspace.tz).date()


def _day_bounds(workspace: Workspace, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time.min, tzinfo=workspace.tz)
    return start, start + dt.timedelta(days=1)


def _figures(
    workspace: Workspace, *, account_id: int | None = None, day: dt.date | None = None
) -> dict[Key, dict[str, Any]]:
    """The three figures per (account, local day), for one account-day or the whole workspace."""
    redemptions = Redemption.objects.filter(workspace=workspace).select_related("coupon__campaign")
    # No ordering: the default (newest first) makes SQLite walk the time index over every line.
    lines = OrderLine.objects.filter(workspace=workspace, account__isnull=False).order_by()
    if account_id is not None:
        redemptions = redemptions.filter(coupon__campaign__account_id=account_id)
        lines = lines.filter(account_id=account_id)
    if day is not None:
        start, end = _day_bounds(workspace, day)
        redemptions = redemptions.filter(redeemed_at__gte=start, redeemed_at__lt=end)
        lines = lines.filter(ordered_at__gte=start, ordered_at__lt=end)

    counts: dict[Key, int] = defaultdict(int)
    # order id → amount, per account-day; redemptions without an order id are orders of their own.
    orders: dict[Key, dict[str, Decimal]] = defaultdict(dict)
    for r in redemptions:
        key = (r.coupon.campaign.account_id, _local_day(workspace, r.redeemed_at))
        counts[key] += 1
        order_key = r.order_id or f"redemption:{r.pk}"
        orders[key][order_key] = r.order_amount if r.order_amount is not None else Decimal(0)
    credited: dict[Key, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for line in lines:
        assert line.account_id is not None
        key = (line.account_id, _local_day(workspace, line.ordered_at))
        credited[key][line.order_id] += line.amount
    for key, by_order in credited.items():
        for order_id, amount in by_order.items():
            orders[key].setdefault(order_id, amount)

    out: dict[Key, dict[str, Any]] = {}
    for key in set(counts) | set(orders):
        amounts = orders.get(key, {})
        out[key] = {
            "coupon_redemptions": counts.get(key, 0),
            "orders": len(amounts),
            # Cancellations can make a day's sum negative; revenue is never below zero.
            "revenue": max(sum(amounts.values(), Decimal(0)), Decimal(0)).quantize(Decimal("0.01")),
        }
    return out


def conversions_record_day(*, workspace: Workspace, account: SocialAccount, day: dt.date) -> None:
    """Rewrite one account-day's coupon figures from the rows; call inside the redemption's transaction."""
    figures = _figures(workspace, account_id=account.pk, day=day).get((account.pk, day))
    if figures is None:
        return
    # Written by the system on behalf of the coupon service that already checked the caller.
    snapshot_upsert(workspace=workspace, actor=None, account=account, date=day, values=figures, source=SOURCE)


def conversions_record(*, workspace: Workspace, redemption: Redemption) -> None:
    """After a redemption: rewrite the figures of its campaign's account on its local day."""
    account = redemption.coupon.campaign.account
    conversions_record_day(
        workspace=workspace, account=account, day=_local_day(workspace, redemption.redeemed_at)
    )


@transaction.atomic
def conversions_recompute(*, workspace: Workspace, actor: Any) -> dict[str, int]:
    """Rewrite the coupon figures of every account-day with coupon activity in the workspace."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.FANS_EDIT)
    figures = _figures(workspace)
    if not figures:
        return {"rows": 0, "created": 0, "updated": 0, "unchanged": 0}
    accounts = {
        a.pk: a for a in SocialAccount.objects.filter(workspace=workspace, pk__in={k[0] for k in figures})
    }
    rows = [(accounts[pk], day, values) for (pk, day), values in sorted(figures.items())]
    return snapshots_upsert_many(workspace=workspace, actor=None, rows=rows, source=SOURCE)
