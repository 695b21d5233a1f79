"""Notifications of the review workflow: who hears about a submission, a decision or a comment."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from socialops.content.models import ContentItem
from socialops.core.actors import user_or_none
from socialops.workspaces.access import membership_get
from socialops.workspaces.audit import audit_record
from socialops.workspaces.models import Workspace

from ..models.workflow import (
    Notification,
    NotificationKind,
    ReviewTask,
)
from ._common import actor_name
from .chains import task_candidates

NOTIFICATION_DETAIL_MAX = 300


def notify(
    workspace: Workspace, actor: Any, item: ContentItem, user_ids: Iterable[int], kind: str, detail: str
) -> list[Notification]:
    """Tell these members (active, in the workspace, never the actor) about the item; part of an audited action, not audited itself."""
    me = getattr(user_or_none(actor), "pk", None)
    recipients = set(
        get_user_model()
        .objects.filter(
            pk__in=[u for u in user_ids if u != me], is_active=True, memberships__workspace=workspace
        )
        .values_list("pk", flat=True)
    )
    return Notification.objects.bulk_create(
        Notification(
            workspace=workspace,
            user_id=user_id,
            kind=kind,
            item=item,
            actor_name=actor_name(actor),
            detail=detail[:NOTIFICATION_DETAIL_MAX],
        )
        for user_id in sorted(recipients)
    )


def notify_assignees(workspace: Workspace, actor: Any, item: ContentItem, task: ReviewTask) -> None:
    """Tell the members who may decide the step that it waits for them."""
    members = task_candidates(workspace=workspace, task=task, item=item)
    notify(workspace, actor, item, [m.user_id for m in members], NotificationKind.ASSIGNED, task.name)


@transaction.atomic(durable=True)
def notification_mark_read(*, workspace: Workspace, actor: Any, notification: Notification) -> Notification:
    """Mark one of one's own notifications as read."""
    membership_get(workspace=workspace, user=actor)
    if notification.workspace_id != workspace.pk or notification.user_id != actor.pk:
        raise ValidationError({"notification": [_("Not found.")]})
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
        audit_record(
            workspace=workspace,
            actor=actor,
            action="notification.read",
            obj=notification,
            after={"read_at": notification.read_at},
        )
    return notification


@transaction.atomic(durable=True)
def notifications_mark_all_read(*, workspace: Workspace, actor: Any) -> int:
    """Mark all of one's unread notifications in the workspace as read; returns how many."""
    membership_get(workspace=workspace, user=actor)
    count = Notification.objects.filter(workspace=workspace, user=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if count:
        audit_record(
            workspace=workspace,
            actor=actor,
            action="notification.read_all",
            object_type="review.notification",
            object_repr=actor_name(actor),
            after={"count": count},
        )
    return count
