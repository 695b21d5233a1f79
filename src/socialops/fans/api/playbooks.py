"""API of the fans app: playbooks, their (dry) runs and what each run did for whom."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Path, Router, Schema, Status
from ninja.pagination import paginate

from socialops.core.pagination import MappedPage
from socialops.workspaces.access import ensure_perm, user_can
from socialops.workspaces.api import api_object, api_workspace
from socialops.workspaces.roles import Perm
from socialops.workspaces.selectors import member_rows

from ..models import PlaybookAction, PlaybookRun, Segment
from ..presenters.coupons import action_label, action_sentence
from ..selectors import playbooks as sel
from ..services import playbooks as svc

router = Router(tags=["fans"])

MAX_ID = 2_147_483_647
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
PlaybookId = Path(..., ge=1, le=MAX_ID)
Hour = Annotated[int, Field(ge=0, le=23)]


class PlaybookActionSpec(Schema):
    type: str = Field(..., max_length=20, description="coupon, tag, message or assign")
    campaign: Id | None = None
    tag: str | None = Field(None, max_length=30)
    item: Id | None = None
    user: Id | None = None


class FansPlaybookOut(Schema):
    id: int
    name: str
    segment_id: int
    trigger: str
    every_days: int
    at_hour: int
    actions: list[dict[str, Any]]
    cap_per_person: int
    cap_days: int
    quiet_start: int
    quiet_end: int
    enabled: bool
    last_run_at: dt.datetime | None


class FansPlaybookIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    segment_id: Id
    trigger: str = Field("enter", max_length=10)
    every_days: int = Field(7, ge=1, le=365)
    at_hour: Hour = 10
    actions: list[PlaybookActionSpec] = Field(..., min_length=1, max_length=10)
    cap_per_person: int = Field(1, ge=0, le=100)
    cap_days: int = Field(30, ge=1, le=365)
    quiet_start: Hour = 22
    quiet_end: Hour = 8
    enabled: bool = True


class FansPlaybookPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    segment_id: Id | None = None
    trigger: str | None = Field(None, max_length=10)
    every_days: int | None = Field(None, ge=1, le=365)
    at_hour: Hour | None = None
    actions: list[PlaybookActionSpec] | None = Field(None, min_length=1, max_length=10)
    cap_per_person: int | None = Field(None, ge=0, le=100)
    cap_days: int | None = Field(None, ge=1, le=365)
    quiet_start: Hour | None = None
    quiet_end: Hour | None = None
    enabled: bool | None = None


class FansPlaybookRunIn(Schema):
    dry_run: bool = False


class FansPlaybookActionOut(Schema):
    person_id: int
    person: str
    action_type: str
    action_label: str
    status: str
    detail: dict[str, Any]
    summary: str


class FansPlaybookRunOut(Schema):
    id: int
    playbook_id: int
    dry_run: bool
    created_at: dt.datetime
    finished_at: dt.datetime | None
    counts: dict[str, Any]


class FansPlaybookRunDetailOut(FansPlaybookRunOut):
    actions: list[FansPlaybookActionOut]


# ---- helpers ---------------------------------------------------------------------------------


def _service_fields(request: HttpRequest, workspace: Any, data: dict[str, Any]) -> dict[str, Any]:
    if "segment_id" in data:
        data["segment"] = get_object_or_404(
            member_rows(Segment, workspace=workspace, user=request.user), pk=data.pop("segment_id")
        )
    if "actions" in data:
        data["actions"] = [{k: v for k, v in a.items() if v is not None} for a in data["actions"]]
    return data


def _run_out(run: PlaybookRun) -> dict[str, Any]:
    return {
        "id": run.pk,
        "playbook_id": run.playbook_id,
        "dry_run": run.dry_run,
        "created_at": run.created_at,
        "finished_at": run.finished_at,
        "counts": run.counts,
    }


def _action_out(request: HttpRequest, workspace: Any, action: PlaybookAction) -> dict[str, Any]:
    identity = user_can(workspace=workspace, user=request.user, perm=Perm.FANS_IDENTITY)
    person = action.person
    return {
        "person_id": person.pk,
        "person": (person.display_name or person.pseudonym) if identity else person.pseudonym,
        "action_type": action.action_type,
        "action_label": action_label(action.action_type),
        "status": action.status,
        "detail": action.detail,
        "summary": action_sentence(action.action_type, action.status, action.detail),
    }


def _run_detail(request: HttpRequest, workspace: Any, run: PlaybookRun) -> dict[str, Any]:
    actions = sel.run_actions(workspace=workspace, user=request.user, run=run)
    return {**_run_out(run), "actions": [_action_out(request, workspace, a) for a in actions[:1000]]}


# ---- playbooks -------------------------------------------------------------------------------


@router.get("/workspaces/{slug}/fans/playbooks", response=list[FansPlaybookOut], summary="Playbooks")
@paginate
def playbook_list(request: HttpRequest, slug: str) -> Any:
    return sel.playbook_list(workspace=api_workspace(request, slug), user=request.user)


@router.post("/workspaces/{slug}/fans/playbooks", response={201: FansPlaybookOut})
def playbook_create(request: HttpRequest, slug: str, payload: FansPlaybookIn) -> Status[Any]:
    workspace = api_workspace(request, slug)
    ensure_perm(workspace=workspace, user=request.user, perm=Perm.FANS_EDIT)
    fields = _service_fields(request, workspace, payload.dict())
    return Status(201, svc.playbook_create(workspace=workspace, actor=request.user, **fields))


@router.get("/workspaces/{slug}/fans/playbooks/{int:playbook_id}", response=FansPlaybookOut)
def playbook_detail(request: HttpRequest, slug: str, playbook_id: int = PlaybookId) -> Any:
    _workspace, playbook = api_object(request, slug, sel.playbook_get, playbook_id=playbook_id)
    return playbook


@router.patch("/workspaces/{slug}/fans/playbooks/{int:playbook_id}", response=FansPlaybookOut)
def playbook_patch(
    request: HttpRequest, slug: str, payload: FansPlaybookPatch, playbook_id: int = PlaybookId
) -> Any:
    workspace, playbook = api_object(request, slug, sel.playbook_get, playbook_id=playbook_id)
    ensure_perm(workspace=workspace, user=request.user, perm=Perm.FANS_EDIT)
    data = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    return svc.playbook_update(
        workspace=workspace,
        actor=request.user,
        playbook=playbook,
        **_service_fields(request, workspace, data),
    )


@router.delete("/workspaces/{slug}/fans/playbooks/{int:playbook_id}", response={204: None})
def playbook_delete(request: HttpRequest, slug: str, playbook_id: int = PlaybookId) -> Status[None]:
    workspace, playbook = api_object(request, slug, sel.playbook_get, playbook_id=playbook_id)
    svc.playbook_delete(workspace=workspace, actor=request.user, playbook=playbook)
    return Status(204, None)


@router.post(
    "/workspaces/{slug}/fans/playbooks/{int:playbook_id}/run",
    response={201: FansPlaybookRunDetailOut},
    summary="Run the playbook now, or dry-run it to list who would get what",
)
def playbook_run(
    request: HttpRequest, slug: str, payload: FansPlaybookRunIn, playbook_id: int = PlaybookId
) -> Status[dict[str, Any]]:
    workspace, playbook = api_object(request, slug, sel.playbook_get, playbook_id=playbook_id)
    run = svc.playbook_run(
        workspace=workspace, actor=request.user, playbook=playbook, dry_run=payload.dry_run
    )
    return Status(201, _run_detail(request, workspace, run))


@router.get("/workspaces/{slug}/fans/playbooks/{int:playbook_id}/runs", response=list[FansPlaybookRunOut])
@paginate
def playbook_run_list(request: HttpRequest, slug: str, playbook_id: int = PlaybookId) -> Any:
    workspace, playbook = api_object(request, slug, sel.playbook_get, playbook_id=playbook_id)
    return MappedPage(sel.playbook_runs(workspace=workspace, user=request.user, playbook=playbook), _run_out)


@router.get(
    "/workspaces/{slug}/fans/playbooks/{int:playbook_id}/runs/{int:run_id}", response=FansPlaybookRunDetailOut
)
def playbook_run_detail(
    request: HttpRequest, slug: str, playbook_id: int = PlaybookId, run_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict[str, Any]:
    workspace, playbook = api_object(request, slug, sel.playbook_get, playbook_id=playbook_id)
    run = sel.run_get(workspace=workspace, user=request.user, playbook=playbook, run_id=run_id)
    return _run_detail(request, workspace, run)
