"""Writes on events: creating and changing them, public registration with its wait list, cancellation,
check-in, and the reminders job.

Registration is the public's doing (no login), so ``registration_create`` and
``registration_cancel`` take no actor: the signed link is the permission. Check-in is a member's
(Perm.COMMUNITY_EDIT). A registration and a check-in each become one fans.Interaction of the person
(kind registration / checkin, ``meta["event"]``), stored once per registration.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from socialops.core.actors import SYSTEM
from socialops.core.validation import Errors, add_error, clean_text
from socialops.engagement.models.campaigns import Campaign
from socialops.fans.models import InteractionKind, InteractionSource
from socialops.fans.privacy import contact_decrypt, contact_encrypt
from socialops.fans.services.people import person_for_phone, person_interaction_record
from socialops.workspaces.access import ensure_same_workspace, require_perm
from socialops.workspaces.audit import audit_record, audit_saved, edit_snapshot
from socialops.workspaces.models import Workspace
from socialops.workspaces.roles import Perm

from ..models.events import (
    Event,
    EventKind,
    EventStatus,
    Registration,
    RegistrationStatus,
    ReminderState,
)

log = logging.getLogger(__name__)

# Salts of the signed registration links: one to check in (the QR code), one to see and cancel.
CHECKIN_SALT = "community.registration.checkin"
ACCESS_SALT = "community.registration.access"
EVENT_FIELDS = (
    "title",
    "description",
    "kind",
    "link",
    "venue",
    "starts_at",
    "ends_at",
    "capacity",
    "registration_opens_at",
    "registration_closes_at",
    "reminder_hours",
    "campaign",
    "status",
)


# ---- signed links ------------------------------------------------------------------------------


def registration_token(registration: Registration, salt: str = CHECKIN_SALT) -> str:
    """The signed token naming one registration (for its QR code or its own page)."""
    return signing.dumps({"r": registration.pk, "w": registration.workspace_id}, salt=salt, compress=True)


def registration_from_token(token: str, salt: str = CHECKIN_SALT) -> Registration | None:
    """The registration a signed token names, or None when the token is not ours."""
    try:
        data = signing.loads(token, salt=salt)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("r"), int) or not isinstance(data.get("w"), int):
        return None
    return (
        Registration.objects.select_related("event", "person", "workspace")
        .filter(pk=int(data["r"]), workspace_id=int(data["w"]))
        .first()
    )


# ---- events ------------------------------------------------------------------------------------


def _check_event(workspace: Workspace, event: Event) -> None:
    """Field errors of an event, in the user's language (raised together)."""
    errors: Errors = {}
    event.title = clean_text(event.title, "title", errors, max_length=150, required=True)
    event.description = clean_text(event.description, "description", errors, max_length=10_000)
    event.venue = clean_text(event.venue, "venue", errors, max_length=300)
    event.link = clean_text(event.link, "link", errors, max_length=500)
    if event.kind not in EventKind.values:
        add_error(errors, "kind", _("Choose online or offline."))
    elif event.kind == EventKind.ONLINE and not event.link:
        add_error(errors, "link", _("An online event needs its link."))
    elif event.kind == EventKind.OFFLINE and not event.venue:
        add_error(errors, "venue", _("An offline event needs its venue."))
    if event.status not in EventStatus.values:
        add_error(errors, "status", _("Unknown status."))
    if not event.starts_at:
        add_error(errors, "starts_at", _("This field is required."))
    if not event.ends_at:
        add_error(errors, "ends_at", _("This field is required."))
    elif event.starts_at and event.ends_at < event.starts_at:
        add_error(errors, "ends_at", _("The event cannot end before it starts."))
    if not event.capacity or event.capacity < 1:
        add_error(errors, "capacity", _("At least one place."))
    opens, closes = event.registration_opens_at, event.registration_closes_at
    if opens and closes and closes <= opens:
        add_error(errors, "registration_closes_at", _("Registration must close after it opens."))
    if event.campaign_id:
        campaign = Campaign.objects.filter(pk=event.campaign_id).first()
        if campaign is None or campaign.workspace_id != workspace.pk:
            add_error(errors, "campaign", _("Choose a campaign of this workspace."))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def event_create(*, workspace: Workspace, actor: Any, **fields: Any) -> Event:
    """Create an event (published unless told otherwise)."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.COMMUNITY_EDIT)
    unknown = set(fields) - set(EVENT_FIELDS)
    if unknown:
        raise ValidationError({f: [_("This field cannot be changed.")] for f in sorted(unknown)})
    event = Event(
        workspace=workspace, created_by=actor if getattr(actor, "is_authenticated", False) else None, **fields
    )
    _check_event(workspace, event)
    event.save()
    audit_saved(event, workspace=workspace, actor=actor, action="event.create")
    return event


@transaction.atomic
def event_update(*, workspace: Workspace, actor: Any, event: Event, **fields: Any) -> Event:
    """Change an event's details; a larger capacity moves people up from the wait list."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.COMMUNITY_EDIT)
    ensure_same_workspace(workspace, event, "event")
    unknown = set(fields) - set(EVENT_FIELDS)
    if unknown:
        raise ValidationError({f: [_("This field cannot be changed.")] for f in sorted(unknown)})
    event = Event.objects.select_for_update().get(pk=event.pk)
    before = edit_snapshot(event)
    for name, value in fields.items():
        setattr(event, name, value)
    _check_event(workspace, event)
    event.save()
    _promote(event)
    audit_saved(event, workspace=workspace, actor=actor, action="event.update", before=before)
    return event


