"""Anomalies: a planted spike on a weekly-rhythm series is found with its size, nothing else is;
the API's four cases, the page and the download."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
import time_machine
from openpyxl import load_workbook

from socialops.insights.selectors import anomalies as sel
from tests.access import assert_four_cases
from tests.factories import fill, make_account

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 3, 31)
SPIKE = dt.date(2025, 3, 20)


def _impressions(day: dt.date) -> dict[str, Any]:
    # Weekends are twice as busy; a little day-to-day wobble; one spike.
    base = 2000 if day.weekday() >= 5 else 1000
    value = base + (day.toordinal() % 3) * 20
    return {"impressions": 5000 if day == SPIKE else value}


@pytest.fixture
def series(workspace: Any) -> Any:
    account = make_account(workspace, "acme_weibo")
    fill(account, dt.date(2024, 12, 1), TODAY, _impressions)
    return account


def test_the_planted_spike_and_nothing_else(series: Any, admin: Any, workspace: Any) -> None:
    data = sel.anomalies(workspace=workspace, user=admin, days=30, today=TODAY)
    assert data["judged"] == 30
    assert [(a["date"], a["metric"], a["direction"]) for a in data["anomalies"]] == [
        (SPIKE, "impressions", "high")
    ]
    spike = data["anomalies"][0]
    assert spike["expected"] in (1000, 1020, 1040) and spike["size"] == 5000 - spike["expected"]
    # Weekends at 2,000 are not anomalies: the band is per weekday.
    assert all(a["date"].weekday() < 5 for a in data["anomalies"])


@time_machine.travel(dt.datetime(2025, 3, 31, 4, tzinfo=dt.UTC), tick=False)
def test_api_page_and_export(
    series: Any, admin: Any, analyst: Any, api: Any, web: Any, member: Any, other_workspace: Any
) -> None:
    member("analyst", ws=other_workspace, username="stranger")
    url = "/api/v1/workspaces/acme/insights/anomalies?days=30"
    assert_four_cases(
        api, "GET", url, "/api/v1/workspaces/other/insights/anomalies", permitted=admin, denied=None
    )
    data = api(analyst).get(url).json()
    assert len(data["anomalies"]) == 1
    html = web(analyst).get("/w/acme/insights/anomalies/?days=30").content.decode()
    assert 'data-echarts="chart-band"' in html and "+3,9" in html
    rows = list(
        load_workbook(
            io.BytesIO(web(admin).get("/w/acme/insights/anomalies.xlsx?days=30").content)
        ).active.iter_rows(values_only=True)
    )
    assert len(rows) == 2 and rows[1][3] == 5000
