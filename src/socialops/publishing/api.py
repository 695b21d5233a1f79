"""API: schedule, reschedule, cancel, publish now; an item's publications with every attempt; the queue."""

import datetime as dt
from typing import Annotated, Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.pagination import paginate

from socialops.accounts.models import SocialAccount
from socialops.workspaces.api import api_workspace

from . import selectors, services
from .models import Publication, PublishingAlert

router = Router(tags=["publishing"])

ObjectId = Annotated[int, Path(ge=1, le=2**53)]


class AttemptOut(Schema):
    id: int
    mode: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    outcome: str
    outcome_label: str
    message: str
    http_status: int | None

    @staticmethod
    def resolve_outcome_label(obj: object) -> str:
        return str(obj.get_outcome_display())  # type: ignore[attr-defined]


class PublicationOut(Schema):
    id: int
    item_id: int
    item_title: str
    account_id: int
    account_handle: str
    due_at: dt.datetime
    state: str
    state_label: str
    version: int
    attempts: int
    next_attempt_at: dt.datetime | None
    external_id: str
    url: str
    published_at: dt.datetime | None
    last_error: str
    attempt_list: list[AttemptOut]

    @staticmethod
    def resolve_item_title(obj: Publication) -> str:
        return obj.item.title

    @staticmethod
    def resolve_account_handle(obj: Publication) -> str:
        return obj.account.handle

    @staticmethod
    def resolve_state_label(obj: Publication) -> str:
        return str(obj.get_state_display())

    @staticmethod
    def resolve_attempt_list(obj: Publication) -> list[object]:
        return list(obj.attempt_rows.all())


class ScheduleIn(Schema):
    account_id: int = Field(..., ge=1, le=2**53)
    due_at: dt.datetime


class RescheduleIn(Schema):
    due_at: dt.datetime


@router.get("/workspaces/{slug}/items/{item_id}/publications", response=list[PublicationOut])
@paginate
def item_publications(request: HttpRequest, slug: str, item_id: ObjectId):  # type: ignore[no-untyped-def]
    ws = api_workspace(request, slug)
    item = selectors.item_get(workspace=ws, user=request.user, item_id=item_id)
    return selectors.publications_for_item(workspace=ws, user=request.user, item=item)


@router.post("/workspaces/{slug}/items/{item_id}/publications", response={201: PublicationOut})
def schedule(request: HttpRequest, slug: str, item_id: ObjectId, payload: ScheduleIn):  # type: ignore[no-untyped-def]
    ws = api_workspace(request, slug)
    item = selectors.item_get(workspace=ws, user=request.user, item_id=item_id)
    account = get_object_or_404(SocialAccount, workspace=ws, pk=payload.account_id)
    pub = services.publication_schedule(
        workspace=ws, actor=request.user, item=item, account=account, due_at=payload.due_at
    )
    return Status(201, selectors.publication_get(workspace=ws, user=request.user, publication_id=pub.pk))


@router.post("/workspaces/{slug}/items/{item_id}/schedule-placements", response={201: list[PublicationOut]})
def schedule_placements(request: HttpRequest, slug: str, item_id: ObjectId):  # type: ignore[no-untyped-def]
    ws = api_workspace(request, slug)
    item = selectors.item_get(workspace=ws, user=request.user, item_id=item_id)
    made = services.schedule_item_placements(workspace=ws, actor=request.user, item=item)
    return Status(
        201, [selectors.publication_get(workspace=ws, user=request.user, publication_id=p.pk) for p in made]
    )


@router.get("/workspaces/{slug}/publications", response=list[PublicationOut])
@paginate
def queue(  # type: ignore[no-untyped-def]
    request: HttpRequest,
    slug: str,
    section: Query[Literal["due", "in_flight", "failed", "unknown"] | None] = None,  # type: ignore[type-arg]
):
    ws = api_workspace(request, slug)
    return selectors.queue(workspace=ws, user=request.user, section=section)


@router.get("/workspaces/{slug}/publications/{publication_id}", response=PublicationOut)
def publication_detail(request: HttpRequest, slug: str, publication_id: ObjectId):  # type: ignore[no-untyped-def]
    ws = api_workspace(request, slug)
    return selectors.publication_get(workspace=ws, user=request.user, publication_id=publication_id)


@router.post("/workspaces/{slug}/publications/{publication_id}/reschedule", response=PublicationOut)
def reschedule(request: HttpRequest, slug: str, publication_id: ObjectId, payload: RescheduleIn):  # type: ignore[no-untyped-def]
    ws = api_workspace(request, slug)
    pub = selectors.publication_get(workspace=ws, user=request.user, publication_id=publication_id)
    services.publication_reschedule(workspace=ws, actor=request.user, publication=pub, due_at=payload.due_at)
    return selectors.publication_get(workspace=ws, user=request.user, publication_id=pub.pk)


@router.post("/workspaces/{slug}/publications/{publication_id}/cancel", response=PublicationOut)
def cancel(request: HttpRequest, slug: str, publication_id: ObjectId):  # type: ignore[no-untyped-def]
    ws = api_workspace(request, slug)
    pub = selectors.publication_get(workspace=ws, user=request.user, publication_id=publication_id)
    services.publication_cancel(workspace=ws, actor=request.user, publication=pub)
    return selectors.publication_get(workspace=ws, user=request.user, publication_id=pub.pk)


@router.post("/workspaces/{slug}/publications/{publication_id}/publish-now", response=PublicationOut)
def publish_now(request: HttpRequest, slug: str, publication_id: ObjectId):  # type: ignore[no-untyped-def]
    ws = api_workspace(request, slug)
    pub = selectors.publication_get(workspace=ws, user=request.user, publication_id=publication_id)
    services.publication_publish_now(workspace=ws, actor=request.user, publication=pub)
    return selectors.publication_get(workspace=ws, user=request.user, publication_id=pub.pk)


class AlertOut(Schema):
    id: int
    account_id: int
    account_handle: str
    connection_status: str
    message: str
    created_at: dt.datetime
    read_at: dt.datetime | None

    @staticmethod
    def resolve_account_handle(obj: PublishingAlert) -> str:
        return obj.account.handle

    @staticmethod
    def resolve_connection_status(obj: PublishingAlert) -> str:
        connection = getattr(obj.account, "connection", None)
        return connection.status if connection is not None else ""


class AlertCountOut(Schema):
    count: int


@router.get(
    "/workspaces/{slug}/publishing/alerts",
    response=list[AlertOut],
    summary="My alerts about accounts that need attention (revoked authorisation), newest first",
)
@paginate
def alert_list(request: HttpRequest, slug: str, unread: bool | None = None):  # type: ignore[no-untyped-def]
    ws = api_workspace(request, slug)
    return selectors.alert_list(workspace=ws, user=request.user, unread=unread)


@router.post("/workspaces/{slug}/publishing/alerts/read-all", response=AlertCountOut)
def alert_read_all(request: HttpRequest, slug: str) -> dict[str, int]:
    ws = api_workspace(request, slug)
    return {"count": services.alerts_mark_all_read(workspace=ws, actor=request.user)}


@router.post("/workspaces/{slug}/publishing/alerts/{alert_id}/read", response=AlertOut)
def alert_read(request: HttpRequest, slug: str, alert_id: ObjectId):  # type: ignore[no-untyped-def]
    ws = api_workspace(request, slug)
    alert = selectors.alert_get(workspace=ws, user=request.user, alert_id=alert_id)
    return services.alert_mark_read(workspace=ws, actor=request.user, alert=alert)
