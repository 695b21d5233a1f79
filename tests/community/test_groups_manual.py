"""Manual groups: members imported from a file, whole or not at all; their actions are tasks for a person."""

from __future__ import annotations

from typing import Any

import pytest

from socialops.community.models.groups import ActionStatus, GroupMember, MemberRole
from socialops.community.services import moderation_actions as moderation
from socialops.community.services.groups import group_create, group_members_import
from socialops.core.imports import ImportRejected
from socialops.fans.models import Person
from tests.community.groups_data import manual_group
from tests.factories import csv_bytes

pytestmark = pytest.mark.django_db


def test_members_are_imported_with_their_roles_and_people(workspace: Any) -> None:
    group, _action = manual_group(workspace)
    members = {m.display_name: m for m in GroupMember.objects.filter(group=group)}
    assert set(members) == {"王小明", "李雷", "韩梅梅"}
    assert members["王小明"].role == MemberRole.OWNER
    assert members["韩梅梅"].role == MemberRole.MEMBER
    assert (
        Person.objects.filter(workspace=workspace, pk__in=[m.person_id for m in members.values()]).count()
        == 3
    )


def test_a_file_with_one_bad_row_imports_nothing(workspace: Any) -> None:
    group = group_create(workspace=workspace, actor=None, kind="manual", name="会员群")
    rows = [
        {"phone": "13800138001", "name": "王小明", "role": "", "joined_at": "2026-11-01"},
        {"phone": "12345", "name": "坏号码", "role": "", "joined_at": ""},
        {"phone": "13800138003", "name": "韩梅梅", "role": "老板", "joined_at": "昨天"},
    ]
    with pytest.raises(ImportRejected) as caught:
        group_members_import(
            workspace=workspace, actor=None, group=group, file_name="m.csv", content=csv_bytes(rows)
        )
    assert {(e.line, e.field) for e in caught.value.errors} == {(3, "phone"), (4, "role"), (4, "joined_at")}
    assert not GroupMember.objects.filter(group=group).exists()
    assert not Person.objects.filter(workspace=workspace).exists()


def test_a_file_without_a_phone_column_is_refused(workspace: Any) -> None:
    group = group_create(workspace=workspace, actor=None, kind="manual", name="会员群")
    with pytest.raises(ImportRejected):
        group_members_import(
            workspace=workspace,
            actor=None,
            group=group,
            file_name="m.csv",
            content=csv_bytes([{"name": "王"}]),
        )


def test_a_manual_task_is_resolved_and_undone_by_a_person(workspace: Any, admin: Any) -> None:
    _group, action = manual_group(workspace)
    moderation.action_undo(workspace=workspace, actor=admin, action=action)
    action.refresh_from_db()
    assert action.status == ActionStatus.UNDONE and action.undone_by == admin


def test_only_moderators_act(workspace: Any, analyst: Any) -> None:
    from django.core.exceptions import PermissionDenied

    _group, action = manual_group(workspace)
    with pytest.raises(PermissionDenied):
        moderation.action_resolve(workspace=workspace, actor=analyst, action=action)
    with pytest.raises(PermissionDenied):
        moderation.action_appeal(workspace=workspace, actor=analyst, action=action, text="冤枉")