# ---- registrations -----------------------------------------------------------------------------


def registration_email(registration: Registration) -> str:
    """The registrant's email for reminders ("" when none was given)."""
    if not registration.email_encrypted:
        return ""
    return str(contact_decrypt(registration.email_encrypted).get("email", ""))


def _confirmed_count(event: Event) -> int:
    return Registration.objects.filter(event=event, status=RegistrationStatus.CONFIRMED).count()


def registration_open(event: Event, now: dt.datetime | None = None) -> str:
    """Why the event takes no registration now ("" when it does)."""
    now = now or timezone.now()
    if event.status != EventStatus.PUBLISHED:
        return _("This event does not take registrations.")
    if event.registration_opens_at and now < event.registration_opens_at:
        return _("Registration has not opened yet.")
    if (event.registration_closes_at and now >= event.registration_closes_at) or now >= event.ends_at:
        return _("Registration is closed.")
    return ""


def _record(registration: Registration, kind: str, at: dt.datetime) -> None:
    """The person's interaction for a registration or a check-in (once per registration)."""
    event = registration.event
    meta: dict[str, Any] = {"event": event.pk}
    if event.campaign_id:
        meta["campaign"] = event.campaign_id
    person_interaction_record(
        workspace=registration.workspace,
        person=registration.person,
        kind=kind,
        occurred_at=at,
        source=InteractionSource.PAGE,
        external_id=f"{kind}:{registration.pk}",
        meta=meta,
        text=event.title,
    )


@transaction.atomic
def registration_create(
    *, event: Event, name: str, phone: str, email: str = "", now: dt.datetime | None = None
) -> tuple[Registration, bool]:
    """Register a person on the public page: a place, or the wait list when full; (registration, created).

    The same number twice is the same registration (a cancelled one is taken up again).
    """
    stamp = now  # a given moment (the demo's history) also dates the registration
    now = now or timezone.now()
    errors: Errors = {}
    name = clean_text(name, "name", errors, max_length=100, required=True)
    email = clean_text(email, "email", errors, max_length=254)
    if email:
        try:
            validate_email(email)
        except ValidationError:
            add_error(errors, "email", _("Enter a valid email address."))
    if not str(phone or "").strip():
        add_error(errors, "phone", _("Enter your mobile phone number."))
    if errors:
        raise ValidationError(errors)
    # Locking the event serialises registrations, so two people never take the last place.
    event = Event.objects.select_for_update().select_related("workspace").get(pk=event.pk)
    closed = registration_open(event, now)
    if closed:
        raise ValidationError({"__all__": [closed]})
    person, _new = person_for_phone(workspace=event.workspace, phone=phone, display_name=name)
    full = _confirmed_count(event) >= event.capacity
    status = RegistrationStatus.WAITLISTED if full else RegistrationStatus.CONFIRMED
    existing = Registration.objects.filter(event=event, person=person).first()
    if existing is not None and existing.status != RegistrationStatus.CANCELLED:
        return existing, False
    row = existing or Registration(workspace=event.workspace, event=event, person=person)
    row.status = status
    row.queued_at = now if full else None
    row.cancelled_at = None
    row.promoted_at = None
    row.email_encrypted = contact_encrypt({"email": email}) if email else ""
    row.save()
    if stamp is not None:
        Registration.objects.filter(pk=row.pk).update(created_at=stamp)
        row.created_at = stamp
    row.event = event
    _record(row, InteractionKind.REGISTRATION, now)
    audit_record(
        workspace=event.workspace,
        actor=SYSTEM,
        action="registration.create",
        obj=row,
        after={"event": event.pk, "person": person.pk, "status": status},
    )
    return row, True


def _promote(event: Event) -> list[Registration]:
    """Move people up from the wait list, earliest first, while places are free (event row locked)."""
    free = event.capacity - _confirmed_count(event)
    if free <= 0:
        return []
    waiting = list(
        Registration.objects.select_for_update()
        .filter(event=event, status=RegistrationStatus.WAITLISTED)
        .order_by("queued_at", "pk")[:free]
    )
    now = timezone.now()
    for row in waiting:
        row.status = RegistrationStatus.CONFIRMED
        row.promoted_at = now
        row.save(update_fields=["status", "promoted_at"])
        audit_record(
            workspace=event.workspace,
            actor=SYSTEM,
            action="registration.promote",
            obj=row,
            after={"event": event.pk, "status": row.status},
        )
        address = registration_email(row)
        if address:
            subject = _("You have a place at %(title)s") % {"title": event.title}
            transaction.on_commit(_sender(address, subject))
    return waiting


