"""API: follower flows per account and period, and follower cohorts by follow week."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema

from socialops.workspaces.api import api_workspace

from ..selectors import funnel as funnel_sel
from ..selectors import growth as sel
from .content import own_account

router = Router(tags=["insights"])


class FlowOut(Schema):
    """One account's period: new/lost/net from the daily metrics (null: no figures), events from fans."""

    account: int
    account_name: str
    period: dt.date
    new: int | None
    lost: int | None
    net: int | None
    follows: int
    unfollows: int
    net_events: int


class AccountRefOut(Schema):
    id: int
    name: str


class FlowsOut(Schema):
    period: str
    start: dt.date
    end: dt.date
    periods: list[dt.date]
    accounts: list[AccountRefOut]
    rows: list[FlowOut]
    totals: dict[str, int]


class CohortOut(Schema):
    """Fans whose first follow fell in ``week``; retention[k]: share still following at the end of week k."""

    week: dt.date
    size: int
    retention: list[float | None]


class CohortsOut(Schema):
    start: dt.date
    end: dt.date
    weeks: int
    cohorts: list[CohortOut]


@router.get(
    "/workspaces/{slug}/insights/growth",
    response=FlowsOut,
    summary="New, lost and net followers per account and week or month (metrics and follow events)",
)
def growth(
    request: HttpRequest,
    slug: str,
    account: int | None = None,
    period: Literal["week", "month"] = "week",
    weeks: int = Query(sel.DEFAULT_WEEKS, ge=1, le=104),
) -> dict[str, Any]:
    workspace = api_workspace(request, slug)
    found = own_account(request, workspace, account)
    return sel.follower_flows(
        workspace=workspace, user=request.user, account=found, period=period, weeks=weeks
    )


@router.get(
    "/workspaces/{slug}/insights/cohorts",
    response=CohortsOut,
    summary="Follower cohorts by follow week with the share still following in each later week",
)
def cohorts(
    request: HttpRequest,
    slug: str,
    account: int | None = None,
    weeks: int = Query(sel.DEFAULT_WEEKS, ge=1, le=104),
) -> dict[str, Any]:
    workspace = api_workspace(request, slug)
    found = own_account(request, workspace, account)
    return sel.follower_cohorts(workspace=workspace, user=request.user, account=found, weeks=weeks)


class FunnelStepOut(Schema):
    """One step: its total (null: no figure on any day), and its rate from the previous step."""

    key: Literal["exposure", "interaction", "click", "lead", "order"]
    label: str
    value: int | None
    has_data: bool
    from_step: str | None
    rate: float | None


class FunnelBlockOut(Schema):
    steps: list[FunnelStepOut]
    biggest_drop: str | None
    no_data: list[str]
    coupon_redemptions: int | None
    revenue: float | None
    revenue_per_order: float | None
    days: int


class FunnelAccountOut(FunnelBlockOut):
    account: int
    account_name: str


class FunnelOut(Schema):
    start: dt.date
    end: dt.date
    days: int
    total: FunnelBlockOut
    accounts: list[FunnelAccountOut]


@router.get(
    "/workspaces/{slug}/insights/funnel",
    response=FunnelOut,
    summary="Exposure → interaction → click → lead → order per account: step rates, biggest drop, steps without data",
)
def funnel(
    request: HttpRequest,
    slug: str,
    account: int | None = None,
    days: int = Query(funnel_sel.DEFAULT_DAYS, ge=1, le=366),
) -> dict[str, Any]:
    workspace = api_workspace(request, slug)
    found = own_account(request, workspace, account)
    return funnel_sel.funnel(workspace=workspace, user=request.user, account=found, days=days)
