"""The response-time dashboard: first response and resolution per member and account, volume and missed targets."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path

from socialops.workspaces.decorators import WorkspaceRequest, workspace_view

from ..presenters import reports as pres
from ..selectors import reports as sel

PERIODS = (7, 30, 90)


@workspace_view()
def inbox_report(request: WorkspaceRequest) -> HttpResponse:
    """Response times of the last 7 (default) / 30 / 90 days, with charts."""
    raw = request.GET.get("days", "7")
    days = int(raw) if raw.isdigit() and int(raw) in PERIODS else 7
    workspace, user = request.workspace, request.user
    report = sel.response_report(workspace=workspace, user=user, days=days)
    volume = sel.volume_by_day(workspace=workspace, user=user, days=days)
    intents = sel.intent_counts(workspace=workspace, user=user, days=days)
    context: dict[str, Any] = {
        "days": days,
        "periods": PERIODS,
        "report": report,
        "volume_chart": pres.volume_chart(volume),
        "members_chart": pres.first_response_chart(report["members"]),
        "intent_chart": pres.intent_chart(intents),
        "has_data": any(v["positive"] + v["neutral"] + v["negative"] for v in volume),
    }
    return render(request, "engagement/report.html", context)


reports_urlpatterns: list[URLPattern] = [path("inbox/report/", inbox_report, name="inbox_report")]
