"""Reads of member tickets: the filtered list, one ticket with its history, alerts, the resolution-time report."""

from __future__ import annotations

import datetime as dt
import statistics
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from socialops.workspaces.models import Workspace
from socialops.workspaces.selectors import member_row_or_404, member_rows, user_notices

from ..models.events import TICKET_ACTIVE, Ticket, TicketAlert, TicketCategory, TicketChange

MAX_DAYS = 365


def ticket_list(
    *,
    workspace: Workspace,
    user: Any,
    status: str = "",
    category: str = "",
    priority: str = "",
    assignee_id: int | None = None,
    overdue: bool = False,
    search: str = "",
) -> QuerySet[Ticket]:
    """The workspace's tickets, newest first, narrowed by the filters given ("active" status: not done)."""
    rows = member_rows(Ticket, workspace=workspace, user=user).select_related("assignee", "person")
    if status == "active":
        rows = rows.filter(status__in=TICKET_ACTIVE)
    elif status:
        rows = rows.filter(status=status)
    if category:
        rows = rows.filter(category=category)
    if priority:
        rows = rows.filter(priority=priority)
    if assignee_id:
        rows = rows.filter(assignee_id=assignee_id)
    if overdue:
        rows = rows.filter(status__in=TICKET_ACTIVE, due_at__lte=timezone.now())
    search = search.strip()
    if search:
        rows = rows.filter(title__icontains=search)
    return rows.order_by("-created_at", "-pk")


def ticket_get(*, workspace: Workspace, user: Any, ticket_id: int) -> Ticket:
    """One ticket of the workspace (404 for another workspace's)."""
    return member_row_or_404(Ticket, workspace=workspace, user=user, pk=ticket_id)


def ticket_history(*, workspace: Workspace, user: Any, ticket: Ticket) -> QuerySet[TicketChange]:
    """A ticket's steps, oldest first."""
    return (
        member_rows(TicketChange, workspace=workspace, user=user)
        .filter(ticket=ticket)
        .select_related("actor")
    )


def ticket_alerts(*, workspace: Workspace, user: Any, unread: bool | None = True) -> QuerySet[TicketAlert]:
    """The user's own overdue-ticket alerts, newest first."""
    return user_notices(TicketAlert, workspace=workspace, user=user, unread=unread)


def _percentile(values: list[float], q: float) -> float | None:
    """The q-th percentile (nearest rank) of the values, None when there are none."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, int(-(-q * len(ordered) // 1)))  # ceil(q × n)
    return round(ordered[min(rank, len(ordered)) - 1], 1)


def resolution_report(*, workspace: Workspace, user: Any, days: int = 90) -> dict[str, Any]:
    """Resolution time in hours (creation to resolution, wall clock) by category: count, median, p90,
    over tickets opened in the last ``days`` days; also how many are open and how many went overdue.
    """
    days = max(1, min(days, MAX_DAYS))
    end = timezone.now()
    start = end - dt.timedelta(days=days)
    rows = member_rows(Ticket, workspace=workspace, user=user).filter(
        created_at__gte=start, created_at__lte=end
    )
    hours: dict[str, list[float]] = {}
    opened: dict[str, int] = {}
    overdue = 0
    for category, created, resolved, late in rows.values_list(
        "category", "created_at", "resolved_at", "overdue_at"
    ):
        opened[category] = opened.get(category, 0) + 1
        overdue += late is not None
        if resolved is not None:
            hours.setdefault(category, []).append((resolved - created).total_seconds() / 3600)
    labels = dict(TicketCategory.choices)
    out = []
    for code in TicketCategory.values:
        if code not in opened:
            continue
        values = hours.get(code, [])
        out.append(
            {
                "category": code,
                "label": str(labels[code]),
                "opened": opened[code],
                "resolved": len(values),
                "median_hours": round(statistics.median(values), 1) if values else None,
                "p90_hours": _percentile(values, 0.9),
            }
        )
    every = [h for v in hours.values() for h in v]
    return {
        "days": days,
        "start": start,
        "end": end,
        "categories": out,
        "opened": sum(opened.values()),
        "resolved": len(every),
        "overdue": overdue,
        "median_hours": round(statistics.median(every), 1) if every else None,
        "p90_hours": _percentile(every, 0.9),
    }
