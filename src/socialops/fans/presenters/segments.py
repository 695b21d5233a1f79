"""Segments for display: the tier chart option, rule descriptions, member names."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from .. import rules as rules_mod
from ..models import Person, Segment


def tier_chart_option(history: dict[str, Any]) -> dict[str, Any] | None:
    """A stacked-area ECharts option of tier sizes per day (None without any refresh yet)."""
    if not history["dates"]:
        return None
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"type": "scroll", "bottom": 0},
        "grid": {"left": 40, "right": 16, "top": 16, "bottom": 48, "containLabel": True},
        "xAxis": {
            "type": "category",
            "boundaryGap": False,
            "data": [d.isoformat() for d in history["dates"]],
        },
        "yAxis": {"type": "value", "name": _("People")},
        "series": [
            {
                "name": row["segment"].name,
                "type": "line",
                "stack": "tiers",
                "areaStyle": {},
                "symbol": "none",
                "emphasis": {"focus": "series"},
                **({"itemStyle": {"color": row["segment"].color}} if row["segment"].color else {}),
                "data": row["sizes"],
            }
            for row in history["series"]
        ],
    }


def segment_size_option(history: dict[str, Any]) -> dict[str, Any] | None:
    """A line of one segment's daily size (None without any refresh yet)."""
    return tier_chart_option(history)


def describe(segment: Segment, *, last_tier: bool = False) -> str:
    """The segment's rules as a sentence; the ladder's last tier says it takes everyone left."""
    if last_tier:
        return _("Everyone not in a tier above")
    return rules_mod.rules_describe(segment.rules)


def person_name(person: Person, *, identity: bool) -> str:
    """A member's name: the display name for those with fans.identity, else the pseudonym."""
    if identity and person.display_name:
        return person.display_name
    return person.pseudonym
