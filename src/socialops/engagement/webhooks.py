"""The inbox's outgoing webhook: a signed JSON POST on every new fan message and every missed target.

Set on the inbox settings (``webhook_url``, https; blank = off, and ``webhook_secret``). Events:

``message.created``  a fan message filed in a thread for the first time (a re-pull of the same
                     message sends nothing): thread id, account, channel, text, sentiment,
                     intent, the thread's priority, the message's time.
``thread.breached``  a waiting thread missed its response target: thread id, due time, priority.

The body is ``{"id": "<event id>", "event": …, "workspace": <slug>, "sent_at": …, "data": {…}}``;
the event id stays the same on every retry, so a receiver de-duplicates re-deliveries on it.
Requests are signed like the platforms' webhook connector (``platforms.connectors.webhook``), so
one receiver verifies both the same way (``webhook.verify_signature``)::

    X-SocialOps-Event: message.created
    X-SocialOps-Delivery: <uuid, new for every attempt>
    X-SocialOps-Timestamp: <unix seconds>
    X-SocialOps-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>

Delivery never holds up the filing of a message: ``webhook_enqueue`` queues a Huey task on
commit (ids only; a queue failure is logged, never raised into the transaction that filed the
message), and the task (``tasks.inbox.deliver_webhook``) builds the event from the rows and
POSTs it through the egress policy (``core.egress``: no private or loopback receivers) with a
5-second timeout. A timeout, a connection failure, 429 or 5xx raises ``DeliveryFailed`` and Huey
tries again (a few times, a minute apart); another 4xx or a refused address is logged and dropped.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
from django.db import transaction
from django.utils import timezone

from socialops.core import egress
from socialops.platforms.connectors.webhook import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    sign,
)
from socialops.workspaces.models import Workspace

from .models import InboxSettings, Thread, ThreadItem

log = logging.getLogger(__name__)

MESSAGE_CREATED = "message.created"
THREAD_BREACHED = "thread.breached"
EVENTS = (MESSAGE_CREATED, THREAD_BREACHED)
TIMEOUT = httpx.Timeout(5.0)
USER_AGENT = "socialops-webhook/1.0"

#: How a queued delivery is started: ``tasks.inbox`` puts its Huey task here (the services below
#: the tasks cannot import them). Called with (workspace id, event, object id).
send_later: list[Callable[[int, str, int], None]] = []


class DeliveryFailed(Exception):
    """The receiver did not take the event this time (timeout, 429, 5xx): try again later."""


def webhook_enqueue(*, settings: InboxSettings, event: str, object_id: int) -> None:
    """Queue one event for delivery once the current transaction commits (nothing when the webhook is off)."""
    if not settings.webhook_url or event not in EVENTS:
        return
    workspace_id = settings.workspace_id

    def start() -> None:
        for send in send_later:
            send(workspace_id, event, object_id)

    # robust: the message is filed whatever happens to the queue.
    transaction.on_commit(start, robust=True)


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _account(thread: Thread) -> dict[str, Any]:
    account = thread.account
    return {"id": account.pk, "platform": account.platform, "handle": account.handle}


def event_body(*, workspace: Workspace, event: str, object_id: int) -> dict[str, Any] | None:
    """The event's JSON (without ``sent_at``), from the rows as they are; None when the row is gone."""
    if event == MESSAGE_CREATED:
        item = (
            ThreadItem.objects.select_related("thread__account", "interaction")
            .filter(workspace=workspace, pk=object_id)
            .first()
        )
        if item is None:
            return None
        thread = item.thread
        data = {
            "thread_id": thread.pk,
            "message_id": item.pk,
            "account": _account(thread),
            "channel": thread.channel,
            "text": item.interaction.text,
            "sentiment": item.sentiment,
            "intent": item.intent,
            "priority": thread.priority,
            "time": _iso(item.interaction.occurred_at),
        }
    elif event == THREAD_BREACHED:
        found = Thread.objects.select_related("account").filter(workspace=workspace, pk=object_id).first()
        if found is None or found.breached_at is None:
            return None
        thread = found
        data = {
            "thread_id": thread.pk,
            "account": _account(thread),
            "channel": thread.channel,
            "due_at": _iso(thread.breached_at),
            "priority": thread.priority,
        }
    else:
        return None
    return {"id": f"{event}:{object_id}", "event": event, "workspace": workspace.slug, "data": data}


def webhook_deliver(
    *, workspace_id: int, event: str, object_id: int, transport: httpx.BaseTransport | None = None
) -> str:
    """POST one event to the workspace's webhook; what happened ("sent", "off", "gone", "refused", "rejected").

    Raises ``DeliveryFailed`` when the receiver should be asked again (the task's retries).
    """
    settings = InboxSettings.objects.select_related("workspace").filter(workspace_id=workspace_id).first()
    if settings is None or not settings.webhook_url or not settings.webhook_secret:
        return "off"
    body_data = event_body(workspace=settings.workspace, event=event, object_id=object_id)
    if body_data is None:
        return "gone"
    body = json.dumps(
        {**body_data, "sent_at": timezone.now().isoformat()}, ensure_ascii=False, separators=(",", ":")
    ).encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        EVENT_HEADER: event,
        DELIVERY_HEADER: str(uuid.uuid4()),
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: sign(settings.webhook_secret, timestamp, body),
    }
    try:
        with egress.client(transport=transport, timeout=TIMEOUT, follow_redirects=False) as client:
            response = client.post(settings.webhook_url, content=body, headers=headers)
    except egress.EgressRefused as exc:
        log.warning("inbox webhook of workspace %s refused: %s", workspace_id, exc)
        return "refused"
    except httpx.HTTPError as exc:
        raise DeliveryFailed(f"{event} {object_id}: {exc.__class__.__name__}") from None
    status = response.status_code
    if status == 429 or status == 408 or status >= 500:
        raise DeliveryFailed(f"{event} {object_id}: HTTP {status}")
    if status >= 300:
        # The receiver refused it for good (bad signature, gone): asking again would not help.
        log.warning("inbox webhook of workspace %s answered HTTP %s to %s", workspace_id, status, event)
        return "rejected"
    return "sent"
