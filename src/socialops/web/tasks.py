"""Housekeeping jobs that belong to no one app: the daily retention run (core.retention)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from socialops.core import retention


@db_periodic_task(crontab(hour="3", minute="17"))
@lock_task("retention-daily")
def retention_daily() -> None:
    """Delete the rows past their retention period (idempotent; a second run deletes nothing)."""
    retention.run()
