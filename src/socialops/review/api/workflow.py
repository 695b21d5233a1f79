"""API: the review workflow — submit, approve, request changes, override, revisions and their comparison,
comments, the review queue, notifications and approval chains (R2.8)."""

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.pagination import paginate

from socialops.content.selectors import items as item_selectors
from socialops.core.pagination import MappedPage
from socialops.workspaces.api import api_delete, api_object, api_select, api_workspace

from ..models.workflow import (
    ApprovalChain,
    ApprovalOverride,
    ApprovalStep,
    Notification,
    ReviewComment,
    ReviewRound,
    ReviewTask,
    Revision,
)
from ..presenters import notification_text
from ..selectors import workflow as selectors
from ..services import chains as chain_services
from ..services import comments as comment_services
from ..services import notifications as notification_services
from ..services import rounds as round_services
from ..services import transitions as transition_services

router = Router(tags=["review"])

ObjectId = Annotated[int, Path(ge=1, le=2**53)]
RevisionNumber = Annotated[int, Path(ge=1, le=2**31)]
RefId = Annotated[int, Field(ge=1, le=2**53)]


# ---- schemas --------------------------------------------------------------------------------


class StepOut(Schema):
    position: int
    name: str
    assignee_role: str
    assignee_user_id: int | None
    assignee: str = Field(..., description="The role's name or the person's user name")
    expert_only: bool


class TaskOut(StepOut):
    state: str
    state_label: str
    current: bool
    decided_by: str | None
    decided_at: dt.datetime | None
    revision: int | None = Field(None, description="The revision number the decision was made on")
    comment: str


class RoundOut(Schema):
    number: int
    chain_name: str
    submitted_by: str | None
    submitted_at: dt.datetime
    outcome: str
    outcome_label: str
    steps: list[TaskOut]


class RevisionOut(Schema):
    number: int
    author: str
    created_at: dt.datetime
    action: str
    changed_fields: list[str]
    changed_labels: list[str]
    item_version: int
    approved_at: dt.datetime | None
    approved_by: str | None


class RevisionDetailOut(RevisionOut):
    snapshot: dict[str, Any]


class CheckOverrideOut(Schema):
    id: int
    revision: int
    actor: str
    reason: str
    findings: list[dict[str, Any]]
    created_at: dt.datetime


class ReviewStateOut(Schema):
    item_id: int
    status: str
    status_label: str
    next_statuses: list[str] = Field(..., description="States the item can go to from here")
    current_step: str | None
    round: RoundOut | None
    latest_revision: RevisionOut | None
    approved_revision: RevisionOut | None
    edited_since_approval: bool
    blocking_findings: bool
    override_active: bool = Field(
        ..., description="An admin overrode the blocking findings of the latest revision"
    )
    overrides: list[CheckOverrideOut] = Field(
        ..., description="Every override ever given on this item, newest first"
    )
    can_submit: bool
    can_decide: bool
    can_override: bool


class DecisionIn(Schema):
    comment: str = Field("", max_length=10_000)


class RequestChangesIn(Schema):
    comment: str = Field(..., max_length=10_000)


class CheckOverrideIn(Schema):
    reason: str = Field(..., max_length=5000)


class SegmentOut(Schema):
    kind: str = Field(..., description="equal | del (only in a) | ins (only in b)")
    text: str


class FieldDiffOut(Schema):
    key: str
    label: str
    changed: bool
    a: str
    b: str
    a_segments: list[SegmentOut]
    b_segments: list[SegmentOut]


class CompareOut(Schema):
    a: RevisionOut
    b: RevisionOut
    fields: list[FieldDiffOut]


class CommentOut(Schema):
    id: int
    item_id: int
    revision: int
    author: str
    kind: str
    kind_label: str
    body: str
    field: str
    field_label: str
    quote: str
    start: int | None
    end: int | None
    created_at: dt.datetime
    updated_at: dt.datetime


class CommentIn(Schema):
    revision: int = Field(..., ge=1, le=2**31, description="The revision's number")
    body: str = Field(..., max_length=10_000)
    field: str = Field(
        "", max_length=60, description='A passage\'s field: "body", "variants.<account id>.body" …'
    )
    quote: str = Field("", max_length=200_000)
    start: int | None = Field(None, ge=0, le=10**7, description="Character offset where the passage starts")
    end: int | None = Field(None, ge=0, le=10**7, description="Character offset where the passage ends")


class CommentPatchIn(Schema):
    body: str = Field(..., max_length=10_000)


class QueueOut(Schema):
    item_id: int
    title: str
    theme: str
    owner: str | None
    status: str
    step: str
    step_position: int
    expert_only: bool
    round: int
    submitted_by: str | None
    submitted_at: dt.datetime


