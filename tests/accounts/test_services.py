"""Account and persona services: validation naming the field, permissions, audit entries."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from socialops.accounts import services
from socialops.accounts.models import Persona, SocialAccount
from socialops.goals.models import MetricSnapshot
from socialops.workspaces.models import AuditEntry
from socialops.workspaces.roles import Role
from tests.factories import make_account, make_persona

pytestmark = pytest.mark.django_db


def _errors(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


def test_create_account_stores_profile_and_audits(workspace: Any, admin: Any) -> None:
    account = services.account_create(
        workspace=workspace,
        actor=admin,
        platform="weibo",
        handle="  acme_tech ",
        display_name="Acme 科技",
        positioning="科技前沿，品质生活",
        brand_traits=["专业", " 温暖 ", "专业", ""],
        tone="亲切、不卖弄",
    )
    account.refresh_from_db()
    assert account.handle == "acme_tech"
    assert account.brand_traits == ["专业", "温暖"]
    assert account.positioning == "科技前沿，品质生活"
    entry = AuditEntry.objects.get(workspace=workspace, action="account.create")
    assert entry.actor == admin
    assert entry.object_id == str(account.pk)
    assert entry.after["handle"] == "acme_tech" and entry.after["brand_traits"] == ["专业", "温暖"]


@pytest.mark.parametrize(
    ("overrides", "field", "fragment"),
    [
        ({"platform": "myspace"}, "platform", "Unknown platform: myspace"),
        ({"handle": "   "}, "handle", "required"),
        ({"display_name": ""}, "display_name", "required"),
        ({"brand_traits": [f"t{i}" for i in range(21)]}, "brand_traits", "At most 20"),
        ({"brand_traits": ["x" * 31]}, "brand_traits", "at most 30 characters"),
        ({"brand_traits": "专业"}, "brand_traits", "list"),
        ({"url": "not a url"}, "url", "URL"),
        ({"positioning": "长" * 201}, "positioning", "200"),
        ({"handle": "a\x00b"}, "handle", "Null characters"),
    ],
)
def test_create_account_rejects_bad_fields(
    workspace: Any, admin: Any, overrides: dict[str, Any], field: str, fragment: str
) -> None:
    data: dict[str, Any] = {"platform": "weibo", "handle": "acme", "display_name": "Acme"}
    data.update(overrides)
    with pytest.raises(ValidationError) as exc:
        services.account_create(workspace=workspace, actor=admin, **data)
    errors = _errors(exc)
    assert field in errors, errors
    assert any(fragment in m for m in errors[field]), errors
    assert not SocialAccount.objects.exists()
    assert not AuditEntry.objects.filter(action="account.create").exists()


def test_duplicate_handle_per_platform_is_a_handle_error(
    workspace: Any, other_workspace: Any, admin: Any
) -> None:
    make_account(workspace, "acme", platform="douyin")
    with pytest.raises(ValidationError) as exc:
        services.account_create(
            workspace=workspace, actor=admin, platform="douyin", handle="ACME", display_name="x"
        )
    assert "already has the Douyin account" in _errors(exc)["handle"][0]
    # Same handle on another platform, or in another workspace, is fine.
    services.account_create(
        workspace=workspace, actor=admin, platform="weibo", handle="acme", display_name="x"
    )
    make_account(other_workspace, "acme", platform="douyin")
    assert SocialAccount.objects.filter(handle="acme").count() == 3


def test_update_account_audits_before_and_after(workspace: Any, admin: Any) -> None:
    account = make_account(workspace, positioning="旧定位", brand_traits=["a"])
    services.account_update(
        workspace=workspace, actor=admin, account=account, positioning="新定位", brand_traits=["b", "c"]
    )
    account.refresh_from_db()
    assert account.positioning == "新定位" and account.brand_traits == ["b", "c"]
    entry = AuditEntry.objects.get(action="account.update")
    assert entry.before == {"brand_traits": ["a"], "positioning": "旧定位"}
    assert entry.after == {"brand_traits": ["b", "c"], "positioning": "新定位"}


def test_update_rejects_unknown_field_and_duplicate_and_keeps_object(workspace: Any, admin: Any) -> None:
    make_account(workspace, "taken")
    account = make_account(workspace, "mine")
    with pytest.raises(ValidationError) as exc:
        services.account_update(workspace=workspace, actor=admin, account=account, workspace_id=99)
    assert "workspace_id" in _errors(exc)
    with pytest.raises(ValidationError) as exc:
        services.account_update(workspace=workspace, actor=admin, account=account, handle="taken")
    assert "handle" in _errors(exc)
    assert account.handle == "mine"
    assert SocialAccount.objects.get(pk=account.pk).handle == "mine"
    assert not AuditEntry.objects.filter(action="account.update").exists()


def test_delete_account_removes_personas_and_snapshots_and_audits(workspace: Any, admin: Any) -> None:
    account = make_account(workspace)
    make_persona(workspace, account, "学生党")
    MetricSnapshot.objects.create(workspace=workspace, account=account, date="2025-01-01", followers_total=10)
    services.account_delete(workspace=workspace, actor=admin, account=account)
    assert not SocialAccount.objects.exists() and not Persona.objects.exists()
    assert not MetricSnapshot.objects.exists()
    entry = AuditEntry.objects.get(action="account.delete")
    assert entry.before["handle"] == "acme_official"
    assert [p["name"] for p in entry.before["personas"]] == ["学生党"]


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.COMMUNITY, Role.ANALYST])
def test_roles_without_account_edit_cannot_write(workspace: Any, member: Any, role: str) -> None:
    user = member(role)
    account = make_account(workspace)
    persona = make_persona(workspace, account)
    with pytest.raises(PermissionDenied):
        services.account_create(
            workspace=workspace, actor=user, platform="weibo", handle="x", display_name="x"
        )
    with pytest.raises(PermissionDenied):
        services.account_update(workspace=workspace, actor=user, account=account, tone="x")
    with pytest.raises(PermissionDenied):
        services.account_delete(workspace=workspace, actor=user, account=account)
    with pytest.raises(PermissionDenied):
        services.persona_create(workspace=workspace, actor=user, account=account, name="x", age_band="18-24")
    with pytest.raises(PermissionDenied):
        services.persona_update(workspace=workspace, actor=user, persona=persona, name="y")
    with pytest.raises(PermissionDenied):
        services.persona_delete(workspace=workspace, actor=user, persona=persona)


def test_operator_may_edit_and_system_writes_are_audited_as_system(workspace: Any, member: Any) -> None:
    operator = member(Role.OPERATOR)
    account = make_account(workspace)  # actor=None: the system
    assert AuditEntry.objects.get(action="account.create").actor_name == "system"
    services.account_update(workspace=workspace, actor=operator, account=account, tone="活泼")
    assert AuditEntry.objects.get(action="account.update").actor == operator


def test_objects_of_another_workspace_are_refused(workspace: Any, other_workspace: Any, admin: Any) -> None:
    foreign = make_account(other_workspace)
    with pytest.raises(ValidationError):
        services.account_update(workspace=workspace, actor=admin, account=foreign, tone="x")
    with pytest.raises(ValidationError):
        services.persona_create(workspace=workspace, actor=admin, account=foreign, name="x", age_band="18-24")
    assert SocialAccount.objects.get(pk=foreign.pk).tone == ""


def test_persona_create_normalises_and_audits(workspace: Any, admin: Any) -> None:
    account = make_account(workspace)
    persona = services.persona_create(
        workspace=workspace,
        actor=admin,
        account=account,
        name="一线白领",
        age_band="25-30",
        female_share=65,
        city_tiers=["tier2", "tier1", "tier2"],
        interests=["咖啡", "数码"],
        active_hours=[21, 8, 12, 8],
        description="通勤路上刷手机",
    )
    persona.refresh_from_db()
    assert persona.city_tiers == ["tier1", "tier2"]
    assert persona.active_hours == [8, 12, 21]
    assert persona.male_share == 35
    entry = AuditEntry.objects.get(action="persona.create")
    assert entry.after["active_hours"] == [8, 12, 21] and entry.after["account"] == account.pk


@pytest.mark.parametrize(
    ("overrides", "field", "fragment"),
    [
        ({"active_hours": [8, 24]}, "active_hours", "0 to 23"),
        ({"active_hours": [-1]}, "active_hours", "0 to 23"),
        ({"active_hours": [True]}, "active_hours", "0 to 23"),
        ({"city_tiers": ["tier9"]}, "city_tiers", "Unknown city tier: tier9"),
        ({"age_band": "99+"}, "age_band", "Unknown age band"),
        ({"female_share": 101}, "female_share", "0 to 100"),
        ({"interests": [f"i{i}" for i in range(21)]}, "interests", "At most 20"),
        ({"interests": ["长" * 31]}, "interests", "at most 30 characters"),
        ({"name": " "}, "name", "required"),
    ],
)
def test_persona_rejects_bad_fields(
    workspace: Any, admin: Any, overrides: dict[str, Any], field: str, fragment: str
) -> None:
    account = make_account(workspace)
    data: dict[str, Any] = {"name": "p", "age_band": "18-24"}
    data.update(overrides)
    with pytest.raises(ValidationError) as exc:
        services.persona_create(workspace=workspace, actor=admin, account=account, **data)
    errors = _errors(exc)
    assert field in errors and any(fragment in m for m in errors[field]), errors
    assert not Persona.objects.exists()


def test_persona_update_and_delete_are_audited(workspace: Any, admin: Any) -> None:
    persona = make_persona(workspace, make_account(workspace), active_hours=[8])
    services.persona_update(workspace=workspace, actor=admin, persona=persona, active_hours=[20, 21])
    entry = AuditEntry.objects.get(action="persona.update")
    assert entry.before == {"active_hours": [8]} and entry.after == {"active_hours": [20, 21]}
    with pytest.raises(ValidationError) as exc:
        services.persona_update(workspace=workspace, actor=admin, persona=persona, active_hours=[30])
    assert "active_hours" in _errors(exc)
    assert persona.active_hours == [20, 21]
    services.persona_delete(workspace=workspace, actor=admin, persona=persona)
    assert not Persona.objects.exists()
    assert AuditEntry.objects.get(action="persona.delete").before["name"] == "白领妈妈"


def test_delete_blocked_by_protected_records_is_a_clear_error(
    workspace: Any, admin: Any, monkeypatch: Any
) -> None:
    from django.db.models import ProtectedError

    account = make_account(workspace)
    persona = make_persona(workspace, account)

    def refuse(self: Any, *args: Any, **kwargs: Any) -> Any:
        raise ProtectedError("protected", {persona})

    monkeypatch.setattr(SocialAccount, "delete", refuse)
    with pytest.raises(ValidationError) as exc:
        services.account_delete(workspace=workspace, actor=admin, account=account)
    assert "cannot be deleted while it still has personas" in _errors(exc)["account"][0]
    assert SocialAccount.objects.filter(pk=account.pk).exists()
    assert not AuditEntry.objects.filter(action="account.delete").exists()
