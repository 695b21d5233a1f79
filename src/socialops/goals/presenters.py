"""Chart options (ECharts) of the goals pages.

A goal's progress, target, expected pace and forecast band; the competitor comparison side by
side (R1.2).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from .selectors.goals import LEVEL_ARGS, GoalProgress

# Ours and competitors, as in the side-ours / side-competitor rows of accounts/accounts.css.
OURS_COLOR = "#0d6efd"
COMPETITOR_COLOR = "#fd7e14"

COLORS = {"actual": "#0d6efd", "target": "#dc3545", "expected": "#6c757d", "forecast": "#198754"}


def goal_chart_option(progress: GoalProgress, *, compact: bool = False) -> dict[str, Any]:
    """ECharts option: actual, target line, expected pace, forecast with its 80% band."""
    s = progress.series
    if not s:
        return {}
    scale = 100.0 if progress.metric and progress.metric.is_rate else 1.0

    def scaled(values: list[Any]) -> list[Any]:
        return [None if v is None else round(v * scale, 4) for v in values]

    low, high = scaled(s["forecast_low"]), scaled(s["forecast_high"])
    width = [
        None if lo is None or hi is None else round(hi - lo, 4) for lo, hi in zip(low, high, strict=True)
    ]
    names = {
        "actual": _("Actual"),
        "target": _("Target"),
        "expected": _("Expected pace (linear)"),
        "forecast": _("Forecast"),
        "band": _("%(level)s forecast range") % LEVEL_ARGS,
    }
    line = {"type": "line", "showSymbol": False, "connectNulls": False}
    return {
        "animation": False,
        "color": [COLORS["actual"], COLORS["target"], COLORS["expected"], COLORS["forecast"]],
        "tooltip": {"trigger": "axis"},
        "legend": {"show": not compact, "top": 0, "data": list(names.values())},
        # containLabel keeps the y labels in, not half of the last date at the right edge: room for it.
        "grid": {"left": 8, "right": 36, "top": 16 if compact else 40, "bottom": 8, "containLabel": True},
        "xAxis": {
            "type": "category",
            "boundaryGap": False,
            "data": s["dates"],
            "axisLabel": {"hideOverlap": True},
        },
        "yAxis": {
            "type": "value",
            "scale": True,
            "axisLabel": {"formatter": "{value}%" if scale == 100 else "{value}"},
        },
        "series": [
            {**line, "name": names["actual"], "data": scaled(s["actual"]), "lineStyle": {"width": 2}},
            {**line, "name": names["target"], "data": scaled(s["target"]), "lineStyle": {"type": "dashed"}},
            {
                **line,
                "name": names["expected"],
                "data": scaled(s["expected"]),
                "lineStyle": {"type": "dotted"},
            },
            {
                **line,
                "name": names["forecast"],
                "data": scaled(s["forecast"]),
                "lineStyle": {"type": "dashed"},
            },
            {
                **line,
                "name": "band-low",
                "data": low,
                "stack": "band",
                "lineStyle": {"opacity": 0},
                "silent": True,
                "tooltip": {"show": False},
            },
            {
                **line,
                "name": names["band"],
                "data": width,
                "stack": "band",
                "lineStyle": {"opacity": 0},
                "itemStyle": {"color": COLORS["forecast"]},
                "areaStyle": {"color": COLORS["forecast"], "opacity": 0.2},
                "silent": True,
            },
        ],
    }


def _label(row: dict[str, Any]) -> str:
    return f"{row['display_name']} · {row['platform_label']}"


def _side_by_side_bar(
    title: str, rows: list[dict[str, Any]], values: Iterable[float | int | None], *, percent: bool = False
) -> dict[str, Any]:
    """Horizontal bars, one per account (names stay readable), ours and competitors in two colours."""
    values = list(values)
    ours_name, competitors_name = _("Our accounts"), _("Competitors")
    # Two series stacked on one slot per account: each account has a value in exactly one of
    # them, so the bars line up while the legend tells ours from theirs.
    ours = [v if not r["is_competitor"] else None for r, v in zip(rows, values, strict=True)]
    theirs = [v if r["is_competitor"] else None for r, v in zip(rows, values, strict=True)]
    axis_label: dict[str, Any] = {"formatter": "{value}%"} if percent else {}
    return {
        "title": {"text": title, "left": 0, "top": 0, "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        # ECharts 6 puts the legend at the bottom by default; keep it beside the title.
        "legend": {"data": [ours_name, competitors_name], "top": 0, "right": 0},
        "grid": {"left": 8, "right": 24, "top": 40, "bottom": 8, "containLabel": True},
        # Ours first from the top, as in the table.
        "yAxis": {"type": "category", "data": [_label(r) for r in rows], "inverse": True},
        "xAxis": {"type": "value", "axisLabel": axis_label},
        "series": [
            {
                "name": ours_name,
                "type": "bar",
                "stack": "side",
                "data": ours,
                "itemStyle": {"color": OURS_COLOR},
            },
            {
                "name": competitors_name,
                "type": "bar",
                "stack": "side",
                "data": theirs,
                "itemStyle": {"color": COMPETITOR_COLOR},
            },
        ],
    }


def competitor_chart_options(comparison: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """ECharts options for a comparison: followers, posts per week, engagement rate (and per post), trend."""
    rows = comparison["accounts"]
    rates = [None if r["engagement_rate"] is None else round(r["engagement_rate"] * 100, 2) for r in rows]
    competitor_suffix = _("competitor")
    trend_series = []
    for r in rows:
        name = f"{r['display_name']} ({r['platform_label']})"
        if r["is_competitor"]:
            name = f"{name} · {competitor_suffix}"
        trend_series.append(
            {
                "name": name,
                "type": "line",
                "connectNulls": True,
                "data": r["followers_series"],
                # Ours drawn solid, competitors dashed, so the two sides read apart at a glance.
                "lineStyle": {"type": "dashed" if r["is_competitor"] else "solid"},
                "symbol": "triangle" if r["is_competitor"] else "circle",
            }
        )
    return {
        "followers": _side_by_side_bar(_("Followers"), rows, (r["followers"] for r in rows)),
        "posts_per_week": _side_by_side_bar(_("Posts per week"), rows, (r["posts_per_week"] for r in rows)),
        "engagement_rate": _side_by_side_bar(_("Engagement rate"), rows, rates, percent=True),
        "engagements_per_post": _side_by_side_bar(
            _("Engagements per post"), rows, (r["engagements_per_post"] for r in rows)
        ),
        "followers_trend": {
            "title": {"text": _("Followers by week"), "left": 0, "top": 0, "textStyle": {"fontSize": 14}},
            "tooltip": {"trigger": "axis"},
            "legend": {"type": "scroll", "top": 24},
            "grid": {"left": 8, "right": 40, "top": 64, "bottom": 8, "containLabel": True},
            "xAxis": {"type": "category", "data": comparison["weeks"], "boundaryGap": False},
            "yAxis": {"type": "value", "scale": True},
            "series": trend_series,
        },
    }
