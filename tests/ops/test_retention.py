"""Retention: the daily job deletes what is past its period, in batches, and nothing still needed."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from socialops.core import retention
from socialops.engagement.models import InboxAlert, InboxAlertKind
from socialops.platforms.models import PlatformConnection, PushEvent
from socialops.publishing.models import Publication, PublicationState, PublishAttempt, PublishingAlert
from socialops.review.models import Notification, NotificationKind
from socialops.web.tasks import retention_daily
from socialops.workspaces.models import AuditEntry
from tests import factories

START = dt.datetime(2026, 1, 5, 2, 0, tzinfo=dt.UTC)


def _world(when: dt.datetime, tag: str) -> dict[str, Any]:
    """One of each kind of row, all written at ``when``."""
    with time_machine.travel(when, tick=False):
        workspace = factories.make_workspace(f"Acme {tag}", f"acme-{tag}")
        user = factories.make_user(f"boss-{tag}")
        factories.add_member(workspace, user)
        account = factories.make_account(workspace, f"acme{tag}", "weibo")
        connection = PlatformConnection.objects.create(workspace=workspace, account=account, kind="manual")
        settled = factories.make_publication(
            workspace, factories.approved_item(workspace, f"旧帖 {tag}"), account
        )
        pending = factories.make_publication(
            workspace, factories.approved_item(workspace, f"待定 {tag}"), account
        )
        Publication.objects.filter(pk=settled.pk).update(state=PublicationState.PUBLISHED)
        Publication.objects.filter(pk=pending.pk).update(state=PublicationState.UNKNOWN)
        for pub in (settled, pending):
            PublishAttempt.objects.create(workspace=workspace, publication=pub, started_at=timezone.now())
        PushEvent.objects.create(workspace=workspace, connection=connection, dedupe_key=tag, msg_type="text")
        item = settled.item
        Notification.objects.create(
            workspace=workspace, user=user, kind=NotificationKind.APPROVED, item=item, read_at=timezone.now()
        )
        Notification.objects.create(workspace=workspace, user=user, kind=NotificationKind.ASSIGNED, item=item)
        PublishingAlert.objects.create(
            workspace=workspace, user=user, account=account, message="m", read_at=timezone.now()
        )
        InboxAlert.objects.create(workspace=workspace, user=user, kind=InboxAlertKind.MENTION)
    return {"workspace": workspace, "settled": settled, "pending": pending}


def _counts() -> dict[str, int]:
    return {
        "audit": AuditEntry.objects.count(),
        "push": PushEvent.objects.count(),
        "attempts": PublishAttempt.objects.count(),
        "notes_read": Notification.objects.filter(read_at__isnull=False).count(),
        "notes_unread": Notification.objects.filter(read_at__isnull=True).count(),
        "pub_alerts": PublishingAlert.objects.count(),
        "inbox_alerts": InboxAlert.objects.count(),
    }


@pytest.mark.django_db
def test_rows_past_their_period_go_and_the_rest_stay() -> None:
    old = _world(START, "old")
    _world(START + dt.timedelta(days=300), "new")
    audit_old = AuditEntry.objects.filter(created_at__lt=START + dt.timedelta(days=1)).count()
    assert audit_old > 0
    before = _counts()

    # 400 days after the old rows, 100 after the new ones.
    with time_machine.travel(START + dt.timedelta(days=400), tick=False):
        planned = {r.name: r.rows for r in retention.run(dry_run=True)}
        assert _counts() == before  # a dry run deletes nothing
        retention_daily.call_local()
        after = _counts()
        second = retention.run()

    assert planned["push_events"] == 1
    assert planned["publish_attempts"] == 1
    assert planned["audit_entries"] == 0  # 3 years
    assert after == {
        **before,
        "push": before["push"] - 1,
        # The settled publication's old attempt went; the unsettled one's stays whatever its age.
        "attempts": before["attempts"] - 1,
        "notes_read": before["notes_read"] - 1,
        # Unread: 365 days, so the old one (400 days) goes too.
        "notes_unread": before["notes_unread"] - 1,
        "pub_alerts": before["pub_alerts"] - 1,
        "inbox_alerts": before["inbox_alerts"] - 1,
    }
    assert PublishAttempt.objects.filter(publication=old["pending"]).exists()
    assert not PublishAttempt.objects.filter(publication=old["settled"]).exists()
    assert all(r.rows == 0 for r in second)  # idempotent

    # Three years and a day after the start, the old audit entries go as well, in small batches.
    with time_machine.travel(START + dt.timedelta(days=1096), tick=False):
        results = {r.name: r.rows for r in retention.run(batch_size=2)}
    assert results["audit_entries"] == audit_old
    assert not AuditEntry.objects.filter(created_at__lt=START + dt.timedelta(days=1)).exists()


@pytest.mark.django_db
def test_zero_days_keeps_rows_for_ever(settings: Any) -> None:
    settings.RETAIN_PUSH_EVENTS_DAYS = 0
    _world(START, "old")
    with time_machine.travel(START + dt.timedelta(days=5000), tick=False):
        results = {r.name: r for r in retention.run()}
    assert results["push_events"].rows == 0
    assert results["push_events"].cutoff is None
    assert PushEvent.objects.count() == 1


@pytest.mark.django_db
def test_dry_run_command_prints_what_would_go() -> None:
    _world(START, "old")
    out = StringIO()
    with time_machine.travel(START + dt.timedelta(days=200), tick=False):
        call_command("retention", "--dry-run", stdout=out)
    text = out.getvalue()
    assert "push_events: would delete 1 (older than 190 days" in text
    assert "publish_attempts: would delete 1 (older than 190 days" in text
    assert "audit_entries: would delete 0 (older than 1095 days" in text
    assert "review_notifications.read: would delete 1" in text
    assert PushEvent.objects.count() == 1
