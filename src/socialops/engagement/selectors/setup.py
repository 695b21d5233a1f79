"""Reads of how the inbox works: settings, saved replies (searchable), auto-reply and assignment rules."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from socialops.workspaces.access import membership_get
from socialops.workspaces.models import Workspace
from socialops.workspaces.selectors import member_row_or_404, member_rows

from ..models import AssignmentRule, AutoReplyRule, InboxSettings, SavedReply
from ..services.threads import settings_for


def inbox_settings(*, workspace: Workspace, user: Any) -> InboxSettings:
    """The workspace's inbox settings (defaults until changed)."""
    membership_get(workspace=workspace, user=user)
    return settings_for(workspace)


def saved_reply_list(
    *, workspace: Workspace, user: Any, search: str = "", account_id: int | None = None
) -> QuerySet[SavedReply]:
    """Saved replies matching ``search`` in title or text, for one account (and the whole workspace's), most used first."""
    rows = member_rows(SavedReply, workspace=workspace, user=user).select_related("account")
    if search:
        rows = rows.filter(Q(title__icontains=search) | Q(body__icontains=search))
    if account_id:
        rows = rows.filter(Q(account_id=account_id) | Q(account__isnull=True))
    return rows.order_by("-uses", "title", "pk")


def saved_reply_get(*, workspace: Workspace, user: Any, saved_reply_id: int) -> SavedReply:
    """One saved reply of this workspace, or Http404."""
    return member_row_or_404(SavedReply, workspace=workspace, user=user, pk=saved_reply_id)


def rule_list(*, workspace: Workspace, user: Any) -> QuerySet[AutoReplyRule]:
    """Auto-reply rules in the order they are tried."""
    return (
        member_rows(AutoReplyRule, workspace=workspace, user=user)
        .select_related("account")
        .order_by("position", "pk")
    )


def rule_get(*, workspace: Workspace, user: Any, rule_id: int) -> AutoReplyRule:
    """One auto-reply rule of this workspace, or Http404."""
    return member_row_or_404(AutoReplyRule, workspace=workspace, user=user, pk=rule_id)


def assignment_rule_list(*, workspace: Workspace, user: Any) -> QuerySet[AssignmentRule]:
    """Assignment rules in the order they are tried."""
    return (
        member_rows(AssignmentRule, workspace=workspace, user=user)
        .select_related("account", "tier", "assignee")
        .order_by("position", "pk")
    )


def assignment_rule_get(*, workspace: Workspace, user: Any, rule_id: int) -> AssignmentRule:
    """One assignment rule of this workspace, or Http404."""
    return member_row_or_404(AssignmentRule, workspace=workspace, user=user, pk=rule_id)
