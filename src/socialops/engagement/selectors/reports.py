"""Response-time reports: first response and resolution per member and account, volume, missed targets.

First response: from a thread's first fan message to the first reply by a person (automatic
replies do not count). Resolution: from the first fan message to closing. Medians and 90th
percentiles are over the threads that started in the period.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Min, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from socialops.accounts.models import SocialAccount
from socialops.workspaces.models import Workspace
from socialops.workspaces.selectors import member_rows

from ..models import Reply, Thread, ThreadItem

MAX_DAYS = 366


@dataclass(frozen=True)
class TimeFigures:
    """Response figures of one group (a member or an account), in minutes."""

    label: str
    threads: int
    answered: int
    median_first: float | None
    p90_first: float | None
    median_resolution: float | None
    breached: int


def _minutes(values: list[float]) -> tuple[float | None, float | None]:
    if not values:
        return None, None
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]
    return round(statistics.median(ordered) / 60, 1), round(p90 / 60, 1)


def period(days: int, now: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime]:
    """The last ``days`` days up to now (1 … 366)."""
    now = now or timezone.now()
    days = max(1, min(int(days), MAX_DAYS))
    return now - dt.timedelta(days=days), now


def response_report(*, workspace: Workspace, user: Any, days: int = 30) -> dict[str, Any]:
    """Per member and per account: threads, answered, median and p90 first response, median resolution, missed."""
    start, end = period(days)
    threads: list[dict[str, Any]] = [
        dict(row)
        for row in member_rows(Thread, workspace=workspace, user=user)
        .filter(first_inbound_at__gte=start, first_inbound_at__lte=end)
        .values("pk", "account_id", "first_inbound_at", "closed_at", "breached_at", "first_response_seconds")
    ]
    ids = [t["pk"] for t in threads]
    first_person = {
        row["thread_id"]: row
        for row in Reply.objects.filter(thread_id__in=ids, author__isnull=False)
        .values("thread_id")
        .annotate(first=Min("created_at"))
    }
    responders: dict[int, int] = {}
    for row in (
        Reply.objects.filter(thread_id__in=ids, author__isnull=False)
        .order_by("thread_id", "created_at", "pk")
        .values("thread_id", "author_id")
    ):
        responders.setdefault(row["thread_id"], row["author_id"])
    by_member: dict[int, list[dict[str, Any]]] = defaultdict(list)
    by_account: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for t in threads:
        by_account[t["account_id"]].append(t)
        if t["pk"] in responders:
            by_member[responders[t["pk"]]].append(t)

    def figures(label: str, rows: list[dict[str, Any]]) -> TimeFigures:
        firsts = [
            (first_person[r["pk"]]["first"] - r["first_inbound_at"]).total_seconds()
            for r in rows
            if r["pk"] in first_person
        ]
        resolutions = [
            (r["closed_at"] - r["first_inbound_at"]).total_seconds()
            for r in rows
            if r["closed_at"] is not None
        ]
        med, p90 = _minutes([max(0.0, f) for f in firsts])
        med_res, _p = _minutes([max(0.0, f) for f in resolutions])
        return TimeFigures(
            label=label,
            threads=len(rows),
            answered=len(firsts),
            median_first=med,
            p90_first=p90,
            median_resolution=med_res,
            breached=sum(1 for r in rows if r["breached_at"] is not None),
        )

    users = {u.pk: u.get_username() for u in get_user_model().objects.filter(pk__in=list(by_member))}
    accounts = {
        a.pk: f"{a.display_name or a.handle} ({a.get_platform_display()})"
        for a in SocialAccount.objects.filter(workspace=workspace, pk__in=list(by_account))
    }
    return {
        "days": days,
        "start": start,
        "end": end,
        "overall": figures("", threads),
        "members": sorted(
            (figures(users.get(uid, "?"), rows) for uid, rows in by_member.items()), key=lambda f: f.label
        ),
        "accounts": sorted(
            (figures(accounts.get(aid, "?"), rows) for aid, rows in by_account.items()), key=lambda f: f.label
        ),
    }


def volume_by_day(*, workspace: Workspace, user: Any, days: int = 30) -> list[dict[str, Any]]:
    """Fan messages per local day by sentiment, and threads that missed their target that day."""
    start, end = period(days)
    tz = workspace.tz
    rows = (
        member_rows(ThreadItem, workspace=workspace, user=user)
        .filter(interaction__occurred_at__gte=start, interaction__occurred_at__lte=end)
        .annotate(day=TruncDate("interaction__occurred_at", tzinfo=tz))
        .values("day")
        .annotate(
            positive=Count("pk", filter=Q(sentiment="positive")),
            neutral=Count("pk", filter=Q(sentiment="neutral")),
            negative=Count("pk", filter=Q(sentiment="negative")),
        )
        .order_by("day")
    )
    missed = dict(
        member_rows(Thread, workspace=workspace, user=user)
        .filter(breached_at__gte=start, breached_at__lte=end)
        .annotate(day=TruncDate("breached_at", tzinfo=tz))
        .values("day")
        .annotate(n=Count("pk"))
        .values_list("day", "n")
    )
    by_day: dict[dt.date, dict[str, Any]] = {r["day"]: dict(r) for r in rows}
    out = []
    day = start.astimezone(tz).date()
    last = end.astimezone(tz).date()
    while day <= last:
        r: dict[str, Any] = by_day.get(day) or {}
        out.append(
            {
                "day": day,
                "positive": r.get("positive", 0),
                "neutral": r.get("neutral", 0),
                "negative": r.get("negative", 0),
                "missed": missed.get(day, 0),
            }
        )
        day += dt.timedelta(days=1)
    return out


def intent_counts(*, workspace: Workspace, user: Any, days: int = 30) -> dict[str, int]:
    """Fan messages of the period by intent."""
    start, end = period(days)
    rows = (
        member_rows(ThreadItem, workspace=workspace, user=user)
        .filter(interaction__occurred_at__gte=start, interaction__occurred_at__lte=end)
        .values("intent")
        .annotate(n=Count("pk"))
    )
    return {r["intent"] or "other": r["n"] for r in rows}
