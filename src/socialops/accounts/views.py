from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from socialops.web.decorators import workspace_view


@workspace_view()
def account_list(request: HttpRequest) -> HttpResponse:
    return render(request, "web/error.html", {"code": "", "message": ""})


@workspace_view()
def competitor_list(request: HttpRequest) -> HttpResponse:
    return render(request, "web/error.html", {"code": "", "message": ""})
