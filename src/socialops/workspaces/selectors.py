"""Reads of workspaces, members and the audit log."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from django.db import models
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from socialops.core.querysets import filter_given

from .access import ensure_perm, membership_get
from .models import AuditEntry, Membership, UserNotice, Workspace
from .roles import Perm

# A model with a ``workspace`` key (not all derive from WorkspaceRow: many name their reverse accessor).
RowT = TypeVar("RowT", bound=models.Model)
NoticeT = TypeVar("NoticeT", bound=UserNotice)


def member_rows(model: type[RowT], *, workspace: Workspace, user: Any) -> QuerySet[RowT]:
    """The model's rows in this workspace, for a member of it (PermissionDenied otherwise)."""
    membership_get(workspace=workspace, user=user)
    return model._default_manager.filter(workspace=workspace)


def member_row_or_404(model: type[RowT], *, workspace: Workspace, user: Any, **lookups: Any) -> RowT:
    """One of the model's rows in this workspace, for a member; Http404 for another workspace's."""
    return get_object_or_404(member_rows(model, workspace=workspace, user=user), **lookups)


def user_notices(
    model: type[NoticeT], *, workspace: Workspace, user: Any, unread: bool | None = None
) -> QuerySet[NoticeT]:
    """The user's own notices of one kind in the workspace, newest first; unread True/False narrows them."""
    membership_get(workspace=workspace, user=user)
    qs = model._default_manager.filter(workspace=workspace, user=user)
    if unread is not None:
        qs = qs.filter(read_at__isnull=unread)
    return qs.order_by("-created_at", "-pk")


def workspaces_for_user(*, user: Any) -> QuerySet[Workspace]:
    """Workspaces the user belongs to."""
    if not getattr(user, "is_authenticated", False):
        return Workspace.objects.none()
    return Workspace.objects.filter(memberships__user=user).order_by("name")


def membership_list(*, workspace: Workspace, user: Any) -> QuerySet[Membership]:
    """Members of the workspace (any member may see who is on the team)."""
    members = member_rows(Membership, workspace=workspace, user=user).select_related("user")
    return members.order_by("role", "user__username")


def member_users(*, workspace: Workspace, user: Any) -> list[Any]:
    """The workspace's members as users, by username (owner and assignee pickers)."""
    members = member_rows(Membership, workspace=workspace, user=user).select_related("user")
    return [m.user for m in members.order_by("user__username")]


def membership_get_by_id(*, workspace: Workspace, user: Any, membership_id: int) -> Membership:
    """One membership of this workspace, or Http404."""
    return get_object_or_404(membership_list(workspace=workspace, user=user), pk=membership_id)


def audit_entry_list(
    *,
    workspace: Workspace,
    user: Any,
    actor: str = "",
    action: str = "",
    object_type: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
    exact_actor: bool = False,
) -> QuerySet[AuditEntry]:
    """The workspace's audit log, newest first, filtered; admins only (``actor`` is a part of the
    name, or the whole name with ``exact_actor`` as the page's list picks it)."""
    ensure_perm(workspace=workspace, user=user, perm=Perm.AUDIT_VIEW)
    qs = filter_given(
        AuditEntry.objects.filter(workspace=workspace),
        actor_name__icontains=actor if not exact_actor else "",
        actor_name=actor if exact_actor else "",
        action__startswith=action,
        object_type=object_type,
        created_at__date__gte=since,
        created_at__date__lte=until,
    )
    return qs.order_by("-created_at", "-id")


def audit_filter_values(*, workspace: Workspace, user: Any) -> dict[str, list[str]]:
    """The people, object types and actions the workspace's log holds (for the filter lists)."""
    ensure_perm(workspace=workspace, user=user, perm=Perm.AUDIT_VIEW)
    rows = AuditEntry.objects.filter(workspace=workspace)
    return {
        name: sorted(v for v in rows.values_list(name, flat=True).distinct() if v)
        for name in ("actor_name", "object_type", "action")
    }
