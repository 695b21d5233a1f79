"""API helpers every app's routers share: errors as field → messages, in the user's language; schema resolvers."""

from __future__ import annotations

import operator
from typing import Any

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
from ninja.parser import Parser


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
