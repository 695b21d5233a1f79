"""The demo's events and member tickets: an upcoming meetup that is full with a wait list, an online
launch, a past workshop with check-ins, and tickets in every state (one from an inbox thread).

Call ``seed_events(workspace, today)`` after the inbox is seeded (a thread, when there is one,
becomes a ticket). Everything is written through the services as the system (actor None) and
dated relative to ``today``; registrants' numbers are made-up 138… mobiles.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from socialops.community.models.events import EventKind, Ticket, TicketStatus
from socialops.community.services import events as event_svc
from socialops.community.services import tickets as ticket_svc
from socialops.engagement.models import Thread
from socialops.workspaces.models import Workspace

NAMES = ("李雷", "韩梅梅", "王芳", "张伟", "刘洋", "陈静", "杨帆", "赵磊", "黄丽", "周杰")


def _at(workspace: Workspace, day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=workspace.tz)


def _register(event: Any, count: int, first: int, now: dt.datetime) -> list[Any]:
    rows = []
    for i in range(count):
        n = first + i
        row, _created = event_svc.registration_create(
            event=event,
            name=NAMES[n % len(NAMES)],
            phone=f"1380013{n:04d}",
            email=f"fan{n}@example.com" if n % 2 else "",
            now=now + dt.timedelta(minutes=7 * i),
        )
        rows.append(row)
    return rows


def seed_events(workspace: Workspace, today: dt.date) -> dict[str, int]:
    """Create the demo's events, registrations, check-ins and tickets; how many of each."""
    meetup = event_svc.event_create(
        workspace=workspace,
        actor=None,
        title="星曜 X1 用户线下交流会",
        description="新品体验、答疑和合影。名额有限，满员后进入候补。",
        kind=EventKind.OFFLINE,
        venue="上海市徐汇区漕溪北路 88 号 3 楼",
        starts_at=_at(workspace, today + dt.timedelta(days=6), 14),
        ends_at=_at(workspace, today + dt.timedelta(days=6), 17),
        capacity=6,
        reminder_hours=24,
    )
    launch = event_svc.event_create(
        workspace=workspace,
        actor=None,
        title="星曜 X2 线上发布会",
        kind=EventKind.ONLINE,
        link="https://live.example.com/xingyao-x2",
        starts_at=_at(workspace, today + dt.timedelta(days=12), 20),
        ends_at=_at(workspace, today + dt.timedelta(days=12), 21),
        capacity=500,
    )
    workshop = event_svc.event_create(
        workspace=workspace,
        actor=None,
        title="摄影技巧工作坊",
        kind=EventKind.OFFLINE,
        venue="上海市静安区南京西路 1266 号",
        starts_at=_at(workspace, today - dt.timedelta(days=8), 10),
        ends_at=_at(workspace, today - dt.timedelta(days=8), 12),
        capacity=8,
        reminder_hours=0,
    )
    meetup_rows = _register(meetup, 8, 0, _at(workspace, today - dt.timedelta(days=3), 9))
    _register(launch, 4, 20, _at(workspace, today - dt.timedelta(days=1), 10))
    past_rows = _register(workshop, 7, 40, _at(workspace, today - dt.timedelta(days=14), 11))
    # One of the meetup's places is given back: the first on the wait list moves up.
    event_svc.registration_cancel(registration=meetup_rows[1])
    checked = 0
    for i, row in enumerate(past_rows[:5]):
        event_svc.registration_checkin(
            workspace=workspace,
            actor=None,
            registration=row,
            now=workshop.starts_at + dt.timedelta(minutes=-20 + 6 * i),
        )
        checked += 1
    tickets = _seed_tickets(workspace, today)
    return {"events": 3, "registrations": 8 + 4 + 7, "checked_in": checked, "tickets": tickets}


TICKETS = (
    # title, category, priority, status, days ago, hours to resolve
    ("X1 充电时机身发烫", "bug", "high", TicketStatus.OPEN, 0, None),
    ("会员积分没有到账", "complaint", "urgent", TicketStatus.IN_PROGRESS, 1, None),
    ("希望增加夜景模式教程", "suggestion", "low", TicketStatus.WAITING, 2, None),
    ("如何开具电子发票", "question", "normal", TicketStatus.RESOLVED, 5, 6),
    ("线下活动停车信息", "question", "normal", TicketStatus.RESOLVED, 9, 20),
    ("App 登录后闪退", "bug", "high", TicketStatus.CLOSED, 12, 30),
    ("快递外包装破损", "complaint", "high", TicketStatus.CLOSED, 15, 9),
    ("建议增加以旧换新", "suggestion", "normal", TicketStatus.OPEN, 4, None),
)


def _seed_tickets(workspace: Workspace, today: dt.date) -> int:
    made = 0
    for title, category, priority, status, days_ago, hours in TICKETS:
        opened = _at(workspace, today - dt.timedelta(days=days_ago), 10)
        ticket = ticket_svc.ticket_create(
            workspace=workspace,
            actor=None,
            title=title,
            category=category,
            priority=priority,
            channel="manual" if made % 2 else "form",
            now=opened,
        )
        if status != TicketStatus.OPEN:
            ticket_svc.ticket_update(workspace=workspace, actor=None, ticket=ticket, status=status)
        if hours is not None:
            # The demo's history: resolved some hours after opening, not at seeding time.
            Ticket.objects.filter(pk=ticket.pk).update(resolved_at=opened + dt.timedelta(hours=hours))
        made += 1
    thread = Thread.objects.filter(workspace=workspace).order_by("pk").first()
    if thread is not None:
        ticket_svc.ticket_from_thread(workspace=workspace, actor=None, thread=thread)
        made += 1
    ticket_svc.overdue_check()
    return made
