"""Review rounds and decisions (R2.8): submit, approve a step, request changes, an admin's override.

A round copies the item's chain when it starts; each step is a task decided in order. Saving an
item (``item_saved``) records a revision, runs the checks and restarts review where the text an
approval covered changed. An admin's override of blocking findings is bound to the revision it
was given for.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from socialops.content.models import ContentItem
from socialops.core.actors import user_or_none
from socialops.core.validation import Errors
from socialops.core.validation import add_error as _add
from socialops.core.validation import clean_text as _text
from socialops.workspaces.access import ensure_perm, require_perm
from socialops.workspaces.audit import audit_record
from socialops.workspaces.models import Membership, Workspace
from socialops.workspaces.roles import Perm

from .. import hooks as review_hooks
from ..models.workflow import (
    ApprovalOverride,
    CommentKind,
    ItemStatus,
    NotificationKind,
    ReviewRound,
    ReviewTask,
    Revision,
    RoundOutcome,
    TaskState,
)
from ._common import actor_name
from .chains import applicable_steps, authors_of, can_decide, chain_for_item
from .comments import COMMENT_MAX, comment_record
from .notifications import notify, notify_assignees
from .revisions import latest_revision, revision_record
from .runner import item_has_blocking_findings, run_item_checks
from .transitions import (
    OVERRIDE_FROM,
    REOPEN_FROM,
    REVIEW_FROM,
    SUBMIT_FROM,
    illegal_transition,
    lock_item,
    set_status,
    status_label,
)

OVERRIDE_REASON_MIN = 10


OVERRIDE_REASON_MAX = 2000


def item_saved(*, workspace: Workspace, actor: Any, item: ContentItem, action: str) -> Revision:
    """After every save of an item or a variant: a revision, the checks, and back to review if approved.

    Called by the content services inside their transaction (their permission check covers it).
    """
    revision = revision_record(workspace=workspace, actor=actor, item=item, action=action)
    run_item_checks(workspace=workspace, item=item)
    if action == "item.create":
        return revision
    locked = lock_item(workspace, item)
    if locked.status in REOPEN_FROM:
        # The approved revision stays marked approved; the new text needs the chain again.
        set_status(workspace, actor, item, locked, ItemStatus.IN_REVIEW, REOPEN_FROM)
        _start_round(workspace, actor, locked, revision)
    elif locked.status == ItemStatus.IN_REVIEW:
        round_ = _open_round(workspace, locked)
        if round_ is None:
            _start_round(workspace, actor, locked, revision)
        elif _round_needs_restart(workspace, round_, locked):
            # A step already approved an older text, or the chain that applies changed (e.g. the
            # theme now needs an expert): every step must see the new text.
            _close_round(round_, RoundOutcome.RESTARTED)
            _start_round(workspace, actor, locked, revision)
    return revision


def _open_round(workspace: Workspace, item: ContentItem) -> ReviewRound | None:
    return ReviewRound.objects.filter(workspace=workspace, item=item, outcome=RoundOutcome.OPEN).first()


def current_task(round_: ReviewRound | None) -> ReviewTask | None:
    """The step of an open round waiting for a decision."""
    if round_ is None or round_.current_position is None:
        return None
    return (
        ReviewTask.objects.filter(round=round_, position=round_.current_position, state=TaskState.PENDING)
        .select_related("assignee_user")
        .first()
    )


def _signature(rows: Iterable[Any]) -> list[tuple[str, str, Any, bool]]:
    return [(r.name, r.assignee_role, r.assignee_user_id, r.expert_only) for r in rows]


def _round_needs_restart(workspace: Workspace, round_: ReviewRound, item: ContentItem) -> bool:
    tasks = list(round_.tasks.order_by("position"))
    if any(t.state == TaskState.APPROVED for t in tasks):
        return True
    return _signature(tasks) != _signature(applicable_steps(workspace=workspace, item=item))


def _close_round(round_: ReviewRound, outcome: str) -> None:
    round_.outcome = outcome
    round_.current_position = None
    round_.closed_at = timezone.now()
    round_.save(update_fields=["outcome", "current_position", "closed_at"])
    round_.tasks.filter(state=TaskState.PENDING).update(state=TaskState.CANCELLED)


def _start_round(
    workspace: Workspace, actor: Any, item: ContentItem, revision: Revision | None
) -> ReviewRound:
    chain = chain_for_item(workspace=workspace, item=item)
    steps = applicable_steps(workspace=workspace, item=item)
    top = ReviewRound.objects.filter(workspace=workspace, item=item).aggregate(top=Max("number"))["top"]
    round_ = ReviewRound.objects.create(
        workspace=workspace,
        item=item,
        number=(top or 0) + 1,
        chain=chain,
        chain_name=chain.name,
        submitted_by=user_or_none(actor),
        revision=revision,
        current_position=steps[0].position if steps else None,
    )
    ReviewTask.objects.bulk_create(
        ReviewTask(
            workspace=workspace,
            round=round_,
            item=item,
            position=s.position,
            name=s.name,
            assignee_role=s.assignee_role,
            assignee_user_id=s.assignee_user_id,
            expert_only=s.expert_only,
        )
        for s in steps
    )
    task = current_task(round_)
    if task is not None:
        notify_assignees(workspace, actor, item, task)
    audit_record(
        workspace=workspace,
        actor=actor,
        action="review.submit",
        obj=item,
        after={
            "round": round_.number,
            "chain": chain.name,
            "steps": [s.name for s in steps],
            "revision": revision.number if revision else None,
        },
    )
    return round_


def override_for(
    *, workspace: Workspace, item: ContentItem, revision: Revision | None
) -> ApprovalOverride | None:
    """The admin override given for this revision, if any."""
    if revision is None:
        return None
    return (
        ApprovalOverride.objects.filter(workspace=workspace, item=item, revision=revision)
        .order_by("-id")
        .first()
    )


@transaction.atomic
def item_submit(*, workspace: Workspace, actor: Any, item: ContentItem) -> ReviewRound:
    """Draft or changes requested → in review, starting at the first step of the item's chain."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.CONTENT_EDIT)
    locked = lock_item(workspace, item)
    if locked.status not in SUBMIT_FROM:
        raise illegal_transition(locked, locked.status, ItemStatus.IN_REVIEW)
    revision = latest_revision(locked) or revision_record(
        workspace=workspace, actor=actor, item=locked, action="item.submit"
    )
    set_status(workspace, actor, item, locked, ItemStatus.IN_REVIEW, SUBMIT_FROM)
    return _start_round(workspace, actor, locked, revision)


