"""kill -9 a real worker in the middle of publishing, start a new one: every post exists exactly once.

The worker is a real ``socialops worker`` subprocess, so it must see the test's data: the test
is transactional, and on SQLite it moves the test database into a file (pytest-django's SQLite
test database lives in memory, which another process cannot open). The job queue is the test
process's own (SqliteHuey under the shared data dir, or Redis when REDIS_URL is set).
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from socialops.publishing import engine, services
from socialops.publishing.models import Publication, PublicationState
from socialops.workspaces import services as workspace_services
from tests.factories import approved_item, sandbox_account

# The fixture that shares the test's database with subprocesses (also used by tests/ops).
from tests.ops.processes import shared_database  # noqa: F401

POSTS = 12
LEASE_SECONDS = 2.0
TERMINAL = {PublicationState.PUBLISHED, PublicationState.FAILED, PublicationState.CANCELLED}


def _worker(database_url: str) -> subprocess.Popen[bytes]:
    """``socialops worker`` with the test's database, data dir (keys, SqliteHuey file) and Redis."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SOCIALOPS_DATA_DIR": str(settings.DATA_DIR),
        "SOCIALOPS_WORKERS": "3",
        "SOCIALOPS_TESTING": "1",
        "PYTHONUNBUFFERED": "1",
    }
    if settings.REDIS_URL:
        env["REDIS_URL"] = settings.REDIS_URL
        env["SOCIALOPS_HUEY_NAME"] = str(settings.HUEY["name"])
    code = "from socialops.cli import main; main(['worker', '-v', '0'])"
    return subprocess.Popen(
        [sys.executable, "-c", code],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def _wait(condition: Callable[[], bool], timeout: float, what: str, step: float = 0.02) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(step)
    raise AssertionError(f"timed out waiting for {what}")


def _states() -> dict[str, int]:
    counts: dict[str, int] = {}
    for state in Publication.objects.values_list("state", flat=True):
        counts[state] = counts.get(state, 0) + 1
    return counts


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_kill_9_worker_mid_publishing_every_post_once(
    shared_database: str,  # noqa: F811
    sandbox: Any,
    sandbox_admin: Any,
    settings: Any,
) -> None:
    settings.PUBLISHING_LEASE_SECONDS = LEASE_SECONDS
    settings.PUBLISHING_CONNECTOR_TIMEOUT = 5.0
    settings.PUBLISHING_BACKOFF_BASE_SECONDS = 0.1
    workspace = workspace_services.workspace_create(actor=None, name="Acme 科技", slug="acme")
    accounts = [sandbox_account(workspace, sandbox, f"kill{i}") for i in range(POSTS // 2)]
    # Every request to the platform now takes 400 ms, so a batch of posts is in flight for a while.
    sandbox_admin.set_faults(latency_ms=400)
    due = timezone.now() - dt.timedelta(seconds=1)
    pubs = []
    for i in range(POSTS):
        item = approved_item(workspace, f"断电测试 {i:02d}", body=f"kill -9 test post number {i:02d}")
        # Two posts per account: the second waits for the first (the account's queue order).
        pubs.append(
            services.publication_schedule(
                workspace=workspace,
                actor=None,
                item=item,
                account=accounts[i % len(accounts)],
                due_at=due + dt.timedelta(milliseconds=i),
            )
        )

    workers = [_worker(shared_database)]
    try:
        # Kill once posts are on their way and others are still to go.
        def mid_way() -> bool:
            # One snapshot: two reads could straddle a post finishing (400 ms in flight each).
            states = _states()
            return (
                states.get(PublicationState.PUBLISHING, 0) >= 1
                and states.get(PublicationState.PUBLISHED, 0) >= 1
            )

        _wait(mid_way, timeout=30, what="the first worker to be mid-way")
        os.killpg(workers[0].pid, signal.SIGKILL)
        workers[0].wait(timeout=10)
        killed_at = _states()
        assert killed_at.get(PublicationState.PUBLISHED, 0) < POSTS, killed_at

        workers.append(_worker(shared_database))

        def finished() -> bool:
            # The periodic sweeper, run here: it reconciles the rows the dead worker left in
            # "publishing" once their lease is over; the new worker sends the rest.
            engine.sweep_due(inline=True)
            return set(_states()) <= TERMINAL

        _wait(finished, timeout=40, what="every publication to finish", step=0.5)
    finally:
        for proc in workers:
            _stop(proc)

    assert _states() == {PublicationState.PUBLISHED: POSTS}, [
        (p.pk, p.state, p.last_error) for p in Publication.objects.all()
    ]
    posts = sandbox_admin.posts()
    assert posts["count"] == POSTS
    assert posts["duplicate_texts"] == 0
    assert len({p["text"] for p in posts["posts"]}) == POSTS
    # One post per idempotency key, and each is the post its publication recorded.
    by_key = {p["idempotency_key"]: p for p in posts["posts"]}
    assert len(by_key) == POSTS
    for pub in Publication.objects.all():
        assert by_key[pub.idempotency_key]["id"] == pub.external_id
    assert killed_at.get(PublicationState.PUBLISHING, 0) >= 1
