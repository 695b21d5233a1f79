"""People API (issue 11 §4): list, profile, timeline, merge and undo, export and erase."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from socialops.fans.models import InteractionKind, Person, PersonInterest, PersonMerge, Segment, SegmentKind
from socialops.workspaces.models import AuditEntry
from socialops.workspaces.roles import Role
from tests.access import assert_four_cases
from tests.factories import make_account, make_fan, make_interaction, make_order_line, make_person

pytestmark = pytest.mark.django_db

NAME = "陈大文"
HANDLE = "dawen_chen"
OPENID = "oDAWEN-openid-77"
CUSTOMER = "CRM-DW-1"
SECRETS = (NAME, HANDLE, OPENID, CUSTOMER, "大文微博")


@pytest.fixture
def people(workspace: Any) -> dict[str, Any]:
    now = timezone.now()
    weibo = make_account(workspace, "acme_weibo")
    mp = make_account(workspace, "acme_mp", "wechat_mp")
    tier = Segment.objects.create(workspace=workspace, name="VIP", kind=SegmentKind.TIER, rank=1)
    dawen = make_person(
        workspace, NAME, customer_id=CUSTOMER, tier=tier, expected_value=Decimal("500"), p_alive=0.7,
        total_spend=Decimal("900"), orders_count=2, rfm_recency=4, rfm_frequency=3, rfm_monetary=5,
        last_active_at=now,
    )  # fmt: skip
    fan = make_fan(weibo, "1234567", person=dawen, handle=HANDLE, display_name="大文微博")
    make_fan(mp, OPENID, person=dawen)
    for i in range(3):
        make_interaction(fan, text=f"第{i}条评论", when=now - dt.timedelta(days=i))
    make_interaction(fan, InteractionKind.MESSAGE, text="私信内容", when=now - dt.timedelta(days=10))
    make_order_line(workspace, dawen, "450.00", when=now - dt.timedelta(days=5), order_id="ORD-9")
    PersonInterest.objects.create(workspace=workspace, person=dawen, tag="跑步", source="words", weight=0.7)
    other = make_person(
        workspace, "何小明", expected_value=Decimal("5"), last_active_at=now - dt.timedelta(days=9)
    )
    make_fan(weibo, "7654321", person=other, handle="xiaoming")
    return {"dawen": dawen, "other": other, "tier": tier, "weibo": weibo}


def _base(workspace: Any) -> str:
    return f"/api/v1/workspaces/{workspace.slug}/fans/people"


def _has_no_secret(data: Any) -> None:
    text = json.dumps(data, ensure_ascii=False)
    for secret in SECRETS:
        assert secret not in text, secret


# ---- reads -----------------------------------------------------------------------------------


def test_list_four_cases_paginated_and_sorted(
    api: Any, workspace: Any, other_workspace: Any, operator: Any, people: Any
) -> None:
    response = assert_four_cases(
        api, "GET", _base(workspace), _base(other_workspace), permitted=operator, denied=None
    )
    body = response.json()
    assert body["count"] == 2
    first = body["items"][0]
    assert first["name"] == NAME and first["customer_id"] == CUSTOMER and first["tier_name"] == "VIP"
    assert (
        first["expected_value"] == 500.0
        and first["p_alive"] == 0.7
        and set(first["platforms"]) == {"weibo", "wechat_mp"}
    )
    page = api(operator).get(_base(workspace), {"limit": 1, "offset": 1}).json()
    assert page["count"] == 2 and [p["name"] for p in page["items"]] == ["何小明"]


def test_list_filters_and_search(api: Any, operator: Any, analyst: Any, workspace: Any, people: Any) -> None:
    client = api(operator)
    assert [p["id"] for p in client.get(_base(workspace), {"q": HANDLE}).json()["items"]] == [
        people["dawen"].pk
    ]
    assert [p["id"] for p in client.get(_base(workspace), {"tier": people["tier"].pk}).json()["items"]] == [
        people["dawen"].pk
    ]
    assert [p["id"] for p in client.get(_base(workspace), {"platform": "wechat_mp"}).json()["items"]] == [
        people["dawen"].pk
    ]
    assert client.get(_base(workspace), {"sort": "bogus"}).status_code == 422
    # The analyst cannot find anyone by name, only by pseudonym.
    assert api(analyst).get(_base(workspace), {"q": NAME}).json()["count"] == 0
    found = api(analyst).get(_base(workspace), {"q": people["dawen"].pseudonym}).json()
    assert [p["id"] for p in found["items"]] == [people["dawen"].pk]


def test_analyst_gets_pseudonyms_everywhere(api: Any, analyst: Any, workspace: Any, people: Any) -> None:
    client, dawen = api(analyst), people["dawen"]
    listing = client.get(_base(workspace)).json()
    assert listing["items"][0]["name"] == dawen.pseudonym and listing["items"][0]["customer_id"] is None
    detail = client.get(f"{_base(workspace)}/{dawen.pk}").json()
    assert detail["name"] == dawen.pseudonym and detail["rfm_monetary"] == 5
    assert all(f["external_id"] is None and f["handle"] is None for f in detail["fans"])
    timeline = client.get(f"{_base(workspace)}/{dawen.pk}/timeline").json()
    assert {e["author"] for e in timeline["items"] if e["kind"] == "interaction"} == {dawen.pseudonym}
    for data in (listing, detail, timeline):
        _has_no_secret(data)


def test_community_role_reads_identities(api: Any, member: Any, workspace: Any, people: Any) -> None:
    detail = api(member(Role.COMMUNITY)).get(f"{_base(workspace)}/{people['dawen'].pk}").json()
    assert detail["name"] == NAME and detail["customer_id"] == CUSTOMER
    assert {f["external_id"] for f in detail["fans"]} == {"1234567", OPENID}
    assert {f["handle"] for f in detail["fans"]} == {HANDLE, None}


def test_profile_four_cases(
    api: Any, workspace: Any, other_workspace: Any, analyst: Any, people: Any
) -> None:
    dawen = people["dawen"]
    stranger = make_person(other_workspace, "外人")
    response = assert_four_cases(
        api,
        "GET",
        f"{_base(workspace)}/{dawen.pk}",
        f"{_base(workspace)}/{stranger.pk}",
        permitted=analyst,
        denied=None,
    )
    body = response.json()
    assert body["interests"] == [{"tag": "跑步", "source": "words", "weight": 0.7}]
    assert body["orders_count"] == 2 and body["tier_id"] == people["tier"].pk and body["merges"] == []


def test_timeline_four_cases_newest_first_paginated(
    api: Any, workspace: Any, other_workspace: Any, operator: Any, people: Any
) -> None:
    dawen = people["dawen"]
    stranger = make_person(other_workspace, "外人")
    response = assert_four_cases(
        api, "GET", f"{_base(workspace)}/{dawen.pk}/timeline", f"{_base(workspace)}/{stranger.pk}/timeline",
        permitted=operator, denied=None,
    )  # fmt: skip
    body = response.json()
    assert body["count"] == 5
    assert [e["kind"] for e in body["items"]] == [
        "interaction",
        "interaction",
        "interaction",
        "order",
        "interaction",
    ]
    times = [e["at"] for e in body["items"]]
    assert times == sorted(times, reverse=True)
    assert (
        body["items"][0]["author"] == "大文微博 (@dawen_chen)" and body["items"][3]["title"] == "Order ORD-9"
    )
    page = api(operator).get(f"{_base(workspace)}/{dawen.pk}/timeline", {"limit": 2, "offset": 3}).json()
    assert page["count"] == 5 and [e["kind"] for e in page["items"]] == ["order", "interaction"]


# ---- merge and undo --------------------------------------------------------------------------


def test_merge_and_undo(
    api: Any, workspace: Any, other_workspace: Any, operator: Any, analyst: Any, people: Any
) -> None:
    dawen, other = people["dawen"], people["other"]
    stranger = make_person(other_workspace, "外人")
    response = assert_four_cases(
        api, "POST", f"{_base(workspace)}/{dawen.pk}/merge", f"{_base(workspace)}/{stranger.pk}/merge",
        permitted=operator, denied=analyst, data={"other": other.pk, "reason": "同一手机号"}, ok=(201,),
    )  # fmt: skip
    merge = response.json()
    assert (
        merge["into_id"] == dawen.pk and merge["merged_person_id"] == other.pk and merge["undone_at"] is None
    )
    assert not Person.objects.filter(pk=other.pk).exists()
    detail = api(operator).get(f"{_base(workspace)}/{dawen.pk}").json()
    assert [m["id"] for m in detail["merges"]] == [merge["id"]] and len(detail["fans"]) == 3

    from socialops.fans.services.merges import person_merge

    theirs = person_merge(
        workspace=other_workspace, actor=None, keep=stranger, merge=make_person(other_workspace, "乙")
    )
    undo = assert_four_cases(
        api, "POST", f"{_base(workspace)}/merges/{merge['id']}/undo", f"{_base(workspace)}/merges/{theirs.pk}/undo",
        permitted=operator, denied=analyst,
    )  # fmt: skip
    assert undo.json()["undone_at"] is not None
    assert Person.objects.get(pk=other.pk).display_name == "何小明"
    again = api(operator).post(f"{_base(workspace)}/merges/{merge['id']}/undo")
    assert again.status_code == 400 and "already been undone" in again.json()["message"]


def test_merge_refuses_another_workspaces_person_and_itself(
    api: Any, operator: Any, workspace: Any, other_workspace: Any, people: Any
) -> None:
    dawen = people["dawen"]
    stranger = make_person(other_workspace, "外人")
    url = f"{_base(workspace)}/{dawen.pk}/merge"
    assert (
        api(operator)
        .post(url, json.dumps({"other": stranger.pk}), content_type="application/json")
        .status_code
        == 404
    )
    assert (
        api(operator).post(url, json.dumps({"other": dawen.pk}), content_type="application/json").status_code
        == 400
    )
    assert (
        api(operator).post(url, json.dumps({"other": 0}), content_type="application/json").status_code == 422
    )
    assert not PersonMerge.objects.exists()


# ---- export and erase ------------------------------------------------------------------------


def test_export_four_cases(
    api: Any, workspace: Any, other_workspace: Any, admin: Any, analyst: Any, people: Any
) -> None:
    dawen = people["dawen"]
    stranger = make_person(other_workspace, "外人")
    response = assert_four_cases(
        api, "GET", f"{_base(workspace)}/{dawen.pk}/export", f"{_base(workspace)}/{stranger.pk}/export",
        permitted=admin, denied=analyst,
    )  # fmt: skip
    data = response.json()
    assert data["person"]["display_name"] == NAME
    assert {i["text"] for i in data["interactions"]} == {"第0条评论", "第1条评论", "第2条评论", "私信内容"}
    assert [o["order_id"] for o in data["orders"]] == ["ORD-9"]
    assert AuditEntry.objects.filter(action="person exported", actor=admin).count() == 1


def test_operator_may_not_export_or_erase(api: Any, operator: Any, workspace: Any, people: Any) -> None:
    dawen = people["dawen"]
    assert api(operator).get(f"{_base(workspace)}/{dawen.pk}/export").status_code == 403
    assert api(operator).post(f"{_base(workspace)}/{dawen.pk}/erase").status_code == 403
    assert Person.objects.filter(pk=dawen.pk).exists()


def test_erase_four_cases(
    api: Any, workspace: Any, other_workspace: Any, admin: Any, analyst: Any, people: Any
) -> None:
    dawen = people["dawen"]
    stranger = make_person(other_workspace, "外人")
    response = assert_four_cases(
        api, "POST", f"{_base(workspace)}/{dawen.pk}/erase", f"{_base(workspace)}/{stranger.pk}/erase",
        permitted=admin, denied=analyst,
    )  # fmt: skip
    body = response.json()
    assert body["id"] == dawen.pk and body["pseudonym"] == dawen.pseudonym
    assert body["removed"]["fans"] == 2 and body["removed"]["interactions"] == 4
    _has_no_secret(body)
    assert not Person.objects.filter(pk=dawen.pk).exists() and Person.objects.filter(pk=stranger.pk).exists()
    assert api(admin).get(f"{_base(workspace)}/{dawen.pk}").status_code == 404
