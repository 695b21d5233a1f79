"""API of the inbox's response-time report: first response and resolution per member and account."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from socialops.workspaces.api import api_workspace

from ..selectors import reports as sel

router = Router(tags=["inbox"])


class InboxTimeFiguresOut(Schema):
    """Response figures of one group (a member, an account, or everyone), times in minutes."""

    label: str
    threads: int
    answered: int
    median_first: float | None
    p90_first: float | None
    median_resolution: float | None
    breached: int


class InboxVolumeDayOut(Schema):
    day: dt.date
    positive: int
    neutral: int
    negative: int
    missed: int


class InboxReportOut(Schema):
    days: int
    start: dt.datetime
    end: dt.datetime
    overall: InboxTimeFiguresOut
    members: list[InboxTimeFiguresOut]
    accounts: list[InboxTimeFiguresOut]
    volume: list[InboxVolumeDayOut]
    intents: dict[str, int]


@router.get(
    "/workspaces/{slug}/inbox/report",
    response=InboxReportOut,
    summary="First-response and resolution times per member and account (minutes), volume and intents per day",
)
def report(request: HttpRequest, slug: str, days: int = Query(30, ge=1, le=sel.MAX_DAYS)) -> dict[str, Any]:
    workspace = api_workspace(request, slug)
    found = sel.response_report(workspace=workspace, user=request.user, days=days)
    return {
        "days": found["days"],
        "start": found["start"],
        "end": found["end"],
        "overall": dataclasses.asdict(found["overall"]),
        "members": [dataclasses.asdict(f) for f in found["members"]],
        "accounts": [dataclasses.asdict(f) for f in found["accounts"]],
        "volume": sel.volume_by_day(workspace=workspace, user=request.user, days=days),
        "intents": sel.intent_counts(workspace=workspace, user=request.user, days=days),
    }
