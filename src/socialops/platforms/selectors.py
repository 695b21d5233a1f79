"""Reads of connections and manual packages (any member may read; secrets are never returned)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from socialops.accounts.models import SocialAccount
from socialops.workspaces.access import membership_get
from socialops.workspaces.models import Workspace
from socialops.workspaces.selectors import member_rows

from . import credentials as creds
from .connectors.base import CAPABILITY_LABELS, Capability
from .models import ConnectorKind, ManualTask, ManualTaskStatus, PlatformConnection, PushEvent
from .registry import KIND_FIELDS, KIND_PLATFORMS, connector_class, kinds_for_platform


def connection_list(*, workspace: Workspace, user: Any) -> QuerySet[PlatformConnection]:
    """Every connection of the workspace, with its account."""
    return member_rows(PlatformConnection, workspace=workspace, user=user).select_related("account")


def connection_for_account(
    *, workspace: Workspace, user: Any, account: SocialAccount
) -> PlatformConnection | None:
    """The account's connection, or None when it has none."""
    return (
        member_rows(PlatformConnection, workspace=workspace, user=user)
        .filter(account=account)
        .select_related("account")
        .first()
    )


def connection_get_for_account(
    *, workspace: Workspace, user: Any, account: SocialAccount
) -> PlatformConnection:
    """The account's connection, or Http404."""
    membership_get(workspace=workspace, user=user)
    return get_object_or_404(
        PlatformConnection.objects.select_related("account"), workspace=workspace, account=account
    )


def accounts_with_connections(
    *, workspace: Workspace, user: Any
) -> list[tuple[SocialAccount, PlatformConnection | None]]:
    """Our accounts (not competitors), each with its connection or None, for the overview page."""
    accounts = (
        member_rows(SocialAccount, workspace=workspace, user=user)
        .filter(is_competitor=False)
        .order_by("platform", "handle")
    )
    by_account = {c.account_id: c for c in PlatformConnection.objects.filter(workspace=workspace)}
    return [(a, by_account.get(a.pk)) for a in accounts]


def secrets_state(connection: PlatformConnection | None) -> dict[str, bool]:
    """Which secrets are stored (True/False), never their values; all False when unreadable."""
    empty = {
        "access_token": False,
        "refresh_token": False,
        "client_secret": False,
        "signing_secret": False,
        "client_id": False,
    }
    if connection is None or not connection.credentials:
        return empty
    try:
        return connection.get_credentials().which_set()
    except creds.CredentialsUnreadable:
        return empty


def capabilities_of(kind: str) -> list[dict[str, str]]:
    """A connector kind's capabilities with their labels, in the interface's order."""
    cls = connector_class(kind)
    return [{"code": str(c), "label": str(CAPABILITY_LABELS[c])} for c in Capability if c in cls.capabilities]


def connector_kinds() -> list[dict[str, Any]]:
    """Every connector kind with its label, capabilities and the account platforms it serves."""
    kinds = []
    for value, label in ConnectorKind.choices:
        platforms = KIND_PLATFORMS[value]
        kinds.append(
            {
                "kind": value,
                "label": str(label),
                "needs_base_url": connector_class(value).needs_base_url,
                # Empty: any of our accounts.
                "platforms": sorted(platforms) if platforms is not None else [],
                "capabilities": capabilities_of(value),
                # Connection fields the kind uses: true when it cannot work without it.
                "fields": dict(KIND_FIELDS[value]),
            }
        )
    return kinds


def kind_choices_for(account: SocialAccount) -> list[tuple[str, str]]:
    return kinds_for_platform(account.platform)


# ---- manual packages -----------------------------------------------------------------------


def manual_task_list(*, workspace: Workspace, user: Any, status: str | None = None) -> QuerySet[ManualTask]:
    """Manual packages, the ones due first; optionally only one status."""
    qs = member_rows(ManualTask, workspace=workspace, user=user).select_related(
        "account", "assignee", "posted_by"
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("status", "due_at", "pk")


def manual_task_get(*, workspace: Workspace, user: Any, task_id: int) -> ManualTask:
    """One manual package of this workspace, or Http404."""
    return get_object_or_404(manual_task_list(workspace=workspace, user=user), pk=task_id)


def manual_pending_count(*, workspace: Workspace, user: Any) -> int:
    return (
        member_rows(ManualTask, workspace=workspace, user=user)
        .filter(status=ManualTaskStatus.PENDING)
        .count()
    )


def manual_checklist(task: ManualTask) -> list[str]:
    """The steps a person follows to post the package, in the reader's language."""
    platform = task.account.get_platform_display()
    steps = [
        _("Open %(platform)s and sign in as %(handle)s.")
        % {"platform": platform, "handle": task.account.handle}
    ]
    if task.title:
        steps.append(_("Enter the title exactly as given."))
    if task.text:
        steps.append(_("Copy the text into the post."))
    images = [m for m in task.media if str(m.get("content_type", "")).startswith("image/")]
    videos = [m for m in task.media if str(m.get("content_type", "")).startswith("video/")]
    if images:
        steps.append(_("Upload the %(n)d images in the order shown.") % {"n": len(images)})
    if videos:
        steps.append(_("Upload the video."))
    if task.link_url:
        steps.append(_("Add the link: %(url)s") % {"url": task.link_url})
    if task.hashtags:
        steps.append(
            _("Add the hashtags: %(tags)s") % {"tags": " ".join(f"#{t.lstrip('#')}" for t in task.hashtags)}
        )
    steps.append(_("Publish, then copy the post's URL and mark the package posted here."))
    return steps


def push_events(connection: PlatformConnection, *, event: str | None = None) -> QuerySet[PushEvent]:
    """The connection's stored pushes (WeChat messages and events), newest first; one ``event`` when given."""
    events = PushEvent.objects.filter(connection=connection, workspace_id=connection.workspace_id)
    if event:
        events = events.filter(event=event)
    return events.order_by("-received_at", "-pk")
