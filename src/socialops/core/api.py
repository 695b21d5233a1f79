"""API helpers every app's routers share: errors as field → messages, in the user's language; schema resolvers."""

from __future__ import annotations

import datetime as dt
import operator
import re
from http import HTTPStatus
from typing import Annotated, Any

from django.core.exceptions import (
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest
from django.http.multipartparser import MultiPartParserError
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.parser import Parser
from pydantic import BeforeValidator, WithJsonSchema
from pydantic_core import PydanticCustomError


def validation_messages(exc: DjangoValidationError) -> dict[str, list[str]]:
    """Field → messages of a Django ValidationError ("__all__" for non-field errors)."""
    if hasattr(exc, "error_dict"):
        return {field: [str(m) for m in msgs] for field, msgs in exc.message_dict.items()}
    return {"__all__": [str(m) for m in exc.messages]}


def refused_request(exc: Exception | None) -> tuple[int, str]:
    """Status and message for a request body Django would not read: the client's fault, never a 500.

    Shared by the API's exception handlers and the pages' 400 handler, so both say the same.
    """
    if isinstance(exc, RequestDataTooBig):
        return 413, _("The request body is too large.")
    if isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        return 400, _("The form has too many fields or files.")
    if isinstance(exc, MultiPartParserError):
        # e.g. "multipart/form-data" without a boundary.
        return 400, _("The uploaded form could not be read (malformed multipart body).")
    return 400, _("The request could not be accepted as sent.")


def error_summary(errors: dict[str, list[str]]) -> str:
    parts = []
    for field, msgs in errors.items():
        prefix = "" if field == "__all__" else f"{field}: "
        parts.append(prefix + " ".join(msgs))
    return "; ".join(parts)


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


# Resolvers that many Out schemas declare alike; ninja runs any `resolve_<field>` staticmethod of a
# Schema class, so `resolve_kind_label = choice_label("kind")` stands for the three-line method.
def choice_label(field: str) -> staticmethod[[Any], str]:
    """A schema resolver (`resolve_<field>_label = choice_label("<field>")`): the choice's label, translated."""

    def resolve(obj: Any) -> str:
        return str(getattr(obj, f"get_{field}_display")())

    return staticmethod(resolve)


def attribute(path: str) -> staticmethod[[Any], Any]:
    """A schema resolver reading a dotted path: `resolve_account_handle = attribute("account.handle")`."""
    get = operator.attrgetter(path)

    def resolve(obj: Any) -> Any:
        return get(obj)

    return staticmethod(resolve)


def username_of(field: str, missing: str | None = None) -> staticmethod[[Any], str | None]:
    """A schema resolver: the username of the user in `field`, `missing` when there is none."""

    def resolve(obj: Any) -> str | None:
        user = getattr(obj, field)
        return user.get_username() if user else missing

    return staticmethod(resolve)


class NulRefusingParser(Parser):
    """The API's parser: form fields holding a NUL character are refused, naming the field.

    JSON bodies and query strings are checked earlier by ``core.middleware.RefuseNulMiddleware``
    (a refusal raised while parsing a JSON body would reach the client as "cannot parse").
    """

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = super().parse_body(request)
        # Every body the API takes is one JSON object. Without this, ninja's schemas read a list
        # or a string through attribute access (a string's .title() became a poll's title).
        if not isinstance(data, dict):
            raise TypeError("the request body must be a JSON object")
        return data

    def parse_querydict(
        self, data: MultiValueDict, list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        bad = sorted(
            key
            for key in data
            if "\x00" in key or any(isinstance(v, str) and "\x00" in v for v in data.getlist(key))
        )
        if bad:
            message = _("The NUL character is not allowed.")
            raise DjangoValidationError({key: [message] for key in bad})
        return super().parse_querydict(data, list_fields, request)


class ErrorOut(Schema):
    """Every error answer of the API: a sentence, and field → messages when input was refused."""

    message: str
    errors: dict[str, list[str]] | None = None


ERROR_SCHEMA = "ErrorOut"
_ERROR_REF = {"$ref": f"#/components/schemas/{ERROR_SCHEMA}"}
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def error_statuses(operation: dict[str, Any], method: str) -> list[int]:
    """The error statuses the API's own handlers can give this operation (config/api.py's handlers).

    The rule (docs/api.md): behind authentication → 401; a workspace in the path → 403 (role);
    a path parameter → 404 (not found, or another workspace's); any input → 400 (a service's
    ValidationError, a NUL character, a body Django would not read) and 422 (the schema refused
    it); a request body → 413 (too large). Statuses an operation declares itself (409, …) stay.
    """
    params = operation.get("parameters") or []
    path_params = {p.get("name") for p in params if p.get("in") == "path"}
    has_body = "requestBody" in operation
    codes: list[int] = []
    if operation.get("security"):
        codes.append(401)
        if "slug" in path_params:
            codes.append(403)
    if path_params:
        codes.append(404)
    if params or has_body or method != "get":
        codes += [400, 422]
    if has_body:
        codes.append(413)
    return sorted(codes)


def document_error_responses(document: dict[str, Any]) -> dict[str, Any]:
    """Add the error answers every operation can give to an OpenAPI document, in place; the document.

    One place for every router (a new router is covered without touching its decorators). A
    status an operation already documents with another schema (an import's row errors) becomes
    "that schema or ErrorOut": the shared exception handlers can answer it too.
    """
    components = document.setdefault("components", {}).setdefault("schemas", {})
    components[ERROR_SCHEMA] = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
    for item in (document.get("paths") or {}).values():
        for method in _METHODS:
            operation = item.get(method)
            if not isinstance(operation, dict):
                continue
            responses = operation.setdefault("responses", {})
            declared = {str(code): code for code in responses}
            for status in error_statuses(operation, method):
                key = declared.get(str(status))
                if key is None:
                    responses[status] = {
                        "description": HTTPStatus(status).phrase,
                        "content": {"application/json": {"schema": dict(_ERROR_REF)}},
                    }
                    continue
                content = responses[key].setdefault("content", {})
                schema = content.get("application/json", {}).get("schema")
                if schema is None:
                    content["application/json"] = {"schema": dict(_ERROR_REF)}
                elif schema != _ERROR_REF and _ERROR_REF not in schema.get("anyOf", []):
                    content["application/json"] = {"schema": {"anyOf": [schema, dict(_ERROR_REF)]}}
    return document


# pydantic's lax mode reads a number (or a string of digits) as a Unix timestamp where the
# document promises an ISO date: "?until=0" meant 1970-01-01. These types take ISO text only.
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?")


def _date_text(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise PydanticCustomError("date_parsing", "Input should be a date in the format YYYY-MM-DD")
    return value


def _datetime_text(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str) or not _ISO_DATETIME.fullmatch(value):
        raise PydanticCustomError("datetime_parsing", "Input should be an ISO 8601 date and time")
    return value


IsoDate = Annotated[dt.date, BeforeValidator(_date_text)]
IsoDateTime = Annotated[dt.datetime, BeforeValidator(_datetime_text)]
# A date from 2000 to 2100 (the planner's and calendar's range), said in the document too.
PlanDay = Annotated[
    dt.date,
    BeforeValidator(_date_text),
    WithJsonSchema({"type": "string", "format": "date", "pattern": r"^(20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$"}),
]
