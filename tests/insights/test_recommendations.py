"""Recommendations: proposed only on a significant difference, accepting changes the theme target
share the next plan run reads (audited), rejecting changes nothing, the API's four cases and the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from socialops.analytics.models import PostRecord
from socialops.content.models import ThemeTarget
from socialops.content.selectors.plan import plan_input_for_system
from socialops.content.services.themes import theme_targets_set
from socialops.insights.models import Recommendation
from socialops.insights.services import recommendations as svc
from socialops.workspaces.models import AuditEntry
from tests.access import assert_four_cases
from tests.factories import make_account, make_theme

pytestmark = pytest.mark.django_db

WHEN = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)
TODAY = dt.date(2025, 3, 31)


def _posts(workspace: Any, account: Any, theme: Any, rates: list[int], start: int) -> None:
    PostRecord.objects.bulk_create(
        PostRecord(
            workspace=workspace,
            account=account,
            external_id=f"p{start + n}",
            published_at=WHEN + dt.timedelta(hours=n),
            weekday=1,
            hour=9,
            theme=theme,
            engagements=e,
            impressions=1000,
        )  # fmt: skip
        for n, e in enumerate(rates)
    )


@pytest.fixture
def setup(workspace: Any, other_workspace: Any) -> dict[str, Any]:
    weibo = make_account(workspace, "acme_weibo")
    expert, news, tips = (
        make_theme(workspace, "专家观点"),
        make_theme(workspace, "行业动态"),
        make_theme(workspace, "实用技巧"),
    )
    theme_targets_set(
        workspace=workspace, actor=None, account=weibo, shares={expert.pk: 20, news.pk: 50, tips.pk: 30}
    )
    _posts(workspace, weibo, expert, [75 + (i % 5) * 2 for i in range(25)], 0)
    _posts(workspace, weibo, news, [40 + (i % 5) * 2 for i in range(30)], 100)
    _posts(workspace, weibo, tips, [42 + (i % 5) * 2 for i in range(5)], 200)  # too few to judge
    return {"weibo": weibo, "expert": expert, "news": news, "tips": tips}


def test_shift_keeps_100() -> None:
    assert svc.shifted({1: 20, 2: 50, 3: 30}, 1, 10) == {1: 30, 2: 44, 3: 26}
    assert svc.shifted({1: 0, 2: 100}, 2, -10) == {1: 10, 2: 90}
    assert svc.shifted({1: 100}, 1, 10) is None
    assert sum(svc.whole_shares({1: 100 / 3, 2: 100 / 3, 3: 100 / 3}).values()) == 100


def test_propose_accept_and_the_next_plan_uses_the_share(
    setup: dict[str, Any], workspace: Any, admin: Any
) -> None:
    made = svc.recommendations_generate(workspace=workspace, actor=admin, days=0)
    # 专家观点 is clearly above the rest; 行业动态 clearly below; 实用技巧 has 5 posts: no proposal.
    by_theme = {r.theme_id: r for r in made}
    assert set(by_theme) == {setup["expert"].pk, setup["news"].pk}
    rec = by_theme[setup["expert"].pk]
    assert rec.direction == "raise" and rec.evidence["outcome"] == "higher" and rec.evidence["n_a"] == 25
    assert "Raise its target share from 20% to 30%" in rec.summary
    # Proposing again adds nothing while these are open.
    assert svc.recommendations_generate(workspace=workspace, actor=admin, days=0) == []
    svc.recommendation_accept(workspace=workspace, actor=admin, recommendation=rec)
    rec.refresh_from_db()
    assert rec.status == "accepted" and rec.decided_by == admin
    shares = dict(ThemeTarget.objects.filter(account=setup["weibo"]).values_list("theme_id", "share"))
    assert shares[setup["expert"].pk] == 30 and sum(shares.values()) == 100
    plan = plan_input_for_system(
        workspace=workspace, start=TODAY, end=TODAY + dt.timedelta(days=6), accounts=[setup["weibo"]]
    )
    assert plan.accounts[0].theme_targets[setup["expert"].pk] == 30.0
    assert AuditEntry.objects.filter(workspace=workspace, action="recommendation.accept").count() == 1
    assert AuditEntry.objects.filter(workspace=workspace, action="theme_targets.set").count() == 2
    with pytest.raises(Exception, match="already been decided"):
        svc.recommendation_reject(workspace=workspace, actor=admin, recommendation=rec)


def test_reject_leaves_the_shares(setup: dict[str, Any], workspace: Any, admin: Any) -> None:
    made = svc.recommendations_generate(workspace=workspace, actor=admin, days=0)
    for rec in made:
        svc.recommendation_reject(workspace=workspace, actor=admin, recommendation=rec)
    shares = dict(ThemeTarget.objects.filter(account=setup["weibo"]).values_list("theme_id", "share"))
    assert shares[setup["expert"].pk] == 20


def test_api_four_cases_and_pages(
    setup: dict[str, Any],
    workspace: Any,
    other_workspace: Any,
    admin: Any,
    analyst: Any,
    member: Any,
    api: Any,
    web: Any,
) -> None:
    stranger = member("admin", ws=other_workspace, username="stranger")
    base = "/api/v1/workspaces/acme/insights/recommendations"
    other = "/api/v1/workspaces/other/insights/recommendations"
    made = assert_four_cases(
        api,
        "POST",
        f"{base}/propose?days=0",
        f"{other}/propose?days=0",
        permitted=admin,
        denied=analyst,
        ok=(201,),
    ).json()
    assert len(made) == 2
    assert_four_cases(api, "GET", base, other, permitted=admin, denied=None)
    expert = next(r for r in made if r["theme_id"] == setup["expert"].pk)
    news = next(r for r in made if r["theme_id"] == setup["news"].pk)
    foreign = Recommendation.objects.create(
        workspace=other_workspace, account=make_account(other_workspace, "o"), theme=make_theme(other_workspace, "x"),
        direction="raise", summary="x",
    )  # fmt: skip
    assert stranger
    accepted = assert_four_cases(
        api,
        "POST",
        f"{base}/{expert['id']}/accept",
        f"{base}/{foreign.pk}/accept",
        permitted=admin,
        denied=analyst,
    ).json()
    assert accepted["status"] == "accepted" and accepted["change"]["applied"][str(setup["expert"].pk)] == 30
    assert_four_cases(
        api,
        "POST",
        f"{base}/{news['id']}/reject",
        f"{base}/{foreign.pk}/reject",
        permitted=admin,
        denied=analyst,
    )
    for user in (admin, analyst):
        html = web(user).get("/w/acme/insights/recommendations/").content.decode()
        assert "专家观点" in html and "Accepted" in html
    assert web(analyst).post("/w/acme/insights/recommendations/propose/").status_code == 403
    assert web(admin).post("/w/acme/insights/recommendations/propose/").status_code == 302
