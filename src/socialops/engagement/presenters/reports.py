"""ECharts options of the response-time dashboard."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from ..models import Intent
from ..selectors.reports import TimeFigures


def volume_chart(days: list[dict[str, Any]]) -> dict[str, Any]:
    """Fan messages per day stacked by sentiment, with missed targets as a line."""
    labels = [d["day"].strftime("%m-%d") for d in days]
    series = [
        {
            "name": _("Positive"),
            "type": "bar",
            "stack": "m",
            "data": [d["positive"] for d in days],
            "color": "#198754",
        },
        {
            "name": _("Neutral"),
            "type": "bar",
            "stack": "m",
            "data": [d["neutral"] for d in days],
            "color": "#adb5bd",
        },
        {
            "name": _("Negative"),
            "type": "bar",
            "stack": "m",
            "data": [d["negative"] for d in days],
            "color": "#dc3545",
        },
        {
            "name": _("Targets missed"),
            "type": "line",
            "data": [d["missed"] for d in days],
            "color": "#fd7e14",
        },
    ]
    return {
        "title": {"text": _("Fan messages per day"), "left": "center", "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0},
        "grid": {"left": 40, "right": 16, "top": 40, "bottom": 56},
        "xAxis": {"type": "category", "data": labels},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": series,
    }


def first_response_chart(members: list[TimeFigures]) -> dict[str, Any]:
    """Median and 90th-percentile first response per member, in minutes."""
    names = [m.label for m in members]
    return {
        "title": {
            "text": _("First response by member (minutes)"),
            "left": "center",
            "textStyle": {"fontSize": 14},
        },
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0},
        "grid": {"left": 80, "right": 16, "top": 40, "bottom": 56},
        "xAxis": {"type": "value"},
        "yAxis": {"type": "category", "data": names},
        "series": [
            {
                "name": _("Median"),
                "type": "bar",
                "data": [m.median_first for m in members],
                "color": "#0d6efd",
            },
            {
                "name": _("90th percentile"),
                "type": "bar",
                "data": [m.p90_first for m in members],
                "color": "#6ea8fe",
            },
        ],
    }


def intent_chart(counts: dict[str, int]) -> dict[str, Any]:
    """Fan messages by intent."""
    labels = dict(Intent.choices)
    data = [
        {"name": str(labels.get(k, k)), "value": v} for k, v in sorted(counts.items(), key=lambda kv: -kv[1])
    ]
    return {
        "title": {"text": _("What fans wanted"), "left": "center", "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "item"},
        "series": [{"type": "pie", "radius": ["35%", "65%"], "data": data}],
    }
