"""Playbooks over the API and on the pages: the four permission cases, dry runs and run history."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from socialops.fans.models import Coupon, Playbook, PlaybookRun, Segment, SegmentKind
from socialops.fans.services import coupons as coupon_svc
from socialops.fans.services import playbooks as svc
from socialops.workspaces.roles import Role
from tests.access import assert_four_cases
from tests.factories import make_account, make_person

pytestmark = pytest.mark.django_db

API = "/api/v1/workspaces/{slug}/fans/playbooks"


def url(path: str = "", slug: str = "acme") -> str:
    return API.format(slug=slug) + path


def setup_playbook(workspace: Any, name: str = "VIP 关怀", people: int = 2) -> Playbook:
    tier = Segment.objects.create(workspace=workspace, name=f"{name} 层", kind=SegmentKind.TIER, rank=1)
    for i in range(people):
        make_person(workspace, f"{name}{i}", tier=tier)
    campaign = coupon_svc.campaign_create(
        workspace=workspace, actor=None, name=f"{name} 券", account=make_account(workspace, f"mp{Playbook.objects.count()}", "wechat_mp"),
        value=10, valid_from=timezone.now() - dt.timedelta(days=1), valid_until=timezone.now() + dt.timedelta(days=9), budget_count=50,
    )  # fmt: skip
    return svc.playbook_create(
        workspace=workspace, actor=None, name=name, segment=tier, trigger="schedule", cap_per_person=0,
        actions=[{"type": "coupon", "campaign": campaign.pk}],
    )  # fmt: skip


@pytest.fixture
def pair(workspace: Any, other_workspace: Any) -> dict[str, Playbook]:
    return {"mine": setup_playbook(workspace), "theirs": setup_playbook(other_workspace, "别家")}


def test_list_and_detail_four_cases(api: Any, pair: dict[str, Playbook], analyst: Any) -> None:
    response = assert_four_cases(api, "GET", url(), url("", "other"), permitted=analyst, denied=None)
    assert response.json()["items"][0]["name"] == "VIP 关怀"
    mine, theirs = pair["mine"], pair["theirs"]
    response = assert_four_cases(
        api, "GET", url(f"/{mine.pk}"), url(f"/{theirs.pk}"), permitted=analyst, denied=None
    )
    assert response.json()["actions"][0]["type"] == "coupon"


def test_create_patch_delete_four_cases(
    api: Any, pair: dict[str, Playbook], workspace: Any, operator: Any, analyst: Any, admin: Any
) -> None:
    segment = Segment.objects.create(workspace=workspace, name="新关注")
    data = {
        "name": "欢迎",
        "segment_id": segment.pk,
        "trigger": "enter",
        "actions": [{"type": "assign", "user": admin.pk}],
    }
    response = assert_four_cases(
        api, "POST", url(), url("", "other"), permitted=operator, denied=analyst, data=data, ok=(201,)
    )
    created = response.json()
    assert created["actions"] == [{"type": "assign", "user": admin.pk}]
    bad = api(operator).post(
        url(),
        data={**data, "name": "坏", "actions": [{"type": "message", "item": 999}]},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "actions" in bad.json()["errors"]

    theirs = pair["theirs"]
    response = assert_four_cases(
        api, "PATCH", url(f"/{created['id']}"), url(f"/{theirs.pk}"), permitted=operator, denied=analyst,
        data={"quiet_start": 21, "enabled": False},
    )  # fmt: skip
    assert response.json()["quiet_start"] == 21 and response.json()["enabled"] is False
    assert_four_cases(
        api,
        "DELETE",
        url(f"/{created['id']}"),
        url(f"/{theirs.pk}"),
        permitted=operator,
        denied=analyst,
        ok=(204,),
    )
    assert not Playbook.objects.filter(pk=created["id"]).exists()


def test_dry_run_and_run_four_cases(api: Any, pair: dict[str, Playbook], operator: Any, analyst: Any) -> None:
    mine, theirs = pair["mine"], pair["theirs"]
    response = assert_four_cases(
        api, "POST", url(f"/{mine.pk}/run"), url(f"/{theirs.pk}/run"), permitted=operator, denied=analyst,
        data={"dry_run": True}, ok=(201,),
    )  # fmt: skip
    body = response.json()
    assert body["dry_run"] and body["counts"]["people"] == 2
    assert {a["status"] for a in body["actions"]} == {"planned"}
    # Analysts do not see names, operators (fans.identity) do.
    assert all(a["person"].startswith("VIP") for a in body["actions"])
    assert Coupon.objects.count() == 0

    real = api(operator).post(
        url(f"/{mine.pk}/run"), data={"dry_run": False}, content_type="application/json"
    )
    assert real.status_code == 201 and real.json()["counts"]["done"] == 2
    assert Coupon.objects.filter(campaign__workspace=mine.workspace).count() == 2

    response = assert_four_cases(
        api, "GET", url(f"/{mine.pk}/runs"), url(f"/{theirs.pk}/runs"), permitted=analyst, denied=None
    )
    assert response.json()["count"] == 2
    run_id = real.json()["id"]
    theirs_run = svc.playbook_run(workspace=theirs.workspace, actor=None, playbook=theirs, dry_run=True)
    response = assert_four_cases(
        api,
        "GET",
        url(f"/{mine.pk}/runs/{run_id}"),
        url(f"/{theirs.pk}/runs/{theirs_run.pk}"),
        permitted=analyst,
        denied=None,
    )
    actions = response.json()["actions"]
    assert {a["status"] for a in actions} == {"done"}
    assert all(a["person"].startswith("#") for a in actions)
    assert all(a["summary"].startswith("Coupon ") for a in actions)


# ---- pages ---------------------------------------------------------------------------------


def test_pages_four_cases(web: Any, pair: dict[str, Playbook], operator: Any, analyst: Any) -> None:
    mine, theirs = pair["mine"], pair["theirs"]
    response = assert_four_cases(
        web, "GET", "/w/acme/fans/playbooks/", "/w/other/fans/playbooks/", permitted=analyst, denied=None
    )
    assert "VIP 关怀" in response.content.decode()
    assert_four_cases(
        web,
        "GET",
        f"/w/acme/fans/playbooks/{mine.pk}/",
        f"/w/acme/fans/playbooks/{theirs.pk}/",
        permitted=analyst,
        denied=None,
    )
    assert_four_cases(
        web,
        "GET",
        "/w/acme/fans/playbooks/new/",
        "/w/other/fans/playbooks/new/",
        permitted=operator,
        denied=analyst,
    )
    assert_four_cases(
        web, "GET", f"/w/acme/fans/playbooks/{mine.pk}/edit/", f"/w/acme/fans/playbooks/{theirs.pk}/edit/",
        permitted=operator, denied=analyst,
    )  # fmt: skip
    assert_four_cases(
        web, "POST", f"/w/acme/fans/playbooks/{mine.pk}/run/", f"/w/acme/fans/playbooks/{theirs.pk}/run/",
        permitted=operator, denied=analyst, data={"dry_run": "1"}, ok=(302,),
    )  # fmt: skip


def test_dry_run_button_shows_who_would_get_what(web: Any, pair: dict[str, Playbook], operator: Any) -> None:
    mine = pair["mine"]
    client = web(operator)
    response = client.post(f"/w/acme/fans/playbooks/{mine.pk}/run/", {"dry_run": "1"}, follow=True)
    html = response.content.decode()
    assert "Dry run: who would get what" in html
    assert "VIP 关怀0" in html and "VIP 关怀1" in html
    assert Coupon.objects.count() == 0
    run = PlaybookRun.objects.get()
    assert run.dry_run
    history = client.get(f"/w/acme/fans/playbooks/{mine.pk}/").content.decode()
    assert f"/runs/{run.pk}/" in history and "dry run" in history


def test_editor_builds_the_action_list(web: Any, operator: Any, admin: Any, workspace: Any) -> None:
    segment = Segment.objects.create(workspace=workspace, name="沉睡")
    response = web(operator).post(
        "/w/acme/fans/playbooks/new/",
        {
            "name": "唤醒", "segment": segment.pk, "trigger": "schedule", "every_days": 7, "at_hour": 10,
            "tag": "唤醒", "assign": admin.pk, "cap_per_person": 1, "cap_days": 30,
            "quiet_start": 22, "quiet_end": 8, "enabled": "on",
        },
    )  # fmt: skip
    assert response.status_code == 302
    playbook = Playbook.objects.get(name="唤醒")
    assert playbook.actions == [{"type": "tag", "tag": "唤醒"}, {"type": "assign", "user": admin.pk}]


def test_community_member_sees_names_in_a_run(web: Any, pair: dict[str, Playbook], member: Any) -> None:
    mine = pair["mine"]
    run = svc.playbook_run(workspace=mine.workspace, actor=None, playbook=mine, dry_run=True)
    html = (
        web(member(Role.COMMUNITY)).get(f"/w/acme/fans/playbooks/{mine.pk}/runs/{run.pk}/").content.decode()
    )
    assert "VIP 关怀0" in html


def test_run_detail_and_delete_pages_four_cases(
    web: Any, pair: dict[str, Playbook], operator: Any, analyst: Any
) -> None:
    mine, theirs = pair["mine"], pair["theirs"]
    run = svc.playbook_run(workspace=mine.workspace, actor=None, playbook=mine, dry_run=True)
    theirs_run = svc.playbook_run(workspace=theirs.workspace, actor=None, playbook=theirs, dry_run=True)
    assert_four_cases(
        web, "GET", f"/w/acme/fans/playbooks/{mine.pk}/runs/{run.pk}/",
        f"/w/acme/fans/playbooks/{theirs.pk}/runs/{theirs_run.pk}/", permitted=analyst, denied=None,
    )  # fmt: skip
    assert_four_cases(
        web, "POST", f"/w/acme/fans/playbooks/{mine.pk}/delete/", f"/w/acme/fans/playbooks/{theirs.pk}/delete/",
        permitted=operator, denied=analyst, ok=(302,),
    )  # fmt: skip
    assert not Playbook.objects.filter(pk=mine.pk).exists()
