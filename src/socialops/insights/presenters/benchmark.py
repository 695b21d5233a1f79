"""Charts of the competitor benchmark over time: goals' follower trend plus weekly posts, rate, share of voice."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from socialops.goals.presenters import competitor_chart_options


def _weekly_lines(data: dict[str, Any], key: str, title: str, *, percent: bool = False) -> dict[str, Any]:
    series = []
    for a in data["accounts"]:
        name = f"{a['display_name']} ({a['platform_label']})"
        if a["is_competitor"]:
            name = f"{name} · {_('competitor')}"
        values = [None if v is None else (round(v * 100, 2) if percent else v) for v in a[key]]
        series.append(
            {
                "name": name,
                "type": "line",
                "connectNulls": True,
                "data": values,
                # Ours solid, competitors dashed, as on goals' comparison.
                "lineStyle": {"type": "dashed" if a["is_competitor"] else "solid"},
            }
        )
    return {
        "animation": False,
        "title": {"text": title, "left": 0, "top": 0, "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"},
        "legend": {"type": "scroll", "bottom": 0},
        "grid": {"left": 8, "right": 16, "top": 32, "bottom": 40, "containLabel": True},
        "xAxis": {"type": "category", "data": [w.isoformat() for w in data["weeks"]]},
        "yAxis": {"type": "value", "axisLabel": {"formatter": "{value}%" if percent else "{value}"}},
        "series": series,
    }


def benchmark_charts(data: dict[str, Any]) -> list[dict[str, Any]]:
    """(id, option) of the four charts: followers, posts, engagement rate and share of voice by week."""
    if not data["accounts"]:
        return []
    return [
        {"id": "chart-bench-followers", "option": competitor_chart_options(data)["followers_trend"]},
        {"id": "chart-bench-posts", "option": _weekly_lines(data, "weekly_posts", _("Posts by week"))},
        {
            "id": "chart-bench-rate",
            "option": _weekly_lines(
                data, "weekly_engagement_rate", _("Engagement rate by week"), percent=True
            ),
        },
        {
            "id": "chart-bench-sov",
            "option": _weekly_lines(data, "weekly_share_of_voice", _("Share of voice by week"), percent=True),
        },
    ]
