"""Page and downloads of the competitor benchmark over time."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from socialops.workspaces.decorators import WorkspaceRequest, workspace_view

from .. import exports
from ..presenters.benchmark import benchmark_charts
from ..selectors import benchmark as sel
from .content import _int


def _load(request: WorkspaceRequest) -> tuple[int, dict[str, Any]]:
    days = _int(request.GET.get("days"), sel.DEFAULT_DAYS, sel.DAY_CHOICES)
    return days, sel.benchmark(workspace=request.workspace, user=request.user, days=days)


@workspace_view()
def benchmark(request: WorkspaceRequest) -> HttpResponse:
    """Ours and competitors week by week: followers, posts, engagement rate, share of voice."""
    days, data = _load(request)
    has_competitors = any(a["is_competitor"] for a in data["accounts"])
    return render(
        request,
        "insights/benchmark.html",
        {
            "days": days,
            "day_choices": sel.DAY_CHOICES,
            "data": data,
            "has_competitors": has_competitors,
            "charts": benchmark_charts(data) if has_competitors else [],
            "query": request.GET.urlencode(),
        },
    )


@workspace_view()
def benchmark_export(request: WorkspaceRequest, fmt: str) -> HttpResponse:
    """One row per account and week as CSV or XLSX."""
    if fmt not in exports.FORMATS:
        raise Http404
    _days, data = _load(request)
    header = [
        _("Account"),
        _("Competitor"),
        _("Week"),
        _("Followers"),
        _("Posts"),
        _("Engagement rate"),
        _("Share of voice"),
    ]
    rows = []
    for a in data["accounts"]:
        for w, week in enumerate(data["weeks"]):
            rows.append(
                [
                    a["display_name"],
                    a["is_competitor"],
                    week,
                    a["followers_series"][w],
                    a["weekly_posts"][w],
                    a["weekly_engagement_rate"][w],
                    a["weekly_share_of_voice"][w],
                ]  # fmt: skip
            )
    return exports.table_response(fmt, "benchmark", header, rows)
