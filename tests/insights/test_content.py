"""Content performance: the statistics on known data, the minimum-sample refusal, a clear difference,
outliers, the API's four permission cases, the page for admin and analyst, and the downloads."""

from __future__ import annotations

import datetime as dt
import io
import math
from typing import Any

import pytest
from openpyxl import load_workbook

from socialops.analytics.models import PostRecord
from socialops.insights import stats
from socialops.insights.selectors import content as sel
from tests.access import assert_four_cases
from tests.factories import make_account, make_theme

pytestmark = pytest.mark.django_db

BASE = "/api/v1/workspaces/acme/insights/content"
WHEN = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)


def test_mean_interval_is_students_t() -> None:
    ci = stats.mean_ci([1.0, 2.0, 3.0, 4.0, 5.0])
    # sd = 1.5811, t(0.975, 4) = 2.7764: half-width 1.9632.
    assert ci.mean == 3.0 and ci.low is not None and ci.high is not None
    assert math.isclose(ci.high - 3.0, 1.9632, abs_tol=1e-3) and math.isclose(
        3.0 - ci.low, 1.9632, abs_tol=1e-3
    )
    assert stats.mean_ci([]).mean is None and stats.mean_ci([2.0]).low is None


def test_below_the_minimum_sample_no_difference_is_called() -> None:
    a = [0.10 + i * 0.001 for i in range(stats.MIN_SAMPLE - 1)]
    b = [0.01 + i * 0.001 for i in range(40)]
    result = stats.compare(a, b)
    assert result.outcome == stats.TOO_FEW and not result.significant and result.p_value is None
    # The same data with one more post in the small group is called.
    assert stats.compare([*a, 0.11], b).outcome == stats.HIGHER


def test_a_clear_difference_is_detected_and_noise_is_not() -> None:
    high = [0.10 + (i % 5) * 0.004 for i in range(25)]
    low = [0.05 + (i % 5) * 0.004 for i in range(30)]
    result = stats.compare(high, low)
    assert result.outcome == stats.HIGHER and result.p_value is not None and result.p_value < 0.001
    assert result.ratio is not None and math.isclose(result.ratio, (0.108) / (0.058), rel_tol=1e-6)
    assert result.diff_low is not None and 0.045 < result.diff_low < 0.05 < (result.diff_high or 0)
    same = stats.compare([0.05 + (i % 5) * 0.004 for i in range(25)], low)
    assert same.outcome == stats.NO_DIFFERENCE
    assert stats.compare(low, high).outcome == stats.LOWER


def test_tukey_fences_on_log_scale() -> None:
    values = [100.0] * 10 + [120.0] * 10 + [90.0] * 10 + [5000.0]
    low, high = stats.tukey_fences_log(values) or (0, 0)
    assert 120 < high < 5000 and low < 90


@pytest.fixture
def posts(workspace: Any, other_workspace: Any) -> dict[str, Any]:
    weibo = make_account(workspace, "acme_weibo", platform="weibo")
    rival = make_account(workspace, "rival", platform="weibo", competitor=True)
    expert, news = make_theme(workspace, "专家观点"), make_theme(workspace, "行业动态")
    rows = []
    # 25 expert posts at about 8%, 30 news posts at about 4%, all with 1,000 impressions.
    for i in range(25):
        rows.append((expert, "article", 75 + (i % 5) * 2, "x" * 200, 1000))
    for i in range(30):
        rows.append((news, "video", 35 + (i % 5) * 2, "", 1000))
    rows.append((news, "video", 9000, "", 200_000))  # an outlier by engagements, not by rate
    PostRecord.objects.bulk_create(
        PostRecord(
            workspace=workspace,
            account=weibo,
            external_id=f"p{n}",
            published_at=WHEN + dt.timedelta(days=n % 20),
            weekday=((n % 20) % 7) + 1,
            hour=9 + n % 3,
            theme=theme,
            form=form,
            text=text,
            engagements=eng,
            impressions=impressions,
        )
        for n, (theme, form, eng, text, impressions) in enumerate(rows)
    )
    # A competitor's posts never count.
    PostRecord.objects.create(
        workspace=workspace,
        account=rival,
        external_id="r1",
        weekday=1,
        hour=9,
        engagements=10**6,
        impressions=1,
    )
    other = make_account(other_workspace, "other_weibo")
    return {"weibo": weibo, "rival": rival, "expert": expert, "news": news, "other": other}