class NotificationOut(Schema):
    id: int
    kind: str
    kind_label: str
    item_id: int
    item_title: str
    text: str
    actor: str
    created_at: dt.datetime
    read_at: dt.datetime | None


class CountOut(Schema):
    count: int


class StepIn(Schema):
    name: str = Field(..., max_length=200)
    assignee_role: str | None = Field(None, max_length=20)
    assignee_user_id: RefId | None = None
    expert_only: bool = False


class ChainIn(Schema):
    name: str = Field(..., max_length=200)
    is_default: bool = False
    distinct_reviewers: bool = True
    theme_ids: list[RefId] = Field(default_factory=list, max_length=200)
    steps: list[StepIn] = Field(..., max_length=50)


class ChainPatchIn(Schema):
    name: str | None = Field(None, max_length=200)
    is_default: bool | None = None
    distinct_reviewers: bool | None = None
    theme_ids: list[RefId] | None = Field(None, max_length=200)
    steps: list[StepIn] | None = Field(None, max_length=50)


class ChainOut(Schema):
    id: int
    name: str
    is_default: bool
    distinct_reviewers: bool
    theme_ids: list[int]
    themes: list[str]
    steps: list[StepOut]


# ---- converters ---------------------------------------------------------------------------


def _username(user: Any) -> str | None:
    return user.get_username() if user is not None else None


def _revision_out(revision: Revision | None) -> dict[str, Any] | None:
    if revision is None:
        return None
    return {
        "number": revision.number,
        "author": revision.author_name,
        "created_at": revision.created_at,
        "action": revision.action,
        "changed_fields": list(revision.changed_fields),
        "changed_labels": [selectors.field_label(k, revision.snapshot) for k in revision.changed_fields],
        "item_version": revision.item_version,
        "approved_at": revision.approved_at,
        "approved_by": _username(revision.approved_by),
    }


def _step_out(step: ApprovalStep | ReviewTask) -> dict[str, Any]:
    return {
        "position": step.position,
        "name": step.name,
        "assignee_role": step.assignee_role,
        "assignee_user_id": step.assignee_user_id,
        "assignee": step.assignee_label,
        "expert_only": step.expert_only,
    }


def _round_out(round_: ReviewRound | None, tasks: list[ReviewTask], current: ReviewTask | None) -> Any:
    if round_ is None:
        return None
    return {
        "number": round_.number,
        "chain_name": round_.chain_name,
        "submitted_by": _username(round_.submitted_by),
        "submitted_at": round_.submitted_at,
        "outcome": round_.outcome,
        "outcome_label": str(round_.get_outcome_display()),
        "steps": [
            {
                **_step_out(t),
                "state": t.state,
                "state_label": str(t.get_state_display()),
                "current": current is not None and t.pk == current.pk,
                "decided_by": _username(t.decided_by),
                "decided_at": t.decided_at,
                "revision": t.revision.number if t.revision else None,
                "comment": t.comment,
            }
            for t in tasks
        ],
    }


def _override_out(override: ApprovalOverride) -> dict[str, Any]:
    return {
        "id": override.pk,
        "revision": override.revision.number,
        "actor": override.actor_name,
        "reason": override.reason,
        "findings": override.findings,
        "created_at": override.created_at,
    }


def _state_out(request: HttpRequest, workspace: Any, item: Any) -> dict[str, Any]:
    state = selectors.item_review_state(workspace=workspace, user=request.user, item=item)
    return {
        "item_id": item.pk,
        "status": state.status,
        "status_label": state.status_label,
        "next_statuses": list(transition_services.TRANSITIONS.get(state.status, ())),
        "current_step": state.current.name if state.current else None,
        "round": _round_out(state.round, state.tasks, state.current),
        "latest_revision": _revision_out(state.latest_revision),
        "approved_revision": _revision_out(state.approved_revision),
        "edited_since_approval": state.edited_since_approval,
        "blocking_findings": state.blocking,
        "override_active": state.override_active,
        "overrides": [_override_out(o) for o in state.overrides],
        "can_submit": state.can_submit,
        "can_decide": state.can_decide,
        "can_override": state.can_override,
    }


def _comment_out(comment: ReviewComment) -> dict[str, Any]:
    return {
        "id": comment.pk,
        "item_id": comment.item_id,
        "revision": comment.revision.number,
        "author": comment.author_name,
        "kind": comment.kind,
        "kind_label": str(comment.get_kind_display()),
        "body": comment.body,
        "field": comment.field,
        "field_label": selectors.field_label(comment.field, comment.revision.snapshot)
        if comment.field
        else "",
        "quote": comment.quote,
        "start": comment.start,
        "end": comment.end,
        "created_at": comment.created_at,
        "updated_at": comment.updated_at,
    }


