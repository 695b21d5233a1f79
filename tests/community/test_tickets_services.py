"""Tickets: targets from priority, history, from an inbox thread, kept as an idea, overdue once, the report."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from socialops.community.models.events import Ticket, TicketAlert, TicketChange, TicketStatus
from socialops.community.selectors.tickets import resolution_report
from socialops.community.services import tickets as svc
from socialops.engagement.models import InboxSettings, Thread
from socialops.engagement.models.campaigns import Idea
from socialops.fans.models import InteractionKind, InteractionSource
from socialops.fans.services.people import interaction_record
from tests.factories import make_account, make_fan, make_ticket

pytestmark = pytest.mark.django_db


def _wall_clock(workspace: Any) -> None:
    InboxSettings.objects.update_or_create(workspace=workspace, defaults={"targets_in_working_hours": False})


def test_target_comes_from_priority_in_wall_clock_or_working_hours(workspace: Any) -> None:
    _wall_clock(workspace)
    now = timezone.now()
    urgent = make_ticket(workspace, priority="urgent", now=now)
    assert urgent.due_at == now + dt.timedelta(hours=svc.TARGET_HOURS["urgent"])
    InboxSettings.objects.filter(workspace=workspace).update(targets_in_working_hours=True)
    # Friday 17:00 local, 09:00–18:00 Monday to Friday: 4 working hours end Monday 12:00 (or later on a holiday).
    friday = dt.datetime(2026, 6, 5, 17, 0, tzinfo=workspace.tz)
    due = svc.ticket_due(workspace, friday, "urgent").astimezone(workspace.tz)
    assert due.weekday() == 0 and due.hour == 12


def test_status_changes_are_history_and_resolution_is_stamped(workspace: Any, operator: Any) -> None:
    ticket = make_ticket(workspace)
    svc.ticket_update(
        workspace=workspace,
        actor=operator,
        ticket=ticket,
        status="in_progress",
        assignee=operator,
        note="在查",
    )
    done = svc.ticket_update(workspace=workspace, actor=operator, ticket=ticket, status="resolved")
    assert done.resolved_at is not None
    steps = list(
        TicketChange.objects.filter(ticket=ticket).values_list("from_status", "to_status", "fields", "note")
    )
    assert steps == [
        ("", "open", [], ""),
        ("open", "in_progress", ["assignee"], "在查"),
        ("in_progress", "resolved", [], ""),
    ]


def test_a_refused_update_names_its_field_and_changes_nothing(
    workspace: Any, operator: Any, analyst: Any
) -> None:
    ticket = make_ticket(workspace)
    with pytest.raises(ValidationError) as caught:
        svc.ticket_update(workspace=workspace, actor=operator, ticket=ticket, status="done", assignee=analyst)
    assert set(caught.value.message_dict) == {"status", "assignee"}
    assert Ticket.objects.get().status == TicketStatus.OPEN and TicketChange.objects.count() == 1


def test_a_ticket_from_an_inbox_thread_and_kept_as_an_idea_once(workspace: Any, operator: Any) -> None:
    fan = make_fan(make_account(workspace, "acme_weibo", "weibo"), "uid-1", display_name="张小花")
    interaction_record(
        workspace=workspace, fan=fan, kind=InteractionKind.COMMENT, occurred_at=timezone.now(),
        source=InteractionSource.PULL, text="包装破损了，怎么退换？", external_id="c-1", post_external_id="p-1",
    )  # fmt: skip
    thread = Thread.objects.get()
    ticket = svc.ticket_from_thread(workspace=workspace, actor=operator, thread=thread)
    assert ticket.thread == thread and ticket.person_id == thread.person_id and ticket.channel == "inbox"
    first = svc.ticket_keep_as_idea(workspace=workspace, actor=operator, ticket=ticket)
    again = svc.ticket_keep_as_idea(workspace=workspace, actor=operator, ticket=ticket)
    assert first.pk == again.pk and (first.source, first.source_id) == ("ticket", str(ticket.pk))
    assert Idea.objects.count() == 1


def test_overdue_alert_once(workspace: Any, operator: Any, admin: Any) -> None:
    _wall_clock(workspace)
    late = make_ticket(
        workspace, priority="urgent", now=timezone.now() - dt.timedelta(hours=5), assignee=operator
    )
    make_ticket(workspace, priority="low")  # not due yet
    done = make_ticket(workspace, priority="urgent", now=timezone.now() - dt.timedelta(hours=5))
    svc.ticket_update(workspace=workspace, actor=None, ticket=done, status="resolved")

    assert svc.overdue_check() == 1
    assert svc.overdue_check() == 0
    late.refresh_from_db()
    assert late.overdue_at is not None
    assert list(TicketAlert.objects.values_list("user_id", "ticket_id")) == [(operator.pk, late.pk)]


def test_report_figures_median_and_p90_by_category(workspace: Any, analyst: Any) -> None:
    _wall_clock(workspace)
    now = timezone.now()
    for hours in (1, 2, 3, 4, 10):
        t = make_ticket(workspace, category="question", now=now - dt.timedelta(days=2))
        Ticket.objects.filter(pk=t.pk).update(
            status="resolved", resolved_at=t.created_at + dt.timedelta(hours=hours)
        )
    make_ticket(workspace, category="bug", now=now - dt.timedelta(days=1))
    make_ticket(workspace, category="bug", now=now - dt.timedelta(days=200))  # outside 90 days
    report = resolution_report(workspace=workspace, user=analyst, days=90)
    by = {c["category"]: c for c in report["categories"]}
    assert by["question"] == {
        "category": "question",
        "label": "Question",
        "opened": 5,
        "resolved": 5,
        "median_hours": 3.0,
        "p90_hours": 10.0,
    }
    assert by["bug"]["opened"] == 1 and by["bug"]["median_hours"] is None
    assert (report["opened"], report["resolved"], report["median_hours"]) == (6, 5, 3.0)
