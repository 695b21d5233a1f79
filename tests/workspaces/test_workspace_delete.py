"""Deleting a workspace: admins only, audited outside it, and its lone members' logins go with it."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied

from socialops.workspaces import services
from socialops.workspaces.models import AuditEntry, Membership, Workspace
from socialops.workspaces.roles import Role

pytestmark = pytest.mark.django_db


def test_only_an_admin_deletes_and_the_deletion_is_audited(workspace: Any, admin: Any, member: Any) -> None:
    operator = member(Role.OPERATOR)
    with pytest.raises(PermissionDenied):
        services.workspace_delete(workspace=workspace, actor=operator)
    services.workspace_delete(workspace=workspace, actor=admin)
    assert not Workspace.objects.filter(slug="acme").exists()
    entry = AuditEntry.objects.get(action="workspace.delete")
    assert entry.workspace is None and entry.actor == admin
    assert entry.before["slug"] == "acme" and entry.before["users"] == []
    # Without delete_lone_users every login stays.
    assert get_user_model().objects.filter(pk__in=[admin.pk, operator.pk]).count() == 2


def test_lone_members_go_and_members_elsewhere_stay(
    workspace: Any, other_workspace: Any, member: Any
) -> None:
    lone = member(Role.OPERATOR)
    both = member(Role.ANALYST)
    services.membership_add(workspace=other_workspace, actor=None, user=both, role=Role.ANALYST)
    services.workspace_delete(workspace=workspace, actor=None, delete_lone_users=True)
    users = get_user_model().objects
    assert not users.filter(pk=lone.pk).exists()
    assert users.filter(pk=both.pk).exists()
    assert Membership.objects.filter(user=both, workspace=other_workspace).exists()
    entry = AuditEntry.objects.get(action="workspace.delete")
    assert lone.username in entry.before["users"] and both.username not in entry.before["users"]
