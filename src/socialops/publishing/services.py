"""Scheduling services: schedule, reschedule, cancel, publish now, schedule an item's placements."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from socialops.accounts.models import SocialAccount
from socialops.content.models import ContentItem, ContentVariant, Placement
from socialops.platforms.connectors.base import PermanentError, PublishResult
from socialops.platforms.connectors.wechat_client import mass_article_id, publish_failure
from socialops.platforms.models import PushEvent
from socialops.platforms.services import connections as connection_services
from socialops.review.models import ItemStatus
from socialops.review.services import transitions as transition_services
from socialops.workspaces.access import membership_get, require_perm
from socialops.workspaces.audit import audit_saved, snapshot
from socialops.workspaces.models import Membership, Workspace
from socialops.workspaces.roles import Perm, Role

from .models import Publication, PublicationState, PublishingAlert
from .queue import enqueue

log = logging.getLogger(__name__)

# Item states from which a publication may be planned: approved (first one), failed (again), or
# already on its way for another account.
SCHEDULABLE_ITEM = (
    ItemStatus.APPROVED,
    ItemStatus.FAILED,
    ItemStatus.SCHEDULED,
    ItemStatus.PUBLISHING,
    ItemStatus.UNKNOWN,
    ItemStatus.PUBLISHED,
)


def _check(workspace: Workspace, actor: Any) -> None:
    require_perm(workspace=workspace, actor=actor, perm=Perm.CONTENT_EDIT)


def _snap(publication: Publication) -> dict[str, Any]:
    return snapshot(publication, exclude={"idempotency_key"})


def _lock(workspace: Workspace, publication: Publication) -> Publication:
    return Publication.objects.select_for_update().get(pk=publication.pk, workspace=workspace)


def _lock_item(workspace: Workspace, item: ContentItem) -> ContentItem:
    return ContentItem.objects.select_for_update().get(pk=item.pk, workspace=workspace)


def _clean_due(due_at: Any) -> dt.datetime:
    if not isinstance(due_at, dt.datetime):
        raise ValidationError({"due_at": [_("Enter a date and time.")]})
    if timezone.is_naive(due_at):
        due_at = timezone.make_aware(due_at)
    return due_at


@transaction.atomic
def publication_schedule(
    *,
    workspace: Workspace,
    actor: Any,
    item: ContentItem,
    account: SocialAccount,
    due_at: dt.datetime,
    placement: Placement | None = None,
) -> Publication:
    """Plan an approved item to go out on one account at ``due_at`` and queue it."""
    _check(workspace, actor)
    due_at = _clean_due(due_at)
    if item.workspace_id != workspace.pk or account.workspace_id != workspace.pk:
        raise ValidationError({"account": [_("Not found.")]})
    if account.is_competitor:
        raise ValidationError({"account": [_("Competitor accounts are tracked, not published to.")]})
    locked = _lock_item(workspace, item)
    if locked.status not in SCHEDULABLE_ITEM:
        raise ValidationError(
            {
                "item": [
                    _("Only approved items can be scheduled; this one is “%(status)s”.")
                    % {
                        "status": ItemStatus(locked.status).label
                        if locked.status in ItemStatus.values
                        else locked.status
                    }
                ]
            }
        )
    if (
        Publication.objects.filter(item=item, account=account)
        .exclude(state=PublicationState.CANCELLED)
        .exists()
    ):
        raise ValidationError(
            {
                "account": [
                    _("This item is already planned for this account; reschedule that publication instead.")
                ]
            }
        )
    variant = ContentVariant.objects.filter(workspace=workspace, item=item, account=account).first()
    try:
        with transaction.atomic():
            publication = Publication.objects.create(
                workspace=workspace,
                item=item,
                account=account,
                placement=placement,
                variant=variant,
                due_at=due_at,
                created_by=actor,
            )
    except IntegrityError as exc:
        raise ValidationError({"account": [_("This item is already planned for this account.")]}) from exc
    if locked.status in (ItemStatus.APPROVED, ItemStatus.FAILED):
        transition_services.item_mark_scheduled(workspace=workspace, actor=None, item=locked)
    audit_saved(publication, workspace=workspace, actor=actor, action="publishing.schedule", snap=_snap)
    enqueue(publication)
    return publication


def _lock_unsent(workspace: Workspace, publication: Publication, refusal: str) -> Publication:
    """The locked row of a publication still to send (scheduled or failed); else ``refusal`` naming its state."""
    row = _lock(workspace, publication)
    if row.state not in (PublicationState.SCHEDULED, PublicationState.FAILED):
        raise ValidationError({"state": [refusal % {"state": row.get_state_display()}]})
    return row


@transaction.atomic
def publication_reschedule(
    *, workspace: Workspace, actor: Any, publication: Publication, due_at: dt.datetime
) -> Publication:
    """Move a scheduled (or failed) publication to a new time; the task queued before does nothing."""
    _check(workspace, actor)
    due_at = _clean_due(due_at)
    row = _lock_unsent(workspace, publication, _("A publication that is “%(state)s” cannot be rescheduled."))
    before = _snap(row)
    was_failed = row.state == PublicationState.FAILED
    row.due_at, row.next_attempt_at, row.state = due_at, None, PublicationState.SCHEDULED
    row.version += 1
    row.save()
    if was_failed:
        item = _lock_item(workspace, row.item)
        if item.status == ItemStatus.FAILED:
            transition_services.item_mark_scheduled(workspace=workspace, actor=None, item=item)
    audit_saved(
        row, workspace=workspace, actor=actor, action="publishing.reschedule", before=before, snap=_snap
    )
    enqueue(row)
    publication.refresh_from_db()
    return row


@transaction.atomic
def publication_publish_now(*, workspace: Workspace, actor: Any, publication: Publication) -> Publication:
    """Send a scheduled (or failed) publication right away."""
    return publication_reschedule(
        workspace=workspace, actor=actor, publication=publication, due_at=timezone.now()
    )


@transaction.atomic
def publication_cancel(*, workspace: Workspace, actor: Any, publication: Publication) -> Publication:
    """Cancel a publication that has not gone out; the queued task does nothing."""
    _check(workspace, actor)
    row = _lock_unsent(workspace, publication, _("A publication that is “%(state)s” cannot be cancelled."))
    before = _snap(row)
    row.state = PublicationState.CANCELLED
    row.version += 1
    row.save()
    item = _lock_item(workspace, row.item)
    others = (
        Publication.objects.filter(item=item).exclude(pk=row.pk).exclude(state=PublicationState.CANCELLED)
    )
    if item.status == ItemStatus.SCHEDULED and not others.exists():
        transition_services.item_unschedule(workspace=workspace, actor=None, item=item)
    audit_saved(row, workspace=workspace, actor=actor, action="publishing.cancel", before=before, snap=_snap)
    publication.refresh_from_db()
    return row


# A person may say these went out after checking on the platform (the engine gave up, or never
# learned the outcome); a queued task then does nothing (the version moves on).
MARKABLE_STATES = (PublicationState.FAILED, PublicationState.UNKNOWN)


@transaction.atomic
def publication_mark_published(
    *, workspace: Workspace, actor: Any, publication: Publication, url: str = ""
) -> Publication:
    """A person found a failed or unknown publication on the platform: record it as published, never re-sent."""
    _check(workspace, actor)
    row = _lock(workspace, publication)
    if row.state not in MARKABLE_STATES:
        raise ValidationError(
            {
                "state": [
                    _("Only a failed publication or one whose outcome is unknown can be marked published.")
                ]
            }
        )
    url = (url or "").strip()
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            raise ValidationError(
                {"url": [_("Enter the post's web address (http:// or https://).")]}
            ) from None
        if len(url) > 500:
            raise ValidationError({"url": [_("At most 500 characters.")]})
    before = _snap(row)
    row.state = PublicationState.PUBLISHED
    row.version += 1
    row.url = url or row.url
    row.published_at = timezone.now()
    row.next_attempt_at = None
    row.last_error = ""
    row.save()
    item_status_sync(row)
    audit_saved(
        row, workspace=workspace, actor=actor, action="publishing.mark_published", before=before, snap=_snap
    )
    publication.refresh_from_db()
    return row


@transaction.atomic
def schedule_item_placements(*, workspace: Workspace, actor: Any, item: ContentItem) -> list[Publication]:
    """Schedule every placement of an approved item that has no publication yet (at its planned time)."""
    _check(workspace, actor)
    made = []
    placements = Placement.objects.filter(workspace=workspace, item=item).select_related("account")
    if not placements.exists():
        raise ValidationError({"item": [_("This item has no placements in the plan.")]})
    for placement in placements.order_by("starts_at", "pk"):
        taken = Publication.objects.filter(item=item, account=placement.account).exclude(
            state=PublicationState.CANCELLED
        )
        if taken.exists() or placement.account.is_competitor:
            continue
        made.append(
            publication_schedule(
                workspace=workspace,
                actor=actor,
                item=item,
                account=placement.account,
                due_at=placement.starts_at,
                placement=placement,
            )
        )
    return made


# ---- publication outcomes (system writes: the engine, a manual package marked posted) --------


def item_status_sync(publication: Publication) -> None:
    """Move the item to published when all its publications are out, or failed when some failed.

    Runs inside the caller's transaction (the engine's outcome, ``publication_mark_posted``);
    the item's own transitions are audited by the review workflow.
    """
    item = ContentItem.objects.select_for_update().get(pk=publication.item_id)
    states = set(
        Publication.objects.filter(item=item)
        .exclude(state=PublicationState.CANCELLED)
        .values_list("state", flat=True)
    )
    target = None
    if states and states <= {PublicationState.PUBLISHED}:
        target = transition_services.item_mark_published
    elif PublicationState.FAILED in states and not states & {
        PublicationState.SCHEDULED,
        PublicationState.PUBLISHING,
        PublicationState.UNKNOWN,
    }:
        target = transition_services.item_mark_failed
    if target is None:
        return
    workspace = publication.workspace
    if item.status == ItemStatus.SCHEDULED:
        try:
            transition_services.item_mark_publishing(
                workspace=workspace, actor=None, item=item, item_locked=True
            )
        except ValidationError:
            return
    try:
        target(workspace=workspace, actor=None, item=item, item_locked=True)
    except ValidationError:
        log.info("item %s stays %s", item.pk, item.status)


# Not durable: the manual_posted signal is sent on commit, so in production this runs outside
# any transaction, but tests run captured on-commit callbacks inside the test's transaction.
@transaction.atomic
def publication_mark_posted(
    *, workspace: Workspace, actor: Any, idempotency_key: str, url: str = ""
) -> Publication | None:
    """Finish a publication handed over as a manual package once a person marked it posted.

    Returns the publication, or None when the workspace has no handed-over publication with
    this key (already finished, or not one of ours): marking posted twice publishes once.
    """
    require_perm(workspace=workspace, actor=actor, perm=Perm.CONTENT_EDIT)
    pub = (
        Publication.objects.select_for_update()
        .filter(workspace=workspace, idempotency_key=idempotency_key)
        .first()
    )
    if pub is None or pub.state != PublicationState.HANDED_OVER:
        return None
    before = _snap(pub)
    pub.state = PublicationState.PUBLISHED
    pub.url = (url or "")[:500]
    pub.published_at = timezone.now()
    pub.save()
    item_status_sync(pub)
    audit_saved(
        pub, workspace=workspace, actor=actor, action="publishing.manual_posted", before=before, snap=_snap
    )
    return pub


# ---- results the platform pushes -------------------------------------------------------------

# WeChat's result events (platforms/push.py): freepublish's PUBLISHJOBFINISH and mass send's MASSSENDJOBFINISH.
PUBLISH_FINISHED = "PUBLISHJOBFINISH"
MASS_SEND_FINISHED = "MASSSENDJOBFINISH"


def pushed_publish_result(publication: Publication) -> PublishResult | None:
    """The result WeChat pushed for the job a publication waits on (``pending_ref``), if one is stored.

    A published job gives a PublishResult; a failed one raises PermanentError with WeChat's reason;
    None when no result was pushed yet (the reconcile then asks the platform as before).
    """
    if not publication.pending_ref:
        return None
    event = (
        PushEvent.objects.filter(
            workspace_id=publication.workspace_id,
            connection__account_id=publication.account_id,
            event=PUBLISH_FINISHED,
            payload__PublishEventInfo__publish_id=publication.pending_ref,
        )
        .order_by("-received_at")
        .first()
    )
    if event is None:
        return None
    info = event.payload.get("PublishEventInfo") or {}
    status = str(info.get("publish_status") or "")
    if status == "0":
        detail = info.get("article_detail") or {}
        items = detail.get("item") or []
        if isinstance(items, dict):  # one <item> parses as a dict, several as a list
            items = [items]
        url = str(items[0].get("article_url") or "") if items and isinstance(items[0], dict) else ""
        return PublishResult(
            external_id=str(info.get("article_id") or ""),
            url=url,
            published_at=event.created_at or event.received_at,
            raw={"push_event": event.pk},
        )
    reason = publish_failure(int(status)) if status.isdigit() else ""
    if reason:
        raise PermanentError(
            _("WeChat did not publish the article: %(reason)s.") % {"reason": reason},
            platform_code=f"publish_status_{status}",
        )
    return None


def push_result_received(*, event: PushEvent) -> int:
    """A result push arrived: wake the publications waiting on it (the engine settles them); how many.

    A freepublish result re-drives the unknown publication with that publish_id at once, instead
    of it waiting for its next reconcile poll. A mass-send result fills in the msg_data_id a
    duplicate send (45065) could not give, so the article's figures and comments are reachable.
    """
    if event.event == PUBLISH_FINISHED:
        publish_id = str((event.payload.get("PublishEventInfo") or {}).get("publish_id") or "")
        if not publish_id:
            return 0
        waiting = list(
            Publication.objects.select_for_update().filter(
                workspace_id=event.workspace_id,
                account_id=event.connection.account_id,
                pending_ref=publish_id,
                state=PublicationState.UNKNOWN,
            )
        )
        for pub in waiting:
            pub.next_attempt_at = timezone.now()
            pub.save(update_fields=["next_attempt_at", "updated_at"])
            enqueue(pub)
        return len(waiting)
    if event.event == MASS_SEND_FINISHED:
        return _mass_article_noted(event)
    return 0


def _mass_article_noted(event: PushEvent) -> int:
    msg_id = str(event.payload.get("MsgID") or "")
    mid = mass_article_id(event.payload)
    if not msg_id or not mid:
        return 0
    noted = 0
    for pub in Publication.objects.select_for_update().filter(
        workspace_id=event.workspace_id, account_id=event.connection.account_id, external_id=f"mass:{msg_id}"
    ):
        before = _snap(pub)
        pub.external_id = f"mass:{msg_id}:{mid}"
        pub.save(update_fields=["external_id", "updated_at"])
        audit_saved(
            pub,
            workspace=pub.workspace,
            actor=None,
            action="publishing.mass_article_noted",
            before=before,
            snap=_snap,
        )
        noted += 1
    return noted


# ---- alerts to admins -------------------------------------------------------------------------


def connection_lost(*, connection: Any, message: str) -> None:
    """The platform revoked an account's authorisation: stop publishing to it and tell the admins."""
    connection_services.connection_mark_needs_reauth(connection=connection, message=message)
    alert_account_admins(
        workspace=connection.workspace,
        account_id=connection.account_id,
        message=_("The account must be connected again: %(message)s") % {"message": message},
    )


