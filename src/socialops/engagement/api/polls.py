"""API of the engagement app: polls and surveys (CRUD, questions, results, responses).

Fans answer on the public page (a form, not this API); members read and manage here.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.pagination import paginate

from socialops.accounts.models import SocialAccount
from socialops.core.pagination import MappedPage
from socialops.workspaces.api import api_object, api_workspace
from socialops.workspaces.models import Workspace

from ..models.campaigns import Campaign
from ..models.polls import Poll, PollQuestion, PollResponse
from ..selectors import polls as sel
from ..services import polls as svc

router = Router(tags=["polls"])

MAX_ID = 2_147_483_647
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
RowId = Path(..., ge=1, le=MAX_ID)
BASE = "/workspaces/{slug}/polls"


# ---- schemas ---------------------------------------------------------------------------------


class PollOut(Schema):
    id: int
    title: str
    description: str
    status: str
    campaign_id: int | None
    account_ids: list[int]
    keyword_account_id: int | None
    opens_at: dt.datetime | None
    closes_at: dt.datetime | None
    one_per_device: bool
    public_path: str = Field(description="the public page fans answer on")
    responses: int
    created_at: dt.datetime


class PollIn(Schema):
    title: str = Field(..., max_length=150)
    description: str = Field("", max_length=4000)
    campaign_id: Id | None = None
    account_ids: list[Id] = Field(default_factory=list, max_length=50)
    keyword_account_id: Id | None = Field(None, description="fans of this account answer by keyword replies")
    opens_at: dt.datetime | None = None
    closes_at: dt.datetime | None = None
    one_per_device: bool = True


class PollPatch(Schema):
    title: str | None = Field(None, max_length=150)
    description: str | None = Field(None, max_length=4000)
    campaign_id: Id | None = None
    account_ids: list[Id] | None = Field(None, max_length=50)
    keyword_account_id: Id | None = None
    opens_at: dt.datetime | None = None
    closes_at: dt.datetime | None = None
    one_per_device: bool | None = None
    status: str | None = Field(None, max_length=10, description="open or closed")


class PollChoiceIn(Schema):
    label: str = Field(..., max_length=150)
    keyword: str = Field("", max_length=20)


class PollChoiceOut(Schema):
    id: int
    label: str
    keyword: str


class PollQuestionOut(Schema):
    id: int
    position: int
    kind: str
    text: str
    required: bool
    scale_min: int
    scale_max: int
    choices: list[PollChoiceOut]


class PollQuestionIn(Schema):
    kind: str = Field(..., max_length=10, description="single, multiple, scale or text")
    text: str = Field(..., max_length=300)
    required: bool = True
    scale_min: int = Field(1, ge=-10, le=10)
    scale_max: int = Field(5, ge=-10, le=10)
    choices: list[PollChoiceIn] = Field(default_factory=list, max_length=50)


class PollQuestionPatch(Schema):
    kind: str | None = Field(None, max_length=10)
    text: str | None = Field(None, max_length=300)
    required: bool | None = None
    scale_min: int | None = Field(None, ge=-10, le=10)
    scale_max: int | None = Field(None, ge=-10, le=10)
    position: int | None = Field(None, ge=0, le=1000)
    choices: list[PollChoiceIn] | None = Field(None, max_length=50)


class PollAnswerOut(Schema):
    question_id: int
    choice_id: int | None
    scale_value: int | None
    text: str
    sentiment: str
    intent: str
    tags: list[str]


class PollResponseOut(Schema):
    id: int
    channel: str
    submitted_at: dt.datetime
    person_id: int | None
    answers: list[PollAnswerOut]


class PollResultsOut(Schema):
    poll_id: int
    responses: int
    by_channel: dict[str, int]
    days: list[dict[str, Any]]
    questions: list[dict[str, Any]]


# ---- helpers ---------------------------------------------------------------------------------


def _poll_out(poll: Poll) -> dict[str, Any]:
    return {
        "id": poll.pk,
        "title": poll.title,
        "description": poll.description,
        "status": poll.status,
        "campaign_id": poll.campaign_id,
        "account_ids": sorted(a.pk for a in poll.accounts.all()),
        "keyword_account_id": poll.keyword_account_id,
        "opens_at": poll.opens_at,
        "closes_at": poll.closes_at,
        "one_per_device": poll.one_per_device,
        "public_path": reverse("poll_public", kwargs={"token": poll.token}),
        "responses": getattr(poll, "response_count", None) or poll.responses.count(),
        "created_at": poll.created_at,
    }


def _question_out(q: PollQuestion) -> dict[str, Any]:
    return {
        "id": q.pk,
        "position": q.position,
        "kind": q.kind,
        "text": q.text,
        "required": q.required,
        "scale_min": q.scale_min,
        "scale_max": q.scale_max,
        "choices": [{"id": c.pk, "label": c.label, "keyword": c.keyword} for c in q.choices.all()],
    }


def _response_out(r: PollResponse) -> dict[str, Any]:
    return {
        "id": r.pk,
        "channel": r.channel,
        "submitted_at": r.submitted_at,
        "person_id": r.person_id,
        "answers": [
            {
                "question_id": a.question_id,
                "choice_id": a.choice_id,
                "scale_value": a.scale_value,
                "text": a.text,
                "sentiment": a.sentiment,
                "intent": a.intent,
                "tags": list(a.tags or []),
            }
            for a in r.answers.all()
        ],
    }


def _aware(workspace: Workspace, value: dt.datetime | None) -> dt.datetime | None:
    """A time without a zone is the workspace's local time."""
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value, workspace.tz)
    return value


