"""Reads of the review workflow: an item's review state, revisions and their comparison, comments,
the review queue ("waiting for me"), notifications and approval chains. Any member may read;
the queue and notifications are the calling member's own.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from socialops.content.models import ContentItem, ContentVariant
from socialops.workspaces.access import membership_get
from socialops.workspaces.models import Membership, Workspace
from socialops.workspaces.roles import Perm
from socialops.workspaces.selectors import member_rows, user_notices

from ..models.checks import ItemCheckRun
from ..models.workflow import (
    ApprovalChain,
    ApprovalOverride,
    ItemStatus,
    Notification,
    ReviewComment,
    ReviewRound,
    ReviewTask,
    Revision,
    RoundOutcome,
    TaskState,
)
from ..services import chains as chain_services
from ..services import revisions as revision_services
from ..services import runner as check_runner
from ..services import transitions as transition_services

# Texts longer than this are compared line by line first, then character by character inside
# each changed block, so a 100,000-character article never makes a quadratic comparison.
CHAR_DIFF_LIMIT = 5000
# Fields a passage comment can quote (free text, not lists of names).
QUOTABLE_ITEM_FIELDS = ("title", "digest", "body", "live_host", "live_outline")
QUOTABLE_VARIANT_FIELDS = ("title", "body", "digest", "author")


# ---- review state -----------------------------------------------------------------------------


@dataclass
class ReviewState:
    """Everything the item page and the API show about an item's review."""

    item: ContentItem
    status: str
    status_label: str
    round: ReviewRound | None  # the newest round, open or closed
    tasks: list[ReviewTask]
    current: ReviewTask | None
    latest_revision: Revision | None
    approved_revision: Revision | None
    overrides: list[ApprovalOverride]
    blocking: bool
    override_active: bool
    is_author: bool
    can_submit: bool
    can_decide: bool
    decide_reason: str | None
    can_override: bool
    edited_since_approval: bool = False
    rounds_count: int = 0
    notes: list[str] = field(default_factory=list)


def _blocking(workspace: Workspace, item: ContentItem) -> bool:
    return bool(check_runner.item_has_blocking_findings(workspace=workspace, item=item))


def item_review_state(*, workspace: Workspace, user: Any, item: ContentItem) -> ReviewState:
    """The item's state, its current review round and steps, approved revision, overrides and what the user may do."""
    membership = membership_get(workspace=workspace, user=user)
    if item.workspace_id != workspace.pk:
        raise Http404(_("Not found."))
    rounds = ReviewRound.objects.filter(workspace=workspace, item=item)
    round_ = rounds.order_by("-number").first()
    tasks = (
        list(round_.tasks.select_related("assignee_user", "decided_by", "revision").order_by("position"))
        if round_
        else []
    )
    current = None
    if round_ is not None and round_.outcome == RoundOutcome.OPEN:
        current = next(
            (t for t in tasks if t.position == round_.current_position and t.state == TaskState.PENDING), None
        )
    latest = revision_services.latest_revision(item)
    approved = (
        Revision.objects.filter(workspace=workspace, item=item, approved_at__isnull=False)
        .select_related("approved_by")
        .order_by("-number")
        .first()
    )
    overrides = list(
        ApprovalOverride.objects.filter(workspace=workspace, item=item)
        .select_related("revision")
        .order_by("-created_at", "-id")
    )
    blocking = _blocking(workspace, item)
    override_active = latest is not None and any(o.revision_id == latest.pk for o in overrides)
    is_author = user.pk in chain_services.authors_of(item)
    reason = None
    if current is not None:
        reason = chain_services.can_decide(membership=membership, task=current)
    can_decide = current is not None and item.status == ItemStatus.IN_REVIEW and reason is None
    return ReviewState(
        item=item,
        status=item.status,
        status_label=transition_services.status_label(item.status),
        round=round_,
        tasks=tasks,
        current=current,
        latest_revision=latest,
        approved_revision=approved,
        overrides=overrides,
        blocking=blocking,
        override_active=override_active,
        is_author=is_author,
        can_submit=item.status in transition_services.SUBMIT_FROM and membership.has_perm(Perm.CONTENT_EDIT),
        can_decide=can_decide,
        decide_reason=reason,
        can_override=(
            membership.has_perm(Perm.WORKSPACE_MANAGE)
            and blocking
            and not override_active
            and item.status in transition_services.OVERRIDE_FROM
        ),
        edited_since_approval=approved is not None and latest is not None and latest.number > approved.number,
        rounds_count=rounds.count(),
    )


# ---- revisions ------------------------------------------------------------------------------


def revision_list(*, workspace: Workspace, user: Any, item: ContentItem) -> QuerySet[Revision]:
    """The item's revisions, newest first."""
    return (
        member_rows(Revision, workspace=workspace, user=user)
        .filter(item=item)
        .select_related("approved_by")
        .order_by("-number")
    )


def revision_get(*, workspace: Workspace, user: Any, item: ContentItem, number: int) -> Revision:
    """One revision of the item by its number, or Http404."""
    return get_object_or_404(revision_list(workspace=workspace, user=user, item=item), number=number)


