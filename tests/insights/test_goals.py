"""Goal review: a strategy's before/during effect and the linked campaign per goal, the API's four
cases, the page for admin and analyst, and the download against the API."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from socialops.engagement.models.campaigns import Campaign
from socialops.insights.selectors import goals as sel
from tests.access import assert_four_cases
from tests.factories import fill, make_account, make_goal, make_strategy

pytestmark = pytest.mark.django_db


@pytest.fixture
def goal(workspace: Any) -> Any:
    account = make_account(workspace, "acme_weibo")
    # 10 new followers a day until 10 March, 30 a day from then on.
    fill(
        account,
        dt.date(2024, 2, 1),
        dt.date(2024, 3, 23),
        lambda d: {"new_followers": 10 if d.day < 10 or d.month == 2 else 30},
    )
    goal = make_goal(workspace)
    goal.accounts.add(account)
    make_strategy(workspace, [goal], start_date=dt.date(2024, 3, 10), end_date=dt.date(2024, 3, 23))
    Campaign.objects.create(
        workspace=workspace,
        name="三月抽奖",
        goal=goal,
        start_date=dt.date(2024, 3, 10),
        end_date=dt.date(2024, 3, 20),
    )
    return goal


def test_review_has_the_strategy_effect_and_campaign(goal: Any, admin: Any, workspace: Any) -> None:
    review = sel.goal_review(workspace=workspace, user=admin, today=dt.date(2024, 3, 23))
    assert len(review) == 1
    strategy = review[0]["strategies"][0]
    assert (strategy["before"], strategy["during"], strategy["change_pct"]) == (10.0, 30.0, 200.0)
    assert review[0]["campaigns"][0]["name"] == "三月抽奖"
    assert review[0]["track_cutoffs"] >= 0 and review[0]["track_text"]


def test_api_page_and_export(
    goal: Any, admin: Any, analyst: Any, api: Any, web: Any, member: Any, other_workspace: Any
) -> None:
    member("analyst", ws=other_workspace, username="stranger")
    url = "/api/v1/workspaces/acme/insights/goals"
    assert_four_cases(
        api, "GET", url, "/api/v1/workspaces/other/insights/goals", permitted=admin, denied=None
    )
    data = api(analyst).get(url).json()
    for user in (admin, analyst):
        html = web(user).get("/w/acme/insights/goals/").content.decode()
        assert "Weibo lucky draw" in html and "三月抽奖" in html
    sheet = load_workbook(io.BytesIO(web(analyst).get("/w/acme/insights/goals.xlsx").content)).active
    rows = list(sheet.iter_rows(values_only=True))[1:]
    assert len(rows) == sum(max(len(g["strategies"]), 1) for g in data)
    assert rows[0][0] == data[0]["name"] and rows[0][8] == data[0]["strategies"][0]["during"]
