"""API: scheduled reports — schedules (admins edit, members read), runs (history, run now) and their files."""

from __future__ import annotations

import datetime as dt
import urllib.parse
from typing import Any, Literal

from django.http import FileResponse, Http404, HttpRequest
from ninja import Router, Schema, Status

from socialops.workspaces.api import api_delete, api_object, api_select, api_workspace

from ..models import ReportRun, ReportSchedule
from ..selectors import reports as sel
from ..services import reports as svc

router = Router(tags=["insights"])

Template = Literal["weekly", "monthly", "campaign"]
Kind = Literal["wecom", "dingtalk", "feishu"]


class ReportRobotIn(Schema):
    kind: Kind
    url: str
    secret: str = ""


class ReportRobotOut(Schema):
    """A group robot as members see it: its kind and host (the address carries the robot's token)."""

    kind: str
    host: str
    signed: bool


class ReportScheduleIn(Schema):
    name: str = ""
    template: Template = "weekly"
    weekday: int = 1
    time: dt.time = dt.time(9, 0)
    recipients: list[str] = []
    robots: list[ReportRobotIn] = []
    enabled: bool = True


class ReportSchedulePatch(Schema):
    name: str | None = None
    template: Template | None = None
    weekday: int | None = None
    time: dt.time | None = None
    recipients: list[str] | None = None
    robots: list[ReportRobotIn] | None = None
    enabled: bool | None = None


class ReportScheduleOut(Schema):
    """A report schedule: template, weekday (1 = Monday) and local time, recipients, robots."""

    id: int
    name: str
    template: str
    weekday: int
    # "HH:MM" in the workspace's time zone (JSON Schema's "time" format wants an offset).
    time: str
    timezone: str
    recipients: list[str]
    robots: list[ReportRobotOut]
    enabled: bool
    created_at: dt.datetime


class ReportRunIn(Schema):
    template: Template = "weekly"
    schedule_id: int | None = None
    period_from: dt.date | None = None
    period_to: dt.date | None = None


class ReportRunOut(Schema):
    """A report run: its period, state, the error if it failed, its files' download addresses."""

    id: int
    schedule_id: int | None
    template: str
    period_from: dt.date
    period_to: dt.date
    trigger: str
    state: Literal["queued", "running", "done", "failed"]
    error: str
    delivery: dict[str, Any]
    created_at: dt.datetime
    finished_at: dt.datetime | None
    pdf_url: str | None
    xlsx_url: str | None


def _schedule_out(s: ReportSchedule) -> dict[str, Any]:
    return {
        "id": s.pk,
        "name": s.name,
        "template": s.template,
        "weekday": s.weekday,
        "time": f"{s.time:%H:%M}",
        "timezone": s.workspace.timezone,
        "recipients": s.recipients,
        "robots": [
            {
                "kind": r["kind"],
                "host": urllib.parse.urlsplit(r["url"]).hostname or "",
                "signed": bool(r.get("secret")),
            }
            for r in s.robots
        ],
        "enabled": s.enabled,
        "created_at": s.created_at,
    }


def _run_out(r: ReportRun) -> dict[str, Any]:
    base = f"/api/v1/workspaces/{r.workspace.slug}/insights/reports/runs/{r.pk}"
    return {
        "id": r.pk,
        "schedule_id": r.schedule_id,
        "template": r.template,
        "period_from": r.period_from,
        "period_to": r.period_to,
        "trigger": r.trigger,
        "state": r.state,
        "error": r.error,
        "delivery": r.delivery,
        "created_at": r.created_at,
        "finished_at": r.finished_at,
        "pdf_url": f"{base}/pdf" if r.pdf else None,
        "xlsx_url": f"{base}/xlsx" if r.xlsx else None,
    }


def _fields(payload: Schema) -> dict[str, Any]:
    data = payload.dict(exclude_none=True) if isinstance(payload, ReportSchedulePatch) else payload.dict()
    return data


