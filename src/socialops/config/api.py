"""The HTTP API root: /api/v1/, bearer-token or session auth, JSON errors everywhere."""

import logging
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.docs import Swagger
from ninja.security import HttpBearer, django_auth

from socialops.accounts.api import router as accounts_router
from socialops.analytics.api import router as analytics_router
from socialops.community.api import router as community_router
from socialops.content.api import router as content_router
from socialops.core.api import (
    NulRefusingParser,
    document_error_responses,
    error_summary,
    refused_request,
    schema_error_message,
    validation_messages,
)
from socialops.engagement.api import router as engagement_router
from socialops.fans.api import router as fans_router
from socialops.goals.api import router as goals_router
from socialops.insights.api import router as insights_router
from socialops.platforms.api import router as platforms_router
from socialops.publishing.api import router as publishing_router
from socialops.review.api import router as review_router
from socialops.workspaces.api import router as workspaces_router
from socialops.workspaces.services import api_token_authenticate

log = logging.getLogger(__name__)


class BearerTokenAuth(HttpBearer):
    """Authorization: Bearer so_… (tokens from `socialops token create USERNAME`)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class SwaggerFromOurStatic(Swagger):
    """/api/v1/docs with Swagger UI from our static files (npm's swagger-ui-dist, see the Makefile).

    ninja's own page loads it from a CDN unless ninja is an installed app, and then from the copy
    bundled in ninja's wheel; ours keeps one pinned copy beside the other front-end assets, under
    the same CSP (script-src 'self', no inline script).
    """

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        settings = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        context = {"swagger_settings": settings, "api": api, "add_csrf": True}
        return render(request, "web/api_docs.html", context)


class SocialopsAPI(NinjaAPI):
    """The API root; its OpenAPI document lists every operation's error answers (core.api's rule)."""

    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: Any = None) -> Any:
        document = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        document_error_responses(document)
        return document


api = SocialopsAPI(
    title="socialops API",
    version="1",
    urls_namespace="api",
    auth=[BearerTokenAuth(), django_auth],
    docs_url="/docs",
    docs=SwaggerFromOurStatic(),
    parser=NulRefusingParser(),
)


@api.exception_handler(DjangoValidationError)
def _on_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    errors = validation_messages(exc)
    return api.create_response(request, {"message": error_summary(errors), "errors": errors}, status=400)


@api.exception_handler(NinjaValidationError)
def _on_schema_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "payload", "query", "path")]
        errors.setdefault(".".join(loc) or "__all__", []).append(schema_error_message(err))
    return api.create_response(
        request,
        {"message": _("Invalid input: %(detail)s") % {"detail": error_summary(errors)}, "errors": errors},
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


# Django refuses to read the body (too large, too many fields or files, malformed multipart, other
# suspicious input): the client's request, not our failure.
@api.exception_handler(RequestDataTooBig)
@api.exception_handler(MultiPartParserError)
@api.exception_handler(SuspiciousOperation)
def _on_refused_request(request: HttpRequest, exc: Exception) -> HttpResponse:
    status, message = refused_request(exc)
    return api.create_response(request, {"message": message}, status=status)


@api.exception_handler(Exception)
def _on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    log.exception("API error on %s %s", request.method, request.path)
    return api.create_response(request, {"message": _("Internal error; it has been logged.")}, status=500)


# Every app's router hangs under /api/v1/; config is the top of the tree, so it may import them all.
for _router in (
    workspaces_router,
    accounts_router,
    goals_router,
    content_router,
    analytics_router,
    platforms_router,
    review_router,
    publishing_router,
    fans_router,
    engagement_router,
    community_router,
    insights_router,
):
    api.add_router("/", _router)
