"""The batch engine (PUBLISHING_ENGINE = "batch") against the sandbox platform: every post once,
each account's posts in due order, an unknown outcome reconciled and never re-sent."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from socialops.platforms.services.sandbox import sandbox_username
from socialops.publishing import batch, services
from socialops.publishing.models import AttemptOutcome, Publication
from tests.factories import approved_item, sandbox_account


@pytest.fixture(autouse=True)
def _batch(settings: Any) -> None:
    settings.PUBLISHING_ENGINE = "batch"
    settings.PUBLISHING_SEND_CONCURRENCY = 8
    settings.PUBLISHING_CLAIM_BATCH = 4
    settings.PUBLISHING_CONNECTOR_TIMEOUT = 3.0
    settings.PUBLISHING_BACKOFF_BASE_SECONDS = 0.1
    settings.PUBLISHING_RECONCILE_DELAY_SECONDS = 0.0


def _schedule(workspace: Any, item: Any, account: Any, minutes: int = 0) -> Publication:
    return services.publication_schedule(
        workspace=workspace,
        actor=None,
        item=item,
        account=account,
        due_at=timezone.now() - dt.timedelta(minutes=10) + dt.timedelta(minutes=minutes),
    )


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_batch_drain_publishes_every_post_once_in_due_order(
    workspace: Any, sandbox: Any, sandbox_admin: Any
) -> None:
    accounts = [sandbox_account(workspace, sandbox, f"weibo{n}") for n in range(3)]
    for account in accounts:
        for n in range(3):
            _schedule(workspace, approved_item(workspace, f"第{n}条 {account.handle}"), account, minutes=n)
    assert batch.enabled()
    assert batch.drain() == 9
    assert set(Publication.objects.values_list("state", flat=True)) == {"published"}
    for account in accounts:
        posts = sandbox_admin.posts(username=sandbox_username(account))["posts"]
        assert [p["text"].split(" ")[0][:3] for p in sorted(posts, key=lambda p: p["id"])] == [
            "第0条",
            "第1条",
            "第2条",
        ]
        times = list(
            Publication.objects.filter(account=account)
            .order_by("due_at")
            .values_list("published_at", flat=True)
        )
        assert times == sorted(times)
    # Nothing is due any more: a second drain claims nothing and sends nothing.
    assert batch.drain() == 0
    assert sandbox_admin.posts()["count"] == 9


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_batch_unknown_outcome_is_reconciled_not_resent(
    workspace: Any, sandbox: Any, sandbox_admin: Any
) -> None:
    account = sandbox_account(workspace, sandbox, "weibo1")
    pub = _schedule(workspace, approved_item(workspace, "超时也只发一次"), account)
    later = _schedule(workspace, approved_item(workspace, "后一条"), account, minutes=1)
    sandbox_admin.set_faults(timeout_next=1, hang_seconds=0)
    batch.drain()
    pub.refresh_from_db()
    later.refresh_from_db()
    assert pub.state == "published" and later.state == "published"
    assert list(pub.attempt_rows.values_list("outcome", flat=True)) == [
        AttemptOutcome.UNKNOWN,
        AttemptOutcome.FOUND,
    ]
    assert pub.published_at < later.published_at
    assert len(sandbox_admin.posts(username=sandbox_username(account))["posts"]) == 2
