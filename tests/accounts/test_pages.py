"""Pages: account list and detail, forms with inline errors, deletes, persona charts.

The competitor page (our accounts and competitors side by side) is in goals: tests/goals/test_competitors.py.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from socialops.accounts.models import Persona, SocialAccount
from socialops.goals.models import MetricSnapshot
from socialops.workspaces.models import AuditEntry
from socialops.workspaces.roles import Role
from tests.access import assert_four_cases
from tests.factories import make_account, make_persona

pytestmark = pytest.mark.django_db


@pytest.fixture
def foreign(other_workspace: Any) -> SocialAccount:
    return make_account(other_workspace, "theirs")


def _json_block(html: str, element_id: str) -> Any:
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S)
    assert match, f"no JSON block {element_id}"
    return json.loads(match.group(1))


def test_account_list_four_cases(workspace: Any, admin: Any, member: Any, web: Any) -> None:
    account = make_account(
        workspace, "acme_weibo", display_name="Acme 微博", positioning="科技前沿，品质生活"
    )
    make_account(workspace, "rival", display_name="Rival Co", is_competitor=True)
    MetricSnapshot.objects.create(
        workspace=workspace, account=account, date="2025-01-02", followers_total=12345
    )
    response = assert_four_cases(
        web, "GET", "/w/acme/accounts/", "/w/other/accounts/", permitted=admin, denied=None
    )
    html = response.content.decode()
    assert "Acme 微博" in html and "科技前沿，品质生活" in html and "12,345" in html
    assert "Rival Co" not in html  # competitors have their own page
    assert "Add account" in html
    # An analyst reads the list but is not offered the button.
    analyst_html = web(member(Role.ANALYST)).get("/w/acme/accounts/").content.decode()
    assert "Acme 微博" in analyst_html and "Add account" not in analyst_html


def test_account_list_empty_state_in_chinese(workspace: Any, admin: Any, web: Any) -> None:
    client = web(admin)
    client.cookies["django_language"] = "zh-hans"
    html = client.get("/w/acme/accounts/").content.decode()
    assert "还没有账号" in html


def test_account_detail_four_cases(workspace: Any, admin: Any, web: Any, foreign: SocialAccount) -> None:
    account = make_account(
        workspace,
        "acme",
        display_name="Acme 科技",
        positioning="科技前沿，品质生活",
        brand_traits=["专业", "温暖"],
        style_rules="每篇不超过 800 字",
        tone="亲切",
    )
    make_persona(
        workspace,
        account,
        "一线白领",
        female_share=70,
        city_tiers=["tier1"],
        interests=["咖啡"],
        active_hours=[8, 21],
    )
    response = assert_four_cases(
        web, "GET", f"/w/acme/accounts/{account.pk}/", f"/w/acme/accounts/{foreign.pk}/",
        permitted=admin, denied=None,
    )  # fmt: skip
    html = response.content.decode()
    for text in (
        "科技前沿，品质生活",
        "专业",
        "温暖",
        "每篇不超过 800 字",
        "亲切",
        "一线白领",
        "Women 70% · men 30%",
        "Tier 1",
        "咖啡",
    ):
        assert text in html, text
    persona = Persona.objects.get()
    chart = _json_block(html, f"persona-hours-{persona.pk}")
    assert [hour for hour, _row, value in chart["series"][0]["data"] if value] == [8, 21]
    assert f'data-echarts="persona-hours-{persona.pk}"' in html
    assert "data-confirm" in html
    assert " style=" not in html and "<script>" not in html


def test_account_create_four_cases(
    workspace: Any, other_workspace: Any, admin: Any, member: Any, web: Any
) -> None:
    data = {
        "platform": "douyin",
        "handle": "acme_dy",
        "display_name": "Acme 抖音",
        "positioning": "好玩的科技",
        "brand_traits": "专业，有趣、 温暖",
    }
    response = assert_four_cases(
        web, "POST", "/w/acme/accounts/new/", "/w/other/accounts/new/",
        permitted=member(Role.OPERATOR), denied=member(Role.REVIEWER), data=data, ok=(302,),
    )  # fmt: skip
    account = SocialAccount.objects.get(handle="acme_dy")
    assert response["Location"] == f"/w/acme/accounts/{account.pk}/"
    assert account.workspace == workspace and account.brand_traits == ["专业", "有趣", "温暖"]
    assert not SocialAccount.objects.filter(workspace=other_workspace).exists()


def test_account_create_shows_service_errors_inline(workspace: Any, admin: Any, web: Any) -> None:
    make_account(workspace, "taken", platform="weibo")
    client = web(admin)
    response = client.post(
        "/w/acme/accounts/new/",
        {
            "platform": "weibo",
            "handle": "TAKEN",
            "display_name": "x",
            "brand_traits": ",".join(f"t{i}" for i in range(21)),
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "already has the Weibo account" in html
    assert "At most 20 entries" in html
    assert html.count("invalid-feedback") >= 2
    assert SocialAccount.objects.count() == 1
    # The form for a competitor starts with the box ticked.
    form_html = client.get("/w/acme/accounts/new/?competitor=1").content.decode()
    assert re.search(r'name="is_competitor"[^>]*checked', form_html)


def test_account_edit_four_cases(
    workspace: Any, admin: Any, member: Any, web: Any, foreign: SocialAccount
) -> None:
    account = make_account(workspace, "acme", brand_traits=["旧"])
    page = web(admin).get(f"/w/acme/accounts/{account.pk}/edit/").content.decode()
    assert 'value="旧"' in page  # the form starts from the stored profile
    data = {
        "platform": "weibo",
        "handle": "acme",
        "display_name": "Acme",
        "tone": "活泼",
        "brand_traits": "新, 更新",
    }
    response = assert_four_cases(
        web, "POST", f"/w/acme/accounts/{account.pk}/edit/", f"/w/acme/accounts/{foreign.pk}/edit/",
        permitted=admin, denied=member(Role.ANALYST), data=data, ok=(302,),
    )  # fmt: skip
    assert response["Location"] == f"/w/acme/accounts/{account.pk}/"
    account.refresh_from_db()
    assert account.tone == "活泼" and account.brand_traits == ["新", "更新"]
    assert SocialAccount.objects.get(pk=foreign.pk).tone == ""
    assert AuditEntry.objects.filter(action="account.update", actor=admin).count() == 1


def test_account_delete_four_cases(
    workspace: Any, admin: Any, member: Any, web: Any, foreign: SocialAccount
) -> None:
    account = make_account(workspace, "rival", is_competitor=True)
    response = assert_four_cases(
        web, "POST", f"/w/acme/accounts/{account.pk}/delete/", f"/w/acme/accounts/{foreign.pk}/delete/",
        permitted=admin, denied=member(Role.COMMUNITY), data={}, ok=(302,),
    )  # fmt: skip
    assert response["Location"] == "/w/acme/competitors/"
    assert not SocialAccount.objects.filter(pk=account.pk).exists()
    assert SocialAccount.objects.filter(pk=foreign.pk).exists()
    # A GET never deletes.
    other = make_account(workspace, "keep")
    assert web(admin).get(f"/w/acme/accounts/{other.pk}/delete/").status_code == 405


def test_persona_create_four_cases(
    workspace: Any, admin: Any, member: Any, web: Any, foreign: SocialAccount
) -> None:
    account = make_account(workspace, "acme")
    data = {
        "name": "学生党",
        "age_band": "18-24",
        "female_share": "55",
        "city_tiers": ["tier2", "tier3"],
        "interests": "游戏、动漫",
        "active_hours": "12, 21-23",
    }
    response = assert_four_cases(
        web, "POST", f"/w/acme/accounts/{account.pk}/personas/new/",
        f"/w/acme/accounts/{foreign.pk}/personas/new/", permitted=admin, denied=member(Role.ANALYST),
        data=data, ok=(302,),
    )  # fmt: skip
    assert response["Location"] == f"/w/acme/accounts/{account.pk}/"
    persona = Persona.objects.get(account=account)
    assert persona.active_hours == [12, 21, 22, 23]
    assert persona.city_tiers == ["tier2", "tier3"] and persona.interests == ["游戏", "动漫"]
    assert not Persona.objects.filter(account=foreign).exists()


def test_persona_form_errors_inline(workspace: Any, admin: Any, web: Any) -> None:
    account = make_account(workspace, "acme")
    client = web(admin)
    url = f"/w/acme/accounts/{account.pk}/personas/new/"
    html = client.post(
        url, {"name": "p", "age_band": "18-24", "female_share": "50", "active_hours": "8, 25"}
    ).content.decode()
    assert "Hours must be whole numbers from 0 to 23 (got 25)" in html
    html = client.post(
        url, {"name": "p", "age_band": "18-24", "female_share": "50", "active_hours": "noon"}
    ).content.decode()
    assert "Write hours like 8, 12-13, 20-22" in html
    assert not Persona.objects.exists()
    # A range may wrap past midnight.
    client.post(url, {"name": "夜猫子", "age_band": "18-24", "female_share": "50", "active_hours": "22-1"})
    assert Persona.objects.get().active_hours == [0, 1, 22, 23]


def test_persona_edit_and_delete_four_cases(
    workspace: Any, other_workspace: Any, admin: Any, member: Any, web: Any, foreign: SocialAccount
) -> None:
    account = make_account(workspace, "acme")
    persona = make_persona(workspace, account, "p1", active_hours=[7, 8, 9, 20])
    theirs = make_persona(other_workspace, foreign, "p2")
    page = web(admin).get(f"/w/acme/personas/{persona.pk}/edit/").content.decode()
    assert 'value="7-9, 20"' in page
    data = {"name": "p1", "age_band": "31-40", "female_share": "30", "active_hours": "7-9"}
    assert_four_cases(
        web, "POST", f"/w/acme/personas/{persona.pk}/edit/", f"/w/acme/personas/{theirs.pk}/edit/",
        permitted=admin, denied=member(Role.REVIEWER), data=data, ok=(302,),
    )  # fmt: skip
    persona.refresh_from_db()
    assert persona.age_band == "31-40" and persona.active_hours == [7, 8, 9]
    assert_four_cases(
        web, "POST", f"/w/acme/personas/{persona.pk}/delete/", f"/w/acme/personas/{theirs.pk}/delete/",
        permitted=admin, denied=member(Role.ANALYST), data={}, ok=(302,),
    )  # fmt: skip
    assert list(Persona.objects.all()) == [theirs]


def test_account_delete_refused_shows_message(workspace: Any, admin: Any, web: Any, monkeypatch: Any) -> None:
    from django.db.models import ProtectedError

    account = make_account(workspace, "acme")
    persona = make_persona(workspace, account)

    def refuse(self: Any, *args: Any, **kwargs: Any) -> Any:
        raise ProtectedError("protected", {persona})

    monkeypatch.setattr(SocialAccount, "delete", refuse)
    client = web(admin)
    response = client.post(f"/w/acme/accounts/{account.pk}/delete/", follow=True)
    assert response.redirect_chain[-1][0] == f"/w/acme/accounts/{account.pk}/"
    assert "cannot be deleted while it still has personas" in response.content.decode()
