"""`socialops workspace create`: an agency adds a client workspace from the shell, audited like the web."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from socialops.workspaces.models import AuditEntry, Membership, Workspace
from socialops.workspaces.roles import Role


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("workspace", *args, stdout=out)
    return out.getvalue()


def test_create_makes_an_audited_workspace(db: Any) -> None:
    output = _run("create", "client-a", "--name", "客户 A")
    workspace = Workspace.objects.get(slug="client-a")
    assert workspace.name == "客户 A" and workspace.timezone == "Asia/Shanghai"
    assert "client-a" in output
    entry = AuditEntry.objects.get(action="workspace.create")
    assert entry.workspace == workspace and entry.actor_name == "system"
    assert not Membership.objects.filter(workspace=workspace).exists()


def test_the_owner_becomes_admin(make_user: Any) -> None:
    owner = make_user("agency")
    _run("create", "client-b", "--name", "Client B", "--owner", "agency")
    membership = Membership.objects.get(workspace__slug="client-b")
    assert membership.user == owner and membership.role == Role.ADMIN
    assert AuditEntry.objects.filter(action="membership.add", workspace=membership.workspace).exists()


def test_json_prints_the_created_workspace(make_user: Any) -> None:
    make_user("agency")
    data = json.loads(
        _run(
            "create",
            "client-c",
            "--name",
            "Client C",
            "--owner",
            "agency",
            "--timezone",
            "Europe/Berlin",
            "--json",
        )
    )
    workspace = Workspace.objects.get(slug="client-c")
    assert data == {
        "id": workspace.pk,
        "slug": "client-c",
        "name": "Client C",
        "timezone": "Europe/Berlin",
        "locale": "zh-hans",
        "owner": "agency",
    }


def test_a_taken_slug_is_refused(workspace: Any) -> None:
    with pytest.raises(CommandError, match="already taken"):
        _run("create", workspace.slug, "--name", "Again")
    assert Workspace.objects.count() == 1


def test_an_unknown_owner_is_refused_and_nothing_is_made(db: Any) -> None:
    with pytest.raises(CommandError, match="nobody"):
        _run("create", "client-d", "--name", "Client D", "--owner", "nobody")
    assert not Workspace.objects.exists()


def test_invalid_fields_are_reported_by_field(db: Any) -> None:
    with pytest.raises(CommandError, match="timezone"):
        _run("create", "client-e", "--name", "Client E", "--timezone", "Mars/Olympus")
    with pytest.raises(CommandError, match="slug"):
        _run("create", "Not A Slug!", "--name", "Client F")
    assert not Workspace.objects.exists()