@router.get(
    "/workspaces/{slug}/insights/reports/schedules",
    response=list[ReportScheduleOut],
    summary="Report schedules",
)
def schedule_list(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    return [_schedule_out(s) for s in api_select(request, slug, sel.schedule_list)]


@router.post(
    "/workspaces/{slug}/insights/reports/schedules",
    response={201: ReportScheduleOut},
    summary="Create a report schedule (administrators)",
)
def schedule_create(request: HttpRequest, slug: str, payload: ReportScheduleIn) -> Status[dict[str, Any]]:
    made = svc.schedule_create(workspace=api_workspace(request, slug), actor=request.user, **_fields(payload))
    return Status(201, _schedule_out(made))


@router.get(
    "/workspaces/{slug}/insights/reports/schedules/{schedule_id}",
    response=ReportScheduleOut,
    summary="One schedule",
)
def schedule_detail(request: HttpRequest, slug: str, schedule_id: int) -> dict[str, Any]:
    _ws, schedule = api_object(request, slug, sel.schedule_get, schedule_id=schedule_id)
    return _schedule_out(schedule)


@router.patch(
    "/workspaces/{slug}/insights/reports/schedules/{schedule_id}",
    response=ReportScheduleOut,
    summary="Change a schedule (administrators)",
)
def schedule_update(
    request: HttpRequest, slug: str, schedule_id: int, payload: ReportSchedulePatch
) -> dict[str, Any]:
    workspace, schedule = api_object(request, slug, sel.schedule_get, schedule_id=schedule_id)
    return _schedule_out(
        svc.schedule_update(workspace=workspace, actor=request.user, schedule=schedule, **_fields(payload))
    )


@router.delete(
    "/workspaces/{slug}/insights/reports/schedules/{schedule_id}",
    response={204: None},
    summary="Delete a schedule; its runs stay in the history (administrators)",
)
def schedule_delete(request: HttpRequest, slug: str, schedule_id: int) -> Status[None]:
    return api_delete(
        request, slug, sel.schedule_get, svc.schedule_delete, "schedule", schedule_id=schedule_id
    )


@router.get(
    "/workspaces/{slug}/insights/reports/runs",
    response=list[ReportRunOut],
    summary="Report runs, newest first",
)
def run_list(request: HttpRequest, slug: str, schedule_id: int | None = None) -> list[dict[str, Any]]:
    workspace = api_workspace(request, slug)
    schedule = (
        sel.schedule_get(workspace=workspace, user=request.user, schedule_id=schedule_id)
        if schedule_id
        else None
    )
    return [
        _run_out(r) for r in sel.run_list(workspace=workspace, user=request.user, schedule=schedule)[:200]
    ]


@router.post(
    "/workspaces/{slug}/insights/reports/runs",
    response={201: ReportRunOut},
    summary="Run a report now: a schedule's, or a template for a period (default: the last whole week or month)",
)
def run_request(request: HttpRequest, slug: str, payload: ReportRunIn) -> Status[dict[str, Any]]:
    workspace = api_workspace(request, slug)
    schedule = (
        sel.schedule_get(workspace=workspace, user=request.user, schedule_id=payload.schedule_id)
        if payload.schedule_id
        else None
    )
    run = svc.run_request(
        workspace=workspace,
        actor=request.user,
        template=payload.template,
        period_from=payload.period_from,
        period_to=payload.period_to,
        schedule=schedule,
    )
    return Status(201, _run_out(run))


@router.get(
    "/workspaces/{slug}/insights/reports/runs/{run_id}", response=ReportRunOut, summary="One report run"
)
def run_detail(request: HttpRequest, slug: str, run_id: int) -> dict[str, Any]:
    _ws, run = api_object(request, slug, sel.run_get, run_id=run_id)
    return _run_out(run)


def run_file(run: ReportRun, kind: str) -> FileResponse:
    """A run's PDF or workbook as a download (404 while it has none)."""
    field = run.pdf if kind == "pdf" else run.xlsx
    if not field:
        raise Http404
    content_type = "application/pdf" if kind == "pdf" else (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )  # fmt: skip
    name = (field.name or "").rsplit("/", 1)[-1]
    return FileResponse(field.open("rb"), content_type=content_type, as_attachment=True, filename=name)


@router.get(
    "/workspaces/{slug}/insights/reports/runs/{run_id}/{kind}",
    summary="Download a run's PDF or Excel workbook",
)
def run_download(request: HttpRequest, slug: str, run_id: int, kind: Literal["pdf", "xlsx"]) -> FileResponse:
    _ws, run = api_object(request, slug, sel.run_get, run_id=run_id)
    return run_file(run, kind)
