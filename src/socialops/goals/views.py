from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from socialops.web.decorators import workspace_view


@workspace_view()
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "web/error.html", {"code": "", "message": ""})


goal_list = strategy_list = metric_list = dashboard
