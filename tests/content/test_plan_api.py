"""HTTP API of the plan: the four permission cases for every endpoint, moves, generation, urgent insertion."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import time_machine

from socialops.content.models import CapacityRule, Placement, PlanRun
from socialops.content.services import plan as svc
from socialops.workspaces.roles import Role
from tests.access import assert_four_cases
from tests.factories import make_account, make_backlog, make_item, make_themes

from .test_plan_support import at

pytestmark = pytest.mark.django_db

BASE = "/api/v1/workspaces/acme"
OTHER = "/api/v1/workspaces/other"
NOW = at(2026, 2, 2, 8, 0)


@pytest.fixture(autouse=True)
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def setup(workspace: Any, other_workspace: Any, admin: Any, member: Any) -> dict[str, Any]:
    """Our account with a generated week, and the same in the other workspace (for the 404 case)."""
    account = make_account(workspace, "acme_weibo")
    themes = make_themes(workspace)
    make_backlog(workspace, themes, per_theme=4)
    run = svc.plan_generate(
        workspace=workspace,
        actor=None,
        start=dt.date(2026, 3, 2),
        end=dt.date(2026, 3, 8),
        accounts=[account],
    )
    theirs = make_account(other_workspace, "theirs")
    their_themes = make_themes(other_workspace, ("行业动态",))
    make_backlog(other_workspace, their_themes, per_theme=3)
    their_run = svc.plan_generate(
        workspace=other_workspace,
        actor=None,
        start=dt.date(2026, 3, 2),
        end=dt.date(2026, 3, 3),
        accounts=[theirs],
    )
    return {
        "account": account,
        "themes": themes,
        "run": run,
        "placement": Placement.objects.filter(plan_run=run).order_by("starts_at").first(),
        "theirs": theirs,
        "their_run": their_run,
        "their_placement": Placement.objects.filter(plan_run=their_run).first(),
        "analyst": member(Role.ANALYST),
    }


def test_cadence_endpoints(setup: dict[str, Any], admin: Any, api: Any) -> None:
    account, theirs, analyst = setup["account"], setup["theirs"], setup["analyst"]
    listed = assert_four_cases(
        api, "GET", f"{BASE}/cadence", f"{OTHER}/cadence", permitted=admin, denied=None
    )
    assert listed.json()["count"] == 1 and listed.json()["items"][0]["is_default"] is True
    one = assert_four_cases(
        api, "GET", f"{BASE}/cadence/{account.pk}", f"{BASE}/cadence/{theirs.pk}",
        permitted=admin, denied=None,
    )  # fmt: skip
    assert one.json()["days"][0] == {"weekday": 1, "label": "Monday", "min": 2, "max": 3}
    changed = assert_four_cases(
        api, "PUT", f"{BASE}/cadence/{account.pk}", f"{BASE}/cadence/{theirs.pk}", permitted=admin,
        denied=analyst,
        data={"holiday_mode": "skip", "quiet_start": "22:00", "form_limits": {"live": 1, "video": 2}},
    )  # fmt: skip
    body = changed.json()
    assert body["holiday_mode"] == "skip" and body["quiet_start"] == "22:00:00" and not body["is_default"]
    assert {x["form"]: x["limit"] for x in body["form_limits"]} == {"live": 1, "video": 2}
    bad = api(admin).put(
        f"{BASE}/cadence/{account.pk}",
        data=json.dumps({"posts_per_weekday": {str(d): [3, 1] for d in range(1, 8)}}),
        content_type="application/json",
    )
    assert bad.status_code == 400 and "posts_per_weekday" in bad.json()["errors"]
    fuzz = api(admin).put(
        f"{BASE}/cadence/{account.pk}",
        data=json.dumps({"min_gap_minutes": 99999}),
        content_type="application/json",
    )
    assert fuzz.status_code == 422


def test_capacity_endpoints(setup: dict[str, Any], admin: Any, other_workspace: Any, api: Any) -> None:
    analyst = setup["analyst"]
    assert_four_cases(api, "GET", f"{BASE}/capacity", f"{OTHER}/capacity", permitted=admin, denied=None)
    created = assert_four_cases(
        api, "POST", f"{BASE}/capacity", f"{OTHER}/capacity",
        permitted=admin, denied=analyst, data={"items_per_week": 12},
    )  # fmt: skip
    assert created.json()["owner_id"] is None and created.json()["items_per_week"] == 12
    owner = api(admin).post(
        f"{BASE}/capacity",
        data=json.dumps({"owner_id": admin.pk, "items_per_week": 3}),
        content_type="application/json",
    )
    assert owner.json()["owner"] == "boss"
    theirs = CapacityRule.objects.create(workspace=other_workspace, items_per_week=5)
    rule = CapacityRule.objects.get(workspace__slug="acme", owner=None)
    assert_four_cases(
        api, "DELETE", f"{BASE}/capacity/{rule.pk}", f"{BASE}/capacity/{theirs.pk}",
        permitted=admin, denied=analyst, ok=(204,),
    )  # fmt: skip
    assert not CapacityRule.objects.filter(pk=rule.pk).exists()


def test_generate_endpoint(setup: dict[str, Any], admin: Any, api: Any) -> None:
    account, theirs = setup["account"], setup["theirs"]
    data = {"from": "2026-03-09", "to": "2026-03-15", "account_ids": [account.pk]}
    response = assert_four_cases(
        api, "POST", f"{BASE}/plan/generate", f"{OTHER}/plan/generate",
        permitted=admin, denied=setup["analyst"], data=data,
    )  # fmt: skip
    body = response.json()
    # 20 items, 17 used in the first week: the other 3 go out, the rest of the week stays empty.
    assert body["kind"] == "generate" and body["placed"] == len(body["placements"]) == 3
    assert body["empty_slots"] == 12 - 3 and body["short_themes"]
    assert any("slots stay empty" in w for w in body["warnings"])
    first = body["placements"][0]
    assert first["explanation_text"] and first["account"] == str(account)
    # Another workspace's account is not found; a period too long is refused with the reason.
    other = api(admin).post(
        f"{BASE}/plan/generate",
        data=json.dumps({**data, "account_ids": [theirs.pk]}),
        content_type="application/json",
    )
    assert other.status_code == 404
    long = api(admin).post(
        f"{BASE}/plan/generate",
        data=json.dumps({**data, "to": "2027-03-15"}),
        content_type="application/json",
    )
    assert long.status_code == 400 and "at most 186 days" in long.json()["message"]


def test_run_endpoints(setup: dict[str, Any], admin: Any, api: Any) -> None:
    listed = assert_four_cases(
        api, "GET", f"{BASE}/plan/runs", f"{OTHER}/plan/runs", permitted=admin, denied=None
    )
    assert [r["id"] for r in listed.json()["items"]] == [setup["run"].pk]
    detail = assert_four_cases(
        api, "GET", f"{BASE}/plan/runs/{setup['run'].pk}", f"{BASE}/plan/runs/{setup['their_run'].pk}",
        permitted=admin, denied=None,
    )  # fmt: skip
    placed = Placement.objects.filter(plan_run=setup["run"]).count()
    assert detail.json()["placed"] == placed == len(detail.json()["placements"]) > 12


def test_placement_list_feed_and_detail(setup: dict[str, Any], admin: Any, api: Any) -> None:
    p, theirs = setup["placement"], setup["their_placement"]
    listed = assert_four_cases(
        api, "GET", f"{BASE}/placements?start=2026-03-02&end=2026-03-03", f"{OTHER}/placements",
        permitted=admin, denied=None,
    )  # fmt: skip
    two_days = Placement.objects.filter(
        workspace__slug="acme", starts_at__gte=at(2026, 3, 2, 0), starts_at__lt=at(2026, 3, 4, 0)
    )
    assert listed.json()["count"] == two_days.count() >= 4 and listed.json()["items"][0]["id"] == p.pk
    feed = assert_four_cases(
        api, "GET", f"{BASE}/placements/feed?start=2026-02-23T00:00:00Z&end=2026-04-06T00:00:00Z&account={p.account_id}",
        f"{OTHER}/placements/feed?start=2026-02-23&end=2026-04-06", permitted=admin, denied=None,
    )  # fmt: skip
    events = feed.json()
    assert len(events) == Placement.objects.filter(plan_run=setup["run"]).count()
    assert events[0]["start"] == "2026-03-02T" + events[0]["start"][11:]
    assert events[0]["backgroundColor"].startswith("#") and " · " in events[0]["title"]
    assert events[0]["extendedProps"]["explanation"]
    too_long = api(admin).get(f"{BASE}/placements/feed?start=2026-01-01&end=2026-12-31")
    assert too_long.status_code == 400
    detail = assert_four_cases(
        api, "GET", f"{BASE}/placements/{p.pk}", f"{BASE}/placements/{theirs.pk}",
        permitted=admin, denied=None,
    )  # fmt: skip
    assert detail.json()["explanation_text"]


def test_move_lock_unlock_delete(setup: dict[str, Any], admin: Any, api: Any) -> None:
    p, theirs, analyst = setup["placement"], setup["their_placement"], setup["analyst"]
    moved = assert_four_cases(
        api, "PATCH", f"{BASE}/placements/{p.pk}", f"{BASE}/placements/{theirs.pk}",
        permitted=admin, denied=analyst, data={"starts_at": "2026-03-02T16:30:00"},
    )  # fmt: skip
    assert moved.json()["local_time"] == "2026-03-02 16:30" and moved.json()["source"] == "manual"
    quiet = api(admin).patch(
        f"{BASE}/placements/{p.pk}",
        data=json.dumps({"starts_at": "2026-03-02T23:30:00+08:00"}),
        content_type="application/json",
    )
    assert quiet.status_code == 400 and "quiet hours" in quiet.json()["message"]
    p.refresh_from_db()
    assert p.starts_at == at(2026, 3, 2, 16, 30)
    for verb, expected in (("lock", True), ("unlock", False)):
        response = assert_four_cases(
            api, "POST", f"{BASE}/placements/{p.pk}/{verb}", f"{BASE}/placements/{theirs.pk}/{verb}",
            permitted=admin, denied=analyst,
        )  # fmt: skip
        assert response.json()["locked"] is expected
    assert_four_cases(
        api, "DELETE", f"{BASE}/placements/{p.pk}", f"{BASE}/placements/{theirs.pk}",
        permitted=admin, denied=analyst, ok=(204,),
    )  # fmt: skip
    assert not Placement.objects.filter(pk=p.pk).exists()


def test_create_by_hand(setup: dict[str, Any], admin: Any, api: Any) -> None:
    item = make_item(setup["account"].workspace, setup["themes"][0], "手动放置")
    data = {
        "item_id": item.pk,
        "account_id": setup["account"].pk,
        "starts_at": "2026-03-10T10:00:00",
        "locked": True,
    }
    response = assert_four_cases(
        api, "POST", f"{BASE}/placements", f"{OTHER}/placements",
        permitted=admin, denied=setup["analyst"], data=data, ok=(201,),
    )  # fmt: skip
    assert response.json()["locked"] is True and response.json()["explanation_text"] == ["Placed by hand."]
    twice = api(admin).post(f"{BASE}/placements", data=json.dumps(data), content_type="application/json")
    assert twice.status_code == 400 and "already planned" in twice.json()["message"]


def test_urgent_endpoint(setup: dict[str, Any], admin: Any, api: Any) -> None:
    item = make_item(
        setup["account"].workspace,
        setup["themes"][1],
        "突发新闻",
        importance="urgent",
        deadline=dt.date(2026, 3, 3),
    )
    data = {"item_id": item.pk, "account_id": setup["account"].pk}
    # On the morning the plan starts, the earliest suitable slot is taken by the first planned post.
    with time_machine.travel(at(2026, 3, 2, 7, 0), tick=False):
        response = _urgent_four_cases(api, admin, setup, data)
    body = response.json()
    assert body["kind"] == "urgent" and body["placed"] == 1
    assert body["moves"] == len(body["move_list"]) >= 1
    assert Placement.objects.get(item=item).starts_at == setup["placement"].starts_at
    assert PlanRun.objects.filter(report__kind="urgent").count() == 1


def _urgent_four_cases(api: Any, admin: Any, setup: dict[str, Any], data: dict[str, Any]) -> Any:
    return assert_four_cases(
        api, "POST", f"{BASE}/plan/urgent", f"{OTHER}/plan/urgent",
        permitted=admin, denied=setup["analyst"], data=data,
    )  # fmt: skip
