"""Pages that belong to no app: the health check and the error pages."""

from __future__ import annotations

import logging
from typing import Any

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

log = logging.getLogger(__name__)


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
