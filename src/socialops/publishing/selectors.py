"""Reads: an item's publications with their attempts, the workspace's publishing queue."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from socialops.content.models import ContentItem
from socialops.workspaces.access import membership_get
from socialops.workspaces.models import Workspace
from socialops.workspaces.selectors import member_row_or_404, user_notices

from .models import Publication, PublicationState, PublishAttempt, PublishingAlert

QUEUE_STATES = {
    "due": [PublicationState.SCHEDULED],
    "in_flight": [PublicationState.PUBLISHING, PublicationState.HANDED_OVER],
    "failed": [PublicationState.FAILED],
    "unknown": [PublicationState.UNKNOWN],
}


def _base(workspace: Workspace) -> QuerySet[Publication]:
    return (
        Publication.objects.filter(workspace=workspace)
        .select_related("account", "item")
        .prefetch_related(
            Prefetch("attempt_rows", queryset=PublishAttempt.objects.order_by("started_at", "pk"))
        )
    )


def item_get(*, workspace: Workspace, user: Any, item_id: int) -> ContentItem:
    """One item of the workspace (404 otherwise)."""
    return member_row_or_404(ContentItem, workspace=workspace, user=user, pk=item_id)


def publications_for_item(*, workspace: Workspace, user: Any, item: ContentItem) -> QuerySet[Publication]:
    """Every publication of an item, with every attempt."""
    membership_get(workspace=workspace, user=user)
    return _base(workspace).filter(item=item).order_by("due_at", "pk")


def publication_get(*, workspace: Workspace, user: Any, publication_id: int) -> Publication:
    """One publication of the workspace (404 otherwise)."""
    membership_get(workspace=workspace, user=user)
    return get_object_or_404(_base(workspace), pk=publication_id)


def queue(*, workspace: Workspace, user: Any, section: str | None = None) -> QuerySet[Publication]:
    """The publishing queue: due, in flight, failed, unknown (all open and failed rows without a section)."""
    membership_get(workspace=workspace, user=user)
    if section in QUEUE_STATES:
        states: list[str] = list(QUEUE_STATES[section])
    else:
        states = [s for group in QUEUE_STATES.values() for s in group]
    return _base(workspace).filter(state__in=states).order_by("due_at", "pk")


def alert_list(*, workspace: Workspace, user: Any, unread: bool | None = None) -> QuerySet[PublishingAlert]:
    """My alerts about accounts that need attention, newest first (with the account's connection)."""
    alerts = user_notices(PublishingAlert, workspace=workspace, user=user, unread=unread)
    return alerts.select_related("account", "account__connection")


def alert_get(*, workspace: Workspace, user: Any, alert_id: int) -> PublishingAlert:
    """One of my alerts (404 otherwise, also for someone else's)."""
    membership_get(workspace=workspace, user=user)
    return get_object_or_404(PublishingAlert, workspace=workspace, user=user, pk=alert_id)


def alert_unread_count(*, workspace: Workspace, user: Any) -> int:
    """How many of my alerts are unread (no permission check: for the navigation)."""
    return PublishingAlert.objects.filter(workspace=workspace, user=user, read_at__isnull=True).count()
