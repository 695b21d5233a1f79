"""Pages: dashboard, goals, strategies."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from socialops.web.decorators import workspace_view


@workspace_view()
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "web/error.html", {"code": "", "message": ""})


goals_urlpatterns = [
    path("", dashboard, name="dashboard"),
    path("goals/", dashboard, name="goal_list"),
    path("strategies/", dashboard, name="strategy_list"),
]
