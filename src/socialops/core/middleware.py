"""Request checks every part of the product shares, before any view sees the request."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

__all__ = ["RefuseNulMiddleware", "nul_paths"]

NUL = "\x00"


def nul_paths(value: Any, path: str = "") -> Iterator[str]:
    """The dotted paths (``items.2.title``) of every string, key included, that holds a NUL."""
    if isinstance(value, str):
        if NUL in value:
            yield path or "__all__"
    elif isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and NUL in key:
                yield where
            yield from nul_paths(item, where)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from nul_paths(item, f"{path}.{index}" if path else str(index))


class RefuseNulMiddleware:
    """API requests whose query, form fields or JSON strings hold a NUL character get a 400.

    PostgreSQL text cannot store NUL (the write fails with a 500 after validation passed), and
    no person types one: it is always a broken client or a probe. The answer names the field.
    Page forms refuse NUL through Django's own form fields, so only the API is checked here.
    Multipart form fields are checked by the API's parser (``core.api.NulRefusingParser``):
    reading ``request.POST`` here would swallow the API's own answer to a malformed upload.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            fields = self._fields_with_nul(request)
            if fields:
                message = _("The NUL character is not allowed.")
                errors = {field: [message] for field in fields}
                summary = "; ".join(f"{field}: {message}" for field in fields)
                return JsonResponse({"message": summary, "errors": errors}, status=400)
        return self.get_response(request)

    @staticmethod
    def _fields_with_nul(request: HttpRequest) -> list[str]:
        found = [key for key, values in request.GET.lists() if NUL in key or any(NUL in v for v in values)]
        if (
            request.method in ("POST", "PUT", "PATCH", "DELETE")
            and request.content_type == "application/json"
        ):
            try:
                data = json.loads(request.body) if request.body else None
            except (ValueError, RequestDataTooBig):
                return found  # not JSON, or too large: the API answers that itself
            found.extend(nul_paths(data))
        return sorted(set(found))
