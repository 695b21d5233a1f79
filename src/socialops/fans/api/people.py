"""API: people (one profile across platforms), their timeline, merges, and PIPL export and erasure.

Members without Perm.FANS_IDENTITY get ``pseudonym`` wherever a name, handle, platform id or
customer id would be, exactly as on the pages.
"""

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from socialops.core.pagination import MappedPage
from socialops.workspaces.api import api_object, api_workspace
from socialops.workspaces.models import Workspace

from ..models import Person, PersonMerge
from ..presenters import people as pres
from ..selectors import people as sel
from ..services import merges as merge_svc
from ..services import privacy as privacy_svc

router = Router(tags=["fans"])

MAX_ID = 2_147_483_647
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


# ---- schemas ---------------------------------------------------------------------------------


class FanPersonOut(Schema):
    id: int
    pseudonym: str
    # The real name for members with fans.identity, the pseudonym for the others.
    name: str
    customer_id: str | None
    tier_id: int | None
    tier_name: str | None
    platforms: list[str]
    first_seen_at: dt.datetime | None
    last_active_at: dt.datetime | None
    interactions_30d: int
    interactions_90d: int
    orders_count: int
    total_spend: float
    last_order_at: dt.datetime | None
    rfm_recency: int | None
    rfm_frequency: int | None
    rfm_monetary: int | None
    expected_purchases_90d: float | None
    p_alive: float | None
    expected_value: float | None


class FanIdentityOut(Schema):
    id: int
    account_id: int
    account: str
    platform: str
    platform_label: str
    external_id: str | None
    union_id: str | None
    handle: str | None
    display_name: str | None
    is_following: bool
    followed_at: dt.datetime | None
    last_seen_at: dt.datetime | None


class FanInterestOut(Schema):
    tag: str
    source: str
    weight: float


class FanMergeOut(Schema):
    id: int
    into_id: int
    merged_person_id: int
    merged_pseudonym: str
    reason: str
    merged_at: dt.datetime
    undone_at: dt.datetime | None


class FanPersonDetailOut(FanPersonOut):
    fans: list[FanIdentityOut]
    interests: list[FanInterestOut]
    merges: list[FanMergeOut]


class FanTimelineEntryOut(Schema):
    kind: str
    id: int
    at: dt.datetime
    title: str
    detail: str
    author: str
    account: str


class FanPersonMergeIn(Schema):
    other: Id
    reason: str = Field("", max_length=200)


class FanPersonErasedOut(Schema):
    id: int
    pseudonym: str
    removed: dict[str, int]


# ---- helpers ---------------------------------------------------------------------------------


def _num(value: Any) -> float | None:
    return None if value is None else float(value)


def _person_out(person: Person, identify: bool) -> dict[str, Any]:
    return {
        "id": person.pk,
        "pseudonym": person.pseudonym,
        "name": pres.person_name(person, identify),
        "customer_id": (person.customer_id or None) if identify else None,
        "tier_id": person.tier_id,
        "tier_name": person.tier.name if person.tier_id and person.tier else None,
        "platforms": [code for code, _label in pres.platforms_of(person)],
        "first_seen_at": person.first_seen_at,
        "last_active_at": person.last_active_at,
        "interactions_30d": person.interactions_30d,
        "interactions_90d": person.interactions_90d,
        "orders_count": person.orders_count,
        "total_spend": float(person.total_spend),
        "last_order_at": person.last_order_at,
        "rfm_recency": person.rfm_recency,
        "rfm_frequency": person.rfm_frequency,
        "rfm_monetary": person.rfm_monetary,
        "expected_purchases_90d": person.expected_purchases_90d,
        "p_alive": person.p_alive,
        "expected_value": _num(person.expected_value),
    }


def _merge_out(merge: PersonMerge) -> dict[str, Any]:
    return {
        "id": merge.pk,
        "into_id": merge.into_id,
        "merged_person_id": merge.merged_person_id,
        "merged_pseudonym": f"#{merge.merged_person_id:06d}",
        "reason": merge.reason,
        "merged_at": merge.merged_at,
        "undone_at": merge.undone_at,
    }


def _detail(request: HttpRequest, workspace: Workspace, person_id: int) -> dict[str, Any]:
    person = sel.person_get(workspace=workspace, user=request.user, person_id=person_id)
    identify = sel.can_identify(workspace=workspace, user=request.user)
    interests = sel.person_interests(workspace=workspace, user=request.user, person=person)
    merges = sel.person_merges(workspace=workspace, user=request.user, person=person)
    return {
        **_person_out(person, identify),
        "fans": pres.fan_rows(person, identify),
        "interests": [{"tag": i.tag, "source": i.source, "weight": i.weight} for i in interests],
        "merges": [_merge_out(m) for m in merges],
    }


