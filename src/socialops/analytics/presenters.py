"""How analytics results read and draw: the best-time heatmap's chart data and its sentences.

Selectors and besttime compute numbers and codes; the pages turn them into chart options and
words here, in the active language.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import WEEKDAY_LABELS


def _cell_label(cell: dict[str, Any]) -> str:
    posts = ngettext("%(n)s post", "%(n)s posts", cell["posts"]) % {"n": cell["posts"]}
    parts = [f"{WEEKDAY_LABELS[cell['weekday'] - 1]} {cell['hour']:02d}:00", posts]
    if cell["mean_engagement"] is not None:
        parts.append(_("mean engagement %(v)s") % {"v": f"{cell['mean_engagement']:.1f}"})
    if cell["mean_engagement_rate"] is not None:
        parts.append(_("engagement rate %(v)s") % {"v": f"{cell['mean_engagement_rate'] * 100:.2f}%"})
    if cell["score"] is not None:
        parts.append(_("planning score %(v)s") % {"v": f"{cell['score']:.2f}"})
    return " · ".join(parts)


def heatmap_data(table: dict[str, Any]) -> dict[str, Any]:
    """What besttime.js draws: axes, and per metric the [hour, weekday index, value, label] points."""
    series: dict[str, dict[str, Any]] = {}
    for key, field, name, digits in (
        ("engagement", "mean_engagement", _("Mean engagement"), 1),
        ("rate", "mean_engagement_rate", _("Engagement rate (%)"), 3),
        ("score", "score", _("Planning score (1 = average)"), 2),
    ):
        points = []
        for cell in table["cells"]:
            value = cell[field]
            if value is None:
                continue
            if key == "rate":
                value *= 100
            points.append([cell["hour"], cell["weekday"] - 1, round(value, digits), _cell_label(cell)])
        values = [p[2] for p in points]
        series[key] = {
            "name": str(name),
            "data": points,
            "min": min(values) if values else 0,
            "max": max(values) if values else 1,
        }
    return {
        "hours": [f"{h:02d}" for h in range(24)],
        "weekdays": [str(w) for w in WEEKDAY_LABELS],
        "series": series,
        "initial": "engagement" if table["posts"] else "score",
    }


def top_hours(table: dict[str, Any]) -> list[dict[str, Any]]:
    """The table's best hours with their weekday and hour written out for the page."""
    return [
        {**t, "weekday_label": WEEKDAY_LABELS[t["weekday"] - 1], "hour_label": f"{t['hour']:02d}:00"}
        for t in table["top_hours"]
    ]
