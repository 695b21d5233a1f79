"""API of the fans app: segments and tiers, the rule catalogue, live counts, refresh and size history."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from socialops.workspaces.access import ensure_perm
from socialops.workspaces.api import api_delete, api_object, api_workspace
from socialops.workspaces.roles import Perm

from .. import rules as rules_mod
from ..models import Segment
from ..selectors import segments as sel
from ..services import segments as svc

router = Router(tags=["fans"])

MAX_ID = 2_147_483_647


class FanSegmentOut(Schema):
    id: int
    name: str
    description: str
    kind: str
    kind_label: str
    rank: int
    rules: dict[str, Any]
    rules_text: str
    color: str
    size: int
    refreshed_at: dt.datetime | None


class FanSegmentIn(Schema):
    name: str = Field(..., min_length=1, max_length=60)
    rules: dict[str, Any]
    description: str = Field("", max_length=2000)
    kind: str = Field("segment", max_length=10)
    rank: int | None = Field(None, ge=0, le=1000)
    color: str = Field("", max_length=7)


class FanSegmentPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=60)
    rules: dict[str, Any] | None = None
    description: str | None = Field(None, max_length=2000)
    kind: str | None = Field(None, max_length=10)
    rank: int | None = Field(None, ge=0, le=1000)
    color: str | None = Field(None, max_length=7)


class FanSegmentCountIn(Schema):
    rules: dict[str, Any]


class FanSegmentCountOut(Schema):
    count: int


class FanSegmentRefreshOut(Schema):
    queued: bool


class FanSegmentFieldOut(Schema):
    key: str
    label: str
    type: str
    params: list[str]
    help: str
    ops: list[dict[str, Any]]
    choices: list[dict[str, Any]]


class FanSegmentSeriesOut(Schema):
    segment_id: int
    name: str
    sizes: list[int | None]


class FanSegmentHistoryOut(Schema):
    dates: list[dt.date]
    series: list[FanSegmentSeriesOut]


def _out(segment: Segment) -> dict[str, Any]:
    return {
        "id": segment.pk,
        "name": segment.name,
        "description": segment.description,
        "kind": segment.kind,
        "kind_label": segment.get_kind_display(),
        "rank": segment.rank,
        "rules": segment.rules,
        "rules_text": rules_mod.rules_describe(segment.rules),
        "color": segment.color,
        "size": segment.size,
        "refreshed_at": segment.refreshed_at,
    }


@router.get(
    "/workspaces/{slug}/fans/segments",
    response=list[FanSegmentOut],
    summary="Tiers (ladder order) and segments",
)
@paginate
def segment_list(request: HttpRequest, slug: str, kind: str = Query("", max_length=10)) -> Any:
    workspace = api_workspace(request, slug)
    return [_out(s) for s in sel.segment_list(workspace=workspace, user=request.user, kind=kind or None)]


@router.get(
    "/workspaces/{slug}/fans/segments/fields",
    response=list[FanSegmentFieldOut],
    summary="Fields rules can test",
)
@paginate
def segment_fields(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    return rules_mod.catalogue(workspace=api_workspace(request, slug))


@router.post("/workspaces/{slug}/fans/segments", response={201: FanSegmentOut})
def segment_create(request: HttpRequest, slug: str, payload: FanSegmentIn) -> Status[dict[str, Any]]:
    workspace = api_workspace(request, slug)
    segment = svc.segment_create(workspace=workspace, actor=request.user, **payload.dict())
    return Status(201, _out(segment))


@router.get("/workspaces/{slug}/fans/segments/{int:segment_id}", response=FanSegmentOut)
def segment_detail(
    request: HttpRequest, slug: str, segment_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict[str, Any]:
    _workspace, segment = api_object(request, slug, sel.segment_get, segment_id=segment_id)
    return _out(segment)


@router.patch("/workspaces/{slug}/fans/segments/{int:segment_id}", response=FanSegmentOut)
def segment_patch(
    request: HttpRequest, slug: str, payload: FanSegmentPatch, segment_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict[str, Any]:
    workspace, segment = api_object(request, slug, sel.segment_get, segment_id=segment_id)
    fields = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    svc.segment_update(workspace=workspace, actor=request.user, segment=segment, **fields)
    return _out(segment)


@router.delete("/workspaces/{slug}/fans/segments/{int:segment_id}", response={204: None})
def segment_delete(
    request: HttpRequest, slug: str, segment_id: int = Path(..., ge=1, le=MAX_ID)
) -> Status[None]:
    return api_delete(request, slug, sel.segment_get, svc.segment_delete, "segment", segment_id=segment_id)


@router.post(
    "/workspaces/{slug}/fans/segments/count",
    response=FanSegmentCountOut,
    summary="How many people rules match now",
)
def segment_count(request: HttpRequest, slug: str, payload: FanSegmentCountIn) -> dict[str, Any]:
    workspace = api_workspace(request, slug)
    # Counting is part of building segments: the same permission.
    ensure_perm(workspace=workspace, user=request.user, perm=Perm.FANS_EDIT)
    return {"count": svc.segment_preview_count(workspace=workspace, rules=payload.rules)}


@router.post(
    "/workspaces/{slug}/fans/segments/refresh",
    response={202: FanSegmentRefreshOut},
    summary="Refresh now (in the background)",
)
def segments_refresh(request: HttpRequest, slug: str) -> Status[dict[str, Any]]:
    workspace = api_workspace(request, slug)
    svc.segments_refresh_request(workspace=workspace, actor=request.user)
    return Status(202, {"queued": True})


@router.get(
    "/workspaces/{slug}/fans/segments/sizes",
    response=FanSegmentHistoryOut,
    summary="Daily sizes of the tiers, or of one segment",
)
def segment_sizes(
    request: HttpRequest,
    slug: str,
    segment_id: int | None = Query(None, ge=1, le=MAX_ID),
    days: int = Query(90, ge=1, le=730),
) -> dict[str, Any]:
    workspace = api_workspace(request, slug)
    segment = (
        sel.segment_get(workspace=workspace, user=request.user, segment_id=segment_id) if segment_id else None
    )
    history = sel.size_history(workspace=workspace, user=request.user, segment=segment, days=days)
    return {
        "dates": history["dates"],
        "series": [
            {"segment_id": r["segment"].pk, "name": r["segment"].name, "sizes": r["sizes"]}
            for r in history["series"]
        ],
    }
