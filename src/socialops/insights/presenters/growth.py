"""Charts (ECharts options) of the growth and retention page."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.utils.translation import gettext as _


def flows_chart_option(flows: dict[str, Any]) -> dict[str, Any]:
    """New (up) and lost (down) followers per period with the net as a line, summed over the accounts shown."""
    if not flows["rows"]:
        return {}
    new: dict[Any, int] = defaultdict(int)
    lost: dict[Any, int] = defaultdict(int)
    known: set[Any] = set()
    for row in flows["rows"]:
        if row["new"] is not None and row["lost"] is not None:
            new[row["period"]] += row["new"]
            lost[row["period"]] += row["lost"]
            known.add(row["period"])
    periods = sorted(known)
    if not periods:
        return {}
    labels = [p.isoformat() for p in periods]
    names = {"new": _("New followers"), "lost": _("Lost followers"), "net": _("Net change")}
    return {
        "animation": False,
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0, "data": list(names.values())},
        "grid": {"left": 8, "right": 16, "top": 36, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "category", "data": labels},
        "yAxis": {"type": "value"},
        "series": [
            {
                "type": "bar",
                "name": names["new"],
                "stack": "flow",
                "data": [new[p] for p in periods],
                "itemStyle": {"color": "#198754"},
            },
            {
                "type": "bar",
                "name": names["lost"],
                "stack": "flow",
                "data": [-lost[p] for p in periods],
                "itemStyle": {"color": "#dc3545"},
            },
            {
                "type": "line",
                "name": names["net"],
                "data": [new[p] - lost[p] for p in periods],
                "itemStyle": {"color": "#212529"},
            },
        ],
    }


def cohort_heatmap_option(cohorts: dict[str, Any]) -> dict[str, Any]:
    """Cohort heatmap: a row per follow week, a column per week since following, the share still following."""
    rows = cohorts["cohorts"]
    if not rows:
        return {}
    width = max(len(r["retention"]) for r in rows)
    labels = [f"{r['week'].isoformat()} (n={r['size']})" for r in rows]
    data = [
        [offset, index, round(value * 100, 1)]
        for index, r in enumerate(rows)
        for offset, value in enumerate(r["retention"])
        if value is not None
    ]
    return {
        "animation": False,
        "tooltip": {"position": "top"},
        "grid": {"left": 8, "right": 16, "top": 8, "bottom": 84, "containLabel": True},
        "xAxis": {
            "type": "category",
            "name": _("weeks since following"),
            "nameLocation": "middle",
            "nameGap": 24,
            "data": [str(i) for i in range(width)],
        },
        "yAxis": {"type": "category", "data": labels, "inverse": True},
        "visualMap": {
            "min": 0,
            "max": 100,
            "calculable": True,
            "orient": "horizontal",
            "left": "center",
            "bottom": 0,
            "inRange": {"color": ["#f8d7da", "#fff3cd", "#d1e7dd", "#198754"]},
        },
        "series": [
            {
                "type": "heatmap",
                "name": _("Still following (%)"),
                "data": data,
                "label": {"show": True, "formatter": "{@[2]}"},
            }
        ],
    }


def funnel_chart_option(total: dict[str, Any]) -> dict[str, Any]:
    """The funnel's steps with data as bars on a log axis (steps differ by orders of magnitude)."""
    steps = [s for s in total["steps"] if s["has_data"] and s["value"]]
    if not steps:
        return {}
    return {
        "animation": False,
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 8, "right": 48, "top": 8, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "log", "min": 1},
        "yAxis": {"type": "category", "inverse": True, "data": [s["label"] for s in steps]},
        "series": [
            {
                "type": "bar",
                "name": _("Total in the window"),
                "data": [s["value"] for s in steps],
                "label": {"show": True, "position": "right"},
                "itemStyle": {"color": "#6610f2"},
            }
        ],
    }
