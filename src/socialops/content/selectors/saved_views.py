"""Selectors for saved views of the content library: the caller's own, in one workspace."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from socialops.workspaces.access import membership_get
from socialops.workspaces.models import Workspace

from ..models import SavedView


def saved_view_list(*, workspace: Workspace, user: Any) -> QuerySet[SavedView]:
    """The caller's saved views in this workspace, by name."""
    membership_get(workspace=workspace, user=user)
    return SavedView.objects.filter(workspace=workspace, user=user).order_by("name", "id")


def saved_view_get(*, workspace: Workspace, user: Any, view_id: int) -> SavedView:
    """One of the caller's saved views in this workspace, or Http404 (another member's is a 404 too)."""
    return get_object_or_404(saved_view_list(workspace=workspace, user=user), pk=view_id)
