"""The batch engine (``PUBLISHING_ENGINE = "batch"``): one drainer per worker process claims due
publications many at a time, sends them from a bounded thread pool and records their outcomes
many per transaction.

Why: the one-post-per-task engine spends two write transactions and one worker thread per post;
with 50 ms of platform latency and SQLite's single writer a crowd of 10,000 due posts takes
minutes. Here:

1. Claim (one durable transaction): the due rows — scheduled ones whose account has nothing in
   flight or unknown, unknown ones due for reconciliation, ``publishing`` ones past their lease —
   the earliest per account, up to the free send slots; on PostgreSQL locked with
   ``FOR UPDATE SKIP LOCKED`` (another process's claim is skipped, not waited for); on SQLite the
   IMMEDIATE transaction is the lock. Each row then goes through ``engine.claim_locked``, the very
   checks of the one-by-one claim (version-free: the row as it is now), so an account's later
   post still sees the earlier one in flight and waits. The claims commit before anything is sent.
2. Send: ``engine.attempt`` on a thread pool (``PUBLISHING_SEND_CONCURRENCY``, 64), at most
   ``PUBLISHING_KIND_CONCURRENCY[kind]`` at once per connector kind in this process; one per
   account by construction.
3. Record: the outcomes that came back are written by the drainer in one durable transaction,
   each in its own savepoint with the same outcome writers as the one-by-one engine (a failing
   write leaves its row in ``publishing``: after the lease it is reconciled, never re-sent).

A worker killed at any point leaves claimed rows in ``publishing``: the sweeper reconciles them
after the lease, exactly as before. Huey tasks still carry (id, version); in this mode a task
only wakes the process's drainer.
"""

from __future__ import annotations

import datetime as dt
import logging
import queue as stdqueue
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from django.db import connections, transaction
from django.db.models import Q
from django.utils import timezone

from . import engine
from .models import Publication, PublicationState

log = logging.getLogger(__name__)

_drain_lock = threading.Lock()
_wake = threading.Event()
_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()
_gates: dict[str, threading.BoundedSemaphore] = {}


def enabled() -> bool:
    return str(engine.setting("PUBLISHING_ENGINE", "legacy")) == "batch"


def concurrency() -> int:
    return max(1, int(engine.setting("PUBLISHING_SEND_CONCURRENCY", 64)))


def _executor() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=concurrency(), thread_name_prefix="publish-send")
        return _pool


def _gate(kind: str) -> threading.BoundedSemaphore | None:
    limits: dict[str, Any] = engine.setting("PUBLISHING_KIND_CONCURRENCY", {}) or {}
    limit = limits.get(kind, limits.get("*"))
    if not limit:
        return None
    with _pool_lock:
        if kind not in _gates:
            _gates[kind] = threading.BoundedSemaphore(int(limit))
        return _gates[kind]


def _due_rows(now: dt.datetime, limit: int) -> list[int]:
    """Ids of the rows to claim now: the earliest per account, accounts with nothing open first."""
    busy = Publication.objects.filter(
        state__in=[PublicationState.PUBLISHING, PublicationState.UNKNOWN]
    ).values("account_id")
    scheduled = (
        Q(state=PublicationState.SCHEDULED)
        & (Q(next_attempt_at__isnull=True, due_at__lte=now) | Q(next_attempt_at__lte=now))
        & ~Q(account_id__in=busy)
    )
    unknown = Q(state=PublicationState.UNKNOWN) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    stale = Q(state=PublicationState.PUBLISHING, claimed_at__lte=now - engine.lease())
    rows = (
        Publication.objects.filter(scheduled | unknown | stale)
        .order_by("due_at", "pk")
        .values_list("pk", "account_id")[: limit * 4]
    )
    seen: set[int] = set()
    ids: list[int] = []
    for pk, account_id in rows:
        if account_id in seen:
            continue
        seen.add(account_id)
        ids.append(pk)
        if len(ids) >= limit:
            break
    return ids


