"""Reads of the inbox: queues with their counts, one thread as a conversation, the fan beside it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from socialops.accounts.models import SocialAccount
from socialops.fans.models import Coupon, CouponCampaign, OrderLine, Person
from socialops.platforms.connectors.base import Capability
from socialops.platforms.models import PlatformConnection
from socialops.platforms.registry import connector_class
from socialops.workspaces.access import user_can
from socialops.workspaces.models import Workspace
from socialops.workspaces.roles import Perm
from socialops.workspaces.selectors import member_row_or_404, member_rows, user_notices

from ..models import InboxAlert, Reply, Thread, ThreadItem, ThreadNote, ThreadStatus

# The queues of the left pane, in order; each a filter on threads (see _queue_filter).
QUEUES = ("mine", "unassigned", "open", "breached", "pending", "snoozed", "closed", "all")
PAGE_SIZE = 50


def _queue_filter(queue: str, user: Any, now: dt.datetime) -> Q:
    awake = Q(snoozed_until__isnull=True) | Q(snoozed_until__lte=now)
    waiting = Q(status=ThreadStatus.OPEN) & awake
    return {
        "mine": waiting & Q(assignee_id=getattr(user, "pk", None)),
        "unassigned": waiting & Q(assignee__isnull=True),
        "open": waiting,
        "breached": Q(status__in=(ThreadStatus.OPEN, ThreadStatus.PENDING), awaiting_since__isnull=False)
        & Q(due_at__lte=now),
        "pending": Q(status=ThreadStatus.PENDING) & awake,
        "snoozed": Q(status__in=(ThreadStatus.OPEN, ThreadStatus.PENDING), snoozed_until__gt=now),
        "closed": Q(status=ThreadStatus.CLOSED),
        "all": Q(),
    }.get(queue, waiting)


# Queues made only of open and pending threads: counted over those rows alone, so opening the
# inbox does not read a workspace's whole history of closed threads (benchmarks/inbox.py).
_ACTIVE_QUEUES = tuple(q for q in QUEUES if q not in ("closed", "all"))


def queue_counts(*, workspace: Workspace, user: Any) -> dict[str, int]:
    """How many threads each queue holds: one pass over the open and pending threads, one index count of the closed."""
    now = timezone.now()
    rows = member_rows(Thread, workspace=workspace, user=user)
    active = rows.filter(status__in=(ThreadStatus.OPEN, ThreadStatus.PENDING)).aggregate(
        _active=Count("pk"), **{q: Count("pk", filter=_queue_filter(q, user, now)) for q in _ACTIVE_QUEUES}
    )
    closed = rows.filter(status=ThreadStatus.CLOSED).count()
    counts = {q: int(active[q] or 0) for q in _ACTIVE_QUEUES}
    counts["closed"] = closed
    counts["all"] = int(active["_active"] or 0) + closed
    return counts


def thread_queue(
    *,
    workspace: Workspace,
    user: Any,
    queue: str = "open",
    account_id: int | None = None,
    channel: str = "",
    intent: str = "",
    priority: str = "",
    search: str = "",
) -> QuerySet[Thread]:
    """The threads of one queue, most urgent first (priority, then the earliest due, then the newest)."""
    rows = member_rows(Thread, workspace=workspace, user=user).filter(
        _queue_filter(queue, user, timezone.now())
    )
    if account_id:
        rows = rows.filter(account_id=account_id)
    if channel:
        rows = rows.filter(channel=channel)
    if intent:
        rows = rows.filter(intent=intent)
    if priority:
        rows = rows.filter(priority=priority)
    if search:
        rows = rows.filter(Q(preview__icontains=search) | Q(fan__display_name__icontains=search))
    order = (
        ["-last_inbound_at", "-pk"]
        if queue == "closed"
        else ["-priority_rank", "due_at", "-last_inbound_at", "pk"]
    )
    return rows.select_related("account", "fan", "assignee").order_by(*order)


def thread_get(*, workspace: Workspace, user: Any, thread_id: int) -> Thread:
    """One thread of this workspace, or Http404."""
    rows = member_rows(Thread, workspace=workspace, user=user).select_related(
        "account", "fan", "person", "assignee"
    )
    return get_object_or_404(rows, pk=thread_id)


@dataclass(frozen=True)
class Entry:
    """One line of a conversation: the fan's message, our reply, or a team note."""

    kind: str  # "message", "reply" or "note"
    at: dt.datetime
    text: str
    who: str
    obj: Any


