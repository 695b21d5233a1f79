"""The demo's groups: a month of history without the sandbox, then live chat once connected to it."""

from __future__ import annotations

import time
from typing import Any

import pytest

from socialops.community.models.groups import ActionStatus, AppealState, Group, ModerationAction
from socialops.community.services import groups as group_services
from socialops.demo.groups import groups_connect_sandbox, seed_groups
from socialops.fans.models import Interaction, InteractionKind
from socialops.platforms.sandbox import SandboxAdmin

pytestmark = pytest.mark.django_db


def test_seed_then_connect_to_the_sandbox(workspace: Any, admin: Any, sandbox: Any, monkeypatch: Any) -> None:
    from socialops.core.time import local_today

    result = seed_groups(workspace, local_today(workspace))

    group = Group.objects.get(workspace=workspace)
    assert result["members"] == 30 and result["messages"] > 100
    actions = ModerationAction.objects.filter(group=group)
    assert actions.filter(status=ActionStatus.UNDONE).count() == 2
    assert actions.filter(appeal_state=AppealState.PENDING).count() == 1
    assert list(group.admins.all()) == [admin]

    assert groups_connect_sandbox(workspace, sandbox.url) == 1
    group.refresh_from_db()
    monkeypatch.setattr(group_services, "CONNECTOR_OPTIONS", {"timeout": 3.0})
    with SandboxAdmin(sandbox.url) as sandbox_admin:
        now = time.time()
        sandbox_admin.telegram_simulate(group.external_id, events=30, start=now - 600, end=now, spam_rate=0.3)
    before = Interaction.objects.filter(kind=InteractionKind.GROUP_MESSAGE, meta__group=group.pk).count()
    assert group_services.group_sync(workspace=workspace, group=group) >= 30
    group.refresh_from_db()
    assert group.sync_error == ""
    assert (
        Interaction.objects.filter(kind=InteractionKind.GROUP_MESSAGE, meta__group=group.pk).count() > before
    )
