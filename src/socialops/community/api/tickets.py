"""API of the community app: member feedback tickets, their history, alerts and the resolution report."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.pagination import paginate

from socialops.core.pagination import MappedPage
from socialops.engagement.selectors import threads as thread_sel
from socialops.workspaces.api import api_object, api_workspace
from socialops.workspaces.models import Workspace

from ..models.events import Ticket, TicketAlert, TicketChange, TicketChannel
from ..selectors import tickets as sel
from ..services import tickets as svc

router = Router(tags=["community"])

MAX_ID = 2_147_483_647
TicketId = Path(..., ge=1, le=MAX_ID)
BASE = "/workspaces/{slug}/tickets"


class TicketOut(Schema):
    id: int
    title: str
    description: str
    category: str
    priority: str
    status: str
    channel: str
    person_id: int | None
    thread_id: int | None
    source_kind: str
    source_id: str
    assignee_id: int | None
    assignee: str | None
    due_at: dt.datetime
    resolved_at: dt.datetime | None
    overdue_at: dt.datetime | None
    created_at: dt.datetime


class TicketChangeOut(Schema):
    at: dt.datetime
    actor: str | None
    from_status: str
    to_status: str
    fields: list[str]
    note: str


class TicketDetailOut(TicketOut):
    history: list[TicketChangeOut]


class TicketIn(Schema):
    title: str = Field(..., max_length=150)
    description: str = Field("", max_length=10_000)
    category: str = Field(
        "question", max_length=10, description="question, complaint, suggestion, bug or other"
    )
    priority: str = Field("normal", max_length=10, description="urgent, high, normal or low")
    assignee: int | None = Field(None, ge=1, le=MAX_ID, description="a member's user id")
    thread_id: int | None = Field(None, ge=1, le=MAX_ID, description="the inbox thread it came from")
    source_kind: str = Field("", max_length=20, description="another source's kind, e.g. group")
    source_id: str = Field("", max_length=64)


class TicketPatch(Schema):
    status: str | None = Field(
        None, max_length=12, description="open, in_progress, waiting, resolved or closed"
    )
    assignee: int | None = Field(
        None, ge=0, le=MAX_ID, description="a member's user id; 0 takes it from its owner"
    )
    priority: str | None = Field(None, max_length=10)
    category: str | None = Field(None, max_length=10)
    note: str = Field("", max_length=1000)


class TicketAlertOut(Schema):
    id: int
    ticket_id: int
    detail: str
    created_at: dt.datetime
    read_at: dt.datetime | None


class TicketAlertReadIn(Schema):
    ids: list[int] | None = Field(None, max_length=500)


class TicketAlertReadOut(Schema):
    marked: int


class CategoryFiguresOut(Schema):
    category: str
    label: str
    opened: int
    resolved: int
    median_hours: float | None
    p90_hours: float | None


class TicketReportOut(Schema):
    days: int
    start: dt.datetime
    end: dt.datetime
    opened: int
    resolved: int
    overdue: int
    median_hours: float | None
    p90_hours: float | None
    categories: list[CategoryFiguresOut]


class TicketIdeaOut(Schema):
    id: int
    source: str
    source_id: str


def _ticket_out(t: Ticket) -> dict[str, Any]:
    return {
        "id": t.pk,
        "title": t.title,
        "description": t.description,
        "category": t.category,
        "priority": t.priority,
        "status": t.status,
        "channel": t.channel,
        "person_id": t.person_id,
        "thread_id": t.thread_id,
        "source_kind": t.source_kind,
        "source_id": t.source_id,
        "assignee_id": t.assignee_id,
        "assignee": t.assignee.get_username() if t.assignee else None,
        "due_at": t.due_at,
        "resolved_at": t.resolved_at,
        "overdue_at": t.overdue_at,
        "created_at": t.created_at,
    }


def _change_out(c: TicketChange) -> dict[str, Any]:
    return {
        "at": c.created_at,
        "actor": c.actor.get_username() if c.actor else None,
        "from_status": c.from_status,
        "to_status": c.to_status,
        "fields": list(c.fields or []),
        "note": c.note,
    }


def _alert_out(a: TicketAlert) -> dict[str, Any]:
    return {
        "id": a.pk,
        "ticket_id": a.ticket_id,
        "detail": a.detail,
        "created_at": a.created_at,
        "read_at": a.read_at,
    }


def _member(workspace: Workspace, user_id: int) -> Any:
    user = get_user_model().objects.filter(pk=user_id, memberships__workspace=workspace).first()
    if user is None:
        raise ValidationError({"assignee": [_("Choose a member who may work on tickets.")]})
    return user


@router.get(
    BASE, response=list[TicketOut], summary='Tickets, newest first (status "active": not resolved or closed)'
)
@paginate
def ticket_list(
    request: HttpRequest,
    slug: str,
    status: str = Query("", pattern="^(active|open|in_progress|waiting|resolved|closed)?$"),
    category: str = Query("", max_length=10),
    priority: str = Query("", max_length=10),
    assignee: int = Query(0, ge=0, le=MAX_ID),
    overdue: bool = Query(False),
    q: str = Query("", max_length=100),
) -> Any:
    rows = sel.ticket_list(
        workspace=api_workspace(request, slug),
        user=request.user,
        status=status,
        category=category,
        priority=priority,
        assignee_id=assignee or None,
        overdue=overdue,
        search=q,
    )
    return MappedPage(rows, _ticket_out)


@router.post(BASE, response={201: TicketOut}, summary="Open a ticket (by hand, or from an inbox thread)")
def ticket_create(request: HttpRequest, slug: str, payload: TicketIn) -> Status[dict[str, Any]]:
    workspace = api_workspace(request, slug)
    data = payload.dict()
    thread_id = data.pop("thread_id")
    thread = (
        thread_sel.thread_get(workspace=workspace, user=request.user, thread_id=thread_id)
        if thread_id
        else None
    )
    assignee_id = data.pop("assignee")
    ticket = svc.ticket_create(
        workspace=workspace,
        actor=request.user,
        channel=TicketChannel.INBOX if thread else TicketChannel.MANUAL,
        thread=thread,
        assignee=_member(workspace, assignee_id) if assignee_id else None,
        **data,
    )
    return Status(201, _ticket_out(ticket))


@router.get(
    f"{BASE}/report", response=TicketReportOut, summary="Resolution time by category (hours: median, p90)"
)
def ticket_report(
    request: HttpRequest, slug: str, days: int = Query(90, ge=1, le=sel.MAX_DAYS)
) -> dict[str, Any]:
    return sel.resolution_report(workspace=api_workspace(request, slug), user=request.user, days=days)


@router.get(
    f"{BASE}/alerts",
    response=list[TicketAlertOut],
    summary="The caller's overdue-ticket alerts, newest first",
)
@paginate
def ticket_alert_list(request: HttpRequest, slug: str, unread: bool = Query(True)) -> Any:
    rows = sel.ticket_alerts(
        workspace=api_workspace(request, slug), user=request.user, unread=True if unread else None
    )
    return MappedPage(rows, _alert_out)


@router.post(
    f"{BASE}/alerts/read",
    response=TicketAlertReadOut,
    summary="Mark the caller's overdue-ticket alerts read (all of them when no ids are given)",
)
def ticket_alert_read(request: HttpRequest, slug: str, payload: TicketAlertReadIn) -> dict[str, int]:
    workspace = api_workspace(request, slug)
    marked = svc.ticket_alert_mark_read(workspace=workspace, actor=request.user, alert_ids=payload.ids)
    return {"marked": marked}


@router.get(f"{BASE}/{{int:ticket_id}}", response=TicketDetailOut, summary="One ticket with its history")
def ticket_detail(request: HttpRequest, slug: str, ticket_id: int = TicketId) -> dict[str, Any]:
    workspace, ticket = api_object(request, slug, sel.ticket_get, ticket_id=ticket_id)
    history = sel.ticket_history(workspace=workspace, user=request.user, ticket=ticket)
    return {**_ticket_out(ticket), "history": [_change_out(c) for c in history]}


@router.patch(
    f"{BASE}/{{int:ticket_id}}", response=TicketOut, summary="Change status, assignee, priority or category"
)
def ticket_patch(
    request: HttpRequest, slug: str, payload: TicketPatch, ticket_id: int = TicketId
) -> dict[str, Any]:
    workspace, ticket = api_object(request, slug, sel.ticket_get, ticket_id=ticket_id)
    data = payload.dict(exclude_unset=True)
    note = data.pop("note", "")
    for name in ("status", "priority", "category"):
        if name in data and data[name] is None:
            data.pop(name)
    if "assignee" in data:
        data["assignee"] = _member(workspace, data["assignee"]) if data["assignee"] else None
    updated = svc.ticket_update(workspace=workspace, actor=request.user, ticket=ticket, note=note, **data)
    return _ticket_out(updated)


@router.post(
    f"{BASE}/{{int:ticket_id}}/idea",
    response=TicketIdeaOut,
    summary="Keep the ticket's feedback as an idea (once)",
)
def ticket_idea(request: HttpRequest, slug: str, ticket_id: int = TicketId) -> dict[str, Any]:
    workspace, ticket = api_object(request, slug, sel.ticket_get, ticket_id=ticket_id)
    idea = svc.ticket_keep_as_idea(workspace=workspace, actor=request.user, ticket=ticket)
    return {"id": idea.pk, "source": idea.source, "source_id": idea.source_id}