def _poll_fields(workspace: Workspace, data: dict[str, Any]) -> dict[str, Any]:
    """Service fields from the payload: ids to rows of this workspace (another's: a refusal naming the field)."""
    out: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for key, value in data.items():
        if key == "campaign_id":
            out["campaign"] = (
                Campaign.objects.filter(workspace=workspace, pk=value).first() if value else None
            )
            if value and out["campaign"] is None:
                errors["campaign_id"] = [_("Not found.")]
        elif key == "keyword_account_id":
            found = SocialAccount.objects.filter(workspace=workspace, pk=value).first() if value else None
            out["keyword_account"] = found
            if value and found is None:
                errors["keyword_account_id"] = [_("Not found.")]
        elif key == "account_ids":
            rows = list(SocialAccount.objects.filter(workspace=workspace, pk__in=value or []))
            if len(rows) != len(set(value or [])):
                errors["account_ids"] = [_("Not found.")]
            out["accounts"] = rows
        elif key in ("opens_at", "closes_at"):
            out[key] = _aware(workspace, value)
        else:
            out[key] = value
    if errors:
        raise ValidationError(errors)
    return out


def _given(payload: Schema, *nullable: str) -> dict[str, Any]:
    """The fields the client sent; null only where it means "none"."""
    return {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None or k in nullable}


# ---- polls -----------------------------------------------------------------------------------


@router.get(BASE, response=list[PollOut], summary="The workspace's polls, newest first (status narrows them)")
@paginate
def poll_list(request: HttpRequest, slug: str, status: str = Query("", max_length=10)) -> Any:
    rows = sel.poll_list(workspace=api_workspace(request, slug), user=request.user, status=status)
    return MappedPage(rows.prefetch_related("accounts"), _poll_out)


@router.post(BASE, response={201: PollOut}, summary="A new poll, in draft")
def poll_create(request: HttpRequest, slug: str, payload: PollIn) -> Status[dict[str, Any]]:
    workspace = api_workspace(request, slug)
    poll = svc.poll_create(workspace=workspace, actor=request.user, **_poll_fields(workspace, payload.dict()))
    return Status(201, _poll_out(poll))


@router.get(f"{BASE}/{{int:poll_id}}", response=PollOut)
def poll_detail(request: HttpRequest, slug: str, poll_id: int = RowId) -> dict[str, Any]:
    _workspace, poll = api_object(request, slug, sel.poll_get, poll_id=poll_id)
    return _poll_out(poll)


@router.patch(
    f"{BASE}/{{int:poll_id}}",
    response=PollOut,
    summary="Change a poll; status open or closed opens or closes it",
)
def poll_patch(request: HttpRequest, slug: str, payload: PollPatch, poll_id: int = RowId) -> dict[str, Any]:
    workspace, poll = api_object(request, slug, sel.poll_get, poll_id=poll_id)
    given = _given(payload, "campaign_id", "keyword_account_id", "opens_at", "closes_at")
    status = given.pop("status", None)
    if given:
        poll = svc.poll_update(
            workspace=workspace, actor=request.user, poll=poll, **_poll_fields(workspace, given)
        )
    if status is not None:
        poll = svc.poll_set_status(workspace=workspace, actor=request.user, poll=poll, status=status)
    return _poll_out(sel.poll_get(workspace=workspace, user=request.user, poll_id=poll.pk))


