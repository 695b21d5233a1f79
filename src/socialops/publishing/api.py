"""API: schedule, reschedule, cancel, publish now; an item's publications with every attempt; the queue."""

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.pagination import paginate

from socialops.accounts.models import SocialAccount
from socialops.core.api import attribute, choice_label
from socialops.workspaces.api import api_object, api_select, api_workspace

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

    resolve_outcome_label = choice_label("outcome")


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

    resolve_item_title = attribute("item.title")
    resolve_account_handle = attribute("account.handle")
    resolve_state_label = choice_label("state")

    @staticmethod
    def resolve_attempt_list(obj: Publication) -> list[object]:
        return list(obj.attempt_rows.all())


class ScheduleIn(Schema):
    account_id: int = Field(..., ge=1, le=2**53)
    due_at: dt.datetime


class RescheduleIn(Schema):
    due_at: dt.datetime


class MarkPublishedIn(Schema):
    url: str = ""


@router.get("/workspaces/{slug}/items/{item_id}/publications", response=list[PublicationOut])
@paginate
def item_publications(request: HttpRequest, slug: str, item_id: ObjectId):  # type: ignore[no-untyped-def]
    ws, item = api_object(request, slug, selectors.item_get, item_id=item_id)
    return selectors.publications_for_item(workspace=ws, user=request.user, item=item)


@router.post("/workspaces/{slug}/items/{item_id}/publications", response={201: PublicationOut})
def schedule(request: HttpRequest, slug: str, item_id: ObjectId, payload: ScheduleIn):  # type: ignore[no-untyped-def]
    ws, item = api_object(request, slug, selectors.item_get, item_id=item_id)
    account = get_object_or_404(SocialAccount, workspace=ws, pk=payload.account_id)
    pub = services.publication_schedule(
        workspace=ws, actor=request.user, item=item, account=account, due_at=payload.due_at
    )
    return Status(201, selectors.publication_get(workspace=ws, user=request.user, publication_id=pub.pk))


@router.post("/workspaces/{slug}/items/{item_id}/schedule-placements", response={201: list[PublicationOut]})
def schedule_placements(request: HttpRequest, slug: str, item_id: ObjectId):  # type: ignore[no-untyped-def]
    ws, item = api_object(request, slug, selectors.item_get, item_id=item_id)
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
    return api_select(request, slug, selectors.queue, section=section)


@router.get("/workspaces/{slug}/publications/{publication_id}", response=PublicationOut)
def publication_detail(request: HttpRequest, slug: str, publication_id: ObjectId):  # type: ignore[no-untyped-def]
    return api_select(request, slug, selectors.publication_get, publication_id=publication_id)


def _publication_act(
    request: HttpRequest, slug: str, publication_id: int, action: Callable[..., Any], **fields: Any
) -> Publication:
    """Run a publication service on the URL's publication; the publication as stored after it."""
    ws, pub = api_object(request, slug, selectors.publication_get, publication_id=publication_id)
    action(workspace=ws, actor=request.user, publication=pub, **fields)
    return selectors.publication_get(workspace=ws, user=request.user, publication_id=pub.pk)


@router.post("/workspaces/{slug}/publications/{publication_id}/reschedule", response=PublicationOut)
def reschedule(
    request: HttpRequest, slug: str, publication_id: ObjectId, payload: RescheduleIn
) -> Publication:
    return _publication_act(
        request, slug, publication_id, services.publication_reschedule, due_at=payload.due_at
    )


@router.post("/workspaces/{slug}/publications/{publication_id}/cancel", response=PublicationOut)
def cancel(request: HttpRequest, slug: str, publication_id: ObjectId) -> Publication:
    return _publication_act(request, slug, publication_id, services.publication_cancel)


@router.post("/workspaces/{slug}/publications/{publication_id}/publish-now", response=PublicationOut)
def publish_now(request: HttpRequest, slug: str, publication_id: ObjectId) -> Publication:
    return _publication_act(request, slug, publication_id, services.publication_publish_now)


@router.post("/workspaces/{slug}/publications/{publication_id}/mark-published", response=PublicationOut)
def mark_published(
    request: HttpRequest, slug: str, publication_id: ObjectId, payload: MarkPublishedIn
) -> Publication:
    """A person checked the platform: a failed or unknown publication did go out (never re-sent)."""
    return _publication_act(
        request, slug, publication_id, services.publication_mark_published, url=payload.url
    )


class AlertOut(Schema):
    id: int
    account_id: int
    account_handle: str
    connection_status: str
    message: str
    created_at: dt.datetime
    read_at: dt.datetime | None

    resolve_account_handle = attribute("account.handle")

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
    return api_select(request, slug, selectors.alert_list, unread=unread)


@router.post("/workspaces/{slug}/publishing/alerts/read-all", response=AlertCountOut)
def alert_read_all(request: HttpRequest, slug: str) -> dict[str, int]:
    ws = api_workspace(request, slug)
    return {"count": services.alerts_mark_all_read(workspace=ws, actor=request.user)}


@router.post("/workspaces/{slug}/publishing/alerts/{alert_id}/read", response=AlertOut)
def alert_read(request: HttpRequest, slug: str, alert_id: ObjectId):  # type: ignore[no-untyped-def]
    ws, alert = api_object(request, slug, selectors.alert_get, alert_id=alert_id)
    return services.alert_mark_read(workspace=ws, actor=request.user, alert=alert)
