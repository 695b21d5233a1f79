"""How the inbox reads on its pages: queue names, thread rows with their timers, snooze choices."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from socialops.workspaces.models import Workspace

from ..models import SavedReply, Thread, ThreadStatus
from ..services.replies import fill_variables

QUEUE_LABELS = {
    "mine": gettext_lazy("Mine"),
    "unassigned": gettext_lazy("Unassigned"),
    "open": gettext_lazy("All open"),
    "breached": gettext_lazy("Target missed"),
    "pending": gettext_lazy("Pending"),
    "snoozed": gettext_lazy("Snoozed"),
    "closed": gettext_lazy("Closed"),
    "all": gettext_lazy("Everything"),
}
PRIORITY_BADGES = {
    "urgent": "text-bg-danger",
    "high": "text-bg-warning",
    "normal": "text-bg-secondary",
    "low": "text-bg-light border",
}
SENTIMENT_BADGES = {
    "positive": "text-bg-success",
    "neutral": "text-bg-light border",
    "negative": "text-bg-danger",
}


def queue_labels(counts: dict[str, int]) -> list[tuple[str, str, int]]:
    """(queue, its name, how many) in the order of the left pane."""
    return [(q, str(label), counts.get(q, 0)) for q, label in QUEUE_LABELS.items()]


def duration(seconds: float) -> str:
    """A short human duration: "12 min", "3 h 05 min", "2 d 4 h"."""
    minutes = int(abs(seconds) // 60)
    if minutes < 60:
        return _("%(m)d min") % {"m": minutes}
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return _("%(h)d h %(m)02d min") % {"h": hours, "m": minutes}
    days, hours = divmod(hours, 24)
    return _("%(d)d d %(h)d h") % {"d": days, "h": hours}


@dataclass(frozen=True)
class Timer:
    """The response timer of a waiting thread."""

    due_at: dt.datetime
    missed: bool
    text: str


def timer(thread: Thread, now: dt.datetime) -> Timer | None:
    """ "Answer within 25 min" or "Missed by 1 h 05 min"; None when nothing is owed."""
    if thread.due_at is None or thread.awaiting_since is None or thread.status == ThreadStatus.CLOSED:
        return None
    left = (thread.due_at - now).total_seconds()
    if left >= 0:
        return Timer(thread.due_at, False, _("Answer within %(t)s") % {"t": duration(left)})
    return Timer(thread.due_at, True, _("Missed by %(t)s") % {"t": duration(left)})


@dataclass(frozen=True)
class ThreadRow:
    """One thread as a line of a queue."""

    thread: Thread
    fan_name: str
    account: str
    priority_badge: str
    sentiment_badge: str
    timer: Timer | None
    snoozed: bool


def account_label(account: Any) -> str:
    """An account told apart from its namesakes: its name and platform."""
    return f"{account.display_name or account.handle} · {account.get_platform_display()}"


def thread_row(thread: Thread, *, identity: bool, now: dt.datetime) -> ThreadRow:
    """The queue line of a thread; fans are named only for members allowed to see identities."""
    fan = thread.fan
    name = (fan.display_name or fan.handle or fan.external_id) if identity else f"#{thread.person_id:06d}"
    return ThreadRow(
        thread=thread,
        fan_name=name,
        account=account_label(thread.account),
        priority_badge=PRIORITY_BADGES.get(thread.priority, "text-bg-secondary"),
        sentiment_badge=SENTIMENT_BADGES.get(thread.sentiment, "text-bg-light border"),
        timer=timer(thread, now),
        snoozed=thread.snoozed_until is not None and thread.snoozed_until > now,
    )


def saved_reply_option(saved: SavedReply, *, fan_name: str, coupon_code: str = "") -> dict[str, Any]:
    """A saved reply for the picker, with {昵称} (and {优惠码} when the fan holds a coupon) filled for this fan."""
    values = {"昵称": fan_name, "nickname": fan_name}
    if coupon_code:
        values.update({"优惠码": coupon_code, "coupon": coupon_code})
    return {
        "id": saved.pk,
        "title": saved.title,
        "text": fill_variables(saved.body, values),
        "flagged": saved.flagged,
    }


def snooze_choices(workspace: Workspace) -> list[tuple[str, str]]:
    """(local ISO time, label): in an hour, in three hours, tomorrow 09:00, next Monday 09:00."""
    now = timezone.localtime(timezone.now(), workspace.tz).replace(second=0, microsecond=0)
    tomorrow = (now + dt.timedelta(days=1)).replace(hour=9, minute=0)
    monday = (now + dt.timedelta(days=7 - now.weekday())).replace(hour=9, minute=0)
    return [
        ((now + dt.timedelta(hours=1)).isoformat(), _("In an hour")),
        ((now + dt.timedelta(hours=3)).isoformat(), _("In three hours")),
        (tomorrow.isoformat(), _("Tomorrow 09:00")),
        (monday.isoformat(), _("Next Monday 09:00")),
    ]


def status_done(status: str) -> str:
    """What a status button did."""
    return {
        ThreadStatus.OPEN: _("Thread reopened."),
        ThreadStatus.PENDING: _("Thread set to pending."),
        ThreadStatus.CLOSED: _("Thread closed."),
    }.get(ThreadStatus(status), _("Thread saved."))
