"""Small template helpers shared by every app's pages."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def has_perm(perms: Any, name: str) -> bool:
    """{% if perms_in_workspace|has_perm:"goal.edit" %} shows a button only to those who may use it."""
    return name in perms


@register.filter
def pct(value: Any, digits: int = 1) -> str:
    """0.1234 → "12.3%" (empty for None)."""
    if value is None:
        return "—"
    return f"{float(value) * 100:.{digits}f}%"


@register.filter
def thousands(value: Any, digits: int = 0) -> str:
    """304741 → "304,741" whatever the language (zh-Hans' locale format groups nothing); "—" for None."""
    if value is None or value == "":
        return "—"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    return f"{number:,.{digits}f}"
