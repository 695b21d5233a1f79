"""Page and downloads of the goal review: strategies' and campaigns' effect, the forecasts' track record."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from socialops.workspaces.decorators import WorkspaceRequest, workspace_view

from .. import exports
from ..selectors import goals as sel


@workspace_view()
def goal_review(request: WorkspaceRequest) -> HttpResponse:
    """Each goal: status, strategies and campaigns with their measured effect, forecast track record."""
    goals = sel.goal_review(workspace=request.workspace, user=request.user)
    chart = _coverage_chart(goals)
    return render(request, "insights/goals.html", {"goals": goals, "chart": chart})


def _coverage_chart(goals: list[dict[str, Any]]) -> dict[str, Any]:
    """Bars: share of past 80% ranges that contained the outcome, per goal, with the 80% line."""
    rated = [g for g in goals if g["track_coverage"] is not None]
    if not rated:
        return {}
    return {
        "animation": False,
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 8, "right": 16, "top": 16, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "category", "data": [f"{g['name']} (n={g['track_cutoffs']})" for g in rated]},
        "yAxis": {"type": "value", "max": 100, "axisLabel": {"formatter": "{value}%"}},
        "series": [
            {
                "type": "bar",
                "name": _("Ranges that contained the outcome"),
                "data": [round(g["track_coverage"] * 100, 1) for g in rated],
                "markLine": {"silent": True, "symbol": "none", "data": [{"yAxis": 80, "name": "80%"}]},
            }
        ],
    }


def review_table(goals: list[dict[str, Any]]) -> tuple[list[str], list[list[Any]]]:
    """One row per goal and strategy (a goal without strategies has one row) for the downloads."""
    header = [
        _("Goal"), _("Status"), _("Actual"), _("Target"), _("Past forecasts checked"), _("Ranges that held"),
        _("Strategy"), _("Before (per day)"), _("During (per day)"), _("Change (%)"),
    ]  # fmt: skip
    rows = []
    for g in goals:
        head = [g["name"], g["status_label"], g["actual"], g["target"], g["track_cutoffs"], g["track_hits"]]
        if not g["strategies"]:
            rows.append([*head, None, None, None, None])
        for s in g["strategies"]:
            rows.append([*head, s["name"], s["before"], s["during"], s["change_pct"]])
    return header, rows


@workspace_view()
def goal_review_export(request: WorkspaceRequest, fmt: str) -> HttpResponse:
    """The goal review as CSV or XLSX."""
    if fmt not in exports.FORMATS:
        raise Http404
    header, rows = review_table(sel.goal_review(workspace=request.workspace, user=request.user))
    return exports.table_response(fmt, "goal-review", header, rows)
