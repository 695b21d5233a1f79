"""The workspace dashboard: headline figures, goal cards with forecast charts, competitor comparison."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
import time_machine

from socialops.goals.models import MetricSnapshot
from socialops.goals.selectors import goals as sel
from socialops.workspaces.roles import Role
from tests.access import assert_four_cases
from tests.factories import fill, make_account, make_goal
from tests.goals.test_goals_support import weekly_new_followers

pytestmark = pytest.mark.django_db

TODAY = dt.date(2024, 3, 20)
NOON = dt.datetime(2024, 3, 20, 4, 0, tzinfo=dt.UTC)  # 12:00 in Shanghai


def json_blocks(html: str) -> dict[str, Any]:
    return {
        m.group(1): json.loads(m.group(2))
        for m in re.finditer(r'<script id="([^"]+)" type="application/json">(.*?)</script>', html, re.S)
    }


@pytest.fixture
def data(workspace: Any) -> dict[str, Any]:
    weibo, douyin = (
        make_account(workspace, "acme_weibo"),
        make_account(workspace, "acme_dy", platform="douyin"),
    )
    rival = make_account(workspace, "rival", competitor=True)
    fill(weibo, dt.date(2024, 1, 25), TODAY, lambda d: {
        **weekly_new_followers(d), "followers_total": 10000 + d.toordinal() % 1000, "impressions": 1000,
        "likes": 20, "comments": 5, "shares": 3, "saves": 2, "posts": 2,
    })  # fmt: skip
    # Douyin's latest count is two days old: the headline still counts it.
    fill(douyin, dt.date(2024, 3, 1), TODAY - dt.timedelta(days=2), lambda d: {"followers_total": 5000})
    fill(rival, dt.date(2024, 1, 25), TODAY, lambda d: {
        "followers_total": 30000, "impressions": 2000, "likes": 100, "posts": 3,
    })  # fmt: skip
    return {"weibo": weibo, "douyin": douyin, "rival": rival}


def test_headline_figures(workspace: Any, admin: Any, data: dict[str, Any]) -> None:
    h = sel.dashboard_headline(workspace=workspace, user=admin, today=TODAY)
    assert h.followers == 10000 + TODAY.toordinal() % 1000 + 5000  # competitor not counted
    assert h.followers_date == TODAY
    # 14–20 March 2024: Sat 16, Sun 17 → 2 × 170 + 5 × 72
    assert h.new_followers_7d == 2 * 170 + 5 * 72
    assert h.interaction_rate_30d == pytest.approx(30 / 1000)
    assert h.display["interaction_rate_30d"] == "3.00%"
    assert h.account_count == 2


def test_dashboard_shows_goals_statuses_charts_and_competitors(
    workspace: Any, other_workspace: Any, admin: Any, member: Any, web: Any, data: dict[str, Any]
) -> None:
    make_goal(workspace, name="March new followers", accounts=[data["weibo"]])
    make_goal(workspace, name="Too hard", target=9000, accounts=[data["weibo"]])
    make_goal(
        workspace,
        name="Douyin reach",
        kind="dissemination",
        metric="reach",
        target=1000,
        accounts=[data["douyin"]],
    )
    analyst = member(Role.ANALYST)
    with time_machine.travel(NOON, tick=False):
        response = assert_four_cases(web, "GET", "/w/acme/", "/w/other/", permitted=analyst, denied=None)
    html = response.content.decode()
    for name in ("March new followers", "Too hard", "Douyin reach"):
        assert name in html
    assert html.count('data-status="on_track"') == 1
    assert html.count('data-status="off_track"') == 1
    assert html.count('data-status="insufficient_data"') == 1
    assert 'class="progress-bar bg-success w-pct-0" data-progress="65"' in html  # 2,028 of 3,100
    blocks = json_blocks(html)
    goal_charts = [k for k in blocks if k.startswith("goal-chart-")]
    assert len(goal_charts) == 3
    for key in goal_charts:
        assert f'data-echarts="{key}"' in html
    chart = next(
        blocks[k] for k in goal_charts if max(v or 0 for v in blocks[k]["series"][0]["data"]) == 2028
    )
    names = [s["name"] for s in chart["series"]]
    assert len(names) == 6 and chart["series"][1]["data"][0] == 3100  # target line
    # Headline row
    assert 'data-headline="new_followers_7d">700<' in html
    assert 'data-headline="interaction_rate_30d">3.00%<' in html
    # Competitor comparison from the accounts app: followers, posts/week, engagement rate, trend
    for key in ("followers", "posts_per_week", "engagement_rate", "followers_trend"):
        assert f"competitor-chart-{key}" in blocks
    assert "Rival" in html
    assert "vendor/echarts/echarts.min.js" in html
    assert "New goal" not in html  # analysts do not get the button


def test_dashboard_in_chinese(workspace: Any, admin: Any, web: Any, data: dict[str, Any]) -> None:
    make_goal(workspace, name="三月涨粉", accounts=[data["weibo"]])
    client = web(admin)
    client.cookies["django_language"] = "zh-hans"
    with time_machine.travel(NOON, tick=False):
        html = client.get("/w/acme/").content.decode()
    assert "三月涨粉" in html and "进展顺利" in html and "近 7 天新增粉丝" in html


def test_dashboard_empty_states_say_what_to_do(workspace: Any, admin: Any, member: Any, web: Any) -> None:
    client = web(admin)
    client.cookies["django_language"] = "en"
    html = client.get("/w/acme/").content.decode()
    assert 'data-empty="goals"' in html and "Set the first goal" in html
    assert "No accounts yet." in html
    assert 'data-empty="competitors"' in html
    make_account(workspace, "acme")
    html = client.get("/w/acme/").content.decode()
    assert "No follower counts yet." in html and "Import metrics" in html
    viewer = web(member(Role.ANALYST))
    viewer.cookies["django_language"] = "en"
    assert "Ask an operator or an admin" in viewer.get("/w/acme/").content.decode()


def test_dashboard_query_count_does_not_explode(
    workspace: Any, admin: Any, web: Any, data: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    for i in range(5):
        make_goal(workspace, name=f"Goal {i}", accounts=[data["weibo"]])
    client = web(admin)
    with time_machine.travel(NOON, tick=False), django_assert_max_num_queries(40):
        assert client.get("/w/acme/").status_code == 200
    assert MetricSnapshot.objects.count() > 100