def _decision_context(
    workspace: Workspace, actor: Any, item: ContentItem, target: str
) -> tuple[ContentItem, Membership, ReviewRound, ReviewTask]:
    membership = ensure_perm(workspace=workspace, user=actor, perm=Perm.CONTENT_REVIEW)
    locked = lock_item(workspace, item)
    if locked.status not in REVIEW_FROM:
        raise illegal_transition(locked, locked.status, target)
    round_ = _open_round(workspace, locked)
    task = current_task(round_)
    if round_ is None or task is None:
        # An item left in review without a round (e.g. set by an import): start it now.
        round_ = _start_round(workspace, None, locked, latest_revision(locked))
        task = current_task(round_)
        if task is None:
            raise ValidationError({"item": [_("The approval chain of this item has no step.")]})
    reason = can_decide(membership=membership, task=task)
    if reason is not None:
        raise ValidationError({"step": [reason]})
    return locked, membership, round_, task


def _clean_comment(value: Any, *, required: bool) -> str:
    errors: Errors = {}
    text = _text(value, "comment", errors, max_length=COMMENT_MAX, required=required)
    if errors:
        raise ValidationError(errors)
    return text


@transaction.atomic
def item_approve(*, workspace: Workspace, actor: Any, item: ContentItem, comment: str = "") -> ReviewTask:
    """Approve the current step; the last step's approval makes the item approved.

    Refused for the item's own author, for a member the step is not assigned to, and while the
    item has blocking findings that no admin has overridden for this revision.
    """
    note = _clean_comment(comment, required=False)
    locked, _membership, round_, task = _decision_context(workspace, actor, item, ItemStatus.APPROVED)
    if actor.pk in authors_of(locked):
        raise ValidationError(
            {
                "item": [
                    _("You own or created “%(title)s”: someone else must approve it.")
                    % {"title": locked.title}
                ]
            }
        )
    if round_.chain is not None and round_.chain.distinct_reviewers:
        earlier = round_.tasks.filter(state=TaskState.APPROVED, decided_by=actor).first()
        if earlier is not None:
            raise ValidationError(
                {
                    "step": [
                        _(
                            "You approved “%(step)s” of this round: the chain “%(chain)s” needs a different "
                            "reviewer for each step."
                        )
                        % {"step": earlier.name, "chain": round_.chain.name}
                    ]
                }
            )
    revision = latest_revision(locked)
    if (
        item_has_blocking_findings(workspace=workspace, item=locked)
        and override_for(workspace=workspace, item=locked, revision=revision) is None
    ):
        raise ValidationError(
            {
                "findings": [
                    _(
                        "“%(title)s” has blocking check findings, so it cannot be approved. Fix them, "
                        "or an admin may override them with a written reason."
                    )
                    % {"title": locked.title}
                ]
            }
        )
    now = timezone.now()
    task.state = TaskState.APPROVED
    task.decided_by = actor
    task.decided_at = now
    task.revision = revision
    task.comment = note
    task.save(update_fields=["state", "decided_by", "decided_at", "revision", "comment"])
    if note and revision is not None:
        comment_record(workspace, actor, locked, revision, note, CommentKind.APPROVAL)
    following = (
        round_.tasks.filter(state=TaskState.PENDING, position__gt=task.position).order_by("position").first()
    )
    if following is not None:
        round_.current_position = following.position
        round_.save(update_fields=["current_position"])
        notify_assignees(workspace, actor, locked, following)
    else:
        _close_round(round_, RoundOutcome.APPROVED)
        set_status(workspace, actor, item, locked, ItemStatus.APPROVED, REVIEW_FROM)
        if revision is not None:
            revision.approved_at = now
            revision.approved_by = actor
            revision.save(update_fields=["approved_at", "approved_by"])
        notify(workspace, actor, locked, authors_of(locked), NotificationKind.APPROVED, note or task.name)
    audit_record(
        workspace=workspace,
        actor=actor,
        action="review.approve",
        obj=locked,
        after={
            "round": round_.number,
            "step": task.name,
            "revision": revision.number if revision else None,
            "comment": note,
            "final": following is None,
        },
    )
    if following is None:
        # Placements already on the calendar become scheduled publications (publishing connects).
        review_hooks.item_approved.send(workspace=workspace, actor=actor, item=locked)
    return task


