"""API: recommendations — list, propose from content performance, accept (updates theme target shares), reject."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from socialops.workspaces.api import api_object, api_select, api_workspace

from ..models import Recommendation
from ..selectors import recommendations as sel
from ..selectors.content import DEFAULT_DAYS
from ..services import recommendations as svc

router = Router(tags=["insights"])


class RecommendationOut(Schema):
    """A proposed theme-share change: its evidence (Welch's t against the other themes) and the whole mix."""

    id: int
    account_id: int
    theme_id: int
    status: Literal["proposed", "accepted", "rejected"]
    direction: str
    summary: str
    evidence: dict[str, Any]
    change: dict[str, Any]
    created_at: dt.datetime
    decided_at: dt.datetime | None


@router.get(
    "/workspaces/{slug}/insights/recommendations",
    response=list[RecommendationOut],
    summary="Recommendations, newest first",
)
def recommendation_list(
    request: HttpRequest, slug: str, status: Literal["proposed", "accepted", "rejected"] | None = None
) -> list[Recommendation]:
    return list(api_select(request, slug, sel.recommendation_list, status=status))


@router.post(
    "/workspaces/{slug}/insights/recommendations/propose",
    response={201: list[RecommendationOut]},
    summary="Propose theme-share changes where content performance shows a significant difference",
)
def recommendations_generate(
    request: HttpRequest, slug: str, days: int = Query(DEFAULT_DAYS, ge=0, le=3650)
) -> Status[list[Recommendation]]:
    made = svc.recommendations_generate(workspace=api_workspace(request, slug), actor=request.user, days=days)
    return Status(201, made)


@router.post(
    "/workspaces/{slug}/insights/recommendations/{recommendation_id}/accept",
    response=RecommendationOut,
    summary="Accept: the account's theme target shares change as proposed (audited)",
)
def recommendation_accept(request: HttpRequest, slug: str, recommendation_id: int) -> Recommendation:
    workspace, rec = api_object(request, slug, sel.recommendation_get, recommendation_id=recommendation_id)
    return svc.recommendation_accept(workspace=workspace, actor=request.user, recommendation=rec)


@router.post(
    "/workspaces/{slug}/insights/recommendations/{recommendation_id}/reject",
    response=RecommendationOut,
    summary="Reject a proposed change",
)
def recommendation_reject(request: HttpRequest, slug: str, recommendation_id: int) -> Recommendation:
    workspace, rec = api_object(request, slug, sel.recommendation_get, recommendation_id=recommendation_id)
    return svc.recommendation_reject(workspace=workspace, actor=request.user, recommendation=rec)
