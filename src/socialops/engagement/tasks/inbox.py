"""Huey jobs of the inbox: send queued replies, watch targets and spikes, file what the hook missed.

Every job is idempotent: a reply is claimed by one conditional update before it is sent, a
breach is marked once per wait, and filing an interaction twice finds its thread.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .. import webhooks
from ..services import monitor, replies, threads


@db_task()
def deliver_reply(reply_id: int) -> str:
    """Send one queued reply (ids only: a reply deleted meanwhile is a no-op)."""
    return replies.reply_deliver(reply_id=reply_id)


def _deliver_later(reply_id: int, delay: int) -> None:
    if delay > 0:
        deliver_reply.schedule(args=(reply_id,), delay=delay)
    else:
        deliver_reply(reply_id)


replies.deliver_later[:] = [_deliver_later]


@db_task(retries=4, retry_delay=60)
def deliver_webhook(workspace_id: int, event: str, object_id: int) -> str:
    """POST one inbox event to the workspace's webhook (a timeout or 5xx raises: Huey retries it)."""
    return webhooks.webhook_deliver(workspace_id=workspace_id, event=event, object_id=object_id)


def _webhook_later(workspace_id: int, event: str, object_id: int) -> None:
    deliver_webhook(workspace_id, event, object_id)


webhooks.send_later[:] = [_webhook_later]


@db_periodic_task(crontab(minute="*"))
def watch_inbox() -> int:
    """Every minute: missed response targets, negative spikes, and replies a dead worker left behind."""
    return monitor.breaches_check() + monitor.spikes_check() + replies.replies_recover()


@db_periodic_task(crontab(minute="*/10"))
def file_missed_messages() -> int:
    """Every ten minutes: file the last day's fan messages that have no thread (a failed hook)."""
    return threads.threads_catch_up(since=timezone.now() - dt.timedelta(days=1))
