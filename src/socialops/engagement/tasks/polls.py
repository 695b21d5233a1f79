"""Huey jobs of the engagement app: polls (closing those whose time has come)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from ..services import polls


@db_periodic_task(crontab(minute="*"))
def close_due_polls() -> int:
    """Every minute: close the open polls whose closing time has passed (closing twice changes nothing)."""
    return polls.polls_close_due()
