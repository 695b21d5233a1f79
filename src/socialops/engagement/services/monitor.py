"""The inbox's watch: response targets that ran out, and spikes of negative messages.

A spike is measured per workspace: the negative fan messages of the last hour against their
usual level, the mean per hour over the 7 days before that hour. It is a spike when the last
hour has at least ``spike_minimum`` of them and at least ``spike_factor`` times the usual level
(docs/inbox.md). At most one spike alert per workspace in SPIKE_QUIET.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from socialops.core.actors import SYSTEM
from socialops.workspaces.audit import audit_record
from socialops.workspaces.models import Workspace

from .. import webhooks
from ..models import InboxAlertKind, InboxSettings, Sentiment, Thread, ThreadItem, ThreadStatus
from .threads import alert_team, settings_for

SPIKE_BASELINE = dt.timedelta(days=7)
SPIKE_QUIET = dt.timedelta(hours=3)


def breaches_check(*, now: dt.datetime | None = None) -> int:
    """Mark every waiting thread whose target ran out and alert its owner (or the team); how many."""
    now = now or timezone.now()
    due = (
        Thread.objects.filter(
            status__in=(ThreadStatus.OPEN, ThreadStatus.PENDING),
            awaiting_since__isnull=False,
            due_at__lte=now,
            breached_at__isnull=True,
        )
        .select_related("workspace")
        .order_by("due_at", "pk")[:1000]
    )
    marked = 0
    for thread in due:
        with transaction.atomic():
            changed = Thread.objects.filter(
                pk=thread.pk, breached_at__isnull=True, due_at=thread.due_at
            ).update(breached_at=thread.due_at)
            if not changed:
                continue
            detail = _("Waiting since %(since)s: %(text)s") % {
                "since": timezone.localtime(thread.awaiting_since, thread.workspace.tz).strftime(
                    "%Y-%m-%d %H:%M"
                ),
                "text": thread.preview[:80],
            }
            alert_team(thread.workspace, InboxAlertKind.BREACH, thread, detail)
            audit_record(
                workspace=thread.workspace,
                actor=SYSTEM,
                action="thread.breach",
                obj=thread,
                after={"due_at": thread.due_at, "priority": thread.priority},
            )
            webhooks.webhook_enqueue(
                settings=settings_for(thread.workspace), event=webhooks.THREAD_BREACHED, object_id=thread.pk
            )
            marked += 1
    return marked


def negative_levels(workspace: Workspace, now: dt.datetime) -> tuple[int, float]:
    """(negative fan messages in the last hour, their usual hourly level over the 7 days before)."""
    hour_ago = now - dt.timedelta(hours=1)
    rows = ThreadItem.objects.filter(workspace=workspace, sentiment=Sentiment.NEGATIVE)
    last_hour = rows.filter(interaction__occurred_at__gt=hour_ago, interaction__occurred_at__lte=now).count()
    before = rows.filter(
        interaction__occurred_at__gt=hour_ago - SPIKE_BASELINE, interaction__occurred_at__lte=hour_ago
    ).count()
    return last_hour, before / (SPIKE_BASELINE.total_seconds() / 3600)


def spike_check(*, workspace: Workspace, now: dt.datetime | None = None) -> dict[str, Any] | None:
    """Alert the team when negative messages spike (see the module's rule); the figures, or None."""
    now = now or timezone.now()
    settings = settings_for(workspace)
    if settings.last_spike_alert_at and now - settings.last_spike_alert_at < SPIKE_QUIET:
        return None
    last_hour, usual = negative_levels(workspace, now)
    if last_hour < settings.spike_minimum or last_hour < settings.spike_factor * usual:
        return None
    with transaction.atomic():
        changed = InboxSettings.objects.filter(
            pk=settings.pk, last_spike_alert_at=settings.last_spike_alert_at
        ).update(last_spike_alert_at=now)
        if not changed:
            return None
        detail = _("%(n)d negative messages in the last hour (usually %(usual).1f an hour).") % {
            "n": last_hour,
            "usual": usual,
        }
        alert_team(workspace, InboxAlertKind.SPIKE, None, detail)
        audit_record(
            workspace=workspace,
            actor=SYSTEM,
            action="inbox.spike",
            object_type="workspaces.workspace",
            object_id=workspace.pk,
            object_repr=workspace.name,
            after={"last_hour": last_hour, "usual": round(usual, 2)},
        )
    return {"last_hour": last_hour, "usual": usual}


def spikes_check(*, now: dt.datetime | None = None) -> int:
    """The spike check of every workspace with inbox messages in the last hour; how many alerted."""
    now = now or timezone.now()
    ids = (
        ThreadItem.objects.filter(interaction__occurred_at__gt=now - dt.timedelta(hours=1))
        .values_list("workspace_id", flat=True)
        .distinct()
    )
    return sum(
        spike_check(workspace=w, now=now) is not None for w in Workspace.objects.filter(pk__in=list(ids))
    )