class _Timeline:
    """The merged timeline as a sequence @paginate can slice: each page is read on its own."""

    def __init__(self, request: HttpRequest, workspace: Workspace, person: Person) -> None:
        self.request, self.workspace, self.person = request, workspace, person
        self.identify = sel.can_identify(workspace=workspace, user=request.user)
        self._total: int | None = None

    def _slice(self, offset: int, limit: int) -> list[dict[str, Any]]:
        entries, self._total = sel.person_timeline_slice(
            workspace=self.workspace, user=self.request.user, person=self.person, offset=offset, limit=limit
        )
        return [{**pres.timeline_row(e, self.person, self.identify), "id": e.obj.pk} for e in entries]

    def __len__(self) -> int:
        if self._total is None:
            self._slice(0, 1)
        return self._total or 0

    def __getitem__(self, index: slice) -> list[dict[str, Any]]:
        start = index.start or 0
        stop = index.stop if index.stop is not None else start + 100
        return self._slice(start, max(stop - start, 1)) if stop > start else []


# ---- people ----------------------------------------------------------------------------------


@router.get(
    "/workspaces/{slug}/fans/people",
    response=list[FanPersonOut],
    summary="People (one profile across platforms), filtered and sorted like the fan list",
)
@paginate
def person_list(
    request: HttpRequest,
    slug: str,
    q: str = Query("", max_length=100),
    tier: int = Query(0, ge=0, le=MAX_ID),
    account: int = Query(0, ge=0, le=MAX_ID),
    platform: str = Query("", max_length=20),
    sort: str = Query(sel.SORT_VALUE, pattern="^(value|active|spend)$"),
) -> Any:
    workspace = api_workspace(request, slug)
    identify = sel.can_identify(workspace=workspace, user=request.user)
    qs = sel.person_list(
        workspace=workspace,
        user=request.user,
        q=q,
        tier=tier or None,
        account=account or None,
        platform=platform,
        sort=sort,
    )
    return MappedPage(qs, lambda p: _person_out(p, identify))


@router.get("/workspaces/{slug}/fans/people/{int:person_id}", response=FanPersonDetailOut)
def person_detail(
    request: HttpRequest, slug: str, person_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict[str, Any]:
    return _detail(request, api_workspace(request, slug), person_id)


@router.get(
    "/workspaces/{slug}/fans/people/{int:person_id}/timeline",
    response=list[FanTimelineEntryOut],
    summary="Interactions, orders, coupons and segment changes, newest first",
)
@paginate
def person_timeline(request: HttpRequest, slug: str, person_id: int = Path(..., ge=1, le=MAX_ID)) -> Any:
    workspace, person = api_object(request, slug, sel.person_get, person_id=person_id)
    return _Timeline(request, workspace, person)


@router.post("/workspaces/{slug}/fans/people/{int:person_id}/merge", response={201: FanMergeOut})
def person_merge(
    request: HttpRequest, slug: str, payload: FanPersonMergeIn, person_id: int = Path(..., ge=1, le=MAX_ID)
) -> Status[dict[str, Any]]:
    workspace, person = api_object(request, slug, sel.person_get, person_id=person_id)
    other = sel.person_get(workspace=workspace, user=request.user, person_id=payload.other)
    merge = merge_svc.person_merge(
        workspace=workspace, actor=request.user, keep=person, merge=other, reason=payload.reason
    )
    return Status(201, _merge_out(merge))


@router.post("/workspaces/{slug}/fans/people/merges/{int:merge_id}/undo", response=FanMergeOut)
def person_unmerge(
    request: HttpRequest, slug: str, merge_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict[str, Any]:
    workspace, merge = api_object(request, slug, sel.merge_get, merge_id=merge_id)
    merge_svc.person_unmerge(workspace=workspace, actor=request.user, merge_record=merge)
    merge.refresh_from_db()
    return _merge_out(merge)


@router.get(
    "/workspaces/{slug}/fans/people/{int:person_id}/export",
    response=dict[str, Any],
    summary="Everything held about the person (PIPL access request); admins only, audited",
)
def person_export(
    request: HttpRequest, slug: str, person_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict[str, Any]:
    workspace, person = api_object(request, slug, sel.person_get, person_id=person_id)
    return privacy_svc.person_export(workspace=workspace, actor=request.user, person=person)


@router.post(
    "/workspaces/{slug}/fans/people/{int:person_id}/erase",
    response=FanPersonErasedOut,
    summary="Erase the person and every row that names them (PIPL deletion request); admins only",
)
def person_erase(
    request: HttpRequest, slug: str, person_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict[str, Any]:
    workspace, person = api_object(request, slug, sel.person_get, person_id=person_id)
    person_id, pseudonym = person.pk, person.pseudonym
    removed = privacy_svc.person_erase(workspace=workspace, actor=request.user, person=person)
    return {"id": person_id, "pseudonym": pseudonym, "removed": removed}
