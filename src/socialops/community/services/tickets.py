"""Writes on member feedback tickets: creating (from an inbox thread, the public form, or by hand),
changing status, assignee and priority with history, keeping one as an idea, and the overdue check.

Target resolution time comes from the priority (TARGET_HOURS), counted in the inbox's working
hours (engagement.worktime) when the workspace counts its inbox targets that way, else in
wall-clock hours.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from socialops.core.actors import SYSTEM
from socialops.core.validation import Errors, add_error, clean_text
from socialops.engagement.models import Thread
from socialops.engagement.models.campaigns import Idea
from socialops.engagement.services.ideas import idea_collect
from socialops.engagement.services.threads import settings_for
from socialops.engagement.worktime import WorkCalendar
from socialops.fans.models import Person
from socialops.workspaces.access import ensure_same_workspace, require_perm
from socialops.workspaces.audit import audit_record
from socialops.workspaces.models import Membership, Workspace
from socialops.workspaces.roles import Perm, role_has

from ..models.events import (
    TICKET_ACTIVE,
    Ticket,
    TicketAlert,
    TicketCategory,
    TicketChange,
    TicketChannel,
    TicketPriority,
    TicketStatus,
)

# Target resolution time per priority, in hours (working hours when the inbox counts that way).
TARGET_HOURS: dict[str, int] = {
    TicketPriority.URGENT: 4,
    TicketPriority.HIGH: 8,
    TicketPriority.NORMAL: 24,
    TicketPriority.LOW: 72,
}
DONE = (TicketStatus.RESOLVED, TicketStatus.CLOSED)


def ticket_due(workspace: Workspace, since: dt.datetime, priority: str) -> dt.datetime:
    """When a ticket of this priority opened at ``since`` must be resolved."""
    minutes = TARGET_HOURS.get(priority, TARGET_HOURS[TicketPriority.NORMAL]) * 60
    settings = settings_for(workspace)
    if not settings.targets_in_working_hours:
        return since + dt.timedelta(minutes=minutes)
    calendar = WorkCalendar(workspace, settings, since.astimezone(workspace.tz).date())
    return calendar.add(since, minutes)


def editors(workspace: Workspace) -> list[Membership]:
    """Members who may work on tickets (Perm.COMMUNITY_EDIT)."""
    rows = Membership.objects.filter(workspace=workspace, user__is_active=True).order_by("user_id")
    return [m for m in rows if role_has(m.role, Perm.COMMUNITY_EDIT)]


def _check_assignee(workspace: Workspace, assignee: Any, errors: Errors) -> None:
    if assignee is not None and assignee.pk not in {m.user_id for m in editors(workspace)}:
        add_error(errors, "assignee", _("Choose a member who may work on tickets."))


@transaction.atomic
def ticket_create(
    *,
    workspace: Workspace,
    actor: Any,
    title: str,
    description: str = "",
    category: str = TicketCategory.QUESTION,
    priority: str = TicketPriority.NORMAL,
    channel: str = TicketChannel.MANUAL,
    person: Person | None = None,
    thread: Thread | None = None,
    source_kind: str = "",
    source_id: str = "",
    assignee: Any = None,
    now: dt.datetime | None = None,
) -> Ticket:
    """Open a ticket; its target time comes from the priority. actor=None is the public form."""
    if actor is not None:
        require_perm(workspace=workspace, actor=actor, perm=Perm.COMMUNITY_EDIT)
    errors: Errors = {}
    title = clean_text(title, "title", errors, max_length=150, required=True)
    description = clean_text(description, "description", errors, max_length=10_000)
    if category not in TicketCategory.values:
        add_error(errors, "category", _("Unknown category."))
    if priority not in TicketPriority.values:
        add_error(errors, "priority", _("Unknown priority."))
    if channel not in TicketChannel.values:
        add_error(errors, "channel", _("Unknown channel."))
    source_kind = clean_text(source_kind, "source_kind", errors, max_length=20)
    source_id = clean_text(str(source_id or ""), "source_id", errors, max_length=64)
    _check_assignee(workspace, assignee, errors)
    if errors:
        raise ValidationError(errors)
    if person is not None:
        ensure_same_workspace(workspace, person, "person")
    if thread is not None:
        ensure_same_workspace(workspace, thread, "thread")
        person = person or thread.person
    now = now or timezone.now()
    ticket = Ticket.objects.create(
        workspace=workspace,
        title=title,
        description=description,
        category=category,
        priority=priority,
        channel=channel,
        person=person,
        thread=thread,
        source_kind=source_kind,
        source_id=source_id,
        assignee=assignee,
        due_at=ticket_due(workspace, now, priority),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if now != ticket.created_at:
        Ticket.objects.filter(pk=ticket.pk).update(created_at=now)
        ticket.created_at = now
    TicketChange.objects.create(
        workspace=workspace,
        ticket=ticket,
        actor=ticket.created_by,
        from_status="",
        to_status=ticket.status,
        created_at=now,
    )
    audit_record(
        workspace=workspace,
        actor=actor if actor is not None else SYSTEM,
        action="ticket.create",
        obj=ticket,
        after={"channel": channel, "category": category, "priority": priority, "thread": ticket.thread_id},
    )
    return ticket


def ticket_from_thread(*, workspace: Workspace, actor: Any, thread: Thread) -> Ticket:
    """Open a ticket from an inbox thread: its latest message is the description, its priority kept."""
    ensure_same_workspace(workspace, thread, "thread")
    preview = (thread.preview or "").strip()
    title = preview[:60] or _("Inbox thread %(id)s") % {"id": thread.pk}
    category = TicketCategory.COMPLAINT if thread.intent == "complaint" else TicketCategory.QUESTION
    priority = thread.priority if thread.priority in TicketPriority.values else TicketPriority.NORMAL
    return ticket_create(
        workspace=workspace,
        actor=actor,
        title=title,
        description=preview,
        category=category,
        priority=priority,
        channel=TicketChannel.INBOX,
        thread=thread,
    )


@transaction.atomic
def ticket_update(
    *, workspace: Workspace, actor: Any, ticket: Ticket, note: str = "", **fields: Any
) -> Ticket:
    """Change a ticket's status, assignee, priority or category; each change is a step of its history."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.COMMUNITY_EDIT)
    ensure_same_workspace(workspace, ticket, "ticket")
    allowed = {"status", "assignee", "priority", "category"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError({f: [_("This field cannot be changed.")] for f in sorted(unknown)})
    errors: Errors = {}
    note = clean_text(note, "note", errors, max_length=1000)
    if "status" in fields and fields["status"] not in TicketStatus.values:
        add_error(errors, "status", _("Unknown status."))
    if "priority" in fields and fields["priority"] not in TicketPriority.values:
        add_error(errors, "priority", _("Unknown priority."))
    if "category" in fields and fields["category"] not in TicketCategory.values:
        add_error(errors, "category", _("Unknown category."))
    if "assignee" in fields:
        _check_assignee(workspace, fields["assignee"], errors)
    if errors:
        raise ValidationError(errors)
    row = Ticket.objects.select_for_update().get(pk=ticket.pk)
    old_status = row.status
    changed: list[str] = []
    for name, value in fields.items():
        current = row.assignee_id if name == "assignee" else getattr(row, name)
        new = getattr(value, "pk", None) if name == "assignee" else value
        if current != new:
            setattr(row, name, value)
            changed.append(name)
    now = timezone.now()
    if "priority" in changed and row.status in TICKET_ACTIVE:
        row.due_at = ticket_due(workspace, row.created_at, row.priority)
    if "status" in changed:
        if row.status in DONE and row.resolved_at is None:
            row.resolved_at = now
        elif row.status not in DONE:
            row.resolved_at = None  # reopened: the clock runs again
    if not changed and not note:
        return row
    row.save()
    TicketChange.objects.create(
        workspace=workspace,
        ticket=row,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        from_status=old_status,
        to_status=row.status,
        fields=[c for c in changed if c != "status"],
        note=note,
    )
    audit_record(
        workspace=workspace,
        actor=actor,
        action="ticket.update",
        obj=row,
        before={"status": old_status},
        after={"status": row.status, "fields": changed},
    )
    return row


def ticket_keep_as_idea(*, workspace: Workspace, actor: Any, ticket: Ticket) -> Idea:
    """Keep the ticket's feedback as an idea (once; needs Perm.CAMPAIGN_EDIT, checked by idea_collect)."""
    ensure_same_workspace(workspace, ticket, "ticket")
    text = f"{ticket.title}\n{ticket.description}".strip()
    return idea_collect(
        workspace=workspace,
        actor=actor,
        text=text,
        source="ticket",
        source_id=str(ticket.pk),
        person=ticket.person,
    )


def overdue_check(*, now: dt.datetime | None = None) -> int:
    """Mark every active ticket past its target once and alert its assignee (or the team); how many."""
    now = now or timezone.now()
    due = (
        Ticket.objects.filter(status__in=TICKET_ACTIVE, due_at__lte=now, overdue_at__isnull=True)
        .select_related("workspace")
        .order_by("due_at", "pk")[:1000]
    )
    marked = 0
    users = get_user_model()
    for ticket in due:
        with transaction.atomic():
            if not Ticket.objects.filter(pk=ticket.pk, overdue_at__isnull=True).update(overdue_at=now):
                continue
            ids = (
                {ticket.assignee_id} if ticket.assignee_id else {m.user_id for m in editors(ticket.workspace)}
            )
            detail = _("Past its target (%(due)s): %(title)s") % {
                "due": timezone.localtime(ticket.due_at, ticket.workspace.tz).strftime("%Y-%m-%d %H:%M"),
                "title": ticket.title[:80],
            }
            for user in users.objects.filter(pk__in=ids):
                try:
                    with transaction.atomic():
                        TicketAlert.objects.create(
                            workspace=ticket.workspace, user=user, ticket=ticket, detail=detail[:300]
                        )
                except IntegrityError:  # alerted before for this ticket
                    pass
            audit_record(
                workspace=ticket.workspace,
                actor=SYSTEM,
                action="ticket.overdue",
                obj=ticket,
                after={"due_at": ticket.due_at, "priority": ticket.priority},
            )
            marked += 1
    return marked


def ticket_alert_mark_read(*, workspace: Workspace, actor: Any, alert_ids: list[int] | None = None) -> int:
    """Mark one's own overdue-ticket alerts read (all when no ids are given); how many changed."""
    # Only the caller's own unread alerts: reading is personal, so no permission beyond membership.
    rows = TicketAlert.objects.filter(workspace=workspace, user=actor, read_at__isnull=True)
    if alert_ids is not None:
        rows = rows.filter(pk__in=alert_ids)
    return rows.update(read_at=timezone.now())
