"""Field-error collection shared by the services: gather every problem, then raise once."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

# field name → messages, the shape of ValidationError(message_dict).
Errors = dict[str, list[str]]


def add_error(errors: Errors, field: str, message: str) -> None:
    """Record one message against a field."""
    errors.setdefault(field, []).append(message)


def clean_text(value: Any, field: str, errors: Errors, *, max_length: int, required: bool = False) -> str:
    """A stripped string within ``max_length``; None counts as empty. Problems go to ``errors``."""
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
    elif len(value) > max_length:
        add_error(
            errors,
            field,
            _("At most %(max)d characters (this has %(n)d).") % {"max": max_length, "n": len(value)},
        )
    return value
