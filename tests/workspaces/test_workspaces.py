"""Workspaces, roles, tokens, audit log, login and the health check."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from socialops.workspaces import selectors, services
from socialops.workspaces.models import AuditEntry, Membership
from socialops.workspaces.roles import Role
from tests.access import assert_four_cases

pytestmark = pytest.mark.django_db


def test_role_change_needs_admin_and_is_audited(workspace: Any, admin: Any, member: Any) -> None:
    operator = member(Role.OPERATOR)
    target = Membership.objects.get(workspace=workspace, user=operator)
    with pytest.raises(PermissionDenied):
        services.membership_update(workspace=workspace, actor=operator, membership=target, role=Role.ADMIN)
    services.membership_update(workspace=workspace, actor=admin, membership=target, role=Role.REVIEWER)
    entry = AuditEntry.objects.filter(workspace=workspace, action="membership.update").get()
    assert entry.actor == admin
    assert entry.before == {"role": "operator"} and entry.after == {"role": "reviewer"}


def test_last_admin_cannot_be_demoted_or_removed(workspace: Any, admin: Any) -> None:
    mine = Membership.objects.get(workspace=workspace, user=admin)
    with pytest.raises(ValidationError):
        services.membership_update(workspace=workspace, actor=admin, membership=mine, role=Role.ANALYST)
    with pytest.raises(ValidationError):
        services.membership_remove(workspace=workspace, actor=admin, membership=mine)
    assert Membership.objects.get(pk=mine.pk).role == Role.ADMIN


def test_non_member_sees_404_not_403(workspace: Any, other_workspace: Any, member: Any) -> None:
    outsider = member(Role.ADMIN, ws=other_workspace)
    with pytest.raises(Http404):
        selectors.membership_list(workspace=workspace, user=outsider)


def test_user_belongs_to_several_workspaces(
    workspace: Any, other_workspace: Any, member: Any, api: Any
) -> None:
    user = member(Role.ANALYST)
    services.membership_add(workspace=other_workspace, actor=None, user=user, role=Role.OPERATOR)
    body = api(user).get("/api/v1/me").json()
    assert {(w["slug"], w["role"]) for w in body["workspaces"]} == {
        ("acme", "analyst"),
        ("other", "operator"),
    }


def test_api_member_patch_four_cases(
    workspace: Any, other_workspace: Any, admin: Any, member: Any, api: Any
) -> None:
    operator = member(Role.OPERATOR)
    target = Membership.objects.get(workspace=workspace, user=operator)
    foreign_admin = member(Role.ADMIN, ws=other_workspace)
    foreign = Membership.objects.get(workspace=other_workspace, user=foreign_admin)
    response = assert_four_cases(
        api, "PATCH", f"/api/v1/workspaces/acme/members/{target.pk}",
        f"/api/v1/workspaces/acme/members/{foreign.pk}", permitted=admin, denied=operator,
        data={"role": "reviewer"},
    )  # fmt: skip
    assert response.json()["role"] == "reviewer"
    # The other workspace's member was not touched through a foreign id.
    assert Membership.objects.get(pk=foreign.pk).role == Role.ADMIN
    # ... nor can the other workspace be reached at all by someone who is not in it.
    assert api(admin).get("/api/v1/workspaces/other").status_code == 404


def test_api_audit_four_cases_and_filter(
    workspace: Any, other_workspace: Any, admin: Any, member: Any, api: Any
) -> None:
    analyst = member(Role.ANALYST)
    response = assert_four_cases(
        api, "GET", "/api/v1/workspaces/acme/audit?action=membership", "/api/v1/workspaces/other/audit",
        permitted=admin, denied=analyst,
    )  # fmt: skip
    body = response.json()
    assert body["count"] >= 2 and all(item["action"].startswith("membership") for item in body["items"])


def test_audit_page_four_cases(
    workspace: Any, other_workspace: Any, admin: Any, member: Any, web: Any
) -> None:
    response = assert_four_cases(
        web, "GET", "/w/acme/audit/?action=membership", "/w/other/audit/",
        permitted=admin, denied=member(Role.OPERATOR),
    )  # fmt: skip
    assert "membership.add" in response.content.decode()


def test_member_page_adds_member_with_error_naming_field(
    workspace: Any, admin: Any, make_user: Any, web: Any
) -> None:
    client = web(admin)
    response = client.post("/w/acme/members/", {"username": "nobody", "role": "operator"})
    assert response.status_code == 200
    assert "No active user with this username." in response.content.decode()
    newcomer = make_user("newcomer")
    response = client.post("/w/acme/members/", {"username": "newcomer", "role": "operator"})
    assert response.status_code == 302
    assert Membership.objects.get(workspace=workspace, user=newcomer).role == Role.OPERATOR


def test_bearer_token_revoked_is_refused(admin: Any, client: Any) -> None:
    token, raw = services.api_token_create(user=admin)
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    services.api_token_revoke(token=token, actor=admin)
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 401 and response.json()["message"]


def test_api_errors_are_json(admin: Any, api: Any) -> None:
    client = api(admin)
    missing = client.get("/api/v1/no/such/thing")
    assert missing.status_code == 404 and missing.json()["message"]
    bad = client.patch("/api/v1/workspaces/acme", data="{not json", content_type="application/json")
    assert 400 <= bad.status_code < 500 and bad.json()["message"]
    bad_tz = client.patch(
        "/api/v1/workspaces/acme", data={"timezone": "Mars/Olympus"}, content_type="application/json"
    )
    assert bad_tz.status_code == 400
    assert "timezone" in bad_tz.json()["errors"]


def test_healthz_reports_database_and_queue(client: Any) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"]["ok"] and body["queue"]["ok"]


def test_healthz_503_when_queue_down(client: Any, monkeypatch: Any) -> None:
    from huey.contrib.djhuey import HUEY

    def broken() -> int:
        raise ConnectionError("queue unreachable")

    monkeypatch.setattr(HUEY, "pending_count", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["queue"]["ok"] is False


def test_login_lockout_after_repeated_failures(admin: Any, client: Any, settings: Any) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": "boss", "password": "wrong"})
    response = client.post("/login/", {"username": "boss", "password": "s3cret-pass-word"})
    assert response.status_code in (403, 429)
    assert "locked" in response.content.decode().lower()


def test_pages_send_security_headers_and_default_to_chinese(admin: Any, client: Any, settings: Any) -> None:
    settings.LANGUAGE_CODE = "zh-hans"
    response = client.get("/login/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "登录" in response.content.decode()


def test_login_then_home_redirects_to_dashboard(admin: Any, client: Any) -> None:
    response = client.post("/login/", {"username": "boss", "password": "s3cret-pass-word"})
    assert response.status_code == 302
    assert client.get("/").url == "/w/acme/"


def test_member_page_four_cases(
    workspace: Any, other_workspace: Any, admin: Any, member: Any, web: Any
) -> None:
    response = assert_four_cases(
        web, "GET", "/w/acme/members/", "/w/other/members/", permitted=admin, denied=member(Role.ANALYST)
    )
    assert "boss" in response.content.decode()


def test_settings_page_four_cases_and_bad_timezone(
    workspace: Any, other_workspace: Any, admin: Any, member: Any, web: Any
) -> None:
    assert_four_cases(
        web, "POST", "/w/acme/settings/", "/w/other/settings/", permitted=admin, denied=member(Role.OPERATOR),
        data={"name": "Acme 新名字", "timezone": "Europe/Berlin", "locale": "en"}, ok=(302,),
    )  # fmt: skip
    workspace.refresh_from_db()
    assert (workspace.name, workspace.timezone, workspace.locale) == ("Acme 新名字", "Europe/Berlin", "en")
    other_workspace.refresh_from_db()
    assert other_workspace.name == "Other Co"
    response = web(admin).post("/w/acme/settings/", {"name": "X", "timezone": "Mars/Base", "locale": "en"})
    assert response.status_code == 200
    assert "Unknown time zone: Mars/Base" in response.content.decode()
    workspace.refresh_from_db()
    assert workspace.name == "Acme 新名字"


def test_api_list_offset_is_bounded(workspace: Any, admin: Any, api: Any) -> None:
    response = api(admin).get(f"/api/v1/workspaces/acme/audit?offset={2**80}")
    assert response.status_code == 422 and "offset" in response.json()["message"]


def test_schema_errors_are_in_the_users_language(admin: Any, api: Any) -> None:
    client = api(admin)
    body = client.patch(
        "/api/v1/workspaces/acme", data={"name": "x" * 101}, content_type="application/json"
    ).json()
    assert body["errors"] == {"name": ["At most 100 characters."]}
    chinese = client.patch(
        "/api/v1/workspaces/acme",
        data={"name": "x" * 101},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="zh-CN",
    ).json()
    assert chinese["errors"] == {"name": ["最多 100 个字符。"]}
    assert chinese["message"].startswith("输入有误")