def alert_account_admins(*, workspace: Workspace, account_id: int, message: str) -> int:
    """Tell the workspace's admins that an account needs them; one unread alert per admin and account.

    A system write (revoked authorisation found by a worker); returns how many alerts were made.
    """
    admins = Membership.objects.filter(workspace=workspace, role=Role.ADMIN).values_list("user_id", flat=True)
    waiting = set(
        PublishingAlert.objects.filter(
            workspace=workspace, account_id=account_id, read_at__isnull=True
        ).values_list("user_id", flat=True)
    )
    made = PublishingAlert.objects.bulk_create(
        PublishingAlert(workspace=workspace, user_id=user_id, account_id=account_id, message=message[:2000])
        for user_id in admins
        if user_id not in waiting
    )
    return len(made)


@transaction.atomic
def alert_mark_read(*, workspace: Workspace, actor: Any, alert: PublishingAlert) -> PublishingAlert:
    """Mark one of one's own alerts as read."""
    membership_get(workspace=workspace, user=actor)
    if alert.workspace_id != workspace.pk or alert.user_id != actor.pk:
        raise ValidationError({"alert": [_("Not found.")]})
    if alert.read_at is None:
        alert.read_at = timezone.now()
        alert.save(update_fields=["read_at"])
    return alert


@transaction.atomic
def alerts_mark_all_read(*, workspace: Workspace, actor: Any) -> int:
    """Mark all of one's alerts in the workspace as read; returns how many changed."""
    membership_get(workspace=workspace, user=actor)
    return PublishingAlert.objects.filter(workspace=workspace, user=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )
