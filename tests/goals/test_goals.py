"""Goals (R1.3) and their progress and forecast (R1.4): catalogue, services, selectors, API, pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from socialops.goals import metrics as cat
from socialops.goals import presenters
from socialops.goals.models import Goal, MetricSnapshot
from socialops.goals.selectors import goals as sel
from socialops.goals.services import goals as svc
from socialops.workspaces.models import AuditEntry
from socialops.workspaces.roles import Role
from tests.access import assert_four_cases
from tests.factories import days, fill, make_account, make_goal
from tests.goals.test_goals_support import weekly_new_followers

pytestmark = pytest.mark.django_db

TODAY = dt.date(2024, 3, 20)  # a Wednesday; the 56-day window is 2024-01-25 … 2024-03-20


# ---- catalogue and derived metrics ---------------------------------------------------------


def test_catalogue_lists_every_metric_with_kinds() -> None:
    assert {m.key for m in cat.metrics_for_kind("growth")} == {
        "new_followers", "net_growth", "followers_total", "retention_rate",
    }  # fmt: skip
    assert {m.key for m in cat.metrics_for_kind("dissemination")} == {
        "impressions", "reach", "engagements", "interaction_rate", "click_rate",
    }  # fmt: skip
    assert {m.key for m in cat.metrics_for_kind("conversion")} == {
        "impressions", "link_clicks", "leads", "coupon_redemptions", "orders", "revenue", "conversion_rate",
    }  # fmt: skip
    assert cat.CATALOGUE["followers_total"].aggregation == cat.LEVEL
    assert cat.CATALOGUE["interaction_rate"].derived and cat.CATALOGUE["interaction_rate"].is_rate
    assert cat.CATALOGUE["lost_followers"].kinds == () and cat.CATALOGUE["posts"].kinds == ()


def test_daily_series_is_one_query_sums_accounts_and_leaves_missing_days_missing(
    workspace: Any, django_assert_num_queries: Any
) -> None:
    a, b = make_account(workspace, "acme_weibo"), make_account(workspace, "acme_dy", platform="douyin")
    MetricSnapshot.objects.bulk_create(
        [
            MetricSnapshot(workspace=workspace, account=a, date=dt.date(2024, 3, 1), new_followers=10),
            MetricSnapshot(workspace=workspace, account=b, date=dt.date(2024, 3, 1), new_followers=5),
            MetricSnapshot(workspace=workspace, account=a, date=dt.date(2024, 3, 3), new_followers=7),
            MetricSnapshot(workspace=workspace, account=b, date=dt.date(2024, 3, 2), impressions=100),
        ]
    )
    with django_assert_num_queries(1):
        series = cat.metric_daily_series(
            workspace=workspace, metric="new_followers", start=dt.date(2024, 3, 1), end=dt.date(2024, 3, 3)
        )
    assert series.value == {dt.date(2024, 3, 1): 15.0, dt.date(2024, 3, 3): 7.0}  # 3-02 unknown, not 0
    only_b = cat.metric_daily_series(
        workspace=workspace,
        metric="new_followers",
        start=dt.date(2024, 3, 1),
        end=dt.date(2024, 3, 3),
        accounts=[b],
    )
    assert only_b.value == {dt.date(2024, 3, 1): 5.0}


def test_competitor_accounts_are_not_counted_as_ours(workspace: Any) -> None:
    ours, theirs = make_account(workspace, "acme"), make_account(workspace, "rival", competitor=True)
    for account in (ours, theirs):
        MetricSnapshot.objects.create(
            workspace=workspace, account=account, date=dt.date(2024, 3, 1), new_followers=10
        )
    series = cat.metric_daily_series(
        workspace=workspace, metric="new_followers", start=dt.date(2024, 3, 1), end=dt.date(2024, 3, 1)
    )
    assert series.value == {dt.date(2024, 3, 1): 10.0}


def test_interaction_rate_is_engagements_over_impressions_as_a_ratio_of_sums(workspace: Any) -> None:
    a = make_account(workspace, "acme")
    MetricSnapshot.objects.bulk_create(
        [
            # 10 + 5 + 3 + 2 = 20 engagements on 1,000 impressions (a 2% day)
            MetricSnapshot(workspace=workspace, account=a, date=dt.date(2024, 3, 1),
                           likes=10, comments=5, shares=3, saves=2, impressions=1000),
            # only likes known: 30 engagements on 500 impressions (a 6% day)
            MetricSnapshot(workspace=workspace, account=a, date=dt.date(2024, 3, 2), likes=30, impressions=500),
            # no impressions: left out of the ratio entirely
            MetricSnapshot(workspace=workspace, account=a, date=dt.date(2024, 3, 3), likes=99),
        ]
    )  # fmt: skip
    start, end = dt.date(2024, 3, 1), dt.date(2024, 3, 3)
    series = cat.metric_daily_series(workspace=workspace, metric="interaction_rate", start=start, end=end)
    assert series.value == {dt.date(2024, 3, 1): 0.02, dt.date(2024, 3, 2): 0.06}
    # (20 + 30) / (1000 + 500), not the mean of 2% and 6%
    assert cat.period_value(series, start, end) == pytest.approx(50 / 1500)
    engagements = cat.metric_daily_series(workspace=workspace, metric="engagements", start=start, end=end)
    assert cat.period_value(engagements, start, end) == 20 + 30 + 99


def test_net_growth_and_click_and_conversion_rates(workspace: Any) -> None:
    a = make_account(workspace, "acme")
    MetricSnapshot.objects.bulk_create(
        [
            MetricSnapshot(workspace=workspace, account=a, date=dt.date(2024, 3, 1), new_followers=30,
                           lost_followers=12, impressions=2000, link_clicks=40, orders=4),
            MetricSnapshot(workspace=workspace, account=a, date=dt.date(2024, 3, 2), new_followers=8,
                           lost_followers=10, impressions=1000, link_clicks=20, orders=2),
            MetricSnapshot(workspace=workspace, account=a, date=dt.date(2024, 3, 3), new_followers=50),  # lost unknown
        ]
    )  # fmt: skip
    start, end = dt.date(2024, 3, 1), dt.date(2024, 3, 3)
    net = cat.metric_daily_series(workspace=workspace, metric="net_growth", start=start, end=end)
    assert net.value == {dt.date(2024, 3, 1): 18.0, dt.date(2024, 3, 2): -2.0}
    assert cat.period_value(net, start, end) == 16
    clicks = cat.metric_daily_series(workspace=workspace, metric="click_rate", start=start, end=end)
    assert cat.period_value(clicks, start, end) == pytest.approx(60 / 3000)
    conversion = cat.metric_daily_series(workspace=workspace, metric="conversion_rate", start=start, end=end)
    assert cat.period_value(conversion, start, end) == pytest.approx(6 / 60)


def test_retention_is_one_minus_lost_over_followers_at_the_start(workspace: Any) -> None:
    a = make_account(workspace, "acme")
    fill(a, dt.date(2024, 2, 29), dt.date(2024, 2, 29), lambda d: {"followers_total": 1000})
    fill(
        a, dt.date(2024, 3, 1), dt.date(2024, 3, 10), lambda d: {"lost_followers": 5, "followers_total": 2000}
    )
    start, end = dt.date(2024, 3, 1), dt.date(2024, 3, 31)
    series = cat.metric_daily_series(workspace=workspace, metric="retention_rate", start=start, end=end)
    # 50 lost of the 1,000 followers the period started with (the count of the day before it)
    assert cat.period_value(series, start, end) == pytest.approx(0.95)


def test_follower_level_skips_days_when_an_account_has_not_reported(workspace: Any) -> None:
    a, b = make_account(workspace, "acme"), make_account(workspace, "acme2")
    fill(a, dt.date(2024, 3, 1), dt.date(2024, 3, 3), lambda d: {"followers_total": 1000 + d.day})
    fill(b, dt.date(2024, 3, 1), dt.date(2024, 3, 2), lambda d: {"followers_total": 500})
    series = cat.metric_daily_series(
        workspace=workspace, metric="followers_total", start=dt.date(2024, 3, 1), end=dt.date(2024, 3, 3)
    )
    # 3-03 has only one of the two accounts: not a drop of 500 followers, just not known yet
    assert series.value == {dt.date(2024, 3, 1): 1501.0, dt.date(2024, 3, 2): 1502.0}
    assert cat.period_value(series, dt.date(2024, 3, 1), dt.date(2024, 3, 3)) == 1502.0


# ---- services --------------------------------------------------------------------------------


def test_goal_create_needs_goal_edit_and_is_audited(workspace: Any, member: Any) -> None:
    analyst, operator = member(Role.ANALYST), member(Role.OPERATOR)
    account = make_account(workspace, "acme")
    fields = {
        "kind": "growth", "name": "Grow", "metric": "new_followers", "baseline": 0, "target": 500,
        "period_start": dt.date(2024, 3, 1), "period_end": dt.date(2024, 3, 31),
    }  # fmt: skip
    with pytest.raises(PermissionDenied):
        svc.goal_create(workspace=workspace, actor=analyst, **fields)
    created = svc.goal_create(
        workspace=workspace, actor=operator, owner=operator, accounts=[account], **fields
    )
    assert list(created.accounts.all()) == [account] and created.owner == operator
    entry = AuditEntry.objects.get(workspace=workspace, action="goal.create")
    assert entry.actor == operator and entry.after["metric"] == "new_followers"

    svc.goal_update(workspace=workspace, actor=operator, goal=created, target=600, name="Grow more")
    entry = AuditEntry.objects.get(workspace=workspace, action="goal.update")
    assert entry.before == {"name": "Grow", "target": "500.0000"} and entry.after["target"] == "600.0000"
    svc.goal_delete(workspace=workspace, actor=operator, goal=created)
    assert not Goal.objects.exists()
    assert AuditEntry.objects.filter(action="goal.delete").count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"metric": "impressions"}, "metric"),  # not a growth metric
        ({"metric": "posts"}, "metric"),  # in the catalogue, but no goal may use it
        ({"metric": "nonsense"}, "metric"),
        ({"kind": "fame"}, "kind"),
        ({"name": "  "}, "name"),
        ({"period_end": dt.date(2024, 2, 1)}, "period_end"),
        ({"period_end": dt.date(2026, 3, 1)}, "period_end"),  # longer than two years (to 2026-02-28)
        ({"period_start": dt.date(1999, 1, 1)}, "period_start"),
        ({"target": 0}, "target"),
        ({"baseline": 500, "target": 500}, "target"),
        ({"metric": "retention_rate", "baseline": 0.9, "target": 1.2}, "target"),
        ({"metric": "retention_rate", "baseline": -0.1, "target": 0.9}, "baseline"),
        ({"metric": "followers_total", "baseline": 1000, "target": 900}, "target"),
        ({"target": "abc"}, "target"),
        ({"target": float("nan")}, "target"),
    ],
)
def test_goal_validation_names_the_field(workspace: Any, overrides: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as exc:
        make_goal(workspace, **overrides)
    assert field in exc.value.message_dict, exc.value.message_dict
    assert not Goal.objects.exists()


def test_goal_accounts_and_owner_must_belong_to_the_workspace(
    workspace: Any, other_workspace: Any, member: Any
) -> None:
    foreign_account = make_account(other_workspace, "theirs")
    rival = make_account(workspace, "rival", competitor=True)
    outsider = member(Role.ADMIN, ws=other_workspace)
    with pytest.raises(ValidationError) as exc:
        make_goal(workspace, accounts=[foreign_account])
    assert "accounts" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        make_goal(workspace, accounts=[rival])
    assert "competitor" in exc.value.message_dict["accounts"][0]
    with pytest.raises(ValidationError) as exc:
        make_goal(workspace, owner=outsider)
    assert "owner" in exc.value.message_dict


# ---- progress and forecast -------------------------------------------------------------------


@pytest.fixture
def march_goal(workspace: Any, admin: Any) -> Goal:
    """Growth goal for March 2024 on an account gaining 72 a weekday and 170 a weekend day."""
    account = make_account(workspace, "acme")
    fill(account, dt.date(2024, 1, 25), TODAY, weekly_new_followers)
    return make_goal(workspace, accounts=[account])


def test_progress_numbers_on_a_hand_checkable_series(workspace: Any, admin: Any, march_goal: Goal) -> None:
    p = sel.goal_progress(workspace=workspace, user=admin, goal=march_goal, today=TODAY)
    # 1–20 March: 6 weekend days × 170 + 14 weekdays × 72
    assert p.actual == 6 * 170 + 14 * 72 == 2028
    assert p.actual_date == TODAY
    assert p.days_elapsed == 20 and p.days_total == 31
    assert p.progress_pct == pytest.approx(2028 / 3100 * 100)
    assert p.expected == pytest.approx(3100 * 20 / 31)  # linear pace
    # 21–31 March: 4 weekend days + 7 weekdays; the fit is exact, so the range has no width
    assert p.forecast == pytest.approx(2028 + 4 * 170 + 7 * 72)  # 3,212
    assert p.forecast_low == pytest.approx(3212) and p.forecast_high == pytest.approx(3212)
    assert p.status == sel.ON_TRACK
    assert p.data_days == 56
    # The chart series: cumulative actual to today, then the forecast to the end of March
    s = p.series
    assert len(s["dates"]) == 31 and s["dates"][0] == "2024-03-01"
    assert s["actual"][0] == 72 and s["actual"][19] == 2028 and s["actual"][20] is None
    assert s["forecast"][19] == 2028 and s["forecast"][-1] == pytest.approx(3212)
    assert s["target"] == [3100.0] * 31 and s["expected"][-1] == pytest.approx(3100)


def test_status_follows_the_range(workspace: Any, admin: Any, march_goal: Goal) -> None:
    svc.goal_update(workspace=workspace, actor=admin, goal=march_goal, target=3300)
    p = sel.goal_progress(workspace=workspace, user=admin, goal=march_goal, today=TODAY)
    assert p.status == sel.OFF_TRACK and "high end" in p.reason


def test_at_risk_when_the_target_is_inside_the_range(workspace: Any, admin: Any) -> None:
    account = make_account(workspace, "acme")
    noise = [13, -7, 4, -11, 9, -2, -6]  # a fixed wobble that is no weekly pattern (period 7 shifted)
    fill(
        account,
        dt.date(2024, 1, 25),
        TODAY,
        lambda d: {"new_followers": 100 + noise[(d.toordinal() * 3) % 7] + d.day % 5},
    )
    g = make_goal(workspace, accounts=[account])
    p = sel.goal_progress(workspace=workspace, user=admin, goal=g, today=TODAY)
    assert p.forecast_low < p.forecast < p.forecast_high
    # Put the target just inside each side of the range and outside it.
    for target, status in (
        (p.forecast_low - 1, sel.ON_TRACK),
        ((p.forecast_low + p.forecast) / 2, sel.AT_RISK),
        ((p.forecast + p.forecast_high) / 2, sel.AT_RISK),
        (p.forecast_high + 1, sel.OFF_TRACK),
    ):
        svc.goal_update(workspace=workspace, actor=admin, goal=g, target=round(target, 2))
        assert sel.goal_progress(workspace=workspace, user=admin, goal=g, today=TODAY).status == status


def test_insufficient_data_says_so_instead_of_guessing(workspace: Any, admin: Any) -> None:
    account = make_account(workspace, "acme")
    fill(account, dt.date(2024, 3, 11), TODAY, weekly_new_followers)  # 10 days
    g = make_goal(workspace, accounts=[account])
    p = sel.goal_progress(workspace=workspace, user=admin, goal=g, today=TODAY)
    assert p.status == sel.INSUFFICIENT
    assert p.forecast is None and p.forecast_low is None
    assert "Only 10 days" in p.reason and "14" in p.reason
    assert p.actual == sum(
        weekly_new_followers(d)["new_followers"] for d in days(dt.date(2024, 3, 11), TODAY)
    )
    empty = make_goal(workspace, name="No data at all", accounts=[make_account(workspace, "new_account")])
    p = sel.goal_progress(workspace=workspace, user=admin, goal=empty, today=TODAY)
    assert p.status == sel.INSUFFICIENT and "No figures yet" in p.reason and p.actual is None


def test_gaps_in_the_window_still_allow_a_forecast_from_14_days(workspace: Any, admin: Any) -> None:
    account = make_account(workspace, "acme")
    fill(account, dt.date(2024, 1, 25), TODAY, weekly_new_followers)
    MetricSnapshot.objects.filter(date__lt=dt.date(2024, 3, 7)).delete()  # 14 days left
    p = sel.goal_progress(
        workspace=workspace, user=admin, goal=make_goal(workspace, accounts=[account]), today=TODAY
    )
    assert p.status != sel.INSUFFICIENT and p.data_days == 14


def test_finished_period_is_judged_on_its_actual_total(workspace: Any, admin: Any, march_goal: Goal) -> None:
    account = march_goal.accounts.get()
    fill(account, TODAY + dt.timedelta(days=1), dt.date(2024, 4, 5), weekly_new_followers)
    p = sel.goal_progress(workspace=workspace, user=admin, goal=march_goal, today=dt.date(2024, 4, 5))
    assert p.finished and p.actual == 3212 and p.forecast == p.forecast_low == p.forecast_high == 3212
    assert p.status == sel.ON_TRACK and p.progress_pct == pytest.approx(3212 / 3100 * 100)


def test_follower_level_forecast_uses_daily_net_growth(workspace: Any, admin: Any) -> None:
    account = make_account(workspace, "acme")
    # +20 a day net (25 new, 5 lost) from 10,000 on 25 January
    fill(account, dt.date(2024, 1, 25), TODAY, lambda d: {
        "followers_total": 10000 + 20 * (d - dt.date(2024, 1, 25)).days, "new_followers": 25, "lost_followers": 5,
    })  # fmt: skip
    g = make_goal(workspace, metric="followers_total", baseline=11000, target=11300, accounts=[account])
    p = sel.goal_progress(workspace=workspace, user=admin, goal=g, today=TODAY)
    level_today = 10000 + 20 * 55
    assert p.actual == level_today == 11100
    assert p.progress_pct == pytest.approx((11100 - 11000) / 300 * 100)
    assert p.forecast == pytest.approx(level_today + 11 * 20)  # 11,320 on 31 March
    assert p.status == sel.ON_TRACK and "net growth" in p.method


def test_follower_level_without_net_growth_forecasts_its_daily_changes(workspace: Any, admin: Any) -> None:
    account = make_account(workspace, "acme")
    fill(
        account,
        dt.date(2024, 2, 21),
        TODAY,
        lambda d: {"followers_total": 5000 + 10 * (d - dt.date(2024, 2, 21)).days},
    )
    g = make_goal(workspace, metric="followers_total", baseline=5000, target=5500, accounts=[account])
    p = sel.goal_progress(workspace=workspace, user=admin, goal=g, today=TODAY)
    assert p.forecast == pytest.approx(5000 + 10 * 39) and p.status == sel.OFF_TRACK
    assert "day-to-day changes" in p.method


def test_rate_goal_forecasts_numerator_and_denominator(workspace: Any, admin: Any) -> None:
    account = make_account(workspace, "acme")
    fill(account, dt.date(2024, 1, 25), TODAY, lambda d: {
        "impressions": 2000 if d.weekday() < 5 else 1000, "likes": 60 if d.weekday() < 5 else 30,
    })  # fmt: skip
    g = make_goal(
        workspace,
        kind="dissemination",
        metric="interaction_rate",
        baseline=0.02,
        target=0.025,
        accounts=[account],
    )
    p = sel.goal_progress(workspace=workspace, user=admin, goal=g, today=TODAY)
    assert p.actual == pytest.approx(0.03) and p.forecast == pytest.approx(0.03)
    assert p.progress_pct == pytest.approx(200)
    assert p.status == sel.ON_TRACK
    assert p.display["actual"] == "3.00%"
    option = presenters.goal_chart_option(p)
    assert option["yAxis"]["axisLabel"]["formatter"] == "{value}%"


def test_retention_goal(workspace: Any, admin: Any) -> None:
    account = make_account(workspace, "acme")
    fill(account, dt.date(2024, 1, 25), TODAY, lambda d: {"followers_total": 2000, "lost_followers": 2})
    g = make_goal(workspace, metric="retention_rate", baseline=0.9, target=0.95, accounts=[account])
    p = sel.goal_progress(workspace=workspace, user=admin, goal=g, today=TODAY)
    assert p.actual == pytest.approx(1 - 40 / 2000)  # 20 days × 2 lost of 2,000
    assert p.forecast == pytest.approx(1 - 62 / 2000)  # 31 days × 2
    assert p.status == sel.ON_TRACK
    assert p.expected == pytest.approx(1 - 0.05 * 20 / 31)  # steady loss from 100% to the target


def test_progress_of_another_workspace_goal_is_404(workspace: Any, other_workspace: Any, admin: Any) -> None:
    from django.http import Http404

    foreign = make_goal(other_workspace)
    with pytest.raises(Http404):
        sel.goal_progress(workspace=workspace, user=admin, goal=foreign)


# ---- API -------------------------------------------------------------------------------------


def _payload(**overrides: Any) -> dict[str, Any]:
    data = {
        "kind": "growth", "name": "New followers Q2", "metric": "new_followers", "baseline": 0, "target": 9000,
        "period_start": "2024-04-01", "period_end": "2024-06-30",
    }  # fmt: skip
    data.update(overrides)
    return data


def test_api_catalogue_four_cases(workspace: Any, other_workspace: Any, admin: Any, api: Any) -> None:
    response = assert_four_cases(
        api, "GET", "/api/v1/workspaces/acme/metrics/catalogue?limit=100",
        "/api/v1/workspaces/other/metrics/catalogue", permitted=admin, denied=None,
    )  # fmt: skip
    rows = {r["key"]: r for r in response.json()["items"]}
    assert rows["interaction_rate"]["aggregation"] == "ratio" and rows["interaction_rate"]["derived"]
    assert rows["new_followers"]["kinds"] == ["growth"]
    assert response.json()["count"] == len(cat.CATALOGUE)


def test_api_goal_list_four_cases_with_progress(
    workspace: Any, other_workspace: Any, admin: Any, member: Any, api: Any, march_goal: Goal
) -> None:
    with time_machine.travel(dt.datetime(2024, 3, 20, 12, 0, tzinfo=dt.UTC), tick=False):
        response = assert_four_cases(
            api, "GET", "/api/v1/workspaces/acme/goals", "/api/v1/workspaces/other/goals",
            permitted=member(Role.ANALYST), denied=None,
        )  # fmt: skip
    body = response.json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["name"] == march_goal.name and item["metric_label"] == "New followers"
    assert item["progress"]["status"] == "on_track"
    assert item["progress"]["forecast"] == pytest.approx(3212)
    assert item["progress"]["actual"] == 2028


def test_api_goal_create_four_cases(
    workspace: Any, other_workspace: Any, admin: Any, member: Any, api: Any
) -> None:
    account = make_account(workspace, "acme")
    response = assert_four_cases(
        api, "POST", "/api/v1/workspaces/acme/goals", "/api/v1/workspaces/other/goals", permitted=admin,
        denied=member(Role.REVIEWER), data=_payload(account_ids=[account.pk], owner_id=admin.pk), ok=(201,),
    )  # fmt: skip
    body = response.json()
    assert body["account_ids"] == [account.pk] and body["owner"] == "boss"
    assert body["progress"]["status"] == "insufficient_data"
    assert Goal.objects.filter(workspace=workspace).count() == 1


def test_api_goal_create_errors_name_the_field(
    workspace: Any, other_workspace: Any, admin: Any, api: Any
) -> None:
    client = api(admin)
    foreign_account = make_account(other_workspace, "theirs")
    cases = [
        (_payload(metric="revenue"), "metric"),
        (_payload(period_end="2024-03-01"), "period_end"),
        (_payload(account_ids=[foreign_account.pk]), "accounts"),
        (_payload(owner_id=999999), "owner"),
        (_payload(kind="dissemination", metric="click_rate", baseline=0.01, target=3), "target"),
    ]
    for payload, field in cases:
        response = client.post("/api/v1/workspaces/acme/goals", data=payload, content_type="application/json")
        assert response.status_code == 400, (payload, response.content)
        assert field in response.json()["errors"], response.json()
    bad = client.post(
        "/api/v1/workspaces/acme/goals", data=_payload(target=1e300), content_type="application/json"
    )
    assert bad.status_code == 422
    assert not Goal.objects.exists()


def test_api_goal_detail_patch_delete_four_cases(
    workspace: Any, other_workspace: Any, admin: Any, member: Any, api: Any
) -> None:
    mine, theirs = make_goal(workspace), make_goal(other_workspace)
    analyst = member(Role.ANALYST)
    detail = assert_four_cases(
        api, "GET", f"/api/v1/workspaces/acme/goals/{mine.pk}", f"/api/v1/workspaces/acme/goals/{theirs.pk}",
        permitted=analyst, denied=None,
    )  # fmt: skip
    assert detail.json()["target"] == 3100
    patched = assert_four_cases(
        api, "PATCH", f"/api/v1/workspaces/acme/goals/{mine.pk}",
        f"/api/v1/workspaces/acme/goals/{theirs.pk}", permitted=admin, denied=analyst,
        data={"target": 4000, "name": "Bigger"},
    )  # fmt: skip
    assert patched.json()["target"] == 4000 and patched.json()["name"] == "Bigger"
    assert Goal.objects.get(pk=theirs.pk).target == 3100
    assert_four_cases(
        api, "DELETE", f"/api/v1/workspaces/acme/goals/{mine.pk}",
        f"/api/v1/workspaces/acme/goals/{theirs.pk}", permitted=admin, denied=analyst, ok=(204,),
    )  # fmt: skip
    assert not Goal.objects.filter(pk=mine.pk).exists() and Goal.objects.filter(pk=theirs.pk).exists()
    assert api(admin).get("/api/v1/workspaces/acme/goals/99999999999999999999").status_code in (404, 422)


def test_api_goal_progress_four_cases_with_series(
    workspace: Any, other_workspace: Any, admin: Any, api: Any, march_goal: Goal
) -> None:
    theirs = make_goal(other_workspace)
    with time_machine.travel(dt.datetime(2024, 3, 20, 12, 0, tzinfo=dt.UTC), tick=False):
        response = assert_four_cases(
            api, "GET", f"/api/v1/workspaces/acme/goals/{march_goal.pk}/progress",
            f"/api/v1/workspaces/acme/goals/{theirs.pk}/progress", permitted=admin, denied=None,
        )  # fmt: skip
    body = response.json()
    assert body["status"] == "on_track" and body["interval"] == 0.8
    assert body["series"]["dates"][-1] == "2024-03-31"
    assert body["series"]["actual"][19] == 2028 and body["series"]["forecast"][-1] == pytest.approx(3212)


# ---- pages -----------------------------------------------------------------------------------


def test_goal_list_page_groups_by_kind(
    workspace: Any, other_workspace: Any, admin: Any, member: Any, web: Any
) -> None:
    make_goal(workspace, name="Grow the base")
    make_goal(workspace, name="Reach more people", kind="dissemination", metric="impressions", target=100000)
    analyst = member(Role.ANALYST)
    client = web(analyst)
    client.cookies["django_language"] = "en"
    response = assert_four_cases(
        lambda u: client if u is analyst else web(u), "GET", "/w/acme/goals/", "/w/other/goals/",
        permitted=analyst, denied=None, api=False,
    )  # fmt: skip
    html = response.content.decode()
    assert "User growth" in html and "Content dissemination" in html and "Marketing conversion" in html
    assert html.index("Grow the base") < html.index("Reach more people")
    assert "No goals of this kind yet." in html  # conversion is empty
    assert "New goal" not in html  # analysts cannot set goals


def test_goal_list_empty_state(workspace: Any, admin: Any, web: Any) -> None:
    client = web(admin)
    client.cookies["django_language"] = "en"
    html = client.get("/w/acme/goals/").content.decode()
    assert "No goals yet." in html and "Set the first goal" in html


def test_goal_detail_page(
    workspace: Any, other_workspace: Any, admin: Any, member: Any, web: Any, march_goal: Goal
) -> None:
    theirs = make_goal(other_workspace)
    with time_machine.travel(dt.datetime(2024, 3, 20, 12, 0, tzinfo=dt.UTC), tick=False):
        response = assert_four_cases(
            web, "GET", f"/w/acme/goals/{march_goal.pk}/", f"/w/acme/goals/{theirs.pk}/",
            permitted=admin, denied=None,
        )  # fmt: skip
    html = response.content.decode()
    assert march_goal.name in html
    assert 'data-status="on_track"' in html
    assert 'data-echarts="goal-chart"' in html and 'id="goal-chart"' in html
    assert "3,212" in html and "2,028" in html


def test_goal_create_page(workspace: Any, other_workspace: Any, admin: Any, member: Any, web: Any) -> None:
    account = make_account(workspace, "acme")
    data = {
        "kind": "conversion", "name": "Coupons in May", "metric": "coupon_redemptions", "baseline": "0",
        "target": "800", "period_start": "2024-05-01", "period_end": "2024-05-31", "accounts": [account.pk],
        "owner": admin.pk, "description": "",
    }  # fmt: skip
    response = assert_four_cases(
        web, "POST", "/w/acme/goals/new/", "/w/other/goals/new/",
        permitted=admin, denied=member(Role.ANALYST), data=data, ok=(302,),
    )  # fmt: skip
    created = Goal.objects.get(workspace=workspace)
    assert response["Location"] == f"/w/acme/goals/{created.pk}/"
    assert list(created.accounts.all()) == [account] and created.owner == admin
    form_page = assert_four_cases(
        web, "GET", "/w/acme/goals/new/", "/w/other/goals/new/", permitted=admin, denied=member(Role.ANALYST)
    ).content.decode()
    assert 'data-kinds="growth"' in form_page and "goals/goal_form.js" in form_page


def test_goal_form_shows_service_errors_beside_the_field(workspace: Any, admin: Any, web: Any) -> None:
    client = web(admin)
    client.cookies["django_language"] = "en"
    response = client.post(
        "/w/acme/goals/new/",
        data={"kind": "growth", "name": "Wrong metric", "metric": "revenue", "baseline": "0", "target": "10",
              "period_start": "2024-05-01", "period_end": "2024-05-31"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "cannot be used for a goal of kind" in response.content.decode()
    html = response.content.decode()
    assert (
        html.index('id="id_metric"')
        < html.index("cannot be used for a goal of kind")
        < html.index('id="id_baseline"')
    )
    assert not Goal.objects.exists()


def test_goal_edit_and_delete_pages(
    workspace: Any, other_workspace: Any, admin: Any, member: Any, web: Any
) -> None:
    mine, theirs = make_goal(workspace), make_goal(other_workspace)
    analyst = member(Role.ANALYST)
    assert_four_cases(
        web, "GET", f"/w/acme/goals/{mine.pk}/edit/", f"/w/acme/goals/{theirs.pk}/edit/",
        permitted=admin, denied=analyst,
    )  # fmt: skip
    data = {
        "kind": "growth", "name": "Renamed", "metric": "net_growth", "baseline": "0", "target": "1500",
        "period_start": "2024-03-01", "period_end": "2024-03-31",
    }  # fmt: skip
    assert_four_cases(
        web, "POST", f"/w/acme/goals/{mine.pk}/edit/", f"/w/acme/goals/{theirs.pk}/edit/",
        permitted=admin, denied=analyst, data=data, ok=(302,),
    )  # fmt: skip
    mine.refresh_from_db()
    assert mine.name == "Renamed" and mine.metric == "net_growth"
    assert_four_cases(
        web, "POST", f"/w/acme/goals/{mine.pk}/delete/", f"/w/acme/goals/{theirs.pk}/delete/",
        permitted=admin, denied=analyst, data={}, ok=(302,),
    )  # fmt: skip
    assert not Goal.objects.filter(pk=mine.pk).exists() and Goal.objects.filter(pk=theirs.pk).exists()
