"""Pages that belong to no app: the health check and the error pages."""

from __future__ import annotations

import logging
from typing import Any

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from socialops.core.api import refused_request

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


def _error_page(
    request: HttpRequest, code: int, message: str, json_message: str | None = None
) -> HttpResponse:
    """The error as JSON for API calls (``json_message`` if given), else as the error page."""
    if _wants_json(request):
        return JsonResponse({"message": json_message or message}, status=code)
    return render(request, "web/error.html", {"code": code, "message": message}, status=code)


def error_400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """A request Django would not read: too large (413), too many fields, malformed multipart (400)."""
    code, message = refused_request(exception)
    return _error_page(request, code, message)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(
        request, 404, _("This page does not exist, or you cannot see it."), json_message=_("Not found.")
    )


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = (
        str(exception)
        if exception and str(exception)
        else _("Your role in this workspace does not allow this.")
    )
    return _error_page(request, 403, message)


def error_500(request: HttpRequest) -> HttpResponse:
    return _error_page(
        request,
        500,
        _("Something went wrong on our side; it has been logged."),
        json_message=_("Internal error; it has been logged."),
    )
