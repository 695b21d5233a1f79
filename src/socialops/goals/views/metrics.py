"""Pages: metric snapshots and imports."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from socialops.web.decorators import workspace_view


@workspace_view()
def metric_list(request: HttpRequest) -> HttpResponse:
    return render(request, "web/error.html", {"code": "", "message": ""})


metrics_urlpatterns = [
    path("metrics/", metric_list, name="metric_list"),
]