def field_label(key: str, snapshot: dict[str, Any]) -> str:
    """A revision field's name in the reader's language ("微博 · 正文" for a variant's body)."""
    if key.startswith("variants."):
        _prefix, account_id, name = key.split(".", 2)
        account = snapshot.get("variants", {}).get(account_id, {}).get("account", account_id)
        try:
            label = str(ContentVariant._meta.get_field(name).verbose_name)  # type: ignore[union-attr]
        except Exception:  # a field a later version removed: show its key
            label = name
        return f"{account} · {label}"
    try:
        return str(ContentItem._meta.get_field(key).verbose_name)  # type: ignore[union-attr]
    except Exception:
        return key


def quotable_fields(revision: Revision) -> list[tuple[str, str, str]]:
    """(key, label, text) of the revision's free-text fields, the ones a passage comment can quote."""
    texts = revision_services.flatten(revision.snapshot)
    out = [(k, field_label(k, revision.snapshot), texts[k]) for k in QUOTABLE_ITEM_FIELDS if texts.get(k)]
    for key, text in texts.items():
        if key.startswith("variants.") and key.rsplit(".", 1)[1] in QUOTABLE_VARIANT_FIELDS and text:
            out.append((key, field_label(key, revision.snapshot), text))
    return out


Segment = tuple[str, str]  # (kind, text): kind is "equal", "del" (only in a) or "ins" (only in b)


def _char_ops(a: str, b: str) -> tuple[list[Segment], list[Segment]]:
    left: list[Segment] = []
    right: list[Segment] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            left.append(("equal", a[i1:i2]))
            right.append(("equal", b[j1:j2]))
        else:
            if i2 > i1:
                left.append(("del", a[i1:i2]))
            if j2 > j1:
                right.append(("ins", b[j1:j2]))
    return left, right


def text_diff(a: str, b: str) -> tuple[list[Segment], list[Segment]]:
    """A character diff of two texts (Chinese has no spaces between words), as pieces of each side."""
    if len(a) <= CHAR_DIFF_LIMIT and len(b) <= CHAR_DIFF_LIMIT:
        return _merge(_char_ops(a, b))
    la, lb = a.splitlines(keepends=True), b.splitlines(keepends=True)
    left: list[Segment] = []
    right: list[Segment] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, la, lb, autojunk=False).get_opcodes():
        block_a, block_b = "".join(la[i1:i2]), "".join(lb[j1:j2])
        if tag == "equal":
            left.append(("equal", block_a))
            right.append(("equal", block_b))
        elif tag == "replace" and len(block_a) <= CHAR_DIFF_LIMIT and len(block_b) <= CHAR_DIFF_LIMIT:
            sub_left, sub_right = _char_ops(block_a, block_b)
            left.extend(sub_left)
            right.extend(sub_right)
        else:
            if block_a:
                left.append(("del", block_a))
            if block_b:
                right.append(("ins", block_b))
    return _merge((left, right))


def _merge(sides: tuple[list[Segment], list[Segment]]) -> tuple[list[Segment], list[Segment]]:
    merged: list[list[Segment]] = []
    for side in sides:
        out: list[Segment] = []
        for kind, text in side:
            if out and out[-1][0] == kind:
                out[-1] = (kind, out[-1][1] + text)
            elif text:
                out.append((kind, text))
        merged.append(out)
    return merged[0], merged[1]


@dataclass
class FieldDiff:
    """One field of two revisions side by side."""

    key: str
    label: str
    a: str
    b: str
    changed: bool
    a_segments: list[Segment]
    b_segments: list[Segment]


def revision_compare(
    *, workspace: Workspace, user: Any, item: ContentItem, a: int, b: int, changed_only: bool = False
) -> tuple[Revision, Revision, list[FieldDiff]]:
    """Revisions ``a`` and ``b`` of the item compared field by field (character diffs of the texts)."""
    rev_a = revision_get(workspace=workspace, user=user, item=item, number=a)
    rev_b = revision_get(workspace=workspace, user=user, item=item, number=b)
    texts_a, texts_b = revision_services.flatten(rev_a.snapshot), revision_services.flatten(rev_b.snapshot)
    keys = list(texts_a) + [k for k in texts_b if k not in texts_a]
    rows: list[FieldDiff] = []
    for key in keys:
        ta, tb = texts_a.get(key, ""), texts_b.get(key, "")
        if not ta and not tb:
            continue
        changed = ta != tb
        if changed_only and not changed:
            continue
        left, right = text_diff(ta, tb) if changed else ([("equal", ta)], [("equal", tb)])
        snapshot = rev_b.snapshot if key in texts_b else rev_a.snapshot
        rows.append(FieldDiff(key, field_label(key, snapshot), ta, tb, changed, left, right))
    return rev_a, rev_b, rows


# ---- comments ---------------------------------------------------------------------------------


