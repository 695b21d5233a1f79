"""Presenters of tickets: status badges, the time left or past the target, the resolution-time chart."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from ..models.events import TICKET_ACTIVE, Ticket

BADGES = {
    "open": "text-bg-primary",
    "in_progress": "text-bg-info",
    "waiting": "text-bg-secondary",
    "resolved": "text-bg-success",
    "closed": "text-bg-light border",
}


def _span(delta: dt.timedelta) -> str:
    minutes = int(abs(delta.total_seconds()) // 60)
    if minutes >= 48 * 60:
        return _("%(n)d days") % {"n": minutes // (24 * 60)}
    if minutes >= 60:
        return _("%(n)d h") % {"n": minutes // 60}
    return _("%(n)d min") % {"n": minutes}


def target_text(ticket: Ticket, now: dt.datetime) -> dict[str, Any] | None:
    """ "due in 3 h" / "4 h past target" for an active ticket (None once resolved or closed)."""
    if ticket.status not in TICKET_ACTIVE:
        return None
    left = ticket.due_at - now
    if left.total_seconds() >= 0:
        return {"late": False, "text": _("due in %(span)s") % {"span": _span(left)}}
    return {"late": True, "text": _("%(span)s past target") % {"span": _span(left)}}


def ticket_row(ticket: Ticket, now: dt.datetime) -> dict[str, Any]:
    """What a list row shows of a ticket."""
    return {
        "ticket": ticket,
        "badge": BADGES.get(ticket.status, "text-bg-light"),
        "target": target_text(ticket, now),
    }


def resolution_chart(categories: list[dict[str, Any]]) -> dict[str, Any]:
    """Median and 90th-percentile resolution time per category, in hours."""
    return {
        "title": {
            "text": _("Resolution time by category (hours)"),
            "left": "center",
            "textStyle": {"fontSize": 14},
        },
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0},
        "grid": {"left": 100, "right": 16, "top": 40, "bottom": 56},
        "xAxis": {"type": "value"},
        "yAxis": {"type": "category", "data": [c["label"] for c in categories]},
        "series": [
            {
                "name": _("Median"),
                "type": "bar",
                "data": [c["median_hours"] for c in categories],
                "color": "#0d6efd",
            },
            {
                "name": _("90th percentile"),
                "type": "bar",
                "data": [c["p90_hours"] for c in categories],
                "color": "#6ea8fe",
            },
        ],
    }
