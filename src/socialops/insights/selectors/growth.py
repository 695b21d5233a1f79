"""Growth and retention (issue 14 §2): new, lost and net followers per account and period, and
follower cohorts by follow week with the share still following in each later week.

Two sources, shown side by side because they count different things: goals' daily metric
snapshots (the platform's own new/lost figures, every follower) and fans' follow/unfollow
interactions (only the followers the product has seen as a fan, which the cohorts need).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Count
from django.db.models.functions import TruncDate

from socialops.accounts.models import SocialAccount
from socialops.accounts.selectors import own_accounts
from socialops.core.time import local_today
from socialops.fans.models import Interaction, InteractionKind
from socialops.goals.models import MetricSnapshot
from socialops.workspaces.access import membership_get
from socialops.workspaces.models import Workspace

PERIODS = ("week", "month")
WEEK_CHOICES = (8, 12, 26, 52)
DEFAULT_WEEKS = 12


def period_start(day: dt.date, period: str) -> dt.date:
    """The Monday of the day's week, or the first of its month."""
    if period == "month":
        return day.replace(day=1)
    return day - dt.timedelta(days=day.weekday())


def _window(
    workspace: Workspace, weeks: int, today: dt.date | None, start: dt.date | None = None
) -> tuple[dt.date, dt.date]:
    today = today or local_today(workspace)
    if start is None:
        start = period_start(today, "week") - dt.timedelta(weeks=weeks - 1)
    return start, today


def _accounts(workspace: Workspace, user: Any, account: SocialAccount | None) -> list[SocialAccount]:
    if account is not None:
        return [account]
    return list(own_accounts(workspace=workspace, user=user))


def _label(account: SocialAccount) -> str:
    # Two accounts may share a display name on different platforms.
    return f"{account.display_name} · {account.get_platform_display()}"


def follower_flows(
    *,
    workspace: Workspace,
    user: Any,
    account: SocialAccount | None = None,
    period: str = "week",
    weeks: int = DEFAULT_WEEKS,
    today: dt.date | None = None,
    start: dt.date | None = None,
) -> dict[str, Any]:
    """Per account and period: new, lost and net followers from the snapshots and from follow events.

    ``start`` (with ``today``) replaces the window of ``weeks`` whole weeks: a report's own period.
    """
    membership_get(workspace=workspace, user=user)
    start, end = _window(workspace, weeks, today, start)
    accounts = _accounts(workspace, user, account)
    ids = [a.pk for a in accounts]
    flows: dict[tuple[int, dt.date], dict[str, Any]] = {}

    def cell(account_id: int, day: dt.date) -> dict[str, Any]:
        key = (account_id, period_start(day, period))
        if key not in flows:
            flows[key] = {"new": None, "lost": None, "follows": 0, "unfollows": 0}
        return flows[key]

    snaps = MetricSnapshot.objects.filter(
        workspace=workspace, account_id__in=ids, date__gte=start, date__lte=end
    ).values_list("account_id", "date", "new_followers", "lost_followers")
    for account_id, day, new, lost in snaps:
        row = cell(account_id, day)
        if new is not None:
            row["new"] = (row["new"] or 0) + new
        if lost is not None:
            row["lost"] = (row["lost"] or 0) + lost
    tz = workspace.tz
    events = (
        Interaction.objects.filter(
            workspace=workspace,
            account_id__in=ids,
            kind__in=(InteractionKind.FOLLOW, InteractionKind.UNFOLLOW),
            occurred_at__date__gte=start - dt.timedelta(days=1),
        )
        .annotate(day=TruncDate("occurred_at", tzinfo=tz))
        .values("account_id", "day", "kind")
        .annotate(n=Count("id"))
    )
    for ev in events:
        if not start <= ev["day"] <= end:
            continue
        row = cell(ev["account_id"], ev["day"])
        row["follows" if ev["kind"] == InteractionKind.FOLLOW else "unfollows"] += ev["n"]
    periods = sorted({p for _a, p in flows} | {period_start(start, period)})
    names = {a.pk: a for a in accounts}
    rows = []
    for (account_id, p), f in sorted(flows.items(), key=lambda kv: (_label(names[kv[0][0]]), kv[0][1])):
        net = None if f["new"] is None or f["lost"] is None else f["new"] - f["lost"]
        rows.append(
            {
                "account": account_id,
                "account_name": _label(names[account_id]),
                "period": p,
                "new": f["new"],
                "lost": f["lost"],
                "net": net,
                "follows": f["follows"],
                "unfollows": f["unfollows"],
                "net_events": f["follows"] - f["unfollows"],
            }
        )
    totals = {
        key: sum(r[key] or 0 for r in rows)
        for key in ("new", "lost", "net", "follows", "unfollows", "net_events")
    }
    return {
        "period": period,
        "start": start,
        "end": end,
        "periods": periods,
        "accounts": [{"id": a.pk, "name": _label(a)} for a in accounts],
        "rows": rows,
        "totals": totals,
    }


def follower_cohorts(
    *,
    workspace: Workspace,
    user: Any,
    account: SocialAccount | None = None,
    weeks: int = DEFAULT_WEEKS,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """Cohorts by the week of a fan's first follow; per later week, the share still following at its end.

    A fan's state at a moment is its latest follow or unfollow event up to then, so one who
    unfollows and follows again counts as retained once back. Later weeks that have not ended yet
    are left out (they would look like churn that has not happened); the cohort's own week shows
    retention so far.
    """
    membership_get(workspace=workspace, user=user)
    start, end = _window(workspace, weeks, today)
    ids = [a.pk for a in _accounts(workspace, user, account)]
    tz = workspace.tz
    events = (
        Interaction.objects.filter(
            workspace=workspace,
            account_id__in=ids,
            kind__in=(InteractionKind.FOLLOW, InteractionKind.UNFOLLOW),
            fan__isnull=False,
        )
        .order_by("occurred_at", "pk")
        .values_list("fan_id", "kind", "occurred_at")
    )
    history: dict[int, list[tuple[dt.date, str]]] = defaultdict(list)
    for fan_id, kind, when in events:
        history[fan_id].append((when.astimezone(tz).date(), kind))
    this_week = period_start(end, "week")
    cohorts: dict[dt.date, list[list[tuple[dt.date, str]]]] = defaultdict(list)
    for fan_events in history.values():
        first = next((d for d, k in fan_events if k == InteractionKind.FOLLOW), None)
        if first is None:
            continue
        week = period_start(first, "week")
        if start <= week <= this_week:
            cohorts[week].append(fan_events)
    rows = []
    for week in sorted(cohorts):
        members = cohorts[week]
        retention: list[float | None] = []
        offset = 0
        while True:
            week_end = week + dt.timedelta(days=7 * offset + 6)
            if week_end > end:
                if offset > 0:
                    break
                week_end = end  # the cohort's own week is still running: retention so far
            following = 0
            for fan_events in members:
                state = None
                for day, kind in fan_events:
                    if day > week_end:
                        break
                    state = kind
                following += state == InteractionKind.FOLLOW
            retention.append(following / len(members))
            offset += 1
            if week_end >= end:
                break
        rows.append({"week": week, "size": len(members), "retention": retention})
    return {"start": start, "end": end, "weeks": weeks, "cohorts": rows}