def comment_list(
    *, workspace: Workspace, user: Any, item: ContentItem, revision: Revision | None = None
) -> QuerySet[ReviewComment]:
    """Comments on the item (or on one revision), oldest first."""
    qs = (
        member_rows(ReviewComment, workspace=workspace, user=user)
        .filter(item=item)
        .select_related("revision")
    )
    if revision is not None:
        qs = qs.filter(revision=revision)
    return qs.order_by("created_at", "id")


def comment_get(*, workspace: Workspace, user: Any, comment_id: int) -> ReviewComment:
    """One comment of this workspace, or Http404."""
    membership_get(workspace=workspace, user=user)
    return get_object_or_404(
        ReviewComment.objects.filter(workspace=workspace).select_related("revision", "item"), pk=comment_id
    )


# ---- the review queue -----------------------------------------------------------------------


def _queue(workspace: Workspace, user: Any, membership: Membership) -> QuerySet[ReviewTask]:
    if not membership.has_perm(Perm.CONTENT_REVIEW):
        return ReviewTask.objects.none()
    qs = ReviewTask.objects.filter(
        workspace=workspace,
        state=TaskState.PENDING,
        round__outcome=RoundOutcome.OPEN,
        position=F("round__current_position"),
        item__status=ItemStatus.IN_REVIEW,
    ).filter(Q(assignee_user=user) | Q(assignee_user__isnull=True, assignee_role=membership.role))
    if not membership.is_subject_expert:
        qs = qs.exclude(expert_only=True)
    # Nobody reviews their own item, nor a second step of a round whose chain wants a new reviewer.
    already = ReviewTask.objects.filter(
        round=OuterRef("round"),
        state=TaskState.APPROVED,
        decided_by=user,
        round__chain__distinct_reviewers=True,
    )
    return qs.exclude(item__owner=user).exclude(item__created_by=user).exclude(Exists(already))


def review_queue(*, workspace: Workspace, user: Any) -> QuerySet[ReviewTask]:
    """Steps waiting for the user: the current step of items in review assigned to their role or to them, not their own items."""
    membership = membership_get(workspace=workspace, user=user)
    return (
        _queue(workspace, user, membership)
        .select_related("item", "item__theme", "item__owner", "round", "round__submitted_by", "assignee_user")
        .order_by("round__submitted_at", "pk")
    )


def review_queue_count(*, workspace: Workspace, user: Any) -> int:
    """How many items wait for the user's review (the number in the navigation)."""
    membership = membership_get(workspace=workspace, user=user)
    return _queue(workspace, user, membership).count()


# ---- notifications ----------------------------------------------------------------------------


def notification_list(
    *, workspace: Workspace, user: Any, unread: bool | None = None
) -> QuerySet[Notification]:
    """The user's own notifications in the workspace, newest first."""
    notices = user_notices(Notification, workspace=workspace, user=user, unread=unread)
    return notices.select_related("item")


def notification_get(*, workspace: Workspace, user: Any, notification_id: int) -> Notification:
    """One of the user's notifications, or Http404 (another member's notification included)."""
    return get_object_or_404(notification_list(workspace=workspace, user=user), pk=notification_id)


def notification_unread_count(*, workspace: Workspace, user: Any) -> int:
    """How many of the user's notifications are unread."""
    return notification_list(workspace=workspace, user=user, unread=True).count()


# ---- approval chains ------------------------------------------------------------------------


def approval_chain_list(*, workspace: Workspace, user: Any) -> QuerySet[ApprovalChain]:
    """The workspace's chains, the default first (it is created on first use)."""
    membership_get(workspace=workspace, user=user)
    chain_services.approval_chain_default(workspace=workspace)
    return (
        ApprovalChain.objects.filter(workspace=workspace)
        .prefetch_related("themes", "steps", "steps__assignee_user")
        .order_by("-is_default", "name")
    )


def approval_chain_get(*, workspace: Workspace, user: Any, chain_id: int) -> ApprovalChain:
    """One chain of this workspace, or Http404."""
    return get_object_or_404(approval_chain_list(workspace=workspace, user=user), pk=chain_id)


def reviewer_choices(*, workspace: Workspace, user: Any) -> list[Membership]:
    """Members who may review content (the people a step can be assigned to)."""
    members = (
        member_rows(Membership, workspace=workspace, user=user)
        .filter(user__is_active=True)
        .select_related("user")
    )
    return [m for m in members.order_by("user__username") if m.has_perm(Perm.CONTENT_REVIEW)]


# ---- findings summary -------------------------------------------------------------------------


@dataclass
class FindingsCounts:
    """How many findings of each severity the item's last check run found."""

    block: int
    warn: int
    info: int
    checked_at: Any


def findings_counts(*, workspace: Workspace, user: Any, item: ContentItem) -> FindingsCounts | None:
    """The counts of the item's last check run (None before the first run)."""
    run = member_rows(ItemCheckRun, workspace=workspace, user=user).filter(item=item).first()
    if run is None:
        return None
    return FindingsCounts(run.block_count, run.warn_count, run.info_count, run.checked_at)
