"""The engine against the sandbox platform: on time, never twice, every failure explained."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from socialops.platforms.models import ConnectionStatus, PlatformConnection
from socialops.platforms.services.sandbox import sandbox_username
from socialops.publishing import engine, services
from socialops.publishing.models import AttemptOutcome, Publication, PublishingAlert
from tests.factories import approved_item, sandbox_account

from .support import drain


@pytest.fixture(autouse=True)
def _fast(settings: Any) -> None:
    settings.PUBLISHING_CONNECTOR_TIMEOUT = 3.0
    settings.PUBLISHING_BACKOFF_BASE_SECONDS = 0.1


def _schedule(workspace: Any, item: Any, account: Any, minutes: int = 0) -> Publication:
    return services.publication_schedule(
        workspace=workspace,
        actor=None,
        item=item,
        account=account,
        due_at=timezone.now() - dt.timedelta(minutes=10) + dt.timedelta(minutes=minutes),
    )


def _posts(sandbox_admin: Any, account: Any) -> list[dict[str, Any]]:
    return list(sandbox_admin.posts(username=sandbox_username(account))["posts"])


@pytest.mark.slow
def test_publishes_once_and_marks_item_published(workspace: Any, sandbox: Any, sandbox_admin: Any) -> None:
    account = sandbox_account(workspace, sandbox, "weibo1")
    item = approved_item(workspace, "新品发布")
    pub = _schedule(workspace, item, account)
    item.refresh_from_db()
    assert item.status == "scheduled"
    assert engine.run(pub.pk, pub.version) == "published"
    pub.refresh_from_db()
    item.refresh_from_db()
    assert pub.external_id and pub.url and item.status == "published"
    assert len(_posts(sandbox_admin, account)) == 1
    # Running the same task again changes nothing.
    assert engine.run(pub.pk, pub.version) == "skipped"
    assert len(_posts(sandbox_admin, account)) == 1


@pytest.mark.slow
def test_timeout_after_accept_reconciles_without_duplicate(
    workspace: Any, sandbox: Any, sandbox_admin: Any
) -> None:
    account = sandbox_account(workspace, sandbox, "weibo1")
    item = approved_item(workspace, "超时也只发一次")
    pub = _schedule(workspace, item, account)
    sandbox_admin.set_faults(timeout_next=1, hang_seconds=0)
    assert engine.run(pub.pk, pub.version) == "unknown"
    item.refresh_from_db()
    assert item.status == "unknown"
    drain()
    pub.refresh_from_db()
    item.refresh_from_db()
    assert pub.state == "published" and item.status == "published"
    assert len(_posts(sandbox_admin, account)) == 1
    outcomes = list(pub.attempt_rows.values_list("outcome", flat=True))
    assert outcomes == [AttemptOutcome.UNKNOWN, AttemptOutcome.FOUND]


@pytest.mark.slow
@pytest.mark.parametrize(
    "faults", [{"burst_429": 6, "retry_after_s": 0}, {"error_next": 5, "error_status": 500}]
)
def test_storms_then_everything_once_in_due_order(
    workspace: Any, sandbox: Any, sandbox_admin: Any, faults: dict[str, Any]
) -> None:
    account = sandbox_account(workspace, sandbox, "weibo1")
    pubs = [_schedule(workspace, approved_item(workspace, f"第{n}条"), account, minutes=n) for n in range(4)]
    sandbox_admin.set_faults(**faults)
    drain()
    assert all(p.state == "published" for p in Publication.objects.all())
    posts = _posts(sandbox_admin, account)
    assert len(posts) == len(pubs)
    texts = [p["text"] if "text" in p else p.get("content", "") for p in sorted(posts, key=lambda p: p["id"])]
    assert [t.split(" ")[0][:3] for t in texts] == [f"第{n}条" for n in range(4)]
    assert sandbox_admin.posts(username=sandbox_username(account))["duplicate_texts"] in (0, [], {})


@pytest.mark.slow
def test_expired_token_is_refreshed(workspace: Any, sandbox: Any, sandbox_admin: Any) -> None:
    account = sandbox_account(workspace, sandbox, "weibo1")
    pub = _schedule(workspace, approved_item(workspace, "令牌过期"), account)
    sandbox_admin.expire(sandbox_username(account))
    assert engine.run(pub.pk, pub.version) == "published"
    outcomes = list(pub.attempt_rows.values_list("outcome", flat=True))
    assert outcomes == [AttemptOutcome.AUTH_REFRESHED, AttemptOutcome.PUBLISHED]
    assert len(_posts(sandbox_admin, account)) == 1


@pytest.mark.slow
def test_revoked_token_pauses_only_that_account(
    workspace: Any, sandbox: Any, sandbox_admin: Any, admin: Any
) -> None:
    revoked = sandbox_account(workspace, sandbox, "weibo1")
    fine = sandbox_account(workspace, sandbox, "douyin1")
    item = approved_item(workspace, "两个账号")
    p1 = _schedule(workspace, item, revoked)
    p2 = _schedule(workspace, item, fine)
    sandbox_admin.revoke(sandbox_username(revoked))
    drain(rounds=3)
    p1.refresh_from_db()
    p2.refresh_from_db()
    assert p2.state == "published"
    assert p1.state == "scheduled" and "connected again" in p1.last_error
    conn = PlatformConnection.objects.get(account=revoked)
    assert conn.status == ConnectionStatus.NEEDS_REAUTH
    assert PublishingAlert.objects.filter(user=admin, account=revoked).count() == 1
    # Waiting rows are not sent again and again while the account is paused.
    attempts = p1.attempt_rows.count()
    drain(rounds=3)
    assert p1.attempt_rows.count() == attempts
    assert len(_posts(sandbox_admin, revoked)) == 0


@pytest.mark.slow
def test_sweeper_redrives_lost_task_and_dead_worker(workspace: Any, sandbox: Any, sandbox_admin: Any) -> None:
    account = sandbox_account(workspace, sandbox, "weibo1")
    lost = _schedule(workspace, approved_item(workspace, "队列丢了"), account)
    # The queued task never ran (on_commit callbacks do not run in this test): the sweeper finds it.
    assert lost.pk in engine.sweep_due(inline=True)
    lost.refresh_from_db()
    assert lost.state == "published"
    # A worker claims and dies before answering: after the lease the sweeper reconciles.
    dead = _schedule(workspace, approved_item(workspace, "进程被杀"), account, minutes=1)
    assert engine.claim(dead.pk, dead.version, timezone.now()) is not None
    assert engine.sweep_due(inline=True) == []  # still within its lease
    drain()
    dead.refresh_from_db()
    assert dead.state == "published"
    assert [a.outcome for a in dead.attempt_rows.all()] == [
        AttemptOutcome.ABANDONED,
        AttemptOutcome.PUBLISHED,
    ]
    assert len(_posts(sandbox_admin, account)) == 2


@pytest.mark.slow
def test_rescheduled_or_cancelled_task_is_a_noop(workspace: Any, sandbox: Any, sandbox_admin: Any) -> None:
    account = sandbox_account(workspace, sandbox, "weibo1")
    item = approved_item(workspace, "改期")
    pub = _schedule(workspace, item, account)
    old = pub.version
    services.publication_reschedule(
        workspace=workspace, actor=None, publication=pub, due_at=timezone.now() + dt.timedelta(days=1)
    )
    assert engine.run(pub.pk, old) == "skipped"
    services.publication_cancel(workspace=workspace, actor=None, publication=pub)
    item.refresh_from_db()
    assert item.status == "approved"
    assert engine.run(pub.pk, pub.version) == "skipped"
    assert _posts(sandbox_admin, account) == []


@pytest.mark.slow
def test_account_line_runs_in_one_worker_in_due_order(
    workspace: Any, sandbox: Any, sandbox_admin: Any, django_capture_on_commit_callbacks: Any
) -> None:
    account = sandbox_account(workspace, sandbox, "weibo1")
    other = sandbox_account(workspace, sandbox, "weibo2")
    pubs = [_schedule(workspace, approved_item(workspace, f"第{n}条"), account, minutes=n) for n in range(3)]
    theirs = _schedule(workspace, approved_item(workspace, "别的账号"), other)
    # The later posts' own tasks find the account busy and decline without a lock.
    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert engine.run_chain(pubs[0].pk, pubs[0].version) == "published"
    for pub in pubs:
        pub.refresh_from_db()
        assert pub.state == "published"
    assert pubs[0].published_at < pubs[1].published_at < pubs[2].published_at
    # The account's line went on in this worker: nothing was queued for it, nor for another account.
    assert queued == []
    theirs.refresh_from_db()
    assert theirs.state == "scheduled"
    assert [p["text"].split(" ")[0][:3] for p in _posts(sandbox_admin, account)] == [
        "第0条",
        "第1条",
        "第2条",
    ]
    assert engine.run(pubs[1].pk, pubs[1].version) == "skipped"
