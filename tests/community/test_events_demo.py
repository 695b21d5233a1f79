"""The demo's events and tickets: a full meetup with a wait list, a past workshop with check-ins, tickets in every state."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from socialops.community.models.events import Registration, Ticket, TicketStatus
from socialops.demo.events import seed_events

pytestmark = pytest.mark.django_db


def test_seed_events_makes_registrations_wait_list_checkins_and_tickets_of_every_state(
    workspace: Any,
) -> None:
    figures = seed_events(workspace, timezone.localdate())
    assert figures["checked_in"] == 5
    statuses = set(Registration.objects.values_list("status", flat=True))
    assert statuses == {"confirmed", "waitlisted", "cancelled"}
    assert Registration.objects.filter(checked_in_at__isnull=False).count() == 5
    assert set(Ticket.objects.values_list("status", flat=True)) == set(TicketStatus.values)
