"""Page: competitor accounts, and how they compare with ours over a chosen window (R1.2)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path

from socialops.accounts.selectors import account_list
from socialops.workspaces.decorators import WorkspaceRequest, workspace_view

from .. import presenters
from ..selectors.competitors import competitor_comparison
from ..selectors.metrics import with_latest_followers

WINDOWS = (30, 90, 180)
DEFAULT_WINDOW = 90


@workspace_view()
def competitor_list(request: WorkspaceRequest) -> HttpResponse:
    """Competitor accounts, and how they compare with ours over a chosen window."""
    workspace = request.workspace
    try:
        days = int(request.GET.get("days", DEFAULT_WINDOW))
    except ValueError:
        days = DEFAULT_WINDOW
    if days not in WINDOWS:
        days = DEFAULT_WINDOW
    competitors = with_latest_followers(
        workspace=workspace,
        accounts=account_list(workspace=workspace, user=request.user, is_competitor=True),
    )
    comparison = competitor_comparison(workspace=workspace, user=request.user, days=days)
    charts = presenters.competitor_chart_options(comparison)
    # Engagement rate needs impressions, which competitors rarely publish: show per-post figures
    # whenever any account lacks a rate, so every account gets a comparable number.
    show_rate = any(a["engagement_rate"] is not None for a in comparison["accounts"])
    show_per_post = any(a["engagement_rate"] is None for a in comparison["accounts"] if a["days_with_data"])
    return render(
        request,
        "goals/competitor_list.html",
        {
            "competitors": competitors,
            "comparison": comparison,
            "charts": charts,
            "days": days,
            "windows": WINDOWS,
            "show_rate": show_rate,
            "show_per_post": show_per_post,
        },
    )


competitors_urlpatterns = [
    path("competitors/", competitor_list, name="competitor_list"),
]