def conversation(*, workspace: Workspace, user: Any, thread: Thread, identity: bool) -> list[Entry]:
    """The thread's messages, replies and notes in time order (fans named only with fans.identity)."""
    fan_name = (thread.fan.display_name or thread.fan.handle) if identity else thread.person.pseudonym
    items = ThreadItem.objects.filter(thread=thread).select_related("interaction").order_by("pk")
    entries = [Entry("message", i.interaction.occurred_at, i.interaction.text, fan_name, i) for i in items]
    for reply in Reply.objects.filter(thread=thread).select_related("author", "rule"):
        who = reply.author.get_username() if reply.author else (reply.rule.name if reply.rule else "")
        entries.append(Entry("reply", reply.created_at, reply.text, who, reply))
    for note in ThreadNote.objects.filter(thread=thread).select_related("author"):
        entries.append(
            Entry("note", note.created_at, note.text, note.author.get_username() if note.author else "", note)
        )
    return sorted(entries, key=lambda e: (e.at, e.kind != "message"))


def fan_pane(*, workspace: Workspace, user: Any, person: Person) -> dict[str, Any]:
    """What the right pane shows of the person: tier, value, spending, past threads, coupons."""
    identity = user_can(workspace=workspace, user=user, perm=Perm.FANS_IDENTITY)
    others = (
        member_rows(Thread, workspace=workspace, user=user)
        .filter(person=person)
        .select_related("account")
        .order_by("-last_inbound_at")[:10]
    )
    orders = member_rows(OrderLine, workspace=workspace, user=user).filter(person=person)
    coupons = (
        member_rows(CouponCampaign, workspace=workspace, user=user)
        .filter(coupons__person=person)
        .distinct()
        .order_by("-pk")[:5]
    )
    return {
        "person": person,
        "name": (person.display_name or person.pseudonym) if identity else person.pseudonym,
        "identity": identity,
        "tier": person.tier,
        "threads": list(others),
        "orders": orders.count(),
        "coupons": list(coupons),
    }


def open_coupon_code(*, workspace: Workspace, user: Any, person: Person) -> str:
    """The code of the person's latest issued coupon not yet redeemed ("" when none)."""
    code = (
        member_rows(Coupon, workspace=workspace, user=user)
        .filter(person=person, redeemed_at__isnull=True, issued_at__isnull=False)
        .order_by("-issued_at", "-pk")
        .values_list("code", flat=True)
        .first()
    )
    return code or ""


def accounts_without_inbox(*, workspace: Workspace, user: Any) -> list[tuple[Any, str]]:
    """Our accounts whose messages cannot reach the inbox, with why: not connected, or the
    platform's connector reads neither comments nor messages (e.g. Douyin today)."""
    out: list[tuple[Any, str]] = []
    accounts = member_rows(SocialAccount, workspace=workspace, user=user).filter(is_competitor=False)
    connections = {c.account_id: c for c in member_rows(PlatformConnection, workspace=workspace, user=user)}
    for account in accounts.order_by("display_name", "pk"):
        connection = connections.get(account.pk)
        if connection is None:
            out.append((account, "not_connected"))
            continue
        try:
            cls = connector_class(connection.kind)
        except KeyError:
            continue
        if not (cls.supports(Capability.COMMENTS) or cls.supports(Capability.MESSAGES)):
            out.append((account, "not_supported"))
    return out


def thread_alerts(*, workspace: Workspace, user: Any, unread: bool | None = True) -> QuerySet[InboxAlert]:
    """The member's own inbox alerts, newest first."""
    return user_notices(InboxAlert, workspace=workspace, user=user, unread=unread).select_related("thread")


def replies_needing_a_person(*, workspace: Workspace, user: Any) -> QuerySet[Reply]:
    """Replies whose outcome is unknown or that failed: someone must check and settle them."""
    return (
        member_rows(Reply, workspace=workspace, user=user)
        .filter(status__in=("unknown", "failed"))
        .select_related("thread", "thread__account")
        .order_by("-created_at")
    )


def reply_get(*, workspace: Workspace, user: Any, reply_id: int) -> Reply:
    """One reply of this workspace, or Http404."""
    return member_row_or_404(Reply, workspace=workspace, user=user, pk=reply_id)
