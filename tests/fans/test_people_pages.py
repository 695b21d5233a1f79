"""People pages (issue 11 §4): the fan list, a profile with its timeline, merge, export and erase."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from socialops.fans.models import (
    InteractionKind,
    Person,
    PersonInterest,
    PersonMerge,
    Segment,
    SegmentEvent,
    SegmentKind,
)
from socialops.workspaces.models import AuditEntry
from socialops.workspaces.roles import Role
from tests.access import assert_four_cases
from tests.factories import make_account, make_fan, make_interaction, make_order_line, make_person

pytestmark = pytest.mark.django_db

NAME = "张小花"
HANDLE = "xiaohua_weibo"
OPENID = "oXIAOHUA-openid-01"
CUSTOMER = "CRM-000777"
AUTHOR = "小花花"


@pytest.fixture
def people(workspace: Any) -> dict[str, Any]:
    now = timezone.now()
    weibo = make_account(workspace, "acme_weibo")
    mp = make_account(workspace, "acme_mp", "wechat_mp")
    vip = Segment.objects.create(
        workspace=workspace, name="VIP", kind=SegmentKind.TIER, rank=1, color="#d63384"
    )
    casual = Segment.objects.create(workspace=workspace, name="路人", kind=SegmentKind.TIER, rank=2)
    hua = make_person(
        workspace, NAME, customer_id=CUSTOMER, tier=vip, expected_value=Decimal("880.50"), p_alive=0.83,
        total_spend=Decimal("1200"), orders_count=3, rfm_recency=5, rfm_frequency=4, rfm_monetary=5,
        last_active_at=now - dt.timedelta(days=1),
    )  # fmt: skip
    weibo_fan = make_fan(weibo, "100200300", person=hua, handle=HANDLE, display_name=AUTHOR)
    make_fan(mp, OPENID, person=hua, display_name=NAME)
    make_interaction(weibo_fan, text="这款面霜真好用", when=now - dt.timedelta(days=1))
    make_interaction(
        weibo_fan, InteractionKind.MESSAGE, text="请问有优惠吗", when=now - dt.timedelta(days=40)
    )
    make_order_line(
        workspace, hua, "399.00", when=now - dt.timedelta(days=2), order_id="ORD-1", product="面霜"
    )
    SegmentEvent.objects.create(
        workspace=workspace, segment=vip, person=hua, kind="entered", at=now - dt.timedelta(hours=5)
    )
    PersonInterest.objects.create(workspace=workspace, person=hua, tag="护肤", source="words", weight=0.9)
    PersonInterest.objects.create(workspace=workspace, person=hua, tag="彩妆", source="purchases", weight=0.3)
    li = make_person(
        workspace, "李四", tier=casual, expected_value=Decimal("12.00"), total_spend=Decimal("30"),
        last_active_at=now - dt.timedelta(days=30),
    )  # fmt: skip
    make_fan(weibo, "999888", person=li, handle="lisi_88")
    return {"hua": hua, "li": li, "vip": vip, "weibo": weibo, "mp": mp}


def _url(workspace: Any, name: str = "", *parts: Any) -> str:
    base = f"/w/{workspace.slug}/fans/"
    return base + "".join(f"{p}/" for p in ([name] if name else []) + list(parts))


# ---- fan list --------------------------------------------------------------------------------


def test_fan_list_four_cases_and_what_it_shows(
    web: Any, workspace: Any, other_workspace: Any, operator: Any, people: Any
) -> None:
    response = assert_four_cases(
        web, "GET", _url(workspace), _url(other_workspace), permitted=operator, denied=None
    )
    html = response.content.decode()
    assert NAME in html and "李四" in html
    assert html.index(NAME) < html.index("李四")  # by predicted value, highest first
    assert "VIP" in html and "¥880.50" in html and "83%" in html and "Weibo" in html


def test_analyst_sees_pseudonyms_only(web: Any, member: Any, workspace: Any, people: Any) -> None:
    analyst = member(Role.ANALYST)
    html = web(analyst).get(_url(workspace)).content.decode()
    hua = people["hua"]
    assert hua.pseudonym in html and people["li"].pseudonym in html
    for secret in (NAME, "李四", HANDLE, CUSTOMER, AUTHOR):
        assert secret not in html
    # Searching by name would confirm who a pseudonym is: it finds nobody for them.
    found = web(analyst).get(_url(workspace), {"q": NAME}).content.decode()
    assert hua.pseudonym not in found and 'data-empty="people"' in found
    by_pseudonym = web(analyst).get(_url(workspace), {"q": hua.pseudonym}).content.decode()
    assert hua.pseudonym in by_pseudonym and people["li"].pseudonym not in by_pseudonym


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.COMMUNITY])
def test_members_with_identity_search_by_name_handle_and_customer_id(
    web: Any, member: Any, workspace: Any, people: Any, role: str
) -> None:
    client = web(member(role))
    for q in ("小花", HANDLE, CUSTOMER):
        html = client.get(_url(workspace), {"q": q}).content.decode()
        assert NAME in html and "李四" not in html, q


def test_fan_list_filters_by_tier_account_platform_and_sorts(
    web: Any, operator: Any, workspace: Any, people: Any
) -> None:
    client = web(operator)
    html = client.get(_url(workspace), {"tier": people["li"].tier_id}).content.decode()
    assert "李四" in html and NAME not in html
    html = client.get(_url(workspace), {"platform": "wechat_mp"}).content.decode()
    assert NAME in html and "李四" not in html
    html = client.get(_url(workspace), {"account": people["mp"].pk}).content.decode()
    assert NAME in html and "李四" not in html
    html = client.get(_url(workspace), {"sort": "active"}).content.decode()
    assert html.index(NAME) < html.index("李四")
    html = client.get(_url(workspace), {"tier": "nonsense", "sort": "bogus"}).content.decode()
    assert NAME in html and "李四" in html  # a bad filter means "any"


def test_empty_fan_list_explains_where_fans_come_from(web: Any, operator: Any, workspace: Any) -> None:
    html = web(operator).get(_url(workspace)).content.decode()
    assert 'data-empty="people"' in html and "No fans yet" in html


# ---- profile ---------------------------------------------------------------------------------


def test_profile_four_cases_and_contents(
    web: Any, workspace: Any, other_workspace: Any, operator: Any, people: Any
) -> None:
    hua = people["hua"]
    stranger = make_person(other_workspace, "外人")
    response = assert_four_cases(
        web,
        "GET",
        _url(workspace, "people", hua.pk),
        _url(workspace, "people", stranger.pk),
        permitted=operator,
        denied=None,
    )
    html = response.content.decode()
    assert NAME in html and CUSTOMER in html and HANDLE in html and OPENID in html
    assert "护肤" in html and "彩妆" in html and "5 / 4 / 5" in html and "¥880.50" in html
    assert "这款面霜真好用" in html and "Order ORD-1" in html and "Moved into tier VIP" in html
    assert AUTHOR in html  # the message's author
    assert 'data-echarts="person-activity"' in html
    script = re.search(r'id="person-activity"[^>]*>(.*?)</script>', html, re.S)
    assert script is not None
    option = json.loads(script.group(1))
    assert sum(option["series"][0]["data"]) == 2 and sum(option["series"][1]["data"]) == 1
    # Operators may merge but not export or erase.
    assert 'data-testid="merge-form"' in html and 'data-testid="person-erase"' not in html


@pytest.mark.parametrize("role", [Role.ANALYST, Role.REVIEWER])
def test_profile_never_shows_identity_without_the_permission(
    web: Any, member: Any, workspace: Any, people: Any, role: str
) -> None:
    hua = people["hua"]
    html = web(member(role)).get(_url(workspace, "people", hua.pk)).content.decode()
    assert hua.pseudonym in html and "这款面霜真好用" in html
    for secret in (NAME, HANDLE, OPENID, CUSTOMER, AUTHOR, "100200300"):
        assert secret not in html, secret
    assert 'data-testid="merge-form"' not in html and 'data-testid="person-export"' not in html


def test_timeline_pages_newest_first(web: Any, operator: Any, workspace: Any, people: Any) -> None:
    hua = people["hua"]
    fan = hua.fans.get(account=people["weibo"])
    start = timezone.now() - dt.timedelta(days=100)
    for i in range(35):
        make_interaction(fan, text=f"评论{i:02d}", when=start + dt.timedelta(hours=i))
    client = web(operator)
    first = client.get(_url(workspace, "people", hua.pk)).content.decode()
    assert "这款面霜真好用" in first and "评论34" in first and "评论00" not in first
    assert "hx-get" in first and "timeline/?page=2" in first
    second = client.get(_url(workspace, "people", hua.pk, "timeline"), {"page": 2}).content.decode()
    assert "评论00" in second and "这款面霜真好用" not in second and "hx-get" not in second


# ---- merge and unmerge -----------------------------------------------------------------------


def test_merge_picks_another_person_by_pseudonym(
    web: Any, workspace: Any, other_workspace: Any, operator: Any, analyst: Any, people: Any
) -> None:
    hua, li = people["hua"], people["li"]
    stranger = make_person(other_workspace, "外人")
    response = assert_four_cases(
        web, "POST", _url(workspace, "people", hua.pk, "merge"), _url(workspace, "people", stranger.pk, "merge"),
        permitted=operator, denied=analyst, data={"other": li.pseudonym, "reason": "same phone"}, ok=(302,),
    )  # fmt: skip
    assert response["Location"] == _url(workspace, "people", hua.pk)
    assert not Person.objects.filter(pk=li.pk).exists()
    assert PersonMerge.objects.get(into=hua).merged_person_id == li.pk
    html = web(operator).get(_url(workspace, "people", hua.pk)).content.decode()
    assert "lisi_88" in html and 'data-testid="unmerge"' in html


def test_merge_refusals_are_said_on_the_profile(
    web: Any, operator: Any, workspace: Any, other_workspace: Any, people: Any
) -> None:
    hua = people["hua"]
    client = web(operator)
    stranger = make_person(other_workspace, "外人")
    for other, message in (
        ("nonsense", "Enter a person&#x27;s id"),
        (str(stranger.pk), "No person with this id"),
        (str(hua.pk), "cannot be merged with themselves"),
    ):
        page = client.post(_url(workspace, "people", hua.pk, "merge"), {"other": other}, follow=True)
        assert message in page.content.decode(), other
    assert Person.objects.filter(pk=stranger.pk).exists()


def test_unmerge_brings_the_person_back(
    web: Any, workspace: Any, other_workspace: Any, operator: Any, analyst: Any, admin: Any, people: Any
) -> None:
    from socialops.fans.services.merges import person_merge

    hua, li = people["hua"], people["li"]
    merge = person_merge(workspace=workspace, actor=admin, keep=hua, merge=li)
    theirs = person_merge(
        workspace=other_workspace,
        actor=None,
        keep=make_person(other_workspace, "甲"),
        merge=make_person(other_workspace, "乙"),
    )
    response = assert_four_cases(
        web, "POST", _url(workspace, "people", "merges", merge.pk, "undo"), _url(workspace, "people", "merges", theirs.pk, "undo"),
        permitted=operator, denied=analyst, ok=(302,),
    )  # fmt: skip
    assert response["Location"] == _url(workspace, "people", hua.pk)
    assert Person.objects.get(pk=li.pk).display_name == "李四"
    again = web(operator).post(_url(workspace, "people", "merges", merge.pk, "undo"), follow=True)
    assert "already been undone" in again.content.decode()


# ---- export and erase ------------------------------------------------------------------------


def test_export_downloads_json(
    web: Any, workspace: Any, other_workspace: Any, admin: Any, operator: Any, people: Any
) -> None:
    hua = people["hua"]
    stranger = make_person(other_workspace, "外人")
    response = assert_four_cases(
        web, "POST", _url(workspace, "people", hua.pk, "export"), _url(workspace, "people", stranger.pk, "export"),
        permitted=admin, denied=operator,
    )  # fmt: skip
    assert response["Content-Disposition"] == f'attachment; filename="person-{hua.pk:06d}.json"'
    data = json.loads(response.content)
    assert data["person"]["display_name"] == NAME
    assert {i["text"] for i in data["interactions"]} == {"这款面霜真好用", "请问有优惠吗"}
    assert AuditEntry.objects.filter(action="person exported", actor=admin).count() == 1


def test_erase_asks_first_and_removes_the_person(
    web: Any, workspace: Any, other_workspace: Any, admin: Any, operator: Any, people: Any
) -> None:
    hua = people["hua"]
    page = web(admin).get(_url(workspace, "people", hua.pk)).content.decode()
    assert 'data-testid="person-erase"' in page and "data-confirm=" in page
    stranger = make_person(other_workspace, "外人")
    response = assert_four_cases(
        web, "POST", _url(workspace, "people", hua.pk, "erase"), _url(workspace, "people", stranger.pk, "erase"),
        permitted=admin, denied=operator, ok=(302,),
    )  # fmt: skip
    assert response["Location"] == _url(workspace)
    assert not Person.objects.filter(pk=hua.pk).exists()
    li = people["li"]
    listing = web(admin).post(_url(workspace, "people", li.pk, "erase"), follow=True).content.decode()
    assert NAME not in listing and "李四" not in listing
    assert f"{li.pseudonym} and everything that named them were erased" in listing


def test_pages_render_in_chinese_by_default(
    client: Any, admin: Any, workspace: Any, people: Any, settings: Any
) -> None:
    settings.LANGUAGE_CODE = "zh-hans"
    client.force_login(admin, backend="django.contrib.auth.backends.ModelBackend")
    for url in (_url(workspace), _url(workspace, "people", people["hua"].pk)):
        response = client.get(url)
        assert response.status_code == 200 and 'lang="zh-hans"' in response.content.decode().lower()


def test_fan_list_and_profile_queries_do_not_grow_with_people(
    web: Any, operator: Any, workspace: Any, people: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = web(operator)
    hua = people["hua"]

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    list_before, profile_before = count(_url(workspace)), count(_url(workspace, "people", hua.pk))
    fan = hua.fans.first()
    for i in range(8):
        make_fan(people["weibo"], f"extra-{i}", handle=f"extra_{i}")
        make_interaction(fan, text=f"more {i}")
    assert count(_url(workspace)) == list_before
    assert count(_url(workspace, "people", hua.pk)) == profile_before
