"""Set-up helpers shared by the goal, strategy and dashboard tests (this module holds no tests)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from socialops.accounts.models import SocialAccount
from socialops.accounts.services import account_create
from socialops.goals.models import MetricSnapshot
from socialops.goals.services import goals as svc

WEEKEND, WEEKDAY = 170, 72  # new followers per day: a week sums to 700, i.e. 100 a day


def make_account(
    workspace: Any, handle: str, *, competitor: bool = False, platform: str = "weibo"
) -> SocialAccount:
    return account_create(
        workspace=workspace,
        actor=None,
        platform=platform,
        handle=handle,
        display_name=handle.replace("_", " ").title(),
        is_competitor=competitor,
    )


def days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def fill(
    account: SocialAccount, start: dt.date, end: dt.date, values: Callable[[dt.date], dict[str, Any]]
) -> None:
    """One snapshot per day of [start, end] with the figures values(day) returns (test set-up)."""
    MetricSnapshot.objects.bulk_create(
        [
            MetricSnapshot(workspace_id=account.workspace_id, account=account, date=d, **values(d))
            for d in days(start, end)
        ]
    )


def weekly_new_followers(day: dt.date) -> dict[str, Any]:
    return {"new_followers": WEEKEND if day.weekday() >= 5 else WEEKDAY}


def goal(workspace: Any, **overrides: Any) -> Any:
    fields: dict[str, Any] = {
        "kind": "growth",
        "name": "3,100 new followers in March",
        "metric": "new_followers",
        "baseline": 0,
        "target": 3100,
        "period_start": dt.date(2024, 3, 1),
        "period_end": dt.date(2024, 3, 31),
    }
    fields.update(overrides)
    return svc.goal_create(workspace=workspace, actor=None, **fields)
