"""A manual package marked posted finishes its publication at once, audited, and only once."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from socialops.platforms.models import ManualTask
from socialops.platforms.services import manual as manual_services
from socialops.publishing import engine, services
from socialops.publishing.models import PublicationState
from socialops.workspaces.models import AuditEntry
from tests.factories import approved_item, connect, make_account


def test_marking_the_package_posted_publishes_once_with_audit(
    workspace: Any, admin: Any, django_capture_on_commit_callbacks: Any
) -> None:
    account = make_account(workspace, handle="xhs1")
    connect(account, "manual")
    item = approved_item(workspace, "手动发布")
    pub = services.publication_schedule(
        workspace=workspace, actor=None, item=item, account=account, due_at=timezone.now()
    )
    assert engine.run(pub.pk, pub.version) == PublicationState.HANDED_OVER
    task = ManualTask.objects.get()

    for _round in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            manual_services.manual_task_mark_posted(
                workspace=workspace, actor=admin, task=task, url="https://xhs.example/p/42"
            )

    pub.refresh_from_db()
    item.refresh_from_db()
    assert (pub.state, pub.url) == (PublicationState.PUBLISHED, "https://xhs.example/p/42")
    assert item.status == "published"
    entries = AuditEntry.objects.filter(action="publishing.manual_posted", object_id=str(pub.pk))
    assert entries.count() == 1
    after = entries.get().after or {}
    assert after["state"] == PublicationState.PUBLISHED
