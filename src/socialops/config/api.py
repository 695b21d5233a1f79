"""The HTTP API root: /api/v1/, bearer-token or session auth, JSON errors everywhere."""

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, django_auth

from socialops.workspaces.services import api_token_authenticate

log = logging.getLogger(__name__)


class BearerTokenAuth(HttpBearer):
    """Authorization: Bearer so_… (tokens from `socialops token create USERNAME`)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="socialops API",
    version="1",
    urls_namespace="api",
    auth=[BearerTokenAuth(), django_auth],
    docs_url="/docs",
)


def validation_messages(exc: DjangoValidationError) -> dict[str, list[str]]:
    """Field → messages of a Django ValidationError ("__all__" for non-field errors)."""
    if hasattr(exc, "error_dict"):
        return {field: [str(m) for m in msgs] for field, msgs in exc.message_dict.items()}
    return {"__all__": [str(m) for m in exc.messages]}


def _summary(errors: dict[str, list[str]]) -> str:
    parts = []
    for field, msgs in errors.items():
        prefix = "" if field == "__all__" else f"{field}: "
        parts.append(prefix + " ".join(msgs))
    return "; ".join(parts)


@api.exception_handler(DjangoValidationError)
def _on_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    errors = validation_messages(exc)
    return api.create_response(request, {"message": _summary(errors), "errors": errors}, status=400)


# pydantic's messages are English only; the common ones are said again in the user's language.
# Anything not listed keeps pydantic's own text.
_SCHEMA_MESSAGES: dict[str, Any] = {
    "missing": lambda ctx: _("This field is required."),
    "string_too_long": lambda ctx: _("At most %(n)s characters.") % {"n": ctx.get("max_length")},
    "string_too_short": lambda ctx: _("At least %(n)s characters.") % {"n": ctx.get("min_length")},
    "too_long": lambda ctx: _("At most %(n)s items.") % {"n": ctx.get("max_length")},
    "too_short": lambda ctx: _("At least %(n)s items.") % {"n": ctx.get("min_length")},
    "greater_than_equal": lambda ctx: _("Must be ≥ %(n)s.") % {"n": ctx.get("ge")},
    "greater_than": lambda ctx: _("Must be > %(n)s.") % {"n": ctx.get("gt")},
    "less_than_equal": lambda ctx: _("Must be ≤ %(n)s.") % {"n": ctx.get("le")},
    "less_than": lambda ctx: _("Must be < %(n)s.") % {"n": ctx.get("lt")},
    "int_parsing": lambda ctx: _("Must be a whole number."),
    "int_type": lambda ctx: _("Must be a whole number."),
    "int_from_float": lambda ctx: _("Must be a whole number."),
    "float_parsing": lambda ctx: _("Must be a number."),
    "float_type": lambda ctx: _("Must be a number."),
    "decimal_parsing": lambda ctx: _("Must be a number."),
    "decimal_type": lambda ctx: _("Must be a number."),
    "bool_parsing": lambda ctx: _("Must be true or false."),
    "bool_type": lambda ctx: _("Must be true or false."),
    "string_type": lambda ctx: _("Must be text."),
    "list_type": lambda ctx: _("Must be a list."),
    "dict_type": lambda ctx: _("Must be an object."),
    "model_attributes_type": lambda ctx: _("Must be an object."),
    "date_parsing": lambda ctx: _("Must be a date (YYYY-MM-DD)."),
    "date_from_datetime_parsing": lambda ctx: _("Must be a date (YYYY-MM-DD)."),
    "date_type": lambda ctx: _("Must be a date (YYYY-MM-DD)."),
    "datetime_parsing": lambda ctx: _("Must be a date and time (ISO 8601)."),
    "datetime_from_date_parsing": lambda ctx: _("Must be a date and time (ISO 8601)."),
    "datetime_type": lambda ctx: _("Must be a date and time (ISO 8601)."),
    "enum": lambda ctx: _("Must be one of: %(choices)s.") % {"choices": ctx.get("expected", "")},
    "literal_error": lambda ctx: _("Must be one of: %(choices)s.") % {"choices": ctx.get("expected", "")},
    "json_invalid": lambda ctx: _("The request body is not valid JSON."),
}


def schema_error_message(err: dict[str, Any]) -> str:
    """One pydantic error as a sentence in the active language."""
    make = _SCHEMA_MESSAGES.get(str(err.get("type", "")))
    if make is None:
        return str(err.get("msg", ""))
    return str(make(err.get("ctx") or {}))


@api.exception_handler(NinjaValidationError)
def _on_schema_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "payload", "query", "path")]
        errors.setdefault(".".join(loc) or "__all__", []).append(schema_error_message(err))
    return api.create_response(
        request,
        {"message": _("Invalid input: %(detail)s") % {"detail": _summary(errors)}, "errors": errors},
        status=422,
    )


@api.exception_handler(Http404)
def _on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"message": _("Not found.")}, status=404)


@api.exception_handler(PermissionDenied)
def _on_forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    message = str(exc) or _("Your role in this workspace does not allow this.")
    return api.create_response(request, {"message": message}, status=403)


@api.exception_handler(AuthenticationError)
def _on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, {"message": _("Authentication required.")}, status=401)


@api.exception_handler(HttpError)
def _on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(request, {"message": str(exc)}, status=exc.status_code)


@api.exception_handler(Exception)
def _on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    log.exception("API error on %s %s", request.method, request.path)
    return api.create_response(request, {"message": _("Internal error; it has been logged.")}, status=500)


def _register_routers() -> None:
    # Imported here so each app's API module can import `api` helpers above without a cycle.
    from socialops.accounts.api import router as accounts_router
    from socialops.analytics.api import router as analytics_router
    from socialops.content.api import router as content_router
    from socialops.goals.api import router as goals_router
    from socialops.platforms.api import router as platforms_router
    from socialops.publishing.api import router as publishing_router
    from socialops.review.api import router as review_router
    from socialops.workspaces.api import router as workspaces_router

    api.add_router("/", workspaces_router)
    api.add_router("/", accounts_router)
    api.add_router("/", goals_router)
    api.add_router("/", content_router)
    api.add_router("/", analytics_router)
    api.add_router("/", platforms_router)
    api.add_router("/", review_router)
    api.add_router("/", publishing_router)


_register_routers()