@router.delete(f"{BASE}/{{int:poll_id}}", response={204: None})
def poll_delete(request: HttpRequest, slug: str, poll_id: int = RowId) -> Status[None]:
    workspace, poll = api_object(request, slug, sel.poll_get, poll_id=poll_id)
    svc.poll_delete(workspace=workspace, actor=request.user, poll=poll)
    return Status(204, None)


# ---- questions -------------------------------------------------------------------------------


@router.get(f"{BASE}/{{int:poll_id}}/questions", response=list[PollQuestionOut])
def question_list(request: HttpRequest, slug: str, poll_id: int = RowId) -> list[dict[str, Any]]:
    _workspace, poll = api_object(request, slug, sel.poll_get, poll_id=poll_id)
    return [_question_out(q) for q in sel.public_questions(poll)]


@router.post(
    f"{BASE}/{{int:poll_id}}/questions",
    response={201: PollQuestionOut},
    summary="Add a question (refused once the poll has responses)",
)
def question_create(
    request: HttpRequest, slug: str, payload: PollQuestionIn, poll_id: int = RowId
) -> Status[dict[str, Any]]:
    workspace, poll = api_object(request, slug, sel.poll_get, poll_id=poll_id)
    data = payload.dict()
    data["choices"] = [(c["label"], c["keyword"]) for c in data["choices"]]
    question = svc.question_create(workspace=workspace, actor=request.user, poll=poll, **data)
    return Status(201, _question_out(question))


@router.patch(f"{BASE}/{{int:poll_id}}/questions/{{int:question_id}}", response=PollQuestionOut)
def question_patch(
    request: HttpRequest,
    slug: str,
    payload: PollQuestionPatch,
    poll_id: int = RowId,
    question_id: int = RowId,
) -> dict[str, Any]:
    workspace, poll = api_object(request, slug, sel.poll_get, poll_id=poll_id)
    question = sel.question_get(workspace=workspace, user=request.user, poll=poll, question_id=question_id)
    given = _given(payload)
    if "choices" in given:
        given["choices"] = [(c["label"], c["keyword"]) for c in given["choices"]]
    question = svc.question_update(workspace=workspace, actor=request.user, question=question, **given)
    return _question_out(question)


@router.delete(f"{BASE}/{{int:poll_id}}/questions/{{int:question_id}}", response={204: None})
def question_delete(
    request: HttpRequest, slug: str, poll_id: int = RowId, question_id: int = RowId
) -> Status[None]:
    workspace, poll = api_object(request, slug, sel.poll_get, poll_id=poll_id)
    question = sel.question_get(workspace=workspace, user=request.user, poll=poll, question_id=question_id)
    svc.question_delete(workspace=workspace, actor=request.user, question=question)
    return Status(204, None)


# ---- results and responses -------------------------------------------------------------------


@router.get(
    f"{BASE}/{{int:poll_id}}/results",
    response=PollResultsOut,
    summary="Counts per choice, scale averages and distributions, free-text answers with their tags",
)
def poll_results(request: HttpRequest, slug: str, poll_id: int = RowId) -> dict[str, Any]:
    workspace, poll = api_object(request, slug, sel.poll_get, poll_id=poll_id)
    results = sel.poll_results(workspace=workspace, user=request.user, poll=poll)
    results["days"] = [{"day": d["day"].isoformat(), "count": d["count"]} for d in results["days"]]
    for q in results["questions"]:
        for t in q.get("texts", []):
            t["submitted_at"] = t["submitted_at"].isoformat()
    return results


@router.get(
    f"{BASE}/{{int:poll_id}}/responses", response=list[PollResponseOut], summary="Responses, newest first"
)
@paginate
def response_list(request: HttpRequest, slug: str, poll_id: int = RowId) -> Any:
    workspace, poll = api_object(request, slug, sel.poll_get, poll_id=poll_id)
    return MappedPage(sel.response_list(workspace=workspace, user=request.user, poll=poll), _response_out)