@transaction.atomic
def registration_cancel(*, registration: Registration, actor: Any = None) -> Registration:
    """Cancel a registration (the registrant's signed link, or a member); the wait list moves up."""
    if actor is not None:
        require_perm(workspace=registration.workspace, actor=actor, perm=Perm.COMMUNITY_EDIT)
    event = Event.objects.select_for_update().select_related("workspace").get(pk=registration.event_id)
    row = Registration.objects.select_for_update().get(pk=registration.pk)
    if row.status == RegistrationStatus.CANCELLED:
        return row
    if row.checked_in_at is not None:
        raise ValidationError({"__all__": [_("Already checked in: the registration cannot be cancelled.")]})
    row.status = RegistrationStatus.CANCELLED
    row.cancelled_at = timezone.now()
    row.save(update_fields=["status", "cancelled_at"])
    audit_record(
        workspace=event.workspace,
        actor=actor if actor is not None else SYSTEM,
        action="registration.cancel",
        obj=row,
        after={"event": event.pk},
    )
    _promote(event)
    return row


@transaction.atomic
def registration_checkin(
    *, workspace: Workspace, actor: Any, registration: Registration, now: dt.datetime | None = None
) -> tuple[Registration, bool]:
    """Check a registrant in at the door; (registration, True) the first time, (…, False) once already in."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.COMMUNITY_EDIT)
    ensure_same_workspace(workspace, registration, "registration")
    now = now or timezone.now()
    row = Registration.objects.select_for_update().select_related("event", "person").get(pk=registration.pk)
    if row.checked_in_at is not None:
        return row, False
    if row.status != RegistrationStatus.CONFIRMED:
        raise ValidationError({"__all__": [_("Only a confirmed registration can check in.")]})
    row.checked_in_at = now
    row.checked_in_by = actor if getattr(actor, "is_authenticated", False) else None
    row.save(update_fields=["checked_in_at", "checked_in_by"])
    _record(row, InteractionKind.CHECKIN, now)
    audit_record(
        workspace=workspace,
        actor=actor,
        action="registration.checkin",
        obj=row,
        after={"event": row.event_id},
    )
    return row, True


@transaction.atomic
def reminder_mark_done(*, workspace: Workspace, actor: Any, registration: Registration) -> Registration:
    """Record that a pending manual reminder was given by hand."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.COMMUNITY_EDIT)
    ensure_same_workspace(workspace, registration, "registration")
    Registration.objects.filter(pk=registration.pk, reminder=ReminderState.MANUAL).update(
        reminder=ReminderState.DONE
    )
    registration.refresh_from_db()
    audit_record(workspace=workspace, actor=actor, action="registration.reminded", obj=registration)
    return registration


def _sender(address: str, subject: str) -> Callable[[], None]:
    """Send a short notice once the transaction commits (a rolled-back promotion sends nothing)."""
    return lambda: _send(address, subject, subject)


# ---- reminders ---------------------------------------------------------------------------------


def _send(address: str, subject: str, body: str) -> None:
    """One email through Django's backend; a failure is logged (the reminder is not sent twice)."""
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
    except Exception:  # noqa: BLE001 - a mail server's refusal must not undo the job's marks
        log.warning("event reminder email failed", exc_info=True)


def reminders_send(*, now: dt.datetime | None = None) -> int:
    """Remind every confirmed registrant whose event starts within its reminder hours, once; how many.

    With an email the reminder is sent through Django's email backend; without one it is recorded
    as a manual reminder for the team. The mark is set before sending, so a rerun never sends twice.
    """
    now = now or timezone.now()
    due = (
        Registration.objects.filter(
            status=RegistrationStatus.CONFIRMED,
            reminded_at__isnull=True,
            event__status=EventStatus.PUBLISHED,
            event__reminder_hours__gt=0,
            event__starts_at__gt=now,
        )
        .select_related("event", "workspace")
        .order_by("event__starts_at", "pk")[:2000]
    )
    sent = 0
    for row in due:
        event = row.event
        if event.starts_at - dt.timedelta(hours=event.reminder_hours) > now:
            continue
        address = registration_email(row)
        state = ReminderState.EMAILED if address else ReminderState.MANUAL
        with transaction.atomic():
            marked = Registration.objects.filter(pk=row.pk, reminded_at__isnull=True).update(
                reminded_at=now, reminder=state
            )
            if not marked:
                continue
            audit_record(
                workspace=row.workspace,
                actor=SYSTEM,
                action="registration.remind",
                obj=row,
                after={"event": event.pk, "reminder": state},
            )
        if address:
            local = timezone.localtime(event.starts_at, row.workspace.tz).strftime("%Y-%m-%d %H:%M")
            subject = _("Reminder: %(title)s starts at %(when)s") % {"title": event.title, "when": local}
            where = event.link if event.kind == EventKind.ONLINE else event.venue
            _send(address, subject, f"{subject}\n{where}")
        sent += 1
    return sent