def _queue_out(task: ReviewTask) -> dict[str, Any]:
    item = task.item
    return {
        "item_id": item.pk,
        "title": item.title,
        "theme": item.theme.name,
        "owner": _username(item.owner),
        "status": item.status,
        "step": task.name,
        "step_position": task.position,
        "expert_only": task.expert_only,
        "round": task.round.number,
        "submitted_by": _username(task.round.submitted_by),
        "submitted_at": task.round.submitted_at,
    }


def _notification_out(notification: Notification) -> dict[str, Any]:
    return {
        "id": notification.pk,
        "kind": notification.kind,
        "kind_label": str(notification.get_kind_display()),
        "item_id": notification.item_id,
        "item_title": notification.item.title,
        "text": notification_text(notification),
        "actor": notification.actor_name,
        "created_at": notification.created_at,
        "read_at": notification.read_at,
    }


def _chain_out(chain: ApprovalChain) -> dict[str, Any]:
    themes = sorted(chain.themes.all(), key=lambda t: (t.position, t.name))
    return {
        "id": chain.pk,
        "name": chain.name,
        "is_default": chain.is_default,
        "distinct_reviewers": chain.distinct_reviewers,
        "theme_ids": [t.pk for t in themes],
        "themes": [t.name for t in themes],
        "steps": [_step_out(s) for s in chain.steps.order_by("position")],
    }


def _steps_in(steps: list[StepIn]) -> list[dict[str, Any]]:
    return [
        {
            "name": s.name,
            "assignee_role": s.assignee_role or "",
            "assignee_user": s.assignee_user_id,
            "expert_only": s.expert_only,
        }
        for s in steps
    ]


def _item(request: HttpRequest, slug: str, item_id: int) -> tuple[Any, Any]:
    return api_object(request, slug, item_selectors.content_item_get, item_id=item_id)


def _review_act(
    request: HttpRequest, slug: str, item_id: int, action: Callable[..., Any], **fields: Any
) -> dict[str, Any]:
    """Run a review step service on the URL's item; the item's review state after it."""
    workspace, item = _item(request, slug, item_id)
    action(workspace=workspace, actor=request.user, item=item, **fields)
    return _state_out(request, workspace, item)


# ---- item review ------------------------------------------------------------------------------


@router.get(
    "/workspaces/{slug}/items/{item_id}/review",
    response=ReviewStateOut,
    summary="An item's review state: status, current round and step, approved revision, overrides",
)
def review_state(request: HttpRequest, slug: str, item_id: ObjectId) -> dict[str, Any]:
    workspace, item = _item(request, slug, item_id)
    return _state_out(request, workspace, item)


@router.post(
    "/workspaces/{slug}/items/{item_id}/submit",
    response=ReviewStateOut,
    summary="Submit a draft (or an item sent back for changes) for review (operators, admins)",
)
def review_submit(request: HttpRequest, slug: str, item_id: ObjectId) -> dict[str, Any]:
    return _review_act(request, slug, item_id, round_services.item_submit)


@router.post(
    "/workspaces/{slug}/items/{item_id}/approve",
    response=ReviewStateOut,
    summary="Approve the current step (reviewers); the last step's approval approves the item",
)
def review_approve(request: HttpRequest, slug: str, item_id: ObjectId, payload: DecisionIn) -> dict[str, Any]:
    return _review_act(request, slug, item_id, round_services.item_approve, comment=payload.comment)


@router.post(
    "/workspaces/{slug}/items/{item_id}/request-changes",
    response=ReviewStateOut,
    summary="Send the item back to its author with a comment (reviewers)",
)
def review_request_changes(
    request: HttpRequest, slug: str, item_id: ObjectId, payload: RequestChangesIn
) -> dict[str, Any]:
    return _review_act(request, slug, item_id, round_services.item_request_changes, comment=payload.comment)


@router.post(
    "/workspaces/{slug}/items/{item_id}/override",
    response=ReviewStateOut,
    summary="Let the latest revision be approved despite blocking findings, with a written reason (admins)",
)
def review_override(
    request: HttpRequest, slug: str, item_id: ObjectId, payload: CheckOverrideIn
) -> dict[str, Any]:
    return _review_act(request, slug, item_id, round_services.item_override, reason=payload.reason)


# ---- revisions ------------------------------------------------------------------------------


