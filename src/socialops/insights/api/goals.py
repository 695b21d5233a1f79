"""API: the goal review — strategies' and campaigns' effect per goal and the forecasts' track record."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from socialops.workspaces.api import api_select, api_workspace

from ..selectors import anomalies as anomaly_sel
from ..selectors import benchmark as benchmark_sel
from ..selectors import goals as sel
from .content import own_account

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


class AnomalyOut(Schema):
    """A day whose figure left its weekday band (median ± 3 · 1.4826 · MAD of the same weekday, 8 weeks before)."""

    account: int
    account_name: str
    metric: str
    metric_label: str
    date: dt.date
    value: float
    expected: float
    low: float
    high: float
    direction: str
    size: float
    size_pct: float | None


class AnomaliesOut(Schema):
    start: dt.date
    end: dt.date
    days: int
    judged: int
    anomalies: list[AnomalyOut]


@router.get(
    "/workspaces/{slug}/insights/anomalies",
    response=AnomaliesOut,
    summary="Daily figures outside their weekday-aware expected band, with day and size",
)
def anomaly_list(
    request: HttpRequest,
    slug: str,
    account: int | None = None,
    days: int = Query(anomaly_sel.DEFAULT_DAYS, ge=1, le=366),
) -> dict[str, Any]:
    workspace = api_workspace(request, slug)
    found = own_account(request, workspace, account)
    return anomaly_sel.anomalies(workspace=workspace, user=request.user, account=found, days=days)


class BenchmarkAccountOut(Schema):
    """goals' comparison figures of one account plus its weekly posts, engagement rate and share of voice."""

    id: int
    display_name: str
    platform: str
    is_competitor: bool
    followers: int | None
    posts_per_week: float | None
    engagement_rate: float | None
    share_of_voice: float | None
    followers_series: list[int | None]
    weekly_posts: list[int | None]
    weekly_engagement_rate: list[float | None]
    weekly_share_of_voice: list[float | None]


class BenchmarkOut(Schema):
    days: int
    start: dt.date
    end: dt.date
    weeks: list[dt.date]
    accounts: list[BenchmarkAccountOut]


@router.get(
    "/workspaces/{slug}/insights/benchmark",
    response=BenchmarkOut,
    summary="Ours and competitors by week: followers, posts, engagement rate, share of voice",
)
def benchmark(
    request: HttpRequest, slug: str, days: int = Query(benchmark_sel.DEFAULT_DAYS, ge=7, le=730)
) -> dict[str, Any]:
    return api_select(request, slug, benchmark_sel.benchmark, days=days)