@transaction.atomic(durable=True)
def item_request_changes(*, workspace: Workspace, actor: Any, item: ContentItem, comment: str) -> ReviewTask:
    """Send the item back to its author with a comment (required); the round ends here."""
    note = _clean_comment(comment, required=True)
    locked, _membership, round_, task = _decision_context(
        workspace, actor, item, ItemStatus.CHANGES_REQUESTED
    )
    revision = latest_revision(locked)
    task.state = TaskState.CHANGES_REQUESTED
    task.decided_by = actor
    task.decided_at = timezone.now()
    task.revision = revision
    task.comment = note
    task.save(update_fields=["state", "decided_by", "decided_at", "revision", "comment"])
    _close_round(round_, RoundOutcome.CHANGES_REQUESTED)
    set_status(workspace, actor, item, locked, ItemStatus.CHANGES_REQUESTED, REVIEW_FROM)
    if revision is not None:
        comment_record(workspace, actor, locked, revision, note, CommentKind.CHANGES_REQUESTED)
    notify(workspace, actor, locked, authors_of(locked), NotificationKind.CHANGES_REQUESTED, note)
    audit_record(
        workspace=workspace,
        actor=actor,
        action="review.request_changes",
        obj=locked,
        after={"round": round_.number, "step": task.name, "comment": note},
    )
    return task


def _finding_summary(finding: Any) -> dict[str, Any]:
    """The parts of a check finding an override keeps (whatever the checks module names them)."""
    out: dict[str, Any] = {}
    for key, names in {
        "check": ("check_name", "check", "code", "kind", "rule"),
        "severity": ("severity",),
        "message": ("message",),
        "matched": ("matched", "text", "matched_text", "term"),
        "field": ("field",),
        "start": ("start",),
        "end": ("end",),
    }.items():
        for name in names:
            value = getattr(finding, name, None)
            if value is not None and value != "":
                out[key] = value if isinstance(value, int | float | bool) else str(value)[:300]
                break
    return out


@transaction.atomic(durable=True)
def item_override(*, workspace: Workspace, actor: Any, item: ContentItem, reason: str) -> ApprovalOverride:
    """An admin lets the current revision be approved despite its blocking findings, with a written reason."""
    ensure_perm(workspace=workspace, user=actor, perm=Perm.WORKSPACE_MANAGE)
    errors: Errors = {}
    text = _text(reason, "reason", errors, max_length=OVERRIDE_REASON_MAX, required=True)
    if text and len(text) < OVERRIDE_REASON_MIN:
        _add(
            errors,
            "reason",
            _("Explain the override in at least %(min)d characters (this has %(n)d).")
            % {"min": OVERRIDE_REASON_MIN, "n": len(text)},
        )
    if errors:
        raise ValidationError(errors)
    locked = lock_item(workspace, item)
    if locked.status not in OVERRIDE_FROM:
        raise ValidationError(
            {
                "status": [
                    _("“%(title)s” is “%(status)s”: an override only applies before approval.")
                    % {"title": locked.title, "status": status_label(locked.status)}
                ]
            }
        )
    revision = latest_revision(locked) or revision_record(
        workspace=workspace, actor=actor, item=locked, action="item.override"
    )
    findings = [
        f for f in run_item_checks(workspace=workspace, item=locked) if getattr(f, "severity", "") == "block"
    ]
    if not findings:
        raise ValidationError(
            {"reason": [_("“%(title)s” has no blocking findings to override.") % {"title": locked.title}]}
        )
    if override_for(workspace=workspace, item=locked, revision=revision) is not None:
        raise ValidationError(
            {"reason": [_("Revision %(n)d already has an override.") % {"n": revision.number}]}
        )
    override = ApprovalOverride.objects.create(
        workspace=workspace,
        item=locked,
        revision=revision,
        actor=user_or_none(actor),
        actor_name=actor_name(actor),
        reason=text,
        findings=[_finding_summary(f) for f in findings],
    )
    audit_record(
        workspace=workspace,
        actor=actor,
        action="review.override",
        obj=locked,
        after={"revision": revision.number, "reason": text, "findings": override.findings},
    )
    return override
