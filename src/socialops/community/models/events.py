"""Events with registration and check-in, and member feedback tickets.

An event (online with a link, offline with a venue) takes registrations on a public page up to its
capacity; later registrations wait in line and move up, in order, when someone cancels. A ticket is
a member's feedback or problem, followed from open to closed with its history and a target time.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from socialops.core.models import CreatedAtModel, TimestampedModel
from socialops.engagement.models import Thread
from socialops.engagement.models.campaigns import Campaign
from socialops.fans.models import Person
from socialops.workspaces.models import UserNotice, Workspace


def new_token() -> str:
    """A public, unguessable name for an event's registration page."""
    return secrets.token_urlsafe(12)


class EventKind(models.TextChoices):
    """Where an event takes place."""

    ONLINE = "online", _("Online")
    OFFLINE = "offline", _("Offline (at a venue)")


class EventStatus(models.TextChoices):
    """Whether an event takes registrations."""

    DRAFT = "draft", pgettext_lazy("event status", "Draft")
    PUBLISHED = "published", pgettext_lazy("event status", "Published")
    CANCELLED = "cancelled", pgettext_lazy("event status", "Cancelled")


class Event(TimestampedModel):
    """An online or offline event with a capacity, a registration window and a public registration page."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=EventKind.choices, default=EventKind.OFFLINE)
    link = models.URLField(_("online link"), max_length=500, blank=True)
    venue = models.CharField(_("venue"), max_length=300, blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    capacity = models.PositiveIntegerField(_("capacity"))
    registration_opens_at = models.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_closes_at = models.DateTimeField(_("registration closes"), null=True, blank=True)
    # Registrants are reminded this many hours before the start (0: no reminder).
    reminder_hours = models.PositiveIntegerField(_("remind hours before"), default=24)
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("campaign"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=EventStatus.choices, default=EventStatus.PUBLISHED
    )
    token = models.CharField(max_length=32, unique=True, default=new_token, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-starts_at", "-pk"]
        indexes = [models.Index(fields=["workspace", "starts_at"], name="event_ws_start")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gte=models.F("starts_at")), name="event_period_order"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="event_capacity_positive"),
        ]
        verbose_name = _("event")

    def __str__(self) -> str:
        return self.title


class RegistrationStatus(models.TextChoices):
    """Where a registration stands."""

    CONFIRMED = "confirmed", _("Confirmed")
    WAITLISTED = "waitlisted", _("On the wait list")
    CANCELLED = "cancelled", pgettext_lazy("registration status", "Cancelled")


class ReminderState(models.TextChoices):
    """How a registrant was (or is to be) reminded."""

    NONE = "", _("Not yet")
    EMAILED = "emailed", _("Emailed")
    MANUAL = "manual", _("To remind by hand")
    DONE = "done", _("Reminded by hand")


class Registration(CreatedAtModel):
    """One person's place at one event: confirmed, on the wait list (in order) or cancelled; checked in once."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    # Name and number live on the person, the number only in its encrypted contact details.
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=RegistrationStatus.choices)
    # Wait-list order: the earliest queued moves up first.
    queued_at = models.DateTimeField(null=True, blank=True)
    promoted_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # The optional email for reminders, encrypted like the person's contact details (fans.privacy).
    email_encrypted = models.TextField(blank=True)
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reminder = models.CharField(
        _("reminder"), max_length=10, choices=ReminderState.choices, default=ReminderState.NONE, blank=True
    )
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["workspace", "event", "status"], name="registration_ws_event")]
        constraints = [
            models.UniqueConstraint(fields=["event", "person"], name="uniq_registration_person"),
        ]
        verbose_name = _("registration")

    def __str__(self) -> str:
        return f"registration {self.pk}"


# ---- member feedback tickets -------------------------------------------------------------------


class TicketCategory(models.TextChoices):
    """What a ticket is about."""

    QUESTION = "question", _("Question")
    COMPLAINT = "complaint", _("Complaint")
    SUGGESTION = "suggestion", _("Suggestion")
    BUG = "bug", _("Product problem")
    OTHER = "other", _("Other")


class TicketPriority(models.TextChoices):
    """How soon a ticket must be resolved (each has its target, services.tickets.TARGET_HOURS)."""

    URGENT = "urgent", _("Urgent")
    HIGH = "high", _("High")
    NORMAL = "normal", _("Normal")
    LOW = "low", _("Low")


class TicketStatus(models.TextChoices):
    """Where the team is with a ticket."""

    OPEN = "open", pgettext_lazy("ticket status", "Open")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING = "waiting", _("Waiting for the member")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", pgettext_lazy("ticket status", "Closed")


# Statuses in which the target clock runs (a resolved or closed ticket cannot be late).
TICKET_ACTIVE = (TicketStatus.OPEN, TicketStatus.IN_PROGRESS, TicketStatus.WAITING)


class TicketChannel(models.TextChoices):
    """How a ticket came in."""

    INBOX = "inbox", _("Inbox thread")
    FORM = "form", _("Public feedback form")
    MANUAL = "manual", _("Entered by a member")


class Ticket(TimestampedModel):
    """A member's feedback or problem: category, priority, target time, assignee and status with history."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    category = models.CharField(
        _("category"), max_length=10, choices=TicketCategory.choices, default=TicketCategory.QUESTION
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=TicketPriority.choices, default=TicketPriority.NORMAL
    )
    status = models.CharField(
        _("status"), max_length=12, choices=TicketStatus.choices, default=TicketStatus.OPEN
    )
    channel = models.CharField(_("came in by"), max_length=10, choices=TicketChannel.choices)
    person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("person")
    )
    thread = models.ForeignKey(Thread, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # Where else it came from, by kind and id (e.g. "group", "12"): no foreign key to other parts' tables.
    source_kind = models.CharField(max_length=20, blank=True)
    source_id = models.CharField(max_length=64, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assignee"),
    )
    due_at = models.DateTimeField(_("resolve by"))
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    # Set once by the overdue check when the target ran out (never cleared: the report counts it).
    overdue_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["workspace", "status", "due_at"], name="ticket_ws_status_due"),
            models.Index(fields=["workspace", "created_at"], name="ticket_ws_created"),
        ]
        verbose_name = _("ticket")

    def __str__(self) -> str:
        return self.title


class TicketChange(CreatedAtModel):
    """One step of a ticket's history: a status change, a new assignee or priority, with an optional note."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="changes")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    from_status = models.CharField(max_length=12, choices=TicketStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=TicketStatus.choices)
    # Field names that changed besides the status (assignee, priority, category).
    fields = models.JSONField(default=list, blank=True)
    note = models.CharField(_("note"), max_length=1000, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["workspace", "ticket"], name="ticketchange_ws_ticket")]
        verbose_name = _("ticket change")

    def __str__(self) -> str:
        return f"{self.from_status}→{self.to_status}"


class TicketAlert(UserNotice):
    """A notice to one member that a ticket ran past its target time (one per ticket and member)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["workspace", "user", "read_at"], name="ticketalert_user")]
        constraints = [models.UniqueConstraint(fields=["ticket", "user"], name="uniq_ticketalert")]
        verbose_name = _("ticket alert")

    def __str__(self) -> str:
        return f"ticket alert {self.ticket_id}"
