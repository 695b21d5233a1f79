"""API of the engagement app: campaigns (with participation, reach and the goal's movement), topics and ideas."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.pagination import paginate

from socialops.core.pagination import MappedPage
from socialops.core.time import local_today
from socialops.review.services.transitions import status_label
from socialops.workspaces.access import user_can
from socialops.workspaces.api import api_object, api_workspace
from socialops.workspaces.roles import Perm

from ..models.campaigns import Campaign, Idea, IdeaSource, IdeaStatus, Topic
from ..presenters.campaigns import person_name
from ..selectors import campaigns as sel
from ..services import campaigns as svc
from ..services import ideas as idea_svc

router = Router(tags=["campaigns"])

MAX_ID = 2_147_483_647
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
RowId = Path(..., ge=1, le=MAX_ID)
BASE = "/workspaces/{slug}"
STATUS_PATTERN = "^(" + "|".join(IdeaStatus.values) + ")?$"
SOURCE_PATTERN = "^(" + "|".join(IdeaSource.values) + ")?$"


# ---- schemas ---------------------------------------------------------------------------------


class CampaignOut(Schema):
    id: int
    name: str
    description: str
    goal_id: int | None
    account_ids: list[int]
    start_date: dt.date
    end_date: dt.date
    budget: Decimal | None
    owner_id: int | None
    owner: str | None
    item_ids: list[int]
    state: str = Field(description="planned, running or finished")
    created_at: dt.datetime


class CampaignItemOut(Schema):
    id: int
    title: str
    status: str
    status_label: str


class CampaignGoalRowOut(Schema):
    goal_id: int
    metric: str
    before: float | None
    during: float | None
    change: float | None
    change_pct: float | None
    reason: str


class CampaignFiguresOut(Schema):
    people: int
    interactions: int
    per_day: list[dict[str, Any]] = Field(description="[{date, interactions, people}] over the period")
    posts: int
    reach: int
    impressions: int
    engagements: int
    before_start: dt.date | None
    before_end: dt.date | None
    during_start: dt.date | None
    during_end: dt.date | None
    goal: list[CampaignGoalRowOut]
    caveat: str
    reason: str


class CampaignDetailOut(CampaignOut):
    items: list[CampaignItemOut]
    figures: CampaignFiguresOut


class CampaignIn(Schema):
    name: str = Field(..., max_length=150)
    description: str = Field("", max_length=5000)
    goal_id: Id | None = None
    account_ids: list[Id] = Field(default_factory=list, max_length=100)
    start_date: dt.date
    end_date: dt.date
    budget: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    owner_id: Id | None = None
    item_ids: list[Id] = Field(default_factory=list, max_length=500)


class CampaignPatch(Schema):
    name: str | None = Field(None, max_length=150)
    description: str | None = Field(None, max_length=5000)
    goal_id: Id | None = None
    account_ids: list[Id] | None = Field(None, max_length=100)
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    budget: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    owner_id: Id | None = None
    item_ids: list[Id] | None = Field(None, max_length=500)


class TopicOut(Schema):
    id: int
    name: str
    campaign_id: int | None
    tags: dict[str, str] = Field(description="platform → tag as written there")
    fetched_at: dt.datetime | None


class TopicDetailOut(TopicOut):
    days: list[dt.date]
    mentions: list[int] = Field(description="comments and mentions on our accounts per day")
    public: list[int] = Field(description="public posts with the tag per day (Mastodon's hashtag timeline)")
    posts: list[int] = Field(description="our own posts with the tag per day")


class TopicIn(Schema):
    name: str = Field(..., max_length=100)
    campaign_id: Id | None = None
    tags: dict[str, str] = Field(..., description='e.g. {"weibo": "#星曜新品#", "mastodon": "#starlight"}')


class TopicPatch(Schema):
    name: str | None = Field(None, max_length=100)
    campaign_id: Id | None = None
    tags: dict[str, str] | None = None


class IdeaOut(Schema):
    id: int
    text: str
    source: str
    source_id: str
    status: str
    campaign_id: int | None
    person: str | None = Field(description="name with fans.identity, else the pseudonym")
    content_item_id: int | None
    product_owner_id: int | None
    sent_at: dt.datetime | None
    created_at: dt.datetime


class IdeaIn(Schema):
    text: str = Field(..., max_length=4000)
    campaign_id: Id | None = None


class IdeaContentIn(Schema):
    theme_id: Id
    form: str = Field("short_post", max_length=20)
    title: str = Field("", max_length=200)
    deadline: dt.date | None = Field(None, description="blank: an evergreen draft in the backlog")


class IdeaSendIn(Schema):
    owner_id: Id


# ---- helpers ---------------------------------------------------------------------------------


def _campaign_out(row: Campaign, today: dt.date | None = None) -> dict[str, Any]:
    return {
        "id": row.pk,
        "name": row.name,
        "description": row.description,
        "goal_id": row.goal_id,
        "account_ids": sorted(a.pk for a in row.accounts.all()),
        "start_date": row.start_date,
        "end_date": row.end_date,
        "budget": row.budget,
        "owner_id": row.owner_id,
        "owner": row.owner.get_username() if row.owner else None,
        "item_ids": sorted(row.items.values_list("pk", flat=True)),
        "state": sel.campaign_state(row, today or local_today(row.workspace)),
        "created_at": row.created_at,
    }


def _campaign_fields(data: dict[str, Any]) -> dict[str, Any]:
    """API names → service names (ids are resolved, and refused by field, by the service)."""
    renames = {"goal_id": "goal", "owner_id": "owner", "account_ids": "accounts", "item_ids": "items"}
    return {renames.get(k, k): v for k, v in data.items()}


def _given(payload: Schema, *nullable: str) -> dict[str, Any]:
    """The fields the client sent; null only where it means "none" (the others are ignored)."""
    return {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None or k in nullable}


def _topic_out(row: Topic) -> dict[str, Any]:
    return {
        "id": row.pk,
        "name": row.name,
        "campaign_id": row.campaign_id,
        "tags": dict(row.tags or {}),
        "fetched_at": row.fetched_at,
    }


def _idea_mapper(identify: bool) -> Any:
    def out(row: Idea) -> dict[str, Any]:
        return {
            "id": row.pk,
            "text": row.text,
            "source": row.source,
            "source_id": row.source_id,
            "status": row.status,
            "campaign_id": row.campaign_id,
            "person": person_name(row.person, identify) if row.person_id else None,
            "content_item_id": row.content_item_id,
            "product_owner_id": row.product_owner_id,
            "sent_at": row.sent_at,
            "created_at": row.created_at,
        }

    return out


def _identify(request: HttpRequest, workspace: Any) -> bool:
    return user_can(workspace=workspace, user=request.user, perm=Perm.FANS_IDENTITY)


# ---- campaigns -------------------------------------------------------------------------------


@router.get(f"{BASE}/campaigns", response=list[CampaignOut], summary="Campaigns, latest start first")
@paginate
def campaign_list(request: HttpRequest, slug: str, q: str = Query("", max_length=100)) -> Any:
    rows = sel.campaign_list(workspace=api_workspace(request, slug), user=request.user, search=q)
    return MappedPage(rows, _campaign_out)


@router.post(f"{BASE}/campaigns", response={201: CampaignOut}, summary="Plan a campaign")
def campaign_create(request: HttpRequest, slug: str, payload: CampaignIn) -> Status[dict[str, Any]]:
    workspace = api_workspace(request, slug)
    row = svc.campaign_create(workspace=workspace, actor=request.user, **_campaign_fields(payload.dict()))
    return Status(201, _campaign_out(row))


@router.get(
    f"{BASE}/campaigns/{{int:campaign_id}}",
    response=CampaignDetailOut,
    summary="One campaign with its items, participation, reach and the goal during vs before it",
)
def campaign_detail(request: HttpRequest, slug: str, campaign_id: int = RowId) -> dict[str, Any]:
    workspace, row = api_object(request, slug, sel.campaign_get, campaign_id=campaign_id)
    user = request.user
    participation = sel.campaign_participation(workspace=workspace, user=user, campaign=row)
    reach = sel.campaign_reach(workspace=workspace, user=user, campaign=row)
    movement = sel.campaign_goal_movement(workspace=workspace, user=user, campaign=row)
    window = movement.window
    return {
        **_campaign_out(row),
        "items": [
            {"id": i.pk, "title": i.title, "status": i.status, "status_label": status_label(i.status)}
            for i in row.items.order_by("pk")
        ],
        "figures": {
            "people": participation.people,
            "interactions": participation.interactions,
            "per_day": [
                {"date": d.isoformat(), "interactions": n, "people": p}
                for d, n, p in zip(
                    participation.days, participation.per_day, participation.people_per_day, strict=True
                )
            ],
            "posts": reach.posts,
            "reach": reach.reach,
            "impressions": reach.impressions,
            "engagements": reach.engagements,
            "before_start": window.before_start if window else None,
            "before_end": window.before_end if window else None,
            "during_start": window.during_start if window else None,
            "during_end": window.during_end if window else None,
            "goal": [
                {
                    "goal_id": r.goal.pk,
                    "metric": r.goal.metric,
                    "before": r.before,
                    "during": r.during,
                    "change": r.change,
                    "change_pct": r.change_pct,
                    "reason": r.reason,
                }
                for r in (window.rows if window else [])
            ],
            "caveat": movement.caveat,
            "reason": movement.reason,
        },
    }


@router.patch(f"{BASE}/campaigns/{{int:campaign_id}}", response=CampaignOut, summary="Change a campaign")
def campaign_patch(
    request: HttpRequest, slug: str, payload: CampaignPatch, campaign_id: int = RowId
) -> dict[str, Any]:
    workspace, row = api_object(request, slug, sel.campaign_get, campaign_id=campaign_id)
    fields = _campaign_fields(_given(payload, "goal_id", "owner_id", "budget"))
    return _campaign_out(svc.campaign_update(workspace=workspace, actor=request.user, campaign=row, **fields))


@router.delete(f"{BASE}/campaigns/{{int:campaign_id}}", response={204: None}, summary="Delete a campaign")
def campaign_delete(request: HttpRequest, slug: str, campaign_id: int = RowId) -> Status[None]:
    workspace, row = api_object(request, slug, sel.campaign_get, campaign_id=campaign_id)
    svc.campaign_delete(workspace=workspace, actor=request.user, campaign=row)
    return Status(204, None)


# ---- topics ----------------------------------------------------------------------------------


def _topic_fields(data: dict[str, Any]) -> dict[str, Any]:
    if "campaign_id" in data:
        data["campaign"] = data.pop("campaign_id")
    return data


@router.get(f"{BASE}/topics", response=list[TopicOut], summary="Topics with their tags per platform")
@paginate
def topic_list(request: HttpRequest, slug: str) -> Any:
    return MappedPage(sel.topic_list(workspace=api_workspace(request, slug), user=request.user), _topic_out)


@router.post(f"{BASE}/topics", response={201: TopicOut}, summary="Follow a topic")
def topic_create(request: HttpRequest, slug: str, payload: TopicIn) -> Status[dict[str, Any]]:
    workspace = api_workspace(request, slug)
    row = svc.topic_create(workspace=workspace, actor=request.user, **_topic_fields(payload.dict()))
    return Status(201, _topic_out(row))


@router.get(
    f"{BASE}/topics/{{int:topic_id}}",
    response=TopicDetailOut,
    summary="One topic with its mentions and posts per day over the last 30 days",
)
def topic_detail(request: HttpRequest, slug: str, topic_id: int = RowId) -> dict[str, Any]:
    workspace, row = api_object(request, slug, sel.topic_get, topic_id=topic_id)
    counts = sel.topic_counts(workspace=workspace, user=request.user, topic=row)
    return {
        **_topic_out(row),
        "days": counts.days,
        "mentions": counts.mentions,
        "public": counts.public,
        "posts": counts.posts,
    }


@router.patch(f"{BASE}/topics/{{int:topic_id}}", response=TopicOut, summary="Change a topic")
def topic_patch(
    request: HttpRequest, slug: str, payload: TopicPatch, topic_id: int = RowId
) -> dict[str, Any]:
    workspace, row = api_object(request, slug, sel.topic_get, topic_id=topic_id)
    fields = _topic_fields(_given(payload, "campaign_id"))
    return _topic_out(svc.topic_update(workspace=workspace, actor=request.user, topic=row, **fields))


@router.delete(f"{BASE}/topics/{{int:topic_id}}", response={204: None}, summary="Stop following a topic")
def topic_delete(request: HttpRequest, slug: str, topic_id: int = RowId) -> Status[None]:
    workspace, row = api_object(request, slug, sel.topic_get, topic_id=topic_id)
    svc.topic_delete(workspace=workspace, actor=request.user, topic=row)
    return Status(204, None)


# ---- ideas -----------------------------------------------------------------------------------


@router.get(
    f"{BASE}/ideas", response=list[IdeaOut], summary="Ideas, newest first, by status, source, campaign"
)
@paginate
def idea_list(
    request: HttpRequest,
    slug: str,
    status: str = Query("", pattern=STATUS_PATTERN, description="new, content, product or dismissed"),
    source: str = Query("", pattern=SOURCE_PATTERN, description="poll, inbox, ticket, group or manual"),
    campaign: int = Query(0, ge=0, le=MAX_ID),
    mine: bool = False,
) -> Any:
    workspace = api_workspace(request, slug)
    rows = sel.idea_list(
        workspace=workspace,
        user=request.user,
        status=status or "",
        source=source or "",
        campaign_id=campaign or None,
        mine=mine,
    )
    return MappedPage(rows, _idea_mapper(_identify(request, workspace)))


@router.post(f"{BASE}/ideas", response={201: IdeaOut}, summary="Write an idea down (source: manual)")
def idea_create(request: HttpRequest, slug: str, payload: IdeaIn) -> Status[dict[str, Any]]:
    workspace = api_workspace(request, slug)
    campaign = None
    if payload.campaign_id:
        campaign = sel.campaign_get(workspace=workspace, user=request.user, campaign_id=payload.campaign_id)
    row = idea_svc.idea_create(workspace=workspace, actor=request.user, text=payload.text, campaign=campaign)
    return Status(201, _idea_mapper(_identify(request, workspace))(row))


@router.get(f"{BASE}/ideas/{{int:idea_id}}", response=IdeaOut)
def idea_detail(request: HttpRequest, slug: str, idea_id: int = RowId) -> dict[str, Any]:
    workspace, row = api_object(request, slug, sel.idea_get, idea_id=idea_id)
    return _idea_mapper(_identify(request, workspace))(row)  # type: ignore[no-any-return]


@router.post(
    f"{BASE}/ideas/{{int:idea_id}}/content",
    response=IdeaOut,
    summary="Turn a new idea into a draft content item (it keeps the link)",
)
def idea_to_content(
    request: HttpRequest, slug: str, payload: IdeaContentIn, idea_id: int = RowId
) -> dict[str, Any]:
    workspace, row = api_object(request, slug, sel.idea_get, idea_id=idea_id)
    idea_svc.idea_to_content(
        workspace=workspace,
        actor=request.user,
        idea=row,
        theme=payload.theme_id,
        form=payload.form,
        title=payload.title,
        deadline=payload.deadline,
    )
    row.refresh_from_db()
    return _idea_mapper(_identify(request, workspace))(row)  # type: ignore[no-any-return]


@router.post(
    f"{BASE}/ideas/{{int:idea_id}}/send", response=IdeaOut, summary="Send a new idea to a product owner"
)
def idea_send(request: HttpRequest, slug: str, payload: IdeaSendIn, idea_id: int = RowId) -> dict[str, Any]:
    workspace, row = api_object(request, slug, sel.idea_get, idea_id=idea_id)
    row = idea_svc.idea_send_to_product(
        workspace=workspace, actor=request.user, idea=row, owner=payload.owner_id
    )
    return _idea_mapper(_identify(request, workspace))(row)  # type: ignore[no-any-return]


@router.post(f"{BASE}/ideas/{{int:idea_id}}/dismiss", response=IdeaOut, summary="Dismiss a new idea")
def idea_dismiss(request: HttpRequest, slug: str, idea_id: int = RowId) -> dict[str, Any]:
    workspace, row = api_object(request, slug, sel.idea_get, idea_id=idea_id)
    row = idea_svc.idea_dismiss(workspace=workspace, actor=request.user, idea=row)
    return _idea_mapper(_identify(request, workspace))(row)  # type: ignore[no-any-return]
