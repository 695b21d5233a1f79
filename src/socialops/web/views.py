"""Pages that belong to no single app: home, workspace switcher, health check, error pages."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from socialops.workspaces.selectors import workspaces_for_user

log = logging.getLogger(__name__)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Go to the last workspace used, the only one, or the list to pick from."""
    workspaces = list(workspaces_for_user(user=request.user))
    last = request.session.get("last_workspace")
    slugs = {w.slug for w in workspaces}
    if last in slugs:
        return redirect("dashboard", slug=last)
    if len(workspaces) == 1:
        return redirect("dashboard", slug=workspaces[0].slug)
    return render(request, "web/workspace_list.html", {"workspaces": workspaces})


@login_required
def workspace_list(request: HttpRequest) -> HttpResponse:
    """All workspaces of the user, to switch between them."""
    return render(request, "web/workspace_list.html", {"workspaces": workspaces_for_user(user=request.user)})


def _database_state() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return {"ok": True, "vendor": connection.vendor}
    except Exception as exc:  # any driver error means "down"
        return {"ok": False, "vendor": connection.vendor, "error": exc.__class__.__name__}


def _queue_state() -> dict[str, Any]:
    from huey.contrib.djhuey import HUEY

    try:
        pending = HUEY.pending_count()
        return {"ok": True, "backend": type(HUEY).__name__, "pending": pending}
    except Exception as exc:  # a broken Redis or SQLite queue file
        return {"ok": False, "backend": type(HUEY).__name__, "error": exc.__class__.__name__}


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database and the job queue answer, 503 with the failing part otherwise."""
    database = _database_state()
    queue = _queue_state()
    ok = database["ok"] and queue["ok"]
    return JsonResponse(
        {"status": "ok" if ok else "error", "database": database, "queue": queue}, status=200 if ok else 503
    )


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", "")


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"message": _("Not found.")}, status=404)
    return render(
        request,
        "web/error.html",
        {"code": 404, "message": _("This page does not exist, or you cannot see it.")},
        status=404,
    )


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = (
        str(exception)
        if exception and str(exception)
        else _("Your role in this workspace does not allow this.")
    )
    if _wants_json(request):
        return JsonResponse({"message": message}, status=403)
    return render(request, "web/error.html", {"code": 403, "message": message}, status=403)


def error_500(request: HttpRequest) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"message": _("Internal error; it has been logged.")}, status=500)
    return render(
        request,
        "web/error.html",
        {"code": 500, "message": _("Something went wrong on our side; it has been logged.")},
        status=500,
    )
