"""Moderation settings: the audited service, the page and the API (the four permission cases)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from socialops.community.models.moderation import ModerationSettings
from socialops.community.moderation.rules import DEFAULT_BANNED_WORDS, RULES
from socialops.community.selectors.moderation import policy_for
from socialops.community.services.moderation import moderation_settings_update
from socialops.workspaces.models import AuditEntry
from socialops.workspaces.roles import Role
from tests.access import assert_four_cases

pytestmark = pytest.mark.django_db

PAGE = "/w/{slug}/community/moderation/"
API = "/api/v1/workspaces/{slug}/community/moderation"


@pytest.fixture
def moderator(member: Any) -> Any:
    return member(Role.COMMUNITY, username="mona")


@pytest.fixture
def stranger(member: Any, other_workspace: Any) -> Any:
    """A moderator of the other workspace only."""
    return member(Role.COMMUNITY, ws=other_workspace, username="otto")


# ---- service and selector --------------------------------------------------------------------


def test_defaults_until_saved_then_the_saved_policy(workspace: Any, moderator: Any) -> None:
    policy = policy_for(workspace)
    assert policy.rules == frozenset(RULES) and policy.banned_words == DEFAULT_BANNED_WORDS
    assert not ModerationSettings.objects.exists()  # reading never writes
    moderation_settings_update(
        workspace=workspace,
        actor=moderator,
        enabled_rules=["link", "phone"],
        banned_words=" 刷单 \n\n刷单\n代开发票",
        allowed_domains=["https://www.Xinghe.com/support"],
        flood_per_minute=5,
    )
    policy = policy_for(workspace)
    assert policy.rules == frozenset({"link", "phone"})
    assert policy.banned_words == ("刷单", "代开发票")
    assert policy.allowed_domains == ("xinghe.com",) and policy.flood_per_minute == 5
    entry = AuditEntry.objects.get(action="community.moderation_settings")
    assert entry.workspace == workspace and entry.actor == moderator


def test_refusals_name_the_field_and_change_nothing(workspace: Any, moderator: Any) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"enabled_rules": ["link", "nope"]}, "enabled_rules"),
        ({"allowed_domains": ["not a domain"]}, "allowed_domains"),
        ({"banned_words": ["x" * 51]}, "banned_words"),
        ({"flood_per_minute": 0}, "flood_per_minute"),
        ({"mute_after_strikes": 3, "remove_after_strikes": 3}, "remove_after_strikes"),
        ({"color": "red"}, "color"),
    ]
    for fields, name in cases:
        with pytest.raises(ValidationError) as exc:
            moderation_settings_update(workspace=workspace, actor=moderator, **{"repeat_count": 5, **fields})
        assert name in exc.value.message_dict
    assert policy_for(workspace).repeat_count == 3
    assert not AuditEntry.objects.filter(action="community.moderation_settings").exists()


def test_only_the_moderation_permission_writes(workspace: Any, operator: Any, analyst: Any) -> None:
    for user in (operator, analyst):
        with pytest.raises(PermissionDenied):
            moderation_settings_update(workspace=workspace, actor=user, flood_per_minute=5)


# ---- the page ------------------------------------------------------------------------------


def test_page_four_cases_and_saving(
    web: Any, workspace: Any, other_workspace: Any, moderator: Any, operator: Any
) -> None:
    data = {
        "enabled_rules": ["link", "wechat_id"],
        "banned_words": "刷单\n日赚",
        "allowed_domains": "xinghe.com",
        "allowed_contacts": "",
        "repeat_count": 3,
        "repeat_window_minutes": 10,
        "flood_per_minute": 6,
        "new_member_hours": 12,
        "mute_after_strikes": 2,
        "mute_hours": 24,
        "remove_after_strikes": 3,
    }
    url, foreign = PAGE.format(slug="acme"), PAGE.format(slug="other")
    response = assert_four_cases(
        web, "POST", url, foreign, permitted=moderator, denied=operator, data=data, ok=(302,)
    )
    assert response["Location"] == url
    policy = policy_for(workspace)
    assert policy.rules == frozenset({"link", "wechat_id"}) and policy.new_member_hours == 12
    # Every member reads it; a refused value is shown beside its field.
    assert_four_cases(web, "GET", url, foreign, permitted=operator, denied=None)
    bad = web(moderator).post(url, {**data, "allowed_domains": "not a domain"})
    assert bad.status_code == 200 and "is not a domain" in bad.content.decode()


def test_page_tries_a_message_for_any_member(web: Any, workspace: Any, analyst: Any) -> None:
    page = web(analyst).get(PAGE.format(slug="acme"), {"text": "加V：abc12345"})
    body = page.content.decode()
    assert page.status_code == 200 and 'data-testid="moderation-verdict"' in body
    assert "WeChat, QQ or other contact ID" in body and "disabled" in body


def test_page_in_chinese(web: Any, workspace: Any, moderator: Any) -> None:
    client = web(moderator)
    client.cookies["django_language"] = "zh-hans"
    body = client.get(PAGE.format(slug="acme"), {"text": "电话 13812345678"}).content.decode()
    assert "群管理" in body and "电话号码" in body


# ---- the API -------------------------------------------------------------------------------


def test_api_settings_four_cases(
    api: Any, workspace: Any, other_workspace: Any, moderator: Any, operator: Any, stranger: Any
) -> None:
    url, foreign = API.format(slug="acme") + "/settings", API.format(slug="other") + "/settings"
    got = assert_four_cases(api, "GET", url, foreign, permitted=operator, denied=None).json()
    assert got["enabled_rules"] == list(RULES) and got["flood_per_minute"] == 8
    patched = assert_four_cases(
        api,
        "PATCH",
        url,
        foreign,
        permitted=moderator,
        denied=operator,
        data={"flood_per_minute": 4, "allowed_domains": ["xinghe.com"]},
    ).json()
    assert patched["flood_per_minute"] == 4 and patched["allowed_domains"] == ["xinghe.com"]
    refused = api(moderator).patch(
        url, data=json.dumps({"enabled_rules": ["nope"]}), content_type="application/json"
    )
    assert refused.status_code in (400, 422) and "enabled_rules" in refused.content.decode()


def test_api_check_four_cases(api: Any, workspace: Any, other_workspace: Any, operator: Any) -> None:
    url, foreign = API.format(slug="acme") + "/check", API.format(slug="other") + "/check"
    verdict = assert_four_cases(
        api, "POST", url, foreign, permitted=operator, denied=None, data={"text": "联系 138 2736 4519"}
    ).json()
    assert verdict["spam"] is True and verdict["rule"] == "phone" and verdict["evidence"] == "138 2736 4519"
    qr = api(operator).post(
        url, data=json.dumps({"text": "", "has_image_qr": True}), content_type="application/json"
    )
    assert qr.json()["rule"] == "qr_image"


def test_demo_seed_saves_the_settings(workspace: Any, moderator: Any) -> None:
    from socialops.demo.moderation import seed_moderation

    row = seed_moderation(workspace, {"community": moderator})
    policy = policy_for(workspace)
    assert row.flood_per_minute == 6 and "代购" in policy.banned_words
    assert policy.allowed_domains == ("xingyao-tech.com",)


def test_reset_four_cases_back_to_the_defaults(
    web: Any, workspace: Any, other_workspace: Any, moderator: Any, operator: Any
) -> None:
    moderation_settings_update(workspace=workspace, actor=moderator, flood_per_minute=4)
    url = "/w/acme/community/moderation/reset/"
    assert_four_cases(
        web,
        "POST",
        url,
        "/w/other/community/moderation/reset/",
        permitted=moderator,
        denied=operator,
        ok=(302,),
    )
    assert policy_for(workspace).flood_per_minute == 8 and not ModerationSettings.objects.exists()
    assert AuditEntry.objects.filter(action="community.moderation_settings_reset").count() == 1
    assert web(moderator).get(url).status_code == 405
