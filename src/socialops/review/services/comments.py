"""Review comments (R2.8): on a revision, or on a quoted passage of one of its fields."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from socialops.content.models import ContentItem
from socialops.core.actors import user_or_none
from socialops.core.validation import Errors
from socialops.core.validation import add_error as _add
from socialops.core.validation import clean_text as _text
from socialops.workspaces.access import ensure_same_workspace, membership_get
from socialops.workspaces.audit import audit_delete, audit_saved, edit_snapshot
from socialops.workspaces.models import Membership, Workspace
from socialops.workspaces.roles import Perm, Role

from ..models.workflow import (
    CommentKind,
    NotificationKind,
    ReviewComment,
    Revision,
)
from ._common import actor_name
from .chains import authors_of
from .notifications import notify
from .revisions import flatten

COMMENT_MAX = 5000


def _ensure_can_comment(workspace: Workspace, actor: Any) -> Membership:
    membership = membership_get(workspace=workspace, user=actor)
    if not (membership.has_perm(Perm.CONTENT_REVIEW) or membership.has_perm(Perm.CONTENT_EDIT)):
        raise PermissionDenied(_("Your role in this workspace does not allow this."))
    return membership


def comment_record(
    workspace: Workspace,
    actor: Any,
    item: ContentItem,
    revision: Revision,
    body: str,
    kind: str,
    **passage: Any,
) -> ReviewComment:
    """Write a comment row (a decision's note or a member's comment) inside the caller's audited transaction."""
    return ReviewComment.objects.create(
        workspace=workspace,
        item=item,
        revision=revision,
        author=user_or_none(actor),
        author_name=actor_name(actor),
        kind=kind,
        body=body,
        **passage,
    )


def _clean_passage(
    revision: Revision, field: Any, quote: Any, start: Any, end: Any, errors: Errors
) -> dict[str, Any]:
    if not field and quote in (None, "") and start is None and end is None:
        return {}
    texts = flatten(revision.snapshot)
    if not isinstance(field, str) or field not in texts:
        _add(errors, "field", _("Choose a field of this revision."))
        return {}
    text = texts[field]
    bad = [v for v in (start, end) if isinstance(v, bool) or not isinstance(v, int)]
    if bad or start is None or end is None:
        _add(errors, "start", _("Give the passage's start and end (character offsets)."))
        return {}
    if not 0 <= start < end <= len(text):
        _add(
            errors,
            "start",
            _("The passage must lie within the field (0 to %(n)d characters).") % {"n": len(text)},
        )
        return {}
    if quote not in (None, "") and quote != text[start:end]:
        _add(
            errors,
            "quote",
            _("The quoted text is not what revision %(n)d has at that place.") % {"n": revision.number},
        )
        return {}
    return {"field": field, "quote": text[start:end], "start": start, "end": end}


@transaction.atomic(durable=True)
def comment_create(
    *,
    workspace: Workspace,
    actor: Any,
    item: ContentItem,
    revision: Revision,
    body: str,
    field: str = "",
    quote: str = "",
    start: int | None = None,
    end: int | None = None,
) -> ReviewComment:
    """Comment on a revision, or on a passage of one of its fields (quote with its character offsets)."""
    _ensure_can_comment(workspace, actor)
    ensure_same_workspace(workspace, item, "item")
    ensure_same_workspace(workspace, revision, "revision")
    if revision.item_id != item.pk:
        raise ValidationError({"revision": [_("Not found.")]})
    errors: Errors = {}
    text = _text(body, "body", errors, max_length=COMMENT_MAX, required=True)
    passage = _clean_passage(revision, field, quote, start, end, errors)
    if errors:
        raise ValidationError(errors)
    comment = comment_record(workspace, actor, item, revision, text, CommentKind.COMMENT, **passage)
    notify(workspace, actor, item, authors_of(item), NotificationKind.COMMENTED, text)
    audit_saved(comment, workspace=workspace, actor=actor, action="review_comment.create")
    return comment


@transaction.atomic(durable=True)
def comment_update(*, workspace: Workspace, actor: Any, comment: ReviewComment, body: str) -> ReviewComment:
    """Reword one's own comment (a decision's note stays as it was given)."""
    _ensure_can_comment(workspace, actor)
    ensure_same_workspace(workspace, comment, "comment")
    if comment.author_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("Only the comment's author may change it."))
    if comment.kind != CommentKind.COMMENT:
        raise ValidationError({"comment": [_("The note of a decision cannot be changed.")]})
    errors: Errors = {}
    text = _text(body, "body", errors, max_length=COMMENT_MAX, required=True)
    if errors:
        raise ValidationError(errors)
    before = edit_snapshot(comment)
    comment.body = text
    comment.save(update_fields=["body", "updated_at"])
    audit_saved(
        comment,
        workspace=workspace,
        actor=actor,
        action="review_comment.update",
        before=before,
        snap=edit_snapshot,
    )
    return comment


@transaction.atomic(durable=True)
def comment_delete(*, workspace: Workspace, actor: Any, comment: ReviewComment) -> None:
    """Delete one's own comment (admins may delete any); decisions' notes stay."""
    membership = _ensure_can_comment(workspace, actor)
    ensure_same_workspace(workspace, comment, "comment")
    if comment.author_id != getattr(actor, "pk", None) and membership.role != Role.ADMIN:
        raise PermissionDenied(_("Only the comment's author or an admin may delete it."))
    if comment.kind != CommentKind.COMMENT:
        raise ValidationError({"comment": [_("The note of a decision cannot be deleted.")]})
    audit_delete(comment, workspace=workspace, actor=actor, action="review_comment.delete")