def test_groups_with_intervals_and_tests(posts: dict[str, Any], admin: Any, workspace: Any) -> None:
    data = sel.content_performance(workspace=workspace, user=admin, days=0)
    assert data["posts"] == 56 and data["totals"]["engagements"] == sum(
        PostRecord.objects.filter(account=posts["weibo"]).values_list("engagements", flat=True)
    )
    themes = {r["label"]: r for r in data["dimensions"]["theme"]}
    expert = themes["专家观点"]
    assert expert["posts"] == 25 and math.isclose(expert["engagement_rate"]["mean"], 0.079)
    assert expert["engagement_rate"]["low"] < 0.079 < expert["engagement_rate"]["high"]
    assert expert["vs_rest"]["outcome"] == "higher" and expert["vs_rest"]["n_b"] == 31
    lengths = {r["key"]: r for r in data["dimensions"]["length"]}
    assert lengths["medium"]["posts"] == 25 and lengths["none"]["posts"] == 31
    compared = sel.compare_groups(
        workspace=workspace,
        user=admin,
        dimension="theme",
        a=str(posts["expert"].pk),
        b=str(posts["news"].pk),
        days=0,
    )
    assert compared["outcome"] == "higher" and compared["n_a"] == 25 and compared["n_b"] == 31


def test_ranking_marks_the_outlier(posts: dict[str, Any], admin: Any, workspace: Any) -> None:
    ranking = sel.post_ranking(workspace=workspace, user=admin, metric="engagements", days=0)
    assert ranking["rows"][0]["value"] == 9000 and ranking["rows"][0]["outlier"] == "high"
    assert ranking["outliers"] == 1


def test_api_four_cases_and_refusal_below_the_minimum(
    posts: dict[str, Any], admin: Any, api: Any, member: Any, workspace: Any, other_workspace: Any
) -> None:
    member("analyst", ws=other_workspace, username="stranger")
    for path in (
        "?days=0",
        "/posts?days=0&metric=engagement_rate",
        "/compare?dimension=form&a=article&b=video&days=0",
    ):
        assert_four_cases(
            api,
            "GET",
            f"{BASE}{path}",
            f"/api/v1/workspaces/other/insights/content{path}",
            permitted=admin,
            denied=None,
        )
    small = api(admin).get(f"{BASE}/compare?dimension=hour&a=9&b=10&days=0").json()
    assert small["outcome"] == "too_few" and small["significant"] is False and small["min_sample"] == 20
    assert api(admin).get(f"{BASE}?account={posts['rival'].pk}").status_code == 400
    assert api(admin).get(f"{BASE}?account={posts['other'].pk}").status_code == 404


@pytest.mark.parametrize("role", ["admin", "analyst"])
def test_page_renders_for_admin_and_analyst(posts: dict[str, Any], role: str, member: Any, web: Any) -> None:
    user = member(role)
    html = web(user).get("/w/acme/insights/content/?days=0").content.decode()
    assert "专家观点" in html and 'data-verdict="theme"' in html and "earns" in html
    assert 'data-echarts="chart-theme"' in html and 'data-echarts="chart-slots"' in html
    assert "Unusually high" in html
    assert web(user).post("/w/acme/insights/content/").status_code == 405


def test_export_has_the_api_totals(posts: dict[str, Any], admin: Any, api: Any, web: Any) -> None:
    data = api(admin).get(f"{BASE}?days=0").json()
    response = web(admin).get("/w/acme/insights/content/groups.xlsx?days=0")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    theme_rows = [r for r in rows[1:] if r[0] == "Theme"]
    assert sum(r[2] for r in theme_rows) == data["totals"]["posts"]
    api_expert = next(g for g in data["dimensions"]["theme"] if g["label"] == "专家观点")
    row = next(r for r in theme_rows if r[1] == "专家观点")
    assert math.isclose(row[7], api_expert["engagement_rate"]["mean"])
    csv_text = web(admin).get("/w/acme/insights/content/posts.csv?days=0").content.decode("utf-8-sig")
    assert len(csv_text.strip().splitlines()) == 1 + 56
    assert web(admin).get("/w/acme/insights/content/posts.pdf").status_code == 404
