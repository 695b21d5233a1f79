"""API: content performance — groups with 95% intervals and tests, two groups compared, posts ranked."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from socialops.accounts.selectors import account_get
from socialops.workspaces.api import api_workspace

from ..selectors import content as sel

router = Router(tags=["insights"])

Dimension = Literal["theme", "form", "platform", "weekday", "hour", "length"]
Metric = Literal[
    "engagement_rate", "engagements", "reach", "impressions", "likes", "comments", "shares", "saves", "clicks"
]


class MeanCIOut(Schema):
    """A mean with its 95% Student's t interval (null when it cannot be computed)."""

    mean: float | None
    low: float | None
    high: float | None


class GroupComparisonOut(Schema):
    """Group a against group b on per-post engagement rate: Welch's t-test under the minimum-sample rule."""

    n_a: int
    n_b: int
    mean_a: float | None
    mean_b: float | None
    ratio: float | None
    diff: float | None
    diff_low: float | None
    diff_high: float | None
    p_value: float | None
    outcome: Literal["higher", "lower", "no_difference", "too_few"]
    significant: bool
    test: str
    min_sample: int


class GroupOut(Schema):
    key: str
    label: str
    posts: int
    n_engagements: int
    n_rate: int
    engagements: MeanCIOut
    engagement_rate: MeanCIOut
    vs_rest: GroupComparisonOut


class SlotOut(Schema):
    weekday: int
    hour: int
    posts: int
    engagement_rate: float | None
    engagements: float | None


class TotalsOut(Schema):
    posts: int
    engagements: float
    n_rate: int
    engagements_mean: MeanCIOut
    engagement_rate: MeanCIOut


class RulesOut(Schema):
    interval: str
    test: str
    alpha: float
    min_sample: int
    outliers: str


class PerformanceOut(Schema):
    days: int
    account: int | None
    posts: int
    totals: TotalsOut
    dimensions: dict[str, list[GroupOut]]
    slots: list[SlotOut]
    rules: RulesOut


class ContentCompareOut(GroupComparisonOut):
    dimension: str
    a: str
    b: str
    label_a: str
    label_b: str
    ci_a: MeanCIOut
    ci_b: MeanCIOut


class RankedPostOut(Schema):
    id: int
    account: str
    platform: str
    published_at: dt.datetime | None
    weekday: int
    hour: int
    theme: str
    form: str
    value: float
    engagements: float | None
    engagement_rate: float | None
    reach: float | None
    outlier: Literal["", "high", "low"]


class RankingOut(Schema):
    metric: str
    posts: int
    fence_low: float | None
    fence_high: float | None
    outliers: int
    rows: list[RankedPostOut]


def own_account(request: HttpRequest, workspace: Any, account: int | None) -> Any:
    """The account named in the query (one of ours in this workspace, else 400/404), or None for all."""
    if account is None:
        return None
    found = account_get(workspace=workspace, user=request.user, account_id=account)
    if found.is_competitor:
        raise ValidationError({"account": [_("The analysis covers our own accounts only.")]})
    return found


def _account(request: HttpRequest, slug: str, account: int | None) -> tuple[Any, Any]:
    workspace = api_workspace(request, slug)
    return workspace, own_account(request, workspace, account)


@router.get(
    "/workspaces/{slug}/insights/content",
    response=PerformanceOut,
    summary="Engagement and engagement rate by theme, form, platform, weekday, hour and length band (95% CI, tests)",
)
def content_performance(
    request: HttpRequest,
    slug: str,
    account: int | None = None,
    days: int = Query(sel.DEFAULT_DAYS, ge=0, le=3650),
) -> dict[str, Any]:
    workspace, found = _account(request, slug, account)
    return sel.content_performance(workspace=workspace, user=request.user, account=found, days=days)


@router.get(
    "/workspaces/{slug}/insights/content/compare",
    response=ContentCompareOut,
    summary="Two groups of one dimension compared on engagement rate (Welch's t; too_few under the minimum sample)",
)
def content_compare(
    request: HttpRequest,
    slug: str,
    dimension: Dimension,
    a: str = Query(..., max_length=40),
    b: str = Query(..., max_length=40),
    account: int | None = None,
    days: int = Query(sel.DEFAULT_DAYS, ge=0, le=3650),
) -> dict[str, Any]:
    workspace, found = _account(request, slug, account)
    return sel.compare_groups(
        workspace=workspace, user=request.user, dimension=dimension, a=a, b=b, account=found, days=days
    )


@router.get(
    "/workspaces/{slug}/insights/content/posts",
    response=RankingOut,
    summary="Posts ranked by a metric, outliers beyond the log-scale Tukey fences marked",
)
def content_posts(
    request: HttpRequest,
    slug: str,
    metric: Metric = "engagements",
    account: int | None = None,
    days: int = Query(sel.DEFAULT_DAYS, ge=0, le=3650),
    limit: int = Query(100, ge=1, le=1000),
) -> dict[str, Any]:
    workspace, found = _account(request, slug, account)
    return sel.post_ranking(
        workspace=workspace, user=request.user, metric=metric, account=found, days=days, limit=limit
    )
