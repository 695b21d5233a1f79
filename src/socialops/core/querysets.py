"""Queryset helpers shared by the apps' selectors."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models
from django.db.models import QuerySet

M = TypeVar("M", bound=models.Model)


def filter_given(qs: QuerySet[M], **lookups: Any) -> QuerySet[M]:
    """Narrow qs by each lookup whose value was given; an empty value (None, "", 0) means "any"."""
    given = {lookup: value for lookup, value in lookups.items() if value}
    return qs.filter(**given) if given else qs
