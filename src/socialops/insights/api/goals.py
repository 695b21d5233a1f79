"""API: the goal review — strategies' and campaigns' effect per goal and the forecasts' track record."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from socialops.workspaces.api import api_select

from ..selectors import goals as sel

router = Router(tags=["insights"])


class StrategyReviewOut(Schema):
    """A strategy on this goal: mean per day of the goal's metric before vs during it (null: no figures)."""

    id: int
    name: str
    kind: str
    start: dt.date
    end: dt.date
    state: str
    before: float | None
    during: float | None
    change: float | None
    change_pct: float | None
    reason: str


class CampaignRefOut(Schema):
    id: int
    name: str
    start: dt.date
    end: dt.date


class GoalReviewOut(Schema):
    """A goal; track_*: the backtest of its 80% forecast ranges (cutoffs checked, ranges that held)."""

    id: int
    name: str
    metric: str
    period_start: dt.date
    period_end: dt.date
    status: str
    actual: float | None
    target: float
    forecast: float | None
    forecast_low: float | None
    forecast_high: float | None
    track_cutoffs: int
    track_hits: int
    track_coverage: float | None
    strategies: list[StrategyReviewOut]
    campaigns: list[CampaignRefOut]


@router.get(
    "/workspaces/{slug}/insights/goals",
    response=list[GoalReviewOut],
    summary="Goal review: strategies' measured effect, linked campaigns, the forecast's backtested track record",
)
def goal_review(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    return api_select(request, slug, sel.goal_review)
