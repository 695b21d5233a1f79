"""API: our accounts and competitors side by side (R1.2), read from the metric snapshots.

Moved here from accounts (it reads goals' snapshots, and accounts sits below goals). The path,
the "accounts" tag and the operationId stay as they were so the API document and its clients
do not change.
"""

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from socialops.workspaces.api import api_select

from ..selectors import competitors as selectors

router = Router(tags=["accounts"])


class AccountComparisonOut(Schema):
    id: int
    handle: str
    display_name: str
    platform: str
    platform_label: str
    is_competitor: bool
    days_with_data: int
    followers: int | None
    followers_date: dt.date | None
    posts: int | None
    weeks_with_posts: int
    posts_per_week: float | None
    engagements: int | None
    impressions: int | None
    engagement_rate: float | None
    engagements_per_post: float | None
    followers_series: list[int | None]


class ComparisonOut(Schema):
    days: int
    start: dt.date
    end: dt.date
    weeks: list[dt.date]
    accounts: list[AccountComparisonOut]


@router.get(
    "/workspaces/{slug}/competitors/comparison",
    response=ComparisonOut,
    summary="Our accounts and competitors side by side: followers, posts per week, engagement",
    # The id ninja derived from the view's old module (accounts.api), kept for clients.
    operation_id="socialops_accounts_api_competitor_comparison",
)
def competitor_comparison(
    request: HttpRequest,
    slug: str,
    days: Annotated[int, Query(ge=selectors.MIN_DAYS, le=selectors.MAX_DAYS)] = 90,
) -> dict[str, Any]:
    return api_select(request, slug, selectors.competitor_comparison, days=days)
