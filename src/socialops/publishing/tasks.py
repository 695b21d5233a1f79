"""Background jobs: publish one publication (queued with its eta on commit) and the sweeper."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import engine


@db_task()
def publish_publication(publication_id: int, version: int) -> str:
    """Publish one publication if it is still due at this version (an older version is a no-op),
    then the account's next due posts in due order (engine.run_chain)."""
    return engine.run_chain(publication_id, version)


@db_periodic_task(crontab(minute="*"))
def sweep_publications() -> int:
    """Every minute: re-drive anything due and not done (a lost task, a dead worker, a reconciliation)."""
    return len(engine.sweep_due())


@db_periodic_task(crontab(minute="*/15"))
def sync_metrics() -> int:
    """Every 15 minutes: pull account and post figures of every connected account (see sync.py)."""
    from . import sync

    return sync.sync_all()
