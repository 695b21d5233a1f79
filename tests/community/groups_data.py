"""Rows the groups' page and API tests share: a manual group with members and moderation actions (no network)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from socialops.community.models.groups import ActionKind, ActionStatus, Group, GroupMember, ModerationAction
from socialops.community.services.groups import group_create, group_members_import
from tests.factories import csv_bytes


def manual_group(workspace: Any, name: str = "线下会员群") -> tuple[Group, ModerationAction]:
    """A manual group of three imported members, one with a manual moderation task."""
    group = group_create(workspace=workspace, actor=None, kind="manual", name=name)
    rows = [
        {"phone": "13800138001", "name": "王小明", "role": "群主"},
        {"phone": "13800138002", "name": "李雷", "role": "member"},
        {"phone": "13800138003", "name": "韩梅梅", "role": ""},
    ]
    group_members_import(
        workspace=workspace, actor=None, group=group, file_name="m.csv", content=csv_bytes(rows)
    )
    member = GroupMember.objects.filter(group=group, display_name="李雷").get()
    action = ModerationAction.objects.create(
        workspace=workspace,
        group=group,
        member=member,
        rule="links_contacts",
        reason="加微信",
        action=ActionKind.DELETE_WARN,
        strike=1,
        status=ActionStatus.MANUAL,
    )
    ModerationAction.objects.filter(pk=action.pk).update(created_at=timezone.now())
    return group, action
