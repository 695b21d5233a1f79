"""Per-request language: the person's choice, else the workspace's, else zh-Hans."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from .models import Workspace

SUPPORTED = {code for code, _name in settings.LANGUAGES}


def _supported(code: str | None) -> str | None:
    if not code:
        return None
    code = code.lower()
    if code in SUPPORTED:
        return code
    if code.startswith("zh"):
        return "zh-hans"
    if code.startswith("en"):
        return "en"
    return None


class LanguageMiddleware:
    """Activates the language for this request.

    Pages ignore the browser's Accept-Language on purpose: a team shares one working language
    (the workspace's) unless a person switches for themselves. API clients may still ask for a
    language with Accept-Language, since they have no cookie.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = _supported(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))
        if chosen is None and request.path.startswith("/api/"):
            chosen = _supported(translation.get_language_from_request(request))
        # Remembered on the request for process_view (HttpRequest has no such attribute).
        setattr(request, "_language_chosen", chosen is not None)  # noqa: B010
        self._activate(request, chosen or settings.LANGUAGE_CODE)
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", translation.get_language())
        return response

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: dict[str, Any]
    ) -> None:
        if getattr(request, "_language_chosen", False) or "slug" not in view_kwargs:
            return None
        locale = Workspace.objects.filter(slug=view_kwargs["slug"]).values_list("locale", flat=True).first()
        if locale:
            self._activate(request, locale)
        return None

    @staticmethod
    def _activate(request: HttpRequest, code: str) -> None:
        translation.activate(code)
        # Django's LocaleMiddleware sets the same attribute; templates and i18n views read it.
        setattr(request, "LANGUAGE_CODE", translation.get_language())  # noqa: B010
