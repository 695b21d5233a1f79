"""API of the community app: events, their registrations and check-in (tickets are in api/tickets.py).

Members without Perm.FANS_IDENTITY get the person's pseudonym wherever a registrant's name would be.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.pagination import paginate

from socialops.core.pagination import MappedPage
from socialops.engagement.models.campaigns import Campaign
from socialops.workspaces.access import user_can
from socialops.workspaces.api import api_object, api_workspace
from socialops.workspaces.models import Workspace
from socialops.workspaces.roles import Perm

from ..models.events import Event, Registration
from ..presenters.events import registrant_name
from ..selectors import events as sel
from ..services import events as svc
from .tickets import router as tickets_router

router = Router(tags=["community"])

MAX_ID = 2_147_483_647
EventId = Path(..., ge=1, le=MAX_ID)
RegistrationId = Path(..., ge=1, le=MAX_ID)
BASE = "/workspaces/{slug}/events"


class EventOut(Schema):
    id: int
    title: str
    description: str
    kind: str
    link: str
    venue: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int
    registration_opens_at: dt.datetime | None
    registration_closes_at: dt.datetime | None
    reminder_hours: int
    campaign_id: int | None
    status: str
    # The public registration page's path (under /p/).
    public_path: str


class EventFiguresOut(Schema):
    confirmed: int
    waiting: int
    cancelled: int
    checked_in: int
    left: int
    manual: int


class EventDetailOut(EventOut):
    figures: EventFiguresOut


class EventIn(Schema):
    title: str = Field(..., max_length=150)
    description: str = Field("", max_length=10_000)
    kind: str = Field("offline", max_length=10, description="online or offline")
    link: str = Field("", max_length=500)
    venue: str = Field("", max_length=300)
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int = Field(..., ge=1, le=100_000)
    registration_opens_at: dt.datetime | None = None
    registration_closes_at: dt.datetime | None = None
    reminder_hours: int = Field(24, ge=0, le=24 * 14)
    campaign_id: int | None = Field(None, ge=1, le=MAX_ID)
    status: str = Field("published", max_length=10, description="draft, published or cancelled")


class EventPatch(Schema):
    title: str | None = Field(None, max_length=150)
    description: str | None = Field(None, max_length=10_000)
    kind: str | None = Field(None, max_length=10)
    link: str | None = Field(None, max_length=500)
    venue: str | None = Field(None, max_length=300)
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None
    capacity: int | None = Field(None, ge=1, le=100_000)
    registration_opens_at: dt.datetime | None = None
    registration_closes_at: dt.datetime | None = None
    reminder_hours: int | None = Field(None, ge=0, le=24 * 14)
    campaign_id: int | None = Field(None, ge=1, le=MAX_ID)
    status: str | None = Field(None, max_length=10)


class RegistrationOut(Schema):
    id: int
    event_id: int
    person_id: int
    # The registrant's name for members with fans.identity, the person's pseudonym for the others.
    name: str
    status: str
    created_at: dt.datetime
    queued_at: dt.datetime | None
    promoted_at: dt.datetime | None
    cancelled_at: dt.datetime | None
    checked_in_at: dt.datetime | None
    reminder: str


class CheckinOut(Schema):
    registration: RegistrationOut
    # False when the registrant was already checked in (at registration.checked_in_at).
    first: bool


def _event_out(event: Event) -> dict[str, Any]:
    return {
        **{name: getattr(event, name) for name in svc.EVENT_FIELDS if name != "campaign"},
        "id": event.pk,
        "campaign_id": event.campaign_id,
        "public_path": f"/p/events/{event.token}/",
    }


def _registration_out(row: Registration, identity: bool) -> dict[str, Any]:
    return {
        "id": row.pk,
        "event_id": row.event_id,
        "person_id": row.person_id,
        "name": registrant_name(row, identity=identity),
        "status": row.status,
        "created_at": row.created_at,
        "queued_at": row.queued_at,
        "promoted_at": row.promoted_at,
        "cancelled_at": row.cancelled_at,
        "checked_in_at": row.checked_in_at,
        "reminder": row.reminder,
    }


def _identity(request: HttpRequest, workspace: Workspace) -> bool:
    return user_can(workspace=workspace, user=request.user, perm=Perm.FANS_IDENTITY)


def _fields(workspace: Workspace, data: dict[str, Any]) -> dict[str, Any]:
    """Schema fields as the service takes them (campaign_id → the workspace's campaign)."""
    if "campaign_id" in data:
        campaign_id = data.pop("campaign_id")
        campaign = None
        if campaign_id is not None:
            campaign = Campaign.objects.filter(workspace=workspace, pk=campaign_id).first()
            if campaign is None:
                raise ValidationError({"campaign_id": [_("Choose a campaign of this workspace.")]})
        data["campaign"] = campaign
    return data


@router.get(BASE, response=list[EventOut], summary="Events, latest start first (when: upcoming or past)")
@paginate
def event_list(request: HttpRequest, slug: str, when: str = Query("", pattern="^(upcoming|past)?$")) -> Any:
    rows = sel.event_list(workspace=api_workspace(request, slug), user=request.user, when=when)
    return MappedPage(rows, _event_out)


@router.post(BASE, response={201: EventOut}, summary="Create an event (online needs a link, offline a venue)")
def event_create(request: HttpRequest, slug: str, payload: EventIn) -> Status[dict[str, Any]]:
    workspace = api_workspace(request, slug)
    event = svc.event_create(workspace=workspace, actor=request.user, **_fields(workspace, payload.dict()))
    return Status(201, _event_out(event))


@router.get(f"{BASE}/{{int:event_id}}", response=EventDetailOut, summary="One event with its figures")
def event_detail(request: HttpRequest, slug: str, event_id: int = EventId) -> dict[str, Any]:
    workspace, event = api_object(request, slug, sel.event_get, event_id=event_id)
    figures = sel.event_figures(workspace=workspace, user=request.user, event=event)
    return {**_event_out(event), "figures": figures}


@router.patch(
    f"{BASE}/{{int:event_id}}",
    response=EventOut,
    summary="Change an event (more places move the wait list up)",
)
def event_patch(
    request: HttpRequest, slug: str, payload: EventPatch, event_id: int = EventId
) -> dict[str, Any]:
    workspace, event = api_object(request, slug, sel.event_get, event_id=event_id)
    data = payload.dict(exclude_unset=True)
    for name in ("title", "kind", "status", "starts_at", "ends_at", "capacity", "reminder_hours"):
        if name in data and data[name] is None:
            data.pop(name)
    for name in ("description", "link", "venue"):
        if name in data and data[name] is None:
            data[name] = ""
    updated = svc.event_update(
        workspace=workspace, actor=request.user, event=event, **_fields(workspace, data)
    )
    return _event_out(updated)


@router.get(
    f"{BASE}/{{int:event_id}}/registrations",
    response=list[RegistrationOut],
    summary="An event's registrations (status: confirmed, waitlisted — in wait-list order — or cancelled)",
)
@paginate
def registration_list(
    request: HttpRequest,
    slug: str,
    event_id: int = EventId,
    status: str = Query("", pattern="^(confirmed|waitlisted|cancelled)?$"),
    q: str = Query("", max_length=100),
) -> Any:
    workspace, event = api_object(request, slug, sel.event_get, event_id=event_id)
    identity = _identity(request, workspace)
    rows = sel.registrations(workspace=workspace, user=request.user, event=event, status=status, search=q)
    return MappedPage(rows, lambda r: _registration_out(r, identity))


@router.post(
    f"{BASE}/registrations/{{int:registration_id}}/checkin",
    response=CheckinOut,
    summary="Check a registrant in (first=false when they were already in)",
)
def registration_checkin(
    request: HttpRequest, slug: str, registration_id: int = RegistrationId
) -> dict[str, Any]:
    workspace, row = api_object(request, slug, sel.registration_get, registration_id=registration_id)
    row, first = svc.registration_checkin(workspace=workspace, actor=request.user, registration=row)
    return {"registration": _registration_out(row, _identity(request, workspace)), "first": first}


@router.post(
    f"{BASE}/registrations/{{int:registration_id}}/cancel",
    response=RegistrationOut,
    summary="Cancel a registration (the first on the wait list gets the place)",
)
def registration_cancel(
    request: HttpRequest, slug: str, registration_id: int = RegistrationId
) -> dict[str, Any]:
    workspace, row = api_object(request, slug, sel.registration_get, registration_id=registration_id)
    row = svc.registration_cancel(registration=row, actor=request.user)
    return _registration_out(row, _identity(request, workspace))


router.add_router("/", tickets_router)