@router.get(
    "/workspaces/{slug}/items/{item_id}/revisions",
    response=list[RevisionOut],
    summary="The item's revisions, newest first: who, when, what changed",
)
@paginate
def revision_list(request: HttpRequest, slug: str, item_id: ObjectId) -> Any:
    workspace, item = _item(request, slug, item_id)
    return MappedPage(
        selectors.revision_list(workspace=workspace, user=request.user, item=item), _revision_out
    )


@router.get(
    "/workspaces/{slug}/items/{item_id}/revisions/compare",
    response=CompareOut,
    summary="Two revisions side by side, field by field, with character diffs",
)
def revision_compare(
    request: HttpRequest,
    slug: str,
    item_id: ObjectId,
    a: Annotated[int, Query(ge=1, le=2**31)],
    b: Annotated[int, Query(ge=1, le=2**31)],
    changed_only: bool = False,
) -> dict[str, Any]:
    workspace, item = _item(request, slug, item_id)
    rev_a, rev_b, rows = selectors.revision_compare(
        workspace=workspace, user=request.user, item=item, a=a, b=b, changed_only=changed_only
    )
    return {
        "a": _revision_out(rev_a),
        "b": _revision_out(rev_b),
        "fields": [
            {
                "key": r.key,
                "label": r.label,
                "changed": r.changed,
                "a": r.a,
                "b": r.b,
                "a_segments": [{"kind": k, "text": t} for k, t in r.a_segments],
                "b_segments": [{"kind": k, "text": t} for k, t in r.b_segments],
            }
            for r in rows
        ],
    }


@router.get(
    "/workspaces/{slug}/items/{item_id}/revisions/{number}",
    response=RevisionDetailOut,
    summary="One revision with its full snapshot of the item and its variants",
)
def revision_detail(
    request: HttpRequest, slug: str, item_id: ObjectId, number: RevisionNumber
) -> dict[str, Any]:
    workspace, item = _item(request, slug, item_id)
    revision = selectors.revision_get(workspace=workspace, user=request.user, item=item, number=number)
    out = _revision_out(revision) or {}
    return {**out, "snapshot": revision.snapshot}


# ---- comments -------------------------------------------------------------------------------


@router.get(
    "/workspaces/{slug}/items/{item_id}/comments",
    response=list[CommentOut],
    summary="Comments on the item's revisions, oldest first",
)
@paginate
def comment_list(
    request: HttpRequest,
    slug: str,
    item_id: ObjectId,
    revision: Annotated[int | None, Query(ge=1, le=2**31)] = None,
) -> Any:
    workspace, item = _item(request, slug, item_id)
    rev = (
        selectors.revision_get(workspace=workspace, user=request.user, item=item, number=revision)
        if revision is not None
        else None
    )
    return MappedPage(
        selectors.comment_list(workspace=workspace, user=request.user, item=item, revision=rev), _comment_out
    )


@router.post(
    "/workspaces/{slug}/items/{item_id}/comments",
    response={201: CommentOut},
    summary="Comment on a revision, or on a passage of one of its fields (field, quote, start, end)",
)
def comment_create(
    request: HttpRequest, slug: str, item_id: ObjectId, payload: CommentIn
) -> Status[dict[str, Any]]:
    workspace, item = _item(request, slug, item_id)
    revision = selectors.revision_get(
        workspace=workspace, user=request.user, item=item, number=payload.revision
    )
    comment = comment_services.comment_create(
        workspace=workspace,
        actor=request.user,
        item=item,
        revision=revision,
        body=payload.body,
        field=payload.field,
        quote=payload.quote,
        start=payload.start,
        end=payload.end,
    )
    return Status(201, _comment_out(comment))


@router.get("/workspaces/{slug}/comments/{comment_id}", response=CommentOut)
def comment_detail(request: HttpRequest, slug: str, comment_id: ObjectId) -> dict[str, Any]:
    return _comment_out(api_select(request, slug, selectors.comment_get, comment_id=comment_id))


@router.patch("/workspaces/{slug}/comments/{comment_id}", response=CommentOut, summary="Reword your comment")
def comment_patch(
    request: HttpRequest, slug: str, comment_id: ObjectId, payload: CommentPatchIn
) -> dict[str, Any]:
    workspace, comment = api_object(request, slug, selectors.comment_get, comment_id=comment_id)
    comment_services.comment_update(
        workspace=workspace, actor=request.user, comment=comment, body=payload.body
    )
    return _comment_out(comment)


@router.delete(
    "/workspaces/{slug}/comments/{comment_id}",
    response={204: None},
    summary="Delete your comment (admins: any comment)",
)
def comment_delete(request: HttpRequest, slug: str, comment_id: ObjectId) -> Status[None]:
    return api_delete(
        request,
        slug,
        selectors.comment_get,
        comment_services.comment_delete,
        "comment",
        comment_id=comment_id,
    )


