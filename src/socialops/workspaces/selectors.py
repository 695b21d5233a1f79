"""Reads of workspaces, members and the audit log."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from .access import ensure_perm, membership_get
from .models import AuditEntry, Membership, Workspace
from .roles import Perm


def workspaces_for_user(*, user: Any) -> QuerySet[Workspace]:
    """Workspaces the user belongs to."""
    if not getattr(user, "is_authenticated", False):
        return Workspace.objects.none()
    return Workspace.objects.filter(memberships__user=user).order_by("name")


def membership_list(*, workspace: Workspace, user: Any) -> QuerySet[Membership]:
    """Members of the workspace (any member may see who is on the team)."""
    membership_get(workspace=workspace, user=user)
    return (
        Membership.objects.filter(workspace=workspace)
        .select_related("user")
        .order_by("role", "user__username")
    )


def member_users(*, workspace: Workspace, user: Any) -> list[Any]:
    """The workspace's members as users, by username (owner and assignee pickers)."""
    membership_get(workspace=workspace, user=user)
    return [
        m.user
        for m in Membership.objects.filter(workspace=workspace)
        .select_related("user")
        .order_by("user__username")
    ]


def membership_get_by_id(*, workspace: Workspace, user: Any, membership_id: int) -> Membership:
    """One membership of this workspace, or Http404."""
    from django.shortcuts import get_object_or_404

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
) -> QuerySet[AuditEntry]:
    """The workspace's audit log, newest first, filtered; admins only."""
    ensure_perm(workspace=workspace, user=user, perm=Perm.AUDIT_VIEW)
    qs = AuditEntry.objects.filter(workspace=workspace)
    if actor:
        qs = qs.filter(actor_name__icontains=actor)
    if action:
        qs = qs.filter(action__startswith=action)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if since:
        qs = qs.filter(created_at__date__gte=since)
    if until:
        qs = qs.filter(created_at__date__lte=until)
    return qs.order_by("-created_at", "-id")
