"""ECharts options of a group's health and sentences for moderation actions."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from ..models.groups import ActionKind, ActionStatus, ModerationAction
from ..moderation.rules import RULE_LABELS

BADGES = {
    ActionStatus.PENDING: "text-bg-secondary",
    ActionStatus.DONE: "text-bg-success",
    ActionStatus.UNKNOWN: "text-bg-warning",
    ActionStatus.FAILED: "text-bg-danger",
    ActionStatus.MANUAL: "text-bg-info",
    ActionStatus.UNDONE: "text-bg-light",
}


def _frame(title: str, labels: list[str], series: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "title": {"text": title, "left": "center", "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0},
        "grid": {"left": 40, "right": 16, "top": 40, "bottom": 56},
        "xAxis": {"type": "category", "data": labels},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": series,
    }


def _labels(days: list[dict[str, Any]]) -> list[str]:
    return [d["day"].strftime("%m-%d") for d in days]


def members_chart(days: list[dict[str, Any]]) -> dict[str, Any]:
    """Joins (up) and leaves (down) per day."""
    return _frame(
        _("Joins and leaves per day"),
        _labels(days),
        [
            {
                "name": _("Joined"),
                "type": "bar",
                "stack": "m",
                "data": [d["joins"] for d in days],
                "color": "#198754",
            },
            {
                "name": _("Left"),
                "type": "bar",
                "stack": "m",
                "data": [-d["leaves"] for d in days],
                "color": "#dc3545",
            },
        ],
    )


def messages_chart(days: list[dict[str, Any]]) -> dict[str, Any]:
    """Messages per day, with the moderation actions of the day."""
    return _frame(
        _("Messages and moderation actions per day"),
        _labels(days),
        [
            {"name": _("Messages"), "type": "line", "smooth": True, "data": [d["messages"] for d in days], "color": "#0d6efd"},
            {"name": _("Moderation actions"), "type": "bar", "data": [d["actions"] for d in days], "color": "#fd7e14"},
        ],
    )  # fmt: skip


def activity_chart(health: dict[str, Any]) -> dict[str, Any]:
    """Share of present members who spoke in the last 7 and 30 days."""
    return {
        "title": {"text": _("Members who spoke"), "left": "center", "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 80, "right": 24, "top": 40, "bottom": 24},
        "xAxis": {"type": "value", "max": 100, "axisLabel": {"formatter": "{value}%"}},
        "yAxis": {"type": "category", "data": [_("Last 30 days"), _("Last 7 days")]},
        "series": [
            {
                "type": "bar",
                "data": [round(health["share_30"] * 100, 1), round(health["share_7"] * 100, 1)],
                "color": "#6f42c1",
                "label": {"show": True, "position": "right", "formatter": "{c}%"},
            }
        ],
    }


def action_sentence(action: ModerationAction) -> str:
    """What was done, in one sentence."""
    name = action.member.display_name or action.member.external_id
    if action.action == ActionKind.DELETE_WARN:
        text = _("Strike %(n)d: %(name)s's message deleted and a warning sent.")
    elif action.action == ActionKind.MUTE:
        text = _("Strike %(n)d: %(name)s muted.")
    else:
        text = _("Strike %(n)d: %(name)s removed from the group.")
    return text % {"n": action.strike, "name": name}


def action_badge(action: ModerationAction) -> str:
    """The Bootstrap badge class of an action's status."""
    return BADGES.get(ActionStatus(action.status), "text-bg-secondary")


def rule_label(action: ModerationAction) -> str:
    """The name of the rule that decided, in the user's language."""
    return str(RULE_LABELS.get(action.rule, action.rule))