@transaction.atomic(durable=True)
def claim_batch(limit: int, now: dt.datetime | None = None) -> list[engine.Claim]:
    """Claim up to ``limit`` due publications in one transaction (see the module's step 1)."""
    now = now or timezone.now()
    ids = _due_rows(now, limit)
    if not ids:
        return []
    locked = (
        Publication.objects.select_for_update(of=("self",), skip_locked=True)
        .select_related("workspace", "account", "item")
        .filter(pk__in=ids)
        .order_by("due_at", "pk")
    )
    claims: list[engine.Claim] = []
    for pub in locked:
        c = engine.claim_locked(pub, now)
        if c is not None:
            c.kick_next = False  # the drainer goes on with the account's next post itself
            claims.append(c)
    return claims


def _send_one(c: engine.Claim, post: Any) -> tuple[Any, tuple[Any, ...]]:
    gate = _gate(c.connection.kind)
    try:
        if gate is not None:
            with gate:
                return engine.attempt(c, post)
        return engine.attempt(c, post)
    finally:
        # A send thread rarely touches the database (an auth refresh); give its connection back
        # rather than keep one per pool thread open.
        connections.close_all()


def record(done: list[tuple[engine.Claim, Any, tuple[Any, ...]]]) -> list[str]:
    """Write many outcomes in one durable transaction (a savepoint each); re-authorisation,
    which touches the connection and alerts, is written on its own as in the one-by-one engine."""
    states: list[str] = []
    later: list[tuple[engine.Claim, Any, tuple[Any, ...]]] = []
    with transaction.atomic(durable=True):
        for c, action, args in done:
            if action is engine._revoked:
                later.append((c, action, args))
                continue
            write = getattr(action, "__wrapped__", action)
            try:
                with transaction.atomic():
                    states.append(write(c, *args))
            except Exception:  # noqa: BLE001 — the row stays publishing: reconciled after the lease
                log.exception("publication %s: recording the outcome failed", c.publication.pk)
    for c, action, args in later:
        states.append(action(c, *args))
    return states


def drain(*, idle_exit: bool = True) -> int:
    """Run this process's drainer until nothing is due (or return at once if one is running:
    it is woken instead). Returns how many publications it claimed."""
    if not _drain_lock.acquire(blocking=False):
        _wake.set()
        return 0
    claimed = 0
    try:
        while True:
            claimed += _drain_once()
            _drain_lock.release()
            # A task that found the lock held just before the release set the flag: go on.
            if not _wake.is_set() or not _drain_lock.acquire(blocking=False):
                return claimed
    except BaseException:
        if _drain_lock.locked():
            _drain_lock.release()
        raise


def _drain_once() -> int:
    pool = _executor()
    slots = concurrency()
    batch = max(1, int(engine.setting("PUBLISHING_CLAIM_BATCH", 200)))
    finished: stdqueue.Queue[Future[Any]] = stdqueue.Queue()
    in_flight: dict[Future[Any], engine.Claim] = {}
    claimed = 0
    want_claim = True
    while True:
        if want_claim:
            _wake.clear()
            free = min(batch, slots - len(in_flight))
            claims = claim_batch(free) if free > 0 else []
            claimed += len(claims)
            for c in claims:
                try:
                    post = engine.build_post(
                        c.publication, media_bytes=engine.connector_class(c.connection.kind).uploads_media
                    )
                except Exception as exc:  # noqa: BLE001 — recorded as the one-by-one engine would
                    log.exception("publication %s: building the post failed", c.publication.pk)
                    record([(c, engine._unknown, (f"{type(exc).__name__}: {exc}", None))])
                    continue
                fut = pool.submit(_send_one, c, post)
                in_flight[fut] = c
                fut.add_done_callback(finished.put)
        if not in_flight:
            return claimed
        # Wait for one answer, then gather whatever else arrives within a moment, and write them
        # together: fewer, larger write transactions.
        got = [finished.get()]
        deadline = timezone.now() + dt.timedelta(milliseconds=20)
        while timezone.now() < deadline:
            try:
                got.append(finished.get(timeout=0.005))
            except stdqueue.Empty:
                if len(in_flight) - len(got) <= 0:
                    break
        done = []
        for fut in got:
            c = in_flight.pop(fut)
            err = fut.exception()
            if err is not None:
                done.append((c, engine._unknown, (f"{type(err).__name__}: {err}", None)))
            else:
                action, args = fut.result()
                done.append((c, action, args))
        record(done)
        want_claim = True
