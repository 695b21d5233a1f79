"""API of the engagement app: lucky draws (rules, freeze, draw, winners and their notification, verification)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.pagination import paginate

from socialops.accounts.models import SocialAccount
from socialops.core.pagination import MappedPage
from socialops.fans.models import CouponCampaign, Segment
from socialops.fans.presenters.people import person_name
from socialops.fans.selectors.people import can_identify
from socialops.workspaces.api import api_object, api_workspace
from socialops.workspaces.models import Workspace
from socialops.workspaces.selectors import member_rows

from ..models.campaigns import Campaign
from ..models.draws import Draw, DrawEntrant, DrawStatus, DrawWinner
from ..presenters.draws import notice_sentence
from ..selectors import draws as sel
from ..services import draw_notices
from ..services import draws as svc

router = Router(tags=["draws"])

MAX_ID = 2_147_483_647
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
RowId = Path(..., ge=1, le=MAX_ID)
BASE = "/workspaces/{slug}/draws"
STATUS_PATTERN = "^(|" + "|".join(DrawStatus.values) + ")$"


# ---- schemas ---------------------------------------------------------------------------------


class DrawOut(Schema):
    id: int
    name: str
    prize: str
    winners_count: int
    status: str
    campaign_id: int | None
    coupon_campaign_id: int | None
    closes_at: dt.datetime
    account_ids: list[int]
    require_follow: bool
    keyword: str
    keyword_from: dt.datetime | None
    keyword_until: dt.datetime | None
    poll_id: int | None
    segment_id: int | None
    staff_identities: list[str]
    message: str
    seed_hash: str = Field(description="SHA-256 of the secret seed, published when the draw opens")
    entrants_hash: str = Field(description="SHA-256 of the canonical entrant list, set when it is frozen")
    seed: str = Field(description="the revealed seed (blank until the winners are drawn)")
    entrant_count: int
    frozen_at: dt.datetime | None
    drawn_at: dt.datetime | None
    public_url: str
    created_at: dt.datetime


class DrawIn(Schema):
    name: str = Field(..., max_length=150)
    prize: str = Field(..., max_length=2000)
    winners_count: int = Field(1, ge=1, le=svc.MAX_WINNERS)
    closes_at: dt.datetime
    campaign_id: Id | None = None
    coupon_campaign_id: Id | None = None
    account_ids: list[Id] = Field(default_factory=list, max_length=100)
    require_follow: bool = False
    keyword: str = Field("", max_length=50)
    keyword_from: dt.datetime | None = None
    keyword_until: dt.datetime | None = None
    poll_id: Id | None = None
    segment_id: Id | None = None
    staff_identities: list[str] = Field(default_factory=list, max_length=500)
    message: str | None = Field(None, max_length=1000)


class DrawPatch(Schema):
    name: str | None = Field(None, max_length=150)
    prize: str | None = Field(None, max_length=2000)
    winners_count: int | None = Field(None, ge=1, le=svc.MAX_WINNERS)
    closes_at: dt.datetime | None = None
    campaign_id: Id | None = None
    coupon_campaign_id: Id | None = None
    account_ids: list[Id] | None = Field(None, max_length=100)
    require_follow: bool | None = None
    keyword: str | None = Field(None, max_length=50)
    keyword_from: dt.datetime | None = None
    keyword_until: dt.datetime | None = None
    poll_id: Id | None = None
    segment_id: Id | None = None
    staff_identities: list[str] | None = Field(None, max_length=500)
    message: str | None = Field(None, max_length=1000)


class DrawEntrantOut(Schema):
    entrant_id: str
    pseudonym: str


class DrawWinnerOut(Schema):
    id: int
    rank: int
    entrant_id: str
    pseudonym: str
    person_id: int | None
    # The person's name for members with fans.identity, the pseudonym for the others.
    name: str
    notice: str = Field(description="pending, replied, manual or told")
    notice_text: str
    notice_note: str
    reply_id: int | None
    reply_status: str | None
    coupon_code: str | None = Field(description="only for members with fans.identity")
    notified_at: dt.datetime | None


class DrawNotifyOut(Schema):
    replied: int
    manual: int


class DrawVerificationOut(Schema):
    list_hash: str
    list_ok: bool | None
    seed_ok: bool | None
    winners: list[str]
    winners_ok: bool | None
    entrants: int
    ok: bool


# ---- helpers ---------------------------------------------------------------------------------


def _draw_out(draw: Draw) -> dict[str, Any]:
    return {
        **{
            f: getattr(draw, f)
            for f in (
                "id",
                "name",
                "prize",
                "winners_count",
                "status",
                "campaign_id",
                "coupon_campaign_id",
                "closes_at",
                "require_follow",
                "keyword",
                "keyword_from",
                "keyword_until",
                "poll_id",
                "segment_id",
                "message",
                "seed_hash",
                "entrants_hash",
                "entrant_count",
                "frozen_at",
                "drawn_at",
                "created_at",
            )  # fmt: skip
        },
        "account_ids": sorted(a.pk for a in draw.accounts.all()),
        "staff_identities": svc.staff_lines(draw.staff_identities),
        "seed": draw.revealed_seed,
        "public_url": sel.public_link(draw),
    }


def _winner_out(winner: DrawWinner, identify: bool) -> dict[str, Any]:
    person = winner.entrant.person
    return {
        "id": winner.pk,
        "rank": winner.rank,
        "entrant_id": winner.entrant.entrant_id,
        "pseudonym": winner.entrant.pseudonym,
        "person_id": person.pk if person is not None else None,
        "name": person_name(person, identify) if person is not None else "",
        "notice": winner.notice,
        "notice_text": notice_sentence(winner),
        "notice_note": winner.notice_note,
        "reply_id": winner.reply_id,
        "reply_status": winner.reply.status if winner.reply is not None else None,
        "coupon_code": winner.coupon.code if winner.coupon is not None and identify else None,
        "notified_at": winner.notified_at,
    }


def _rows(request: HttpRequest, workspace: Workspace, model: Any, ids: list[int]) -> list[Any]:
    rows = list(member_rows(model, workspace=workspace, user=request.user).filter(pk__in=ids))
    if len(rows) != len(set(ids)):
        raise Http404  # one of them is not this workspace's
    return rows


def _fields(request: HttpRequest, workspace: Workspace, data: dict[str, Any]) -> dict[str, Any]:
    """The schema's ids → this workspace's rows (another workspace's is a 404)."""
    for key, model in (
        ("campaign_id", Campaign),
        ("coupon_campaign_id", CouponCampaign),
        ("segment_id", Segment),
    ):
        if key in data:
            pk = data.pop(key)
            data[key.removesuffix("_id")] = (
                get_object_or_404(member_rows(model, workspace=workspace, user=request.user), pk=pk)
                if pk
                else None
            )
    if "account_ids" in data:
        data["accounts"] = _rows(request, workspace, SocialAccount, list(data.pop("account_ids") or []))
    if "staff_identities" in data:
        data["staff_identities"] = "\n".join(data["staff_identities"] or [])
    if data.get("message") is None:
        data.pop("message", None)
    return data


def _given(payload: Schema, *nullable: str) -> dict[str, Any]:
    """The fields the client sent; null only where it means "none" (the others are ignored)."""
    return {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None or k in nullable}


# ---- draws -----------------------------------------------------------------------------------


@router.get(BASE, response=list[DrawOut], summary="The workspace's lucky draws, latest close time first")
@paginate
def draw_list(
    request: HttpRequest, slug: str, status: str = Query("", pattern=STATUS_PATTERN, max_length=10)
) -> Any:
    rows = sel.draw_list(workspace=api_workspace(request, slug), user=request.user, status=status)
    return MappedPage(rows.prefetch_related("accounts"), _draw_out)


@router.post(
    BASE,
    response={201: DrawOut},
    summary="Open a lucky draw; its seed commitment (SHA-256 of a secret seed) is made at once",
)
def draw_create(request: HttpRequest, slug: str, payload: DrawIn) -> Status[dict[str, Any]]:
    workspace = api_workspace(request, slug)
    fields = _fields(request, workspace, payload.dict())
    return Status(201, _draw_out(svc.draw_create(workspace=workspace, actor=request.user, **fields)))


@router.get(f"{BASE}/{{int:draw_id}}", response=DrawOut)
def draw_detail(request: HttpRequest, slug: str, draw_id: int = RowId) -> dict[str, Any]:
    _workspace, draw = api_object(request, slug, sel.draw_get, draw_id=draw_id)
    return _draw_out(draw)


@router.patch(
    f"{BASE}/{{int:draw_id}}", response=DrawOut, summary="Change a draw's rules while it takes entries"
)
def draw_patch(request: HttpRequest, slug: str, payload: DrawPatch, draw_id: int = RowId) -> dict[str, Any]:
    workspace, draw = api_object(request, slug, sel.draw_get, draw_id=draw_id)
    given = _given(
        payload, "campaign_id", "coupon_campaign_id", "keyword_from", "keyword_until", "poll_id", "segment_id"
    )
    fields = _fields(request, workspace, given)
    return _draw_out(svc.draw_update(workspace=workspace, actor=request.user, draw=draw, **fields))


@router.delete(
    f"{BASE}/{{int:draw_id}}", response={204: None}, summary="Delete a draw that still takes entries"
)
def draw_delete(request: HttpRequest, slug: str, draw_id: int = RowId) -> Status[None]:
    workspace, draw = api_object(request, slug, sel.draw_get, draw_id=draw_id)
    svc.draw_delete(workspace=workspace, actor=request.user, draw=draw)
    return Status(204, None)


@router.post(
    f"{BASE}/{{int:draw_id}}/freeze",
    response=DrawOut,
    summary="Freeze the entrant list now and publish its SHA-256 (final)",
)
def draw_freeze(request: HttpRequest, slug: str, draw_id: int = RowId) -> dict[str, Any]:
    workspace, draw = api_object(request, slug, sel.draw_get, draw_id=draw_id)
    return _draw_out(svc.draw_freeze(workspace=workspace, actor=request.user, draw=draw))


@router.post(
    f"{BASE}/{{int:draw_id}}/draw",
    response=DrawOut,
    summary="Reveal the seed and draw the winners from the frozen list; telling them is queued",
)
def draw_run(request: HttpRequest, slug: str, draw_id: int = RowId) -> dict[str, Any]:
    workspace, draw = api_object(request, slug, sel.draw_get, draw_id=draw_id)
    return _draw_out(svc.draw_run(workspace=workspace, actor=request.user, draw=draw))


@router.post(
    f"{BASE}/{{int:draw_id}}/notify",
    response=DrawNotifyOut,
    summary="Tell the winners not told yet: an inbox reply, or marked to tell by hand; never twice",
)
def draw_notify(request: HttpRequest, slug: str, draw_id: int = RowId) -> dict[str, int]:
    workspace, draw = api_object(request, slug, sel.draw_get, draw_id=draw_id)
    counts = draw_notices.winners_notify(
        workspace=workspace, actor=request.user, draw=draw, link=sel.public_link(draw)
    )
    return {"replied": counts.get("replied", 0), "manual": counts.get("manual", 0)}


@router.get(
    f"{BASE}/{{int:draw_id}}/entrants",
    response=list[DrawEntrantOut],
    summary="The frozen entrant list in entrant-id order (the published list)",
)
@paginate
def draw_entrants(request: HttpRequest, slug: str, draw_id: int = RowId) -> Any:
    workspace, draw = api_object(request, slug, sel.draw_get, draw_id=draw_id)
    rows = sel.draw_entrants(workspace=workspace, user=request.user, draw=draw)

    def out(row: DrawEntrant) -> dict[str, Any]:
        return {"entrant_id": row.entrant_id, "pseudonym": row.pseudonym}

    return MappedPage(rows, out)


@router.get(
    f"{BASE}/{{int:draw_id}}/winners", response=list[DrawWinnerOut], summary="The winners in rank order"
)
def draw_winners(request: HttpRequest, slug: str, draw_id: int = RowId) -> list[dict[str, Any]]:
    workspace, draw = api_object(request, slug, sel.draw_get, draw_id=draw_id)
    identify = can_identify(workspace=workspace, user=request.user)
    return [
        _winner_out(w, identify) for w in sel.draw_winners(workspace=workspace, user=request.user, draw=draw)
    ]


@router.post(
    f"{BASE}/winners/{{int:winner_id}}/told",
    response=DrawWinnerOut,
    summary="Mark a winner told by hand (one the inbox could not reach)",
)
def draw_winner_told(request: HttpRequest, slug: str, winner_id: int = RowId) -> dict[str, Any]:
    workspace, winner = api_object(request, slug, sel.winner_get, winner_id=winner_id)
    told = draw_notices.winner_mark_told(workspace=workspace, actor=request.user, winner=winner)
    return _winner_out(told, can_identify(workspace=workspace, user=request.user))


@router.get(
    f"{BASE}/{{int:draw_id}}/verification",
    response=DrawVerificationOut,
    summary="Recompute the list hash and the winners from the published data",
)
def draw_verification(request: HttpRequest, slug: str, draw_id: int = RowId) -> dict[str, Any]:
    _workspace, draw = api_object(request, slug, sel.draw_get, draw_id=draw_id)
    result = sel.draw_verification(draw)
    return {
        "list_hash": result.list_hash,
        "list_ok": result.list_ok,
        "seed_ok": result.seed_ok,
        "winners": result.winners,
        "winners_ok": result.winners_ok,
        "entrants": result.entrants,
        "ok": result.ok,
    }
