"""The funnel: step rates on known figures, steps without data said plainly, the biggest drop,
the API's four cases, the page, and the download against the API."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from openpyxl import load_workbook

from socialops.insights.selectors import funnel as sel
from tests.access import assert_four_cases
from tests.factories import make_account, snapshot

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 3, 31)


@pytest.fixture
def figures(workspace: Any) -> dict[str, Any]:
    weibo = make_account(workspace, "acme_weibo")
    wechat = make_account(workspace, "acme_mp", platform="wechat_mp")
    snapshot(
        workspace,
        weibo,
        "2025-03-20",
        impressions=10_000,
        likes=300,
        comments=100,
        link_clicks=40,
        orders=2,
        revenue=Decimal("300"),
    )
    snapshot(
        workspace,
        weibo,
        "2025-03-21",
        impressions=10_000,
        likes=100,
        link_clicks=10,
        orders=3,
        revenue=Decimal("200"),
    )
    snapshot(workspace, wechat, "2025-03-21", impressions=5_000, likes=50, leads=5)
    snapshot(workspace, weibo, "2025-01-01", impressions=99_999)  # outside the window
    return {"weibo": weibo, "wechat": wechat}


def test_step_rates_and_biggest_drop(figures: dict[str, Any], admin: Any, workspace: Any) -> None:
    data = sel.funnel(workspace=workspace, user=admin, days=30, today=TODAY)
    weibo = next(a for a in data["accounts"] if a["account"] == figures["weibo"].pk)
    steps = {s["key"]: s for s in weibo["steps"]}
    assert steps["exposure"]["value"] == 20_000 and steps["interaction"]["value"] == 500
    assert steps["interaction"]["rate"] == 500 / 20_000 and steps["click"]["rate"] == 50 / 500
    assert (
        steps["order"]["rate"] == 5 / 50
        and steps["lead"]["has_data"] is False
        and steps["lead"]["rate"] is None
    )
    assert weibo["no_data"] == ["lead"] and weibo["biggest_drop"] == "interaction"
    assert weibo["revenue"] == 500.0 and weibo["revenue_per_order"] == 100.0
    wechat = next(a for a in data["accounts"] if a["account"] == figures["wechat"].pk)
    assert wechat["no_data"] == ["click", "order"] and wechat["biggest_drop"] == "interaction"
    total = {s["key"]: s for s in data["total"]["steps"]}
    assert (
        total["exposure"]["value"] == 25_000 and total["lead"]["value"] == 5 and total["lead"]["rate"] == 0.1
    )


@time_machine.travel(dt.datetime(2025, 3, 31, 4, tzinfo=dt.UTC), tick=False)
def test_api_page_and_export(
    figures: dict[str, Any], admin: Any, analyst: Any, api: Any, web: Any, member: Any, other_workspace: Any
) -> None:
    member("analyst", ws=other_workspace, username="stranger")
    url = "/api/v1/workspaces/acme/insights/funnel?days=180"
    assert_four_cases(
        api, "GET", url, "/api/v1/workspaces/other/insights/funnel", permitted=admin, denied=None
    )
    data = api(analyst).get(url).json()
    html = web(analyst).get("/w/acme/insights/funnel/?days=180").content.decode()
    assert 'data-testid="biggest-drop"' in html and ">no data<" in html
    sheet = load_workbook(io.BytesIO(web(admin).get("/w/acme/insights/funnel.xlsx?days=180").content)).active
    rows = list(sheet.iter_rows(values_only=True))[1:]
    exposure = [r for r in rows if r[0] == "All accounts" and r[1] == "Exposure (impressions)"]
    assert exposure[0][2] == data["total"]["steps"][0]["value"]
