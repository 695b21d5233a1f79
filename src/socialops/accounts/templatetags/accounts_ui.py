"""Template helpers of the account pages."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def grouped(value: Any) -> str:
    """303857 → "303,857" in every language.

    Django's zh-Hans format has no thousands separator, but Chinese platforms' own dashboards
    group follower counts with commas, and so does this team.
    """
    if value is None or value == "":
        return "—"
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return str(value)
