"""Field-error collection shared by the services: gather every problem, then raise once."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext as _

# field name → messages, the shape of ValidationError(message_dict).
Errors = dict[str, list[str]]


def add_error(errors: Errors, field: str, message: str) -> None:
    """Record one message against a field."""
    errors.setdefault(field, []).append(message)


def clean_text(
    value: Any, field: str, errors: Errors, *, max_length: int | None = None, required: bool = False
) -> str:
    """A stripped string within ``max_length`` (if given); None counts as empty. Problems go to ``errors``."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        add_error(errors, field, _("Enter text."))
        return ""
    value = value.strip()
    if "\x00" in value:
        # PostgreSQL refuses NUL in text; say so instead of failing at the database.
        add_error(errors, field, _("Null characters are not allowed."))
        return ""
    if required and not value:
        add_error(errors, field, _("This field is required."))
    elif max_length is not None and len(value) > max_length:
        add_error(
            errors,
            field,
            _("At most %(max)d characters (this has %(n)d).") % {"max": max_length, "n": len(value)},
        )
    return value


def refuse_unknown_fields(fields: Iterable[str], allowed: Iterable[str]) -> None:
    """An update names only fields it may change; any other is refused by name."""
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValidationError({f: [_("This field cannot be changed.")] for f in sorted(unknown)})


def protected_delete_error(
    exc: ProtectedError | RestrictedError, field: str, message: str
) -> ValidationError:
    """The error for a deletion blocked by kept records: ``message`` with their kinds as ``%(kinds)s``."""
    blocking = exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects
    kinds = sorted({str(obj._meta.verbose_name_plural) for obj in blocking})
    return ValidationError({field: [message % {"kinds": ", ".join(kinds)}]})
