"""The competitor comparison (R1.2): figures against hand computation, chart options, the page
and the API; and the latest follower figure goals gives the account pages through the accounts hook."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.http import Http404

from socialops.accounts import selectors as account_selectors
from socialops.accounts.selectors import workspace_today
from socialops.goals import presenters
from socialops.goals.models import MetricSnapshot
from socialops.goals.selectors import competitors
from socialops.workspaces.roles import Role
from tests.access import assert_four_cases
from tests.factories import make_account, snapshot

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 3, 16)  # a Sunday: a 14-day window is exactly the weeks of 3 and 10 March
BASE = "/api/v1/workspaces/acme"


@pytest.fixture
def dataset(workspace: Any, other_workspace: Any) -> dict[str, Any]:
    ours = make_account(workspace, "acme", platform="weibo", display_name="Acme 微博")
    rival = make_account(workspace, "rival", platform="douyin", display_name="Rival", is_competitor=True)
    quiet = make_account(workspace, "quiet", platform="xiaohongshu", display_name="Quiet", is_competitor=True)
    # Ours: full figures on two days, likes only on one day without impressions.
    snapshot(
        workspace, ours, "2025-03-02", followers_total=900, posts=10, likes=999, impressions=1
    )  # before window
    snapshot(
        workspace,
        ours,
        "2025-03-03",
        followers_total=1000,
        posts=2,
        likes=50,
        comments=10,
        shares=5,
        saves=5,
        impressions=7000,
    )
    snapshot(workspace, ours, "2025-03-05", followers_total=1010, posts=1, likes=20)
    snapshot(
        workspace,
        ours,
        "2025-03-12",
        followers_total=1050,
        posts=3,
        likes=100,
        comments=20,
        shares=10,
        saves=10,
        impressions=10000,
    )
    snapshot(workspace, ours, "2025-03-17", followers_total=2000, posts=9)  # after "today"
    # Competitor: public counts only (no impressions), followers seen once.
    snapshot(workspace, rival, "2025-03-04", followers_total=5000, posts=4, likes=400, comments=40)
    snapshot(workspace, rival, "2025-03-06", posts=3, likes=300)
    snapshot(workspace, rival, "2025-03-11", likes=50)
    # Another workspace's figures on the same days must not leak in.
    foreign = make_account(other_workspace, "acme", platform="weibo")
    snapshot(other_workspace, foreign, "2025-03-12", followers_total=77, posts=100, likes=1, impressions=1)
    return {"ours": ours, "rival": rival, "quiet": quiet}


def _by_handle(comparison: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["handle"]: row for row in comparison["accounts"]}


def test_comparison_figures_match_hand_computation(
    workspace: Any, admin: Any, dataset: dict[str, Any]
) -> None:
    comparison = competitors.competitor_comparison(workspace=workspace, user=admin, days=14, today=TODAY)
    assert comparison["start"] == "2025-03-03" and comparison["end"] == "2025-03-16"
    assert comparison["weeks"] == ["2025-03-03", "2025-03-10"]
    assert [r["handle"] for r in comparison["accounts"]] == ["acme", "rival", "quiet"]  # ours first
    rows = _by_handle(comparison)

    ours = rows["acme"]
    assert ours["is_competitor"] is False
    assert ours["followers"] == 1050 and ours["followers_date"] == "2025-03-12"
    assert ours["posts"] == 6 and ours["weeks_with_posts"] == 2
    assert ours["posts_per_week"] == 3.0  # 6 posts / 2 weeks
    assert ours["engagements"] == 70 + 20 + 140
    assert ours["impressions"] == 17000
    # Only days with impressions count: (70 + 140) / 17000 = 0.012353 → 0.0124
    assert ours["engagement_rate"] == 0.0124
    assert ours["engagements_per_post"] == 38.3  # 230 / 6
    assert ours["followers_series"] == [1010, 1050]

    rival = rows["rival"]
    assert rival["followers"] == 5000
    assert rival["posts"] == 7 and rival["weeks_with_posts"] == 1 and rival["posts_per_week"] == 7.0
    assert rival["engagements"] == 440 + 300 + 50
    assert rival["impressions"] is None and rival["engagement_rate"] is None
    assert rival["engagements_per_post"] == 105.7  # (440 + 300) / 7: the day without a post count is left out
    assert rival["followers_series"] == [5000, None]

    quiet = rows["quiet"]
    assert quiet["days_with_data"] == 0
    assert (
        quiet["followers"] is None
        and quiet["posts_per_week"] is None
        and quiet["engagements_per_post"] is None
    )
    assert quiet["followers_series"] == [None, None]
    assert comparison["has_data"] and comparison["has_competitors"] and comparison["has_ours"]


def test_comparison_uses_one_query_per_kind_of_data(
    workspace: Any, admin: Any, dataset: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    for i in range(5):
        account = make_account(workspace, f"extra{i}", is_competitor=True)
        for day in range(1, 15):
            snapshot(workspace, account, f"2025-03-{day:02d}", followers_total=day, posts=1)
    # membership (1) + accounts (1) + snapshots (1), whatever the number of accounts and days.
    with django_assert_max_num_queries(3):
        competitors.competitor_comparison(workspace=workspace, user=admin, days=14, today=TODAY)


def test_comparison_window_and_default_today(workspace: Any, admin: Any, dataset: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as exc:
        competitors.competitor_comparison(workspace=workspace, user=admin, days=3)
    assert "days" in exc.value.message_dict
    # 17:00 UTC on the 15th is already the 16th in Shanghai, the workspace's zone.
    with time_machine.travel(dt.datetime(2025, 3, 15, 17, 0, tzinfo=dt.UTC), tick=False):
        comparison = competitors.competitor_comparison(workspace=workspace, user=admin, days=7)
    assert comparison["end"] == "2025-03-16" and comparison["start"] == "2025-03-10"
    assert _by_handle(comparison)["acme"]["posts"] == 3


def test_comparison_needs_membership(workspace: Any, other_workspace: Any, member: Any) -> None:
    outsider = member(Role.ADMIN, ws=other_workspace)
    with pytest.raises(Http404):
        competitors.competitor_comparison(workspace=workspace, user=outsider)


def test_chart_options_tell_ours_from_competitors(
    workspace: Any, admin: Any, dataset: dict[str, Any]
) -> None:
    comparison = competitors.competitor_comparison(workspace=workspace, user=admin, days=14, today=TODAY)
    charts = presenters.competitor_chart_options(comparison)
    assert set(charts) >= {
        "followers",
        "posts_per_week",
        "engagement_rate",
        "engagements_per_post",
        "followers_trend",
    }
    followers = charts["followers"]
    ours_series, their_series = followers["series"]
    assert ours_series["name"] == "Our accounts" and their_series["name"] == "Competitors"
    assert ours_series["data"] == [1050, None, None] and their_series["data"] == [None, 5000, None]
    assert ours_series["itemStyle"]["color"] != their_series["itemStyle"]["color"]
    assert followers["yAxis"]["data"][0] == "Acme 微博 · Weibo"
    assert charts["engagement_rate"]["series"][0]["data"] == [1.24, None, None]  # percent
    assert charts["posts_per_week"]["series"][1]["data"] == [None, 7.0, None]
    trend = charts["followers_trend"]
    assert trend["xAxis"]["data"] == ["2025-03-03", "2025-03-10"]
    styles = {s["name"]: s["lineStyle"]["type"] for s in trend["series"]}
    assert styles["Acme 微博 (Weibo)"] == "solid"
    assert styles["Rival (Douyin) · competitor"] == "dashed"


def test_account_list_filters_and_latest_followers(
    workspace: Any, admin: Any, dataset: dict[str, Any]
) -> None:
    ours = list(
        account_selectors.account_list(
            workspace=workspace, user=admin, is_competitor=False, with_latest_followers=True
        )
    )
    assert [a.handle for a in ours] == ["acme"]
    # The latest snapshot with a follower figure, whatever the window.
    assert ours[0].latest_followers == 2000 and ours[0].latest_followers_date == dt.date(2025, 3, 17)
    competitors = account_selectors.account_list(workspace=workspace, user=admin, is_competitor=True)
    assert {a.handle for a in competitors} == {"rival", "quiet"}
    assert account_selectors.account_list(workspace=workspace, user=admin).count() == 3


def _json_block(html: str, element_id: str) -> Any:
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S)
    assert match, f"no JSON block {element_id}"
    return json.loads(match.group(1))


def test_competitor_page_four_cases_with_charts(workspace: Any, admin: Any, web: Any) -> None:
    ours = make_account(workspace, "acme", display_name="Acme 微博")
    rival = make_account(workspace, "rival", platform="douyin", display_name="Rival 抖音", is_competitor=True)
    today = workspace_today(workspace)
    MetricSnapshot.objects.create(
        workspace=workspace,
        account=ours,
        date=today,
        followers_total=1000,
        posts=2,
        likes=30,
        impressions=1000,
    )
    MetricSnapshot.objects.create(
        workspace=workspace, account=rival, date=today, followers_total=4000, posts=5, likes=50
    )
    response = assert_four_cases(
        web, "GET", "/w/acme/competitors/?days=30", "/w/other/competitors/", permitted=admin, denied=None
    )
    html = response.content.decode()
    assert "Rival 抖音" in html and "Add competitor" in html
    assert "last 30 days" in html
    followers = _json_block(html, "chart-followers")
    assert followers["series"][0]["data"] == [1000, None] and followers["series"][1]["data"] == [None, 4000]
    assert _json_block(html, "chart-rate")["series"][0]["data"] == [3.0, None]
    # The competitor has no impressions, so per-post engagement is shown for everyone.
    assert _json_block(html, "chart-per-post")["series"][1]["data"] == [None, 10.0]
    assert _json_block(html, "chart-trend")["series"][1]["lineStyle"]["type"] == "dashed"
    assert 'data-testid="comparison-table"' in html and "3.00%" in html
    assert " style=" not in html


def test_competitor_page_empty_states(workspace: Any, admin: Any, member: Any, web: Any) -> None:
    html = web(admin).get("/w/acme/competitors/?days=999").content.decode()
    assert "No competitors tracked yet" in html
    assert "last 90 days" in html  # an unknown window falls back to the default
    assert 'data-testid="comparison-empty"' in html
    analyst_html = web(member(Role.ANALYST)).get("/w/acme/competitors/").content.decode()
    assert "Add the first competitor" not in analyst_html


def test_comparison_four_cases_and_bounds(workspace: Any, admin: Any, api: Any) -> None:
    ours = make_account(workspace, "acme")
    rival = make_account(workspace, "rival", platform="douyin", is_competitor=True)
    today = workspace_today(workspace)
    MetricSnapshot.objects.create(workspace=workspace, account=ours, date=today, followers_total=100, posts=2)
    MetricSnapshot.objects.create(
        workspace=workspace, account=rival, date=today, followers_total=300, posts=4, likes=40
    )
    response = assert_four_cases(
        api, "GET", f"{BASE}/competitors/comparison?days=30",
        "/api/v1/workspaces/other/competitors/comparison?days=30", permitted=admin, denied=None,
    )  # fmt: skip
    body = response.json()
    assert body["days"] == 30
    rows = {r["handle"]: r for r in body["accounts"]}
    assert rows["acme"]["followers"] == 100 and rows["acme"]["is_competitor"] is False
    assert rows["rival"]["posts_per_week"] == 4.0 and rows["rival"]["engagements_per_post"] == 10.0
    client = api(admin)
    assert client.get(f"{BASE}/competitors/comparison?days=6").status_code == 422
    assert client.get(f"{BASE}/competitors/comparison?days=731").status_code == 422
    assert client.get(f"{BASE}/competitors/comparison").json()["days"] == 90
