"""The item's state machine (R2.8): which state may follow which, and the moves the publishing engine drives.

Every state change locks the item's row, checks the current state and raises a ValidationError
naming both states when the change is not allowed. ``lock_item``, ``set_status`` and
``illegal_transition`` are the building blocks the review decisions (``rounds``) use too. The
publishing engine drives the last states through ``item_mark_scheduled`` / ``item_unschedule`` /
``item_mark_publishing`` / ``item_mark_published`` / ``item_mark_failed`` / ``item_mark_unknown``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from socialops.content.models import ContentItem
from socialops.workspaces.access import ensure_same_workspace, require_perm
from socialops.workspaces.audit import audit_record
from socialops.workspaces.models import Workspace
from socialops.workspaces.roles import Perm

from ..models.workflow import (
    ItemStatus,
)

# Which states each action starts from; everything else is an illegal transition.
SUBMIT_FROM = (ItemStatus.DRAFT, ItemStatus.CHANGES_REQUESTED)


REVIEW_FROM = (ItemStatus.IN_REVIEW,)


REOPEN_FROM = (ItemStatus.APPROVED, ItemStatus.SCHEDULED)


SCHEDULE_FROM = (ItemStatus.APPROVED, ItemStatus.FAILED)


UNSCHEDULE_FROM = (ItemStatus.SCHEDULED,)


PUBLISHING_FROM = (ItemStatus.SCHEDULED, ItemStatus.FAILED)


OUTCOME_FROM = (ItemStatus.PUBLISHING, ItemStatus.UNKNOWN)


UNKNOWN_FROM = (ItemStatus.PUBLISHING,)


OVERRIDE_FROM = (ItemStatus.DRAFT, ItemStatus.IN_REVIEW, ItemStatus.CHANGES_REQUESTED)


# The whole state machine, for documentation, the API and the tests.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    ItemStatus.DRAFT: (ItemStatus.IN_REVIEW,),
    ItemStatus.IN_REVIEW: (ItemStatus.APPROVED, ItemStatus.CHANGES_REQUESTED),
    ItemStatus.CHANGES_REQUESTED: (ItemStatus.IN_REVIEW,),
    ItemStatus.APPROVED: (ItemStatus.IN_REVIEW, ItemStatus.SCHEDULED),
    ItemStatus.SCHEDULED: (ItemStatus.IN_REVIEW, ItemStatus.APPROVED, ItemStatus.PUBLISHING),
    ItemStatus.PUBLISHING: (ItemStatus.PUBLISHED, ItemStatus.FAILED, ItemStatus.UNKNOWN),
    ItemStatus.UNKNOWN: (ItemStatus.PUBLISHED, ItemStatus.FAILED),
    ItemStatus.FAILED: (ItemStatus.SCHEDULED, ItemStatus.PUBLISHING),
    ItemStatus.PUBLISHED: (),
}


def status_label(status: str) -> str:
    """The state's name in the reader's language."""
    return str(ItemStatus(status).label) if status in ItemStatus.values else status


def illegal_transition(item: ContentItem, current: str, target: str) -> ValidationError:
    """The error for a refused state change, naming both states and the states allowed from here."""
    allowed = TRANSITIONS.get(current, ())
    message = _("“%(title)s” cannot go from “%(from)s” to “%(to)s”.") % {
        "title": str(item)[:80],
        "from": status_label(current),
        "to": status_label(target),
    }
    if allowed:
        message += " " + _("From “%(from)s” it can only go to: %(allowed)s.") % {
            "from": status_label(current),
            "allowed": "、".join(f"“{status_label(s)}”" for s in allowed),
        }
    else:
        message += " " + _("“%(from)s” is a final state.") % {"from": status_label(current)}
    return ValidationError({"status": [message]}, code="illegal_transition")


def lock_item(workspace: Workspace, item: ContentItem) -> ContentItem:
    """The item's row, locked for this transaction, with its stored state."""
    ensure_same_workspace(workspace, item, "item")
    locked = ContentItem.objects.select_for_update().filter(pk=item.pk, workspace=workspace).first()
    if locked is None:
        raise ValidationError({"item": [_("This was deleted in the meantime.")]})
    return locked


def set_status(
    workspace: Workspace,
    actor: Any,
    item: ContentItem,
    locked: ContentItem,
    target: str,
    allowed: Sequence[str],
) -> str:
    """Move the locked item to ``target`` if its current state is in ``allowed``; returns the old state."""
    current = locked.status
    if current not in allowed:
        raise illegal_transition(locked, current, target)
    locked.status = target
    locked.save(update_fields=["status", "updated_at"])
    item.status = target
    item.updated_at = locked.updated_at
    audit_record(
        workspace=workspace,
        actor=actor,
        action="content_item.status",
        obj=locked,
        before={"status": current},
        after={"status": target},
    )
    return current


def _transition(
    *,
    workspace: Workspace,
    actor: Any,
    item: ContentItem,
    target: str,
    allowed: Sequence[str],
    item_locked: bool = False,
) -> ContentItem:
    require_perm(workspace=workspace, actor=actor, perm=Perm.CONTENT_EDIT)
    if item_locked:
        # The caller selected the row FOR UPDATE in this transaction: its state is current.
        ensure_same_workspace(workspace, item, "item")
        locked = item
    else:
        locked = lock_item(workspace, item)
    set_status(workspace, actor, item, locked, target, allowed)
    return item


@transaction.atomic
def item_mark_scheduled(*, workspace: Workspace, actor: Any, item: ContentItem) -> ContentItem:
    """Approved (or failed, to try again) → scheduled: the publishing engine planned its publication."""
    return _transition(
        workspace=workspace, actor=actor, item=item, target=ItemStatus.SCHEDULED, allowed=SCHEDULE_FROM
    )


@transaction.atomic
def item_unschedule(*, workspace: Workspace, actor: Any, item: ContentItem) -> ContentItem:
    """Scheduled → approved: the publication was cancelled before it went out."""
    return _transition(
        workspace=workspace, actor=actor, item=item, target=ItemStatus.APPROVED, allowed=UNSCHEDULE_FROM
    )


class EngineMove(Protocol):
    """The signature of the moves the publishing engine drives while it holds the item's row."""

    def __call__(
        self, *, workspace: Workspace, actor: Any, item: ContentItem, item_locked: bool = False
    ) -> ContentItem: ...


def _engine_move(target: str, allowed: Sequence[str], doc: str) -> EngineMove:
    """A move to ``target`` from the ``allowed`` states; ``item_locked`` when the caller holds the row."""

    @transaction.atomic
    def move(
        *, workspace: Workspace, actor: Any, item: ContentItem, item_locked: bool = False
    ) -> ContentItem:
        return _transition(
            workspace=workspace,
            actor=actor,
            item=item,
            target=target,
            allowed=allowed,
            item_locked=item_locked,
        )

    move.__doc__ = doc
    return move


item_mark_publishing = _engine_move(
    ItemStatus.PUBLISHING,
    PUBLISHING_FROM,
    "Scheduled (or failed) → publishing: the engine is sending it; refused if it was edited back to review.",
)
item_mark_published = _engine_move(
    ItemStatus.PUBLISHED,
    OUTCOME_FROM,
    "Publishing (or unknown, once the platform confirmed it) → published.",
)
item_mark_failed = _engine_move(
    ItemStatus.FAILED,
    OUTCOME_FROM,
    "Publishing (or unknown, once the platform shows no post) → failed.",
)
item_mark_unknown = _engine_move(
    ItemStatus.UNKNOWN,
    UNKNOWN_FROM,
    "Publishing → outcome unknown: the call timed out after sending; never blindly retried.",
)
