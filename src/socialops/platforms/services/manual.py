"""Manual packages: a post handed to a person, marked posted by them, withdrawn when cancelled."""

from __future__ import annotations

import urllib.parse
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from socialops.content.models import ContentItem
from socialops.core.actors import user_or_none
from socialops.core.validation import Errors
from socialops.core.validation import add_error as _add
from socialops.workspaces.access import ensure_same_workspace, require_perm
from socialops.workspaces.audit import audit_saved, edit_snapshot
from socialops.workspaces.models import Membership, Workspace
from socialops.workspaces.roles import Perm

from ..connectors.base import PostRequest
from ..models import ManualTask, ManualTaskStatus, PlatformConnection
from ..signals import manual_posted

# ---- manual packages -----------------------------------------------------------------------


def _media_entries(post: PostRequest) -> list[dict[str, Any]]:
    return [
        {
            "filename": m.filename[:255],
            "content_type": m.content_type[:100],
            "url": m.url[:1000],
            "description": m.description[:1500],
            "asset_id": m.asset_id,
        }
        for m in post.media
    ]


@transaction.atomic
def manual_task_create(
    *, connection: PlatformConnection, post: PostRequest, idempotency_key: str
) -> tuple[ManualTask, bool]:
    """Hand a post to a person as a ready package; the same key returns the same package."""
    if not idempotency_key or len(idempotency_key) > 255:
        raise ValueError("a manual package needs an idempotency key of at most 255 characters")
    workspace = connection.workspace
    existing = (
        ManualTask.objects.select_for_update()
        .filter(workspace=workspace, account_id=connection.account_id, idempotency_key=idempotency_key)
        .first()
    )
    if existing is not None:
        if existing.status == ManualTaskStatus.WITHDRAWN:
            before = edit_snapshot(existing)
            existing.status = ManualTaskStatus.PENDING
            existing.save(update_fields=["status", "updated_at"])
            audit_saved(
                existing,
                workspace=workspace,
                actor=None,
                action="platforms.manual_task.reopen",
                before=before,
                snap=edit_snapshot,
            )
        return existing, False
    User = get_user_model()
    assignee = None
    if (
        post.assignee_id is not None
        and Membership.objects.filter(workspace=workspace, user_id=post.assignee_id).exists()
    ):
        assignee = User.objects.filter(pk=post.assignee_id).first()
    content_item_id = None
    if (
        post.content_item_id is not None
        and ContentItem.objects.filter(workspace=workspace, pk=post.content_item_id).exists()
    ):
        content_item_id = post.content_item_id
    link = post.link_url if len(post.link_url) <= 500 else ""
    task = ManualTask.objects.create(
        workspace=workspace,
        account_id=connection.account_id,
        idempotency_key=idempotency_key,
        title=post.title[:200],
        text=post.text,
        link_url=link,
        hashtags=[str(t)[:100] for t in post.hashtags][:50],
        media=_media_entries(post),
        reference=post.reference[:200],
        content_item_id=content_item_id,
        due_at=post.due_at,
        assignee=assignee,
    )
    audit_saved(
        task, workspace=workspace, actor=None, action="platforms.manual_task.create", snap=edit_snapshot
    )
    return task, True


@transaction.atomic
def manual_task_mark_posted(
    *, workspace: Workspace, actor: Any, task: ManualTask, url: str, external_id: str = ""
) -> ManualTask:
    """Record that a person posted the package, with the post's URL (and the platform's id if known)."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.CONTENT_EDIT)
    ensure_same_workspace(workspace, task, "account")
    errors: Errors = {}
    url = (url or "").strip() if isinstance(url, str) else ""
    if not url:
        _add(errors, "url", _("Enter the URL of the post."))
    elif len(url) > 500:
        _add(errors, "url", _("At most %(n)d characters.") % {"n": 500})
    else:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            _add(errors, "url", _("Enter a full http:// or https:// URL."))
    external_id = (external_id or "").strip() if isinstance(external_id, str) else ""
    if len(external_id) > 128 or "\x00" in external_id:
        _add(errors, "external_id", _("At most %(n)d characters.") % {"n": 128})
    row = ManualTask.objects.select_for_update().get(pk=task.pk)
    if row.status == ManualTaskStatus.WITHDRAWN:
        _add(errors, "__all__", _("This package was withdrawn; it is no longer to be posted."))
    if errors:
        raise ValidationError(errors)
    before = edit_snapshot(row)
    first_time = row.status != ManualTaskStatus.POSTED
    row.status = ManualTaskStatus.POSTED
    row.posted_url = url
    row.external_id = external_id or _id_from_url(url)
    if first_time:
        row.posted_at = timezone.now()
        row.posted_by = user_or_none(actor)
    row.save()
    audit_saved(
        row,
        workspace=workspace,
        actor=actor,
        action="platforms.manual_task.posted",
        before=before,
        snap=edit_snapshot,
    )
    payload = {
        "workspace_id": row.workspace_id,
        "account_id": row.account_id,
        "task_id": row.pk,
        "idempotency_key": row.idempotency_key,
        "url": row.posted_url,
    }
    transaction.on_commit(lambda: manual_posted.send(sender=ManualTask, **payload))
    task.status, task.posted_url, task.external_id = row.status, row.posted_url, row.external_id
    task.posted_at, task.posted_by_id = row.posted_at, row.posted_by_id
    return row


def _id_from_url(url: str) -> str:
    """The last path segment of a post URL, which is the post's id on most platforms."""
    path = urllib.parse.urlsplit(url).path.rstrip("/")
    return path.rsplit("/", 1)[-1][:128] if path else url[:128]


@transaction.atomic
def manual_task_withdraw_by_key(*, connection: PlatformConnection, idempotency_key: str) -> bool:
    """Take a pending package back (the publish was cancelled); False if it was already posted."""
    row = (
        ManualTask.objects.select_for_update()
        .filter(
            workspace_id=connection.workspace_id,
            account_id=connection.account_id,
            idempotency_key=idempotency_key,
        )
        .first()
    )
    if row is None:
        return True
    if row.status == ManualTaskStatus.POSTED:
        return False
    if row.status == ManualTaskStatus.PENDING:
        before = edit_snapshot(row)
        row.status = ManualTaskStatus.WITHDRAWN
        row.save(update_fields=["status", "updated_at"])
        audit_saved(
            row,
            workspace=row.workspace,
            actor=None,
            action="platforms.manual_task.withdraw",
            before=before,
            snap=edit_snapshot,
        )
    return True
