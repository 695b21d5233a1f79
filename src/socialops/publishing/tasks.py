"""Background jobs: publish one publication (queued with its eta on commit) and the sweeper.

The top of publishing's module order (queue → services → engine → sync → tasks): nothing in
the app imports this module; it connects the Huey sender to ``queue.publish_requested``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import batch, engine, queue, sync


@db_task()
def publish_publication(publication_id: int, version: int) -> str:
    """Publish one publication if it is still due at this version (an older version is a no-op),
    then the account's next due posts in due order (engine.run_chain). With the batch engine
    (``PUBLISHING_ENGINE = "batch"``) it wakes this process's drainer instead (batch.drain)."""
    if batch.enabled():
        batch.drain()
        return "drained"
    return engine.run_chain(publication_id, version)


@queue.publish_requested.connect
def _send(*, publication_id: int, version: int, eta: dt.datetime | None) -> Any:
    if eta is None:
        return publish_publication(publication_id, version)
    return publish_publication.schedule(args=(publication_id, version), eta=eta)


@db_periodic_task(crontab(minute="*"))
def sweep_publications() -> int:
    """Every minute: re-drive anything due and not done (a lost task, a dead worker, a reconciliation)."""
    return len(engine.sweep_due())


@db_periodic_task(crontab(hour="3", minute="30"))
def keep_connections_alive() -> dict[str, int]:
    """Daily: renew refresh tokens before they end and warn admins when no renewal is left."""
    return sync.keep_alive_all()


@db_periodic_task(crontab(minute="*/15"))
def sync_metrics() -> int:
    """Every 15 minutes: pull account and post figures of every connected account (see sync.py)."""
    return sync.sync_all()
