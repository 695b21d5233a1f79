"""HTTP API of accounts and personas: the four cases, bad input (the comparison: tests/goals/test_competitors.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from socialops.accounts.models import Persona, SocialAccount
from socialops.workspaces.models import AuditEntry
from socialops.workspaces.roles import Role
from tests.access import assert_four_cases
from tests.factories import make_account, make_persona

pytestmark = pytest.mark.django_db

BASE = "/api/v1/workspaces/acme"


@pytest.fixture
def foreign(other_workspace: Any) -> SocialAccount:
    return make_account(other_workspace, "theirs")


def _post(client: Any, url: str, data: Any) -> Any:
    return client.post(url, data=json.dumps(data), content_type="application/json")


def _patch(client: Any, url: str, data: Any) -> Any:
    return client.patch(url, data=json.dumps(data), content_type="application/json")


def test_list_four_cases_and_competitor_filter(
    workspace: Any, other_workspace: Any, admin: Any, api: Any
) -> None:
    make_account(workspace, "ours1", positioning="科技前沿，品质生活")
    make_account(workspace, "rival", platform="douyin", is_competitor=True)
    response = assert_four_cases(
        api, "GET", f"{BASE}/accounts", "/api/v1/workspaces/other/accounts", permitted=admin, denied=None
    )
    body = response.json()
    assert body["count"] == 2
    assert [a["handle"] for a in body["items"]] == ["ours1", "rival"]
    assert body["items"][0]["positioning"] == "科技前沿，品质生活"
    assert body["items"][0]["platform_label"] == "Weibo"
    client = api(admin)
    assert [a["handle"] for a in client.get(f"{BASE}/accounts?competitor=true").json()["items"]] == ["rival"]
    assert [a["handle"] for a in client.get(f"{BASE}/accounts?competitor=false").json()["items"]] == ["ours1"]
    assert client.get(f"{BASE}/accounts?competitor=maybe").status_code == 422


def test_create_four_cases(workspace: Any, other_workspace: Any, admin: Any, member: Any, api: Any) -> None:
    analyst = member(Role.ANALYST)
    data = {
        "platform": "xiaohongshu",
        "handle": "acme_red",
        "display_name": "Acme 小红书",
        "positioning": "品质生活",
        "brand_traits": ["真诚", "有料"],
        "is_competitor": False,
    }
    response = assert_four_cases(
        api, "POST", f"{BASE}/accounts", "/api/v1/workspaces/other/accounts",
        permitted=admin, denied=analyst, data=data, ok=(201,),
    )  # fmt: skip
    body = response.json()
    assert body["handle"] == "acme_red" and body["brand_traits"] == ["真诚", "有料"]
    account = SocialAccount.objects.get(pk=body["id"])
    assert account.workspace == workspace
    assert not SocialAccount.objects.filter(workspace=other_workspace).exists()


def test_create_bad_input_is_400_or_422_json(workspace: Any, admin: Any, api: Any) -> None:
    client = api(admin)
    make_account(workspace, "taken", platform="weibo")
    response = _post(
        client, f"{BASE}/accounts", {"platform": "weibo", "handle": "taken", "display_name": "x"}
    )
    assert response.status_code == 400
    assert "handle" in response.json()["errors"]
    response = _post(
        client, f"{BASE}/accounts", {"platform": "friendster", "handle": "a", "display_name": "x"}
    )
    assert response.status_code == 400 and "Unknown platform" in response.json()["errors"]["platform"][0]
    response = _post(
        client,
        f"{BASE}/accounts",
        {
            "platform": "weibo",
            "handle": "b",
            "display_name": "x",
            "brand_traits": [f"t{i}" for i in range(25)],
        },
    )
    assert response.status_code == 400 and "brand_traits" in response.json()["errors"]
    response = _post(client, f"{BASE}/accounts", {"platform": "weibo"})
    assert response.status_code == 422 and "handle" in response.json()["errors"]
    response = client.post(f"{BASE}/accounts", data="{not json", content_type="application/json")
    assert response.status_code in (400, 422) and "message" in response.json()
    assert SocialAccount.objects.count() == 1


def test_detail_four_cases(workspace: Any, admin: Any, api: Any, foreign: SocialAccount) -> None:
    account = make_account(workspace, "acme", tone="亲切")
    response = assert_four_cases(
        api, "GET", f"{BASE}/accounts/{account.pk}", f"{BASE}/accounts/{foreign.pk}",
        permitted=admin, denied=None,
    )  # fmt: skip
    assert response.json()["tone"] == "亲切"
    client = api(admin)
    assert client.get(f"{BASE}/accounts/0").status_code == 422
    assert client.get(f"{BASE}/accounts/999999").status_code == 404
    assert client.get(f"{BASE}/accounts/abc").status_code == 422


def test_patch_four_cases(workspace: Any, admin: Any, member: Any, api: Any, foreign: SocialAccount) -> None:
    account = make_account(workspace, "acme")
    response = assert_four_cases(
        api, "PATCH", f"{BASE}/accounts/{account.pk}", f"{BASE}/accounts/{foreign.pk}",
        permitted=member(Role.OPERATOR), denied=member(Role.REVIEWER),
        data={"positioning": "新定位", "brand_traits": ["专业"]},
    )  # fmt: skip
    assert response.json()["positioning"] == "新定位"
    account.refresh_from_db()
    assert account.brand_traits == ["专业"] and account.handle == "acme"
    assert SocialAccount.objects.get(pk=foreign.pk).positioning == ""
    bad = _patch(api(admin), f"{BASE}/accounts/{account.pk}", {"handle": "  "})
    assert bad.status_code == 400 and "handle" in bad.json()["errors"]
    assert AuditEntry.objects.filter(action="account.update").count() == 1


def test_delete_four_cases(workspace: Any, admin: Any, member: Any, api: Any, foreign: SocialAccount) -> None:
    account = make_account(workspace, "acme")
    assert_four_cases(
        api, "DELETE", f"{BASE}/accounts/{account.pk}", f"{BASE}/accounts/{foreign.pk}",
        permitted=admin, denied=member(Role.ANALYST), ok=(204,),
    )  # fmt: skip
    assert not SocialAccount.objects.filter(pk=account.pk).exists()
    assert SocialAccount.objects.filter(pk=foreign.pk).exists()


def test_persona_list_and_create_four_cases(
    workspace: Any, other_workspace: Any, admin: Any, member: Any, api: Any, foreign: SocialAccount
) -> None:
    account = make_account(workspace, "acme")
    make_persona(workspace, account, "学生党", active_hours=[21, 22])
    make_persona(other_workspace, foreign, "别家")
    listing = assert_four_cases(
        api, "GET", f"{BASE}/accounts/{account.pk}/personas", f"{BASE}/accounts/{foreign.pk}/personas",
        permitted=admin, denied=None,
    )  # fmt: skip
    assert [p["name"] for p in listing.json()["items"]] == ["学生党"]
    assert listing.json()["items"][0]["active_hours"] == [21, 22]
    data = {
        "name": "一线白领",
        "age_band": "25-30",
        "female_share": 70,
        "city_tiers": ["tier1", "new_tier1"],
        "interests": ["咖啡"],
        "active_hours": [8, 12, 21],
    }
    created = assert_four_cases(
        api, "POST", f"{BASE}/accounts/{account.pk}/personas", f"{BASE}/accounts/{foreign.pk}/personas",
        permitted=admin, denied=member(Role.COMMUNITY), data=data, ok=(201,),
    )  # fmt: skip
    body = created.json()
    assert body["account_id"] == account.pk and body["city_tiers"] == ["tier1", "new_tier1"]
    assert Persona.objects.filter(account=foreign).count() == 1


def test_persona_bad_input(workspace: Any, admin: Any, api: Any) -> None:
    account = make_account(workspace, "acme")
    client = api(admin)
    url = f"{BASE}/accounts/{account.pk}/personas"
    response = _post(client, url, {"name": "p", "age_band": "18-24", "active_hours": [8, 24]})
    assert response.status_code == 400 and "0 to 23" in response.json()["errors"]["active_hours"][0]
    response = _post(client, url, {"name": "p", "age_band": "18-24", "city_tiers": ["tier7"]})
    assert response.status_code == 400 and "city_tiers" in response.json()["errors"]
    response = _post(client, url, {"name": "p", "age_band": "18-24", "female_share": 120})
    assert response.status_code == 422 and "female_share" in response.json()["errors"]
    response = _post(client, url, {"name": "p", "age_band": "18-24", "active_hours": ["noon"]})
    assert response.status_code == 422
    assert not Persona.objects.exists()


def test_persona_patch_four_cases(
    workspace: Any, other_workspace: Any, admin: Any, member: Any, api: Any, foreign: SocialAccount
) -> None:
    persona = make_persona(workspace, make_account(workspace, "acme"), "p1")
    theirs = make_persona(other_workspace, foreign, "p2")
    response = assert_four_cases(
        api, "PATCH", f"{BASE}/personas/{persona.pk}", f"{BASE}/personas/{theirs.pk}",
        permitted=admin, denied=member(Role.ANALYST), data={"interests": ["露营", "摄影"], "female_share": 40},
    )  # fmt: skip
    assert response.json()["interests"] == ["露营", "摄影"] and response.json()["female_share"] == 40
    assert Persona.objects.get(pk=theirs.pk).interests == []


def test_persona_delete_four_cases(
    workspace: Any, other_workspace: Any, admin: Any, member: Any, api: Any, foreign: SocialAccount
) -> None:
    persona = make_persona(workspace, make_account(workspace, "acme"), "p1")
    theirs = make_persona(other_workspace, foreign, "p2")
    assert_four_cases(
        api, "DELETE", f"{BASE}/personas/{persona.pk}", f"{BASE}/personas/{theirs.pk}",
        permitted=admin, denied=member(Role.REVIEWER), ok=(204,),
    )  # fmt: skip
    assert list(Persona.objects.all()) == [theirs]


def test_paging_and_ids_out_of_range_are_422_not_500(workspace: Any, admin: Any, api: Any) -> None:
    client = api(admin)
    account = make_account(workspace, "acme")
    assert client.get(f"{BASE}/accounts?offset={2**80}").status_code == 422
    assert client.get(f"{BASE}/accounts/{account.pk}/personas?offset={2**80}").status_code == 422
    assert client.get(f"{BASE}/accounts/{2**70}").status_code == 422
    body = client.get(f"{BASE}/accounts?offset=1&limit=1").json()
    assert body == {"items": [], "count": 1}
