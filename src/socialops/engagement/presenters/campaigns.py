"""Campaigns, topics and ideas as pages show them: charts as ECharts options, codes as words, people by name or pseudonym."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from socialops.fans.models import Person

from ..selectors.campaigns import Participation, TopicCounts

STATE_LABELS = {
    "planned": pgettext_lazy("campaign state", "Planned"),
    "running": pgettext_lazy("campaign state", "Running"),
    "finished": pgettext_lazy("campaign state", "Finished"),
}
STATE_BADGES = {"planned": "secondary", "running": "success", "finished": "dark"}
SOURCE_LABELS = {
    "public": gettext_lazy("Public tag timeline"),
    "ours": gettext_lazy("Our post"),
}


def state_label(state: str) -> str:
    """The campaign state in the reader's language."""
    return str(STATE_LABELS.get(state, state))


def person_name(person: Person | None, identify: bool) -> str:
    """A person as the viewer may see them: the name with fans.identity, the pseudonym without."""
    if person is None:
        return "—"
    return (person.display_name or person.pseudonym) if identify else person.pseudonym


def _line(title: str, labels: list[str], series: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "title": {"text": title, "left": "center", "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0},
        "grid": {"left": 40, "right": 16, "top": 40, "bottom": 56},
        "xAxis": {"type": "category", "boundaryGap": False, "data": labels},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": series,
    }


def participation_chart(participation: Participation, today: dt.date | None = None) -> dict[str, Any]:
    """Interactions and distinct people per day of the campaign (days after ``today`` left blank)."""
    labels = [d.isoformat() for d in participation.days]

    def upto(values: list[int]) -> list[int | None]:
        return [
            v if today is None or d <= today else None
            for d, v in zip(participation.days, values, strict=True)
        ]

    return _line(
        _("Participation per day"),
        labels,
        [
            {
                "name": _("Interactions"),
                "type": "line",
                "data": upto(participation.per_day),
                "color": "#0d6efd",
            },
            {
                "name": _("People"),
                "type": "line",
                "data": upto(participation.people_per_day),
                "color": "#198754",
            },
        ],
    )


def topic_chart(counts: TopicCounts) -> dict[str, Any]:
    """A topic's mentions (our inbox, the public timeline) and our posts per day."""
    labels = [d.isoformat() for d in counts.days]
    return _line(
        _("Mentions and posts per day"),
        labels,
        [
            {
                "name": _("Mentions on our accounts"),
                "type": "line",
                "data": counts.mentions,
                "color": "#0d6efd",
            },
            {
                "name": _("Public posts with the tag"),
                "type": "line",
                "data": counts.public,
                "color": "#6f42c1",
            },
            {"name": _("Our posts"), "type": "line", "data": counts.posts, "color": "#fd7e14"},
        ],
    )
