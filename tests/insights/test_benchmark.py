"""Competitor benchmark: weekly posts, engagement rate and share of voice on known figures, the API's
four cases, the page and the download."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
import time_machine
from openpyxl import load_workbook

from socialops.insights.selectors import benchmark as sel
from tests.access import assert_four_cases
from tests.factories import make_account, snapshot

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 3, 16)  # a Sunday: 14 days are the weeks of 3 and 10 March


@pytest.fixture
def figures(workspace: Any) -> dict[str, Any]:
    ours = make_account(workspace, "acme")
    rival = make_account(workspace, "rival", competitor=True)
    snapshot(workspace, ours, "2025-03-04", followers_total=1000, posts=2, likes=30, impressions=1000)
    snapshot(workspace, rival, "2025-03-05", followers_total=5000, posts=4, likes=90, impressions=1000)
    snapshot(workspace, ours, "2025-03-11", followers_total=1100, posts=1, likes=50, impressions=1000)
    snapshot(workspace, rival, "2025-03-12", followers_total=5100, posts=1, likes=50)
    return {"ours": ours, "rival": rival}


def test_weekly_share_of_voice(figures: dict[str, Any], admin: Any, workspace: Any) -> None:
    data = sel.benchmark(workspace=workspace, user=admin, days=14, today=TODAY)
    ours = next(a for a in data["accounts"] if a["id"] == figures["ours"].pk)
    rival = next(a for a in data["accounts"] if a["id"] == figures["rival"].pk)
    assert data["weeks"] == [dt.date(2025, 3, 3), dt.date(2025, 3, 10)]
    assert ours["weekly_posts"] == [2, 1] and rival["weekly_posts"] == [4, 1]
    assert ours["weekly_share_of_voice"] == [0.25, 0.5] and rival["weekly_share_of_voice"] == [0.75, 0.5]
    assert ours["share_of_voice"] == 80 / 220
    # The rival reported no impressions in the second week: no rate that week.
    assert rival["weekly_engagement_rate"] == [0.09, None]


@time_machine.travel(dt.datetime(2025, 3, 16, 4, tzinfo=dt.UTC), tick=False)
def test_api_page_and_export(
    figures: dict[str, Any], admin: Any, analyst: Any, api: Any, web: Any, member: Any, other_workspace: Any
) -> None:
    member("analyst", ws=other_workspace, username="stranger")
    url = "/api/v1/workspaces/acme/insights/benchmark?days=28"
    assert_four_cases(
        api, "GET", url, "/api/v1/workspaces/other/insights/benchmark", permitted=admin, denied=None
    )
    data = api(analyst).get(url).json()
    html = web(analyst).get("/w/acme/insights/benchmark/?days=28").content.decode()
    assert 'data-echarts="chart-bench-sov"' in html and "Rival" in html
    rows = list(
        load_workbook(
            io.BytesIO(web(admin).get("/w/acme/insights/benchmark.xlsx?days=28").content)
        ).active.iter_rows(values_only=True)
    )[1:]
    assert (
        sum(r[4] or 0 for r in rows)
        == sum(sum(p or 0 for p in a["weekly_posts"]) for a in data["accounts"])
        == 8
    )
