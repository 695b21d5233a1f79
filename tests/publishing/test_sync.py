"""Metrics sync against the sandbox platform: figures land once, match the platform, revoked accounts wait."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest
from django.utils import timezone

from socialops.accounts.selectors import workspace_today
from socialops.analytics.models import PostRecord
from socialops.goals.models import MetricSnapshot
from socialops.platforms.models import ConnectionStatus, PlatformConnection
from socialops.platforms.services.sandbox import sandbox_username
from socialops.publishing import engine, services, sync, tasks
from socialops.publishing.models import Publication, PublishingAlert
from socialops.workspaces.models import AuditEntry
from tests.factories import approved_item, connect, make_account, sandbox_account


@pytest.fixture(autouse=True)
def _fast(settings: Any) -> None:
    settings.PUBLISHING_CONNECTOR_TIMEOUT = 3.0


def _publish(workspace: Any, account: Any, title: str) -> Publication:
    item = approved_item(workspace, title)
    pub = services.publication_schedule(
        workspace=workspace,
        actor=None,
        item=item,
        account=account,
        due_at=timezone.now() - dt.timedelta(minutes=5),
    )
    assert engine.run(pub.pk, pub.version) == "published"
    pub.refresh_from_db()
    return pub


def _status(sandbox: Any, account: Any, external_id: str) -> dict[str, Any]:
    """The post as the platform itself shows it."""
    token = PlatformConnection.objects.get(account=account).get_credentials().access_token
    response = httpx.get(
        f"{sandbox.url}/api/v1/statuses/{external_id}", headers={"Authorization": f"Bearer {token}"}
    )
    response.raise_for_status()
    return dict(response.json())


def _account_info(sandbox: Any, account: Any) -> dict[str, Any]:
    token = PlatformConnection.objects.get(account=account).get_credentials().access_token
    response = httpx.get(
        f"{sandbox.url}/api/v1/accounts/verify_credentials", headers={"Authorization": f"Bearer {token}"}
    )
    response.raise_for_status()
    return dict(response.json())


@pytest.mark.slow
def test_sync_twice_records_figures_once_matching_the_platform(
    workspace: Any, sandbox: Any, sandbox_admin: Any
) -> None:
    account = sandbox_account(workspace, sandbox, "weibo1")
    pub = _publish(workspace, account, "新品发布")
    # A month later on the platform: the post's engagement has grown and settled.
    sandbox_admin.set_faults(time_offset_s=30 * 86400)

    assert tasks.sync_metrics.call_local() == 1
    audits = AuditEntry.objects.count()
    assert tasks.sync_metrics.call_local() == 1
    assert AuditEntry.objects.count() == audits  # the second run changed nothing

    snap = MetricSnapshot.objects.get(workspace=workspace, account=account)
    assert snap.date == workspace_today(workspace)
    assert snap.source == "sync"
    assert snap.followers_total == _account_info(sandbox, account)["followers_count"]
    assert snap.likes is None  # not an account figure the platform reports

    record = PostRecord.objects.get(workspace=workspace, account=account)
    status = _status(sandbox, account, pub.external_id)
    assert record.external_id == pub.external_id
    assert (record.likes, record.shares, record.comments) == (
        status["favourites_count"],
        status["reblogs_count"],
        status["replies_count"],
    )
    assert record.likes > 0
    assert record.engagements == record.likes + record.shares + record.comments
    assert record.saves is None and record.reach is None
    local = timezone.localtime(pub.published_at, workspace.tz)
    assert (record.weekday, record.hour) == (local.isoweekday(), local.hour)
    assert record.content_item_id == pub.item_id
    assert record.form == pub.item.form and record.theme_id == pub.item.theme_id
    assert record.text == pub.item.body
    assert record.source == "sync"


@pytest.mark.slow
def test_revoked_account_needs_reauth_and_others_still_sync(
    workspace: Any, sandbox: Any, sandbox_admin: Any, admin: Any
) -> None:
    revoked = sandbox_account(workspace, sandbox, "weibo1")
    healthy = sandbox_account(workspace, sandbox, "weibo2")
    _publish(workspace, revoked, "第一条")
    _publish(workspace, healthy, "第二条")
    sandbox_admin.revoke(sandbox_username(revoked))

    assert sync.sync_all() == 1

    conn = PlatformConnection.objects.get(account=revoked)
    assert conn.status == ConnectionStatus.NEEDS_REAUTH and conn.last_error
    # The admins hear of it even when no post was waiting (the sync found it first).
    assert PublishingAlert.objects.filter(user=admin, account=revoked, read_at__isnull=True).count() == 1
    assert not MetricSnapshot.objects.filter(account=revoked).exists()
    assert not PostRecord.objects.filter(account=revoked).exists()
    assert MetricSnapshot.objects.filter(account=healthy, source="sync").exists()
    assert PostRecord.objects.filter(account=healthy).count() == 1
    # A connection needing re-authorisation is left alone until someone connects it again.
    assert sync.sync_all() == 1


@pytest.mark.slow
def test_expired_token_is_refreshed_once(workspace: Any, sandbox: Any, sandbox_admin: Any) -> None:
    account = sandbox_account(workspace, sandbox, "weibo1")
    _publish(workspace, account, "过期也能同步")
    sandbox_admin.expire(sandbox_username(account))
    conn = PlatformConnection.objects.select_related("account").get(account=account)
    assert sync.sync_connection(workspace=workspace, connection=conn)
    conn.refresh_from_db()
    assert conn.status == ConnectionStatus.CONNECTED
    assert PostRecord.objects.filter(account=account).count() == 1


@pytest.mark.slow
def test_platform_error_is_noted_on_the_connection_then_cleared(
    workspace: Any, sandbox: Any, sandbox_admin: Any
) -> None:
    account = sandbox_account(workspace, sandbox, "weibo1")
    conn = PlatformConnection.objects.select_related("account").get(account=account)
    sandbox_admin.set_faults(error_next=1, error_status=503)
    assert not sync.sync_connection(workspace=workspace, connection=conn)
    conn.refresh_from_db()
    assert conn.last_error.startswith(sync.ERROR_PREFIX)
    assert conn.status == ConnectionStatus.CONNECTED
    assert sync.sync_connection(workspace=workspace, connection=conn)
    conn.refresh_from_db()
    assert conn.last_error == ""


def test_connections_without_metrics_are_skipped(workspace: Any) -> None:
    account = make_account(workspace, handle="manual1", platform="mastodon")
    connect(account, "manual")
    conn = PlatformConnection.objects.select_related("account").get(account=account)
    assert sync.sync_account_metrics(workspace=workspace, connection=conn) == (None, "skipped")
    assert sync.sync_connection(workspace=workspace, connection=conn)
    assert not MetricSnapshot.objects.filter(account=account).exists()


@pytest.mark.slow
def test_demo_loop_summary_shows_the_next_due_time_in_the_workspace_time_zone(
    workspace: Any, sandbox: Any
) -> None:
    from io import StringIO

    from django.core.management import call_command

    workspace.timezone = "Asia/Shanghai"
    workspace.save(update_fields=["timezone"])
    account = sandbox_account(workspace, sandbox, "weibo1")
    due = dt.datetime(2030, 11, 27, 4, 0, tzinfo=dt.UTC)
    services.publication_schedule(
        workspace=workspace, actor=None, item=approved_item(workspace, "明天发"), account=account, due_at=due
    )
    out = StringIO()
    call_command(
        "demo_publish_loop", workspace=workspace.slug, sandbox_url=sandbox.url, approve=0, stdout=out
    )
    assert "2030-11-27 12:00 (Asia/Shanghai)" in out.getvalue()
    assert "+00:00" not in out.getvalue()
