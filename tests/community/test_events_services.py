"""Events: capacity and the wait list, one registration a person, cancellation, reminders, activity."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from socialops.community.models.events import Registration, RegistrationStatus, ReminderState
from socialops.community.services import events as svc
from socialops.fans.models import Interaction, InteractionKind, Person
from tests.factories import make_event, make_registration

pytestmark = pytest.mark.django_db


def _status(row: Registration) -> str:
    row.refresh_from_db()
    return row.status


def test_full_event_puts_people_on_the_wait_list_and_promotes_them_in_order(workspace: Any) -> None:
    event = make_event(workspace, capacity=2)
    a, b, c, d = (make_registration(event, n) for n in range(1, 5))
    assert [a.status, b.status, c.status, d.status] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]

    svc.registration_cancel(registration=a)

    assert _status(a) == RegistrationStatus.CANCELLED
    assert _status(c) == RegistrationStatus.CONFIRMED  # first in line moves up
    assert _status(d) == RegistrationStatus.WAITLISTED
    svc.registration_cancel(registration=b)
    assert _status(d) == RegistrationStatus.CONFIRMED


def test_a_larger_capacity_moves_the_wait_list_up(workspace: Any) -> None:
    event = make_event(workspace, capacity=1)
    make_registration(event, 1)
    waiting = make_registration(event, 2)
    svc.event_update(workspace=workspace, actor=None, event=event, capacity=2)
    assert _status(waiting) == RegistrationStatus.CONFIRMED


def test_one_registration_per_person_and_the_number_is_kept_encrypted(workspace: Any) -> None:
    event = make_event(workspace, capacity=5)
    first, created = svc.registration_create(event=event, name="李雷", phone="138 0013 0001")
    again, created_again = svc.registration_create(event=event, name="李雷", phone="+86 13800130001")
    assert created and not created_again and again.pk == first.pk
    assert Registration.objects.filter(event=event).count() == 1
    person = Person.objects.get(pk=first.person_id)
    assert "13800130001" not in person.contact_encrypted
    assert not Registration.objects.filter(event=event, email_encrypted__contains="@").exists()


def test_an_invalid_phone_is_refused_by_its_field_and_stores_nothing(workspace: Any) -> None:
    event = make_event(workspace)
    with pytest.raises(ValidationError) as caught:
        svc.registration_create(event=event, name="李雷", phone="12345")
    assert "phone" in caught.value.message_dict
    assert not Registration.objects.exists() and not Person.objects.exists()


def test_registration_outside_its_window_is_refused(workspace: Any) -> None:
    event = make_event(workspace, registration_opens_at=timezone.now() + dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="not opened"):
        make_registration(event, 1)


def test_registration_and_checkin_feed_the_persons_activity_once(workspace: Any) -> None:
    event = make_event(workspace)
    row = make_registration(event, 1)
    svc.registration_checkin(workspace=workspace, actor=None, registration=row)
    svc.registration_checkin(workspace=workspace, actor=None, registration=row)
    kinds = list(Interaction.objects.filter(person_id=row.person_id).values_list("kind", "meta"))
    assert sorted(kinds, key=lambda k: k[0]) == [
        (InteractionKind.CHECKIN, {"event": event.pk}),
        (InteractionKind.REGISTRATION, {"event": event.pk}),
    ]


def test_a_waitlisted_registration_cannot_check_in(workspace: Any) -> None:
    event = make_event(workspace, capacity=1)
    make_registration(event, 1)
    waiting = make_registration(event, 2)
    with pytest.raises(ValidationError):
        svc.registration_checkin(workspace=workspace, actor=None, registration=waiting)


def test_reminders_go_once_by_email_or_as_manual_reminders(workspace: Any) -> None:
    start = timezone.now() + dt.timedelta(hours=30)
    event = make_event(workspace, capacity=5, starts_at=start, reminder_hours=24)
    emailed = make_registration(event, 1, email="li@example.com")
    manual = make_registration(event, 2)

    assert svc.reminders_send(now=timezone.now()) == 0  # 30 h ahead: not yet
    later = start - dt.timedelta(hours=23)
    assert svc.reminders_send(now=later) == 2
    assert svc.reminders_send(now=later + dt.timedelta(minutes=5)) == 0

    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["li@example.com"]
    emailed.refresh_from_db()
    manual.refresh_from_db()
    assert emailed.reminder == ReminderState.EMAILED and manual.reminder == ReminderState.MANUAL
