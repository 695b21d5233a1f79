"""Strategies and measures (R1.5): services, the before/after effect with its caveat, API and pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from socialops.goals.models import Goal, Strategy
from socialops.goals.selectors import strategies as strat
from socialops.goals.services import goals as svc
from socialops.workspaces.models import AuditEntry
from socialops.workspaces.roles import Role
from tests.access import assert_four_cases
from tests.factories import fill, make_account, make_goal, make_strategy

pytestmark = pytest.mark.django_db

LAUNCH = dt.date(2024, 3, 1)  # a Friday
TODAY = dt.date(2024, 3, 25)


@pytest.fixture
def lifted_goal(workspace: Any) -> Goal:
    """100 new followers a day before 1 March, 150 a day from then on."""
    account = make_account(workspace, "acme")
    fill(account, dt.date(2024, 1, 1), TODAY, lambda d: {"new_followers": 150 if d >= LAUNCH else 100})
    return make_goal(workspace, accounts=[account])


def test_strategy_services_need_goal_edit_and_are_audited(workspace: Any, member: Any) -> None:
    g = make_goal(workspace)
    analyst, operator = member(Role.ANALYST), member(Role.OPERATOR)
    fields = {"kind": "event", "name": "Launch event", "goals": [g], "start_date": LAUNCH, "end_date": LAUNCH}
    with pytest.raises(PermissionDenied):
        svc.strategy_create(workspace=workspace, actor=analyst, **fields)
    s = svc.strategy_create(workspace=workspace, actor=operator, owner=operator, **fields)
    assert list(s.goals.all()) == [g]
    svc.strategy_update(workspace=workspace, actor=operator, strategy=s, name="Launch event (Shanghai)")
    entry = AuditEntry.objects.get(action="strategy.update")
    assert entry.before == {"name": "Launch event"} and entry.after == {"name": "Launch event (Shanghai)"}
    with pytest.raises(PermissionDenied):
        svc.strategy_delete(workspace=workspace, actor=analyst, strategy=s)
    svc.strategy_delete(workspace=workspace, actor=operator, strategy=s)
    assert not Strategy.objects.exists() and Goal.objects.filter(pk=g.pk).exists()
    assert [e.action for e in AuditEntry.objects.filter(object_type="goals.strategy").order_by("id")] == [
        "strategy.create", "strategy.update", "strategy.delete",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"kind": "magic"}, "kind"),
        ({"name": ""}, "name"),
        ({"goals": []}, "goals"),
        ({"end_date": dt.date(2024, 2, 1)}, "end_date"),
        ({"end_date": dt.date(2027, 1, 1)}, "end_date"),
    ],
)
def test_strategy_validation_names_the_field(workspace: Any, overrides: dict[str, Any], field: str) -> None:
    g = make_goal(workspace)
    fields = {"kind": "content", "name": "Series", "goals": [g], "start_date": LAUNCH, "end_date": LAUNCH}
    fields.update(overrides)
    with pytest.raises(ValidationError) as exc:
        svc.strategy_create(workspace=workspace, actor=None, **fields)
    assert field in exc.value.message_dict


def test_strategy_goals_must_be_of_the_workspace(workspace: Any, other_workspace: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        make_strategy(workspace, [make_goal(other_workspace)])
    assert "goals" in exc.value.message_dict


def test_effect_compares_whole_weeks_before_and_during(workspace: Any, admin: Any, lifted_goal: Goal) -> None:
    s = make_strategy(workspace, [lifted_goal])
    effect = strat.strategy_effect(workspace=workspace, user=admin, strategy=s, today=TODAY)
    assert effect.state == strat.FINISHED
    # It ran 20 days; the comparison uses its first 2 whole weeks and the 2 weeks before it.
    assert effect.days == 14 and effect.whole_weeks
    assert (effect.before_start, effect.before_end) == (dt.date(2024, 2, 16), dt.date(2024, 2, 29))
    assert (effect.during_start, effect.during_end) == (LAUNCH, dt.date(2024, 3, 14))
    row = effect.rows[0]
    assert (row.before, row.during, row.change, row.change_pct) == (100, 150, 50, 50)
    assert row.display == {"before": "100", "during": "150", "change": "+50", "change_pct": "+50.0%"}
    assert "not proof" in effect.caveat and "whole weeks" in effect.caveat
    assert "holidays" in effect.caveat


def test_effect_names_overlapping_strategies(workspace: Any, admin: Any, lifted_goal: Goal) -> None:
    s = make_strategy(workspace, [lifted_goal])
    make_strategy(workspace, [lifted_goal], name="KOL partner posts", kind="partner",
             start_date=dt.date(2024, 2, 20), end_date=dt.date(2024, 2, 25))  # fmt: skip
    make_strategy(
        workspace,
        [lifted_goal],
        name="Far away",
        start_date=dt.date(2023, 1, 1),
        end_date=dt.date(2023, 1, 5),
    )
    effect = strat.strategy_effect(workspace=workspace, user=admin, strategy=s, today=TODAY)
    assert [o.name for o in effect.overlapping] == ["KOL partner posts"]
    assert "KOL partner posts" in effect.caveat and "Far away" not in effect.caveat


def test_ongoing_strategy_uses_the_days_so_far(workspace: Any, admin: Any, lifted_goal: Goal) -> None:
    s = make_strategy(workspace, [lifted_goal], end_date=dt.date(2024, 4, 30))
    effect = strat.strategy_effect(workspace=workspace, user=admin, strategy=s, today=dt.date(2024, 3, 5))
    assert effect.state == strat.ONGOING and effect.days == 5 and not effect.whole_weeks
    assert effect.rows[0].change == 50
    assert "shorter than a week" in effect.caveat


def test_no_effect_without_figures_before(workspace: Any, admin: Any) -> None:
    account = make_account(workspace, "fresh")
    fill(account, LAUNCH, TODAY, lambda d: {"new_followers": 30})
    s = make_strategy(workspace, [make_goal(workspace, accounts=[account])])
    row = strat.strategy_effect(workspace=workspace, user=admin, strategy=s, today=TODAY).rows[0]
    assert row.before is None and row.during is None and row.change is None
    assert "nothing to compare" in row.reason


def test_not_started_strategy(workspace: Any, admin: Any, lifted_goal: Goal) -> None:
    s = make_strategy(workspace, [lifted_goal], start_date=dt.date(2024, 4, 1), end_date=dt.date(2024, 4, 10))
    effect = strat.strategy_effect(workspace=workspace, user=admin, strategy=s, today=TODAY)
    assert effect.state == strat.NOT_STARTED and effect.rows[0].change is None
    assert "not started" in effect.rows[0].reason


def test_rate_effect_is_in_percentage_points(workspace: Any, admin: Any) -> None:
    account = make_account(workspace, "acme")
    fill(
        account,
        dt.date(2024, 2, 1),
        TODAY,
        lambda d: {"impressions": 1000, "likes": 40 if d >= LAUNCH else 20},
    )
    g = make_goal(workspace, kind="dissemination", metric="interaction_rate", baseline=0.02, target=0.03,
             accounts=[account])  # fmt: skip
    row = strat.strategy_effect(
        workspace=workspace, user=admin, strategy=make_strategy(workspace, [g]), today=TODAY
    ).rows[0]
    assert row.before == pytest.approx(0.02) and row.during == pytest.approx(0.04)
    assert row.display["change"] == "+2.00 pp" and row.display["change_pct"] == "+100.0%"


# ---- API -------------------------------------------------------------------------------------


def test_api_strategy_crud_four_cases(
    workspace: Any, other_workspace: Any, admin: Any, member: Any, api: Any
) -> None:
    g = make_goal(workspace)
    analyst = member(Role.ANALYST)
    created = assert_four_cases(
        api, "POST", "/api/v1/workspaces/acme/strategies", "/api/v1/workspaces/other/strategies",
        permitted=admin, denied=analyst, ok=(201,),
        data={"kind": "content", "name": "Tips series", "goal_ids": [g.pk], "start_date": "2024-03-01",
              "end_date": "2024-03-31", "owner_id": admin.pk},
    ).json()  # fmt: skip
    assert (
        created["goal_ids"] == [g.pk]
        and created["owner"] == "boss"
        and created["kind_label"] == "Content creation"
    )
    theirs = make_strategy(other_workspace, [make_goal(other_workspace)])
    listed = assert_four_cases(
        api, "GET", "/api/v1/workspaces/acme/strategies", "/api/v1/workspaces/other/strategies",
        permitted=analyst, denied=None,
    ).json()  # fmt: skip
    assert listed["count"] == 1 and listed["items"][0]["name"] == "Tips series"
    url = f"/api/v1/workspaces/acme/strategies/{created['id']}"
    foreign = f"/api/v1/workspaces/acme/strategies/{theirs.pk}"
    assert_four_cases(api, "GET", url, foreign, permitted=analyst, denied=None)
    patched = assert_four_cases(
        api, "PATCH", url, foreign,
        permitted=admin, denied=analyst, data={"end_date": "2024-04-15", "owner_id": None},
    ).json()  # fmt: skip
    assert patched["end_date"] == "2024-04-15" and patched["owner"] is None
    assert_four_cases(api, "DELETE", url, foreign, permitted=admin, denied=analyst, ok=(204,))
    assert (
        not Strategy.objects.filter(workspace=workspace).exists()
        and Strategy.objects.filter(pk=theirs.pk).exists()
    )


def test_api_strategy_errors_name_the_field(
    workspace: Any, other_workspace: Any, admin: Any, api: Any
) -> None:
    client = api(admin)
    g, foreign_goal = make_goal(workspace), make_goal(other_workspace)
    base = {
        "kind": "content",
        "name": "X",
        "goal_ids": [g.pk],
        "start_date": "2024-03-01",
        "end_date": "2024-03-31",
    }
    for change, field in (
        ({"goal_ids": [foreign_goal.pk]}, "goals"),
        ({"goal_ids": []}, "goals"),
        ({"end_date": "2024-01-01"}, "end_date"),
        ({"kind": "nope"}, "kind"),
    ):
        response = client.post(
            "/api/v1/workspaces/acme/strategies", data={**base, **change}, content_type="application/json"
        )
        assert response.status_code == 400 and field in response.json()["errors"], response.json()


def test_api_strategy_effect_four_cases(
    workspace: Any, other_workspace: Any, admin: Any, api: Any, lifted_goal: Goal
) -> None:
    mine = make_strategy(workspace, [lifted_goal])
    theirs = make_strategy(other_workspace, [make_goal(other_workspace)])
    with time_machine.travel(dt.datetime(2024, 3, 25, 12, 0, tzinfo=dt.UTC), tick=False):
        body = assert_four_cases(
            api, "GET", f"/api/v1/workspaces/acme/strategies/{mine.pk}/effect",
            f"/api/v1/workspaces/acme/strategies/{theirs.pk}/effect", permitted=admin, denied=None,
        ).json()  # fmt: skip
    assert body["days"] == 14 and body["state"] == "finished"
    row = body["rows"][0]
    assert (row["before"], row["during"], row["change"], row["change_pct"]) == (100, 150, 50, 50)
    assert "not proof" in body["caveat"]


# ---- pages -----------------------------------------------------------------------------------


def test_strategy_list_page(
    workspace: Any, other_workspace: Any, admin: Any, member: Any, web: Any, lifted_goal: Goal
) -> None:
    make_strategy(workspace, [lifted_goal])
    analyst = member(Role.ANALYST)
    assert_four_cases(
        web, "GET", "/w/acme/strategies/", "/w/other/strategies/", permitted=analyst, denied=None
    )
    client = web(analyst)
    client.cookies["django_language"] = "en"
    html = client.get("/w/acme/strategies/").content.decode()
    assert "Weibo lucky draw" in html
    assert "100 → 150" in html and "+50.0%" in html  # the effect, measured to the real today
    assert "not proof of cause" in html


def test_strategy_list_empty_states(workspace: Any, admin: Any, web: Any) -> None:
    client = web(admin)
    client.cookies["django_language"] = "en"
    assert "Set a goal first." in client.get("/w/acme/strategies/").content.decode()
    make_goal(workspace)
    assert "Record the first strategy" in client.get("/w/acme/strategies/").content.decode()


def test_strategy_detail_page_shows_effect_and_caveat(
    workspace: Any, other_workspace: Any, admin: Any, web: Any, lifted_goal: Goal
) -> None:
    mine = make_strategy(workspace, [lifted_goal])
    theirs = make_strategy(other_workspace, [make_goal(other_workspace)])
    with time_machine.travel(dt.datetime(2024, 3, 25, 12, 0, tzinfo=dt.UTC), tick=False):
        html = assert_four_cases(
            web, "GET", f"/w/acme/strategies/{mine.pk}/", f"/w/acme/strategies/{theirs.pk}/",
            permitted=admin, denied=None,
        ).content.decode()  # fmt: skip
        assert "+50.0%" in html and "data-caveat" in html
        # The goal page lists the strategy with its effect too.
        goal_html = web(admin).get(f"/w/acme/goals/{lifted_goal.pk}/").content.decode()
        assert "Weibo lucky draw" in goal_html and "+50.0%" in goal_html


def test_strategy_create_edit_delete_pages(
    workspace: Any, other_workspace: Any, admin: Any, member: Any, web: Any
) -> None:
    g = make_goal(workspace)
    analyst = member(Role.ANALYST)
    data = {"kind": "publishing", "name": "Evening slot", "goals": [g.pk], "start_date": "2024-03-01",
            "end_date": "2024-03-31", "owner": "", "description": "Post at 20:00"}  # fmt: skip
    assert_four_cases(
        web, "GET", f"/w/acme/strategies/new/?goal={g.pk}", "/w/other/strategies/new/",
        permitted=admin, denied=analyst,
    )  # fmt: skip
    response = assert_four_cases(
        web, "POST", "/w/acme/strategies/new/", "/w/other/strategies/new/",
        permitted=admin, denied=analyst, data=data, ok=(302,),
    )  # fmt: skip
    created = Strategy.objects.get(workspace=workspace)
    assert response["Location"] == f"/w/acme/strategies/{created.pk}/"
    theirs = make_strategy(other_workspace, [make_goal(other_workspace)])
    assert_four_cases(
        web, "GET", f"/w/acme/strategies/{created.pk}/edit/", f"/w/acme/strategies/{theirs.pk}/edit/",
        permitted=admin, denied=analyst,
    )  # fmt: skip
    assert_four_cases(
        web, "POST", f"/w/acme/strategies/{created.pk}/edit/", f"/w/acme/strategies/{theirs.pk}/edit/",
        permitted=admin, denied=analyst, data={**data, "name": "Evening slot 20:00"}, ok=(302,),
    )  # fmt: skip
    created.refresh_from_db()
    assert created.name == "Evening slot 20:00"
    invalid = web(admin).post(
        f"/w/acme/strategies/{created.pk}/edit/", data={**data, "end_date": "2024-01-01"}
    )
    assert invalid.status_code == 200 and b"invalid-feedback" in invalid.content
    assert_four_cases(
        web, "POST", f"/w/acme/strategies/{created.pk}/delete/", f"/w/acme/strategies/{theirs.pk}/delete/",
        permitted=admin, denied=analyst, data={}, ok=(302,),
    )  # fmt: skip
    assert not Strategy.objects.filter(pk=created.pk).exists()