# ---- queue and notifications ----------------------------------------------------------------


@router.get(
    "/workspaces/{slug}/review-queue",
    response=list[QueueOut],
    summary="Items waiting for my review: their current step is assigned to my role or to me (not my own items)",
)
@paginate
def review_queue(request: HttpRequest, slug: str) -> Any:
    workspace = api_workspace(request, slug)
    return MappedPage(selectors.review_queue(workspace=workspace, user=request.user), _queue_out)


@router.get(
    "/workspaces/{slug}/notifications",
    response=list[NotificationOut],
    summary="My notifications in this workspace, newest first",
)
@paginate
def notification_list(request: HttpRequest, slug: str, unread: bool | None = None) -> Any:
    workspace = api_workspace(request, slug)
    return MappedPage(
        selectors.notification_list(workspace=workspace, user=request.user, unread=unread), _notification_out
    )


@router.post(
    "/workspaces/{slug}/notifications/read-all", response=CountOut, summary="Mark all my notifications read"
)
def notification_read_all(request: HttpRequest, slug: str) -> dict[str, int]:
    workspace = api_workspace(request, slug)
    return {
        "count": notification_services.notifications_mark_all_read(workspace=workspace, actor=request.user)
    }


@router.post("/workspaces/{slug}/notifications/{notification_id}/read", response=NotificationOut)
def notification_read(request: HttpRequest, slug: str, notification_id: ObjectId) -> dict[str, Any]:
    workspace, notification = api_object(
        request, slug, selectors.notification_get, notification_id=notification_id
    )
    notification_services.notification_mark_read(
        workspace=workspace, actor=request.user, notification=notification
    )
    return _notification_out(notification)


# ---- approval chains ------------------------------------------------------------------------


@router.get(
    "/workspaces/{slug}/approval-chains",
    response=list[ChainOut],
    summary="Approval chains, the default first (created on first use)",
)
@paginate
def chain_list(request: HttpRequest, slug: str) -> Any:
    workspace = api_workspace(request, slug)
    return MappedPage(selectors.approval_chain_list(workspace=workspace, user=request.user), _chain_out)


@router.post("/workspaces/{slug}/approval-chains", response={201: ChainOut}, summary="Add a chain (admins)")
def chain_create(request: HttpRequest, slug: str, payload: ChainIn) -> Status[dict[str, Any]]:
    workspace = api_workspace(request, slug)
    chain = chain_services.approval_chain_create(
        workspace=workspace,
        actor=request.user,
        name=payload.name,
        is_default=payload.is_default,
        distinct_reviewers=payload.distinct_reviewers,
        themes=payload.theme_ids,
        steps=_steps_in(payload.steps),
    )
    return Status(201, _chain_out(chain))


@router.get("/workspaces/{slug}/approval-chains/{chain_id}", response=ChainOut)
def chain_detail(request: HttpRequest, slug: str, chain_id: ObjectId) -> dict[str, Any]:
    return _chain_out(api_select(request, slug, selectors.approval_chain_get, chain_id=chain_id))


@router.patch(
    "/workspaces/{slug}/approval-chains/{chain_id}",
    response=ChainOut,
    summary="Rename a chain, make it the default, change its themes or replace its steps (admins)",
)
def chain_patch(request: HttpRequest, slug: str, chain_id: ObjectId, payload: ChainPatchIn) -> dict[str, Any]:
    workspace, chain = api_object(request, slug, selectors.approval_chain_get, chain_id=chain_id)
    data = payload.dict(exclude_unset=True)
    fields: dict[str, Any] = {}
    for key in ("name", "is_default", "distinct_reviewers"):
        if data.get(key) is not None:
            fields[key] = data[key]
    if data.get("theme_ids") is not None:
        fields["themes"] = data["theme_ids"]
    if payload.steps is not None:
        fields["steps"] = _steps_in(payload.steps)
    chain_services.approval_chain_update(workspace=workspace, actor=request.user, chain=chain, **fields)
    return _chain_out(selectors.approval_chain_get(workspace=workspace, user=request.user, chain_id=chain.pk))


@router.delete(
    "/workspaces/{slug}/approval-chains/{chain_id}", response={204: None}, summary="Delete a chain (admins)"
)
def chain_delete(request: HttpRequest, slug: str, chain_id: ObjectId) -> Status[None]:
    return api_delete(
        request,
        slug,
        selectors.approval_chain_get,
        chain_services.approval_chain_delete,
        "chain",
        chain_id=chain_id,
    )
