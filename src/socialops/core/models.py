"""Abstract bases for the columns most tables carry: when a row was made and saved, and by whom."""

from __future__ import annotations

from django.conf import settings
from django.db import models

__all__ = ["CreatedAtModel", "CreatedByModel", "TimestampedModel"]


class CreatedAtModel(models.Model):
    """A row that records when it was created."""

    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class TimestampedModel(CreatedAtModel):
    """A row that records when it was created and when it was last saved."""

    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class CreatedByModel(models.Model):
    """A row that remembers who created it; the row stays when that user is deleted."""

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)

    class Meta:
        abstract = True
