"""Huey jobs of the community app: event reminders and overdue tickets.

Both are idempotent: a registration is marked reminded by one conditional update before its email
goes out, and a ticket is marked overdue once (its alerts are unique per ticket and member).
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from ..services import events, tickets


@db_periodic_task(crontab(minute="*/5"))
def remind_registrants() -> int:
    """Every five minutes: remind the registrants of events starting within their reminder hours."""
    return events.reminders_send()


@db_periodic_task(crontab(minute="*/5"))
def watch_tickets() -> int:
    """Every five minutes: mark tickets past their target and alert their owner (or the team)."""
    return tickets.overdue_check()
