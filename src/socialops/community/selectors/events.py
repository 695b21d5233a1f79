"""Reads of events: the list with its counts, one event's registrations, wait list and attendance."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from socialops.workspaces.models import Workspace
from socialops.workspaces.selectors import member_row_or_404, member_rows

from ..models.events import Event, EventStatus, Registration, RegistrationStatus

PAGE_SIZE = 50


def event_list(*, workspace: Workspace, user: Any, when: str = "") -> QuerySet[Event]:
    """The workspace's events with their counts, the soonest upcoming first ("past": latest first)."""
    rows = member_rows(Event, workspace=workspace, user=user).annotate(
        confirmed=Count("registrations", filter=Q(registrations__status=RegistrationStatus.CONFIRMED)),
        waiting=Count("registrations", filter=Q(registrations__status=RegistrationStatus.WAITLISTED)),
        checked_in=Count("registrations", filter=Q(registrations__checked_in_at__isnull=False)),
    )
    now = timezone.now()
    if when == "past":
        return rows.filter(ends_at__lt=now).order_by("-starts_at", "-pk")
    if when == "upcoming":
        return rows.filter(ends_at__gte=now).order_by("starts_at", "pk")
    return rows.order_by("-starts_at", "-pk")


def event_get(*, workspace: Workspace, user: Any, event_id: int) -> Event:
    """One event of the workspace (404 for another workspace's)."""
    return member_row_or_404(Event, workspace=workspace, user=user, pk=event_id)


def event_by_token(token: str) -> Event:
    """The published (or cancelled) event of a public registration page; 404 for drafts and unknown tokens."""
    event = (
        Event.objects.select_related("workspace")
        .filter(token=token)
        .exclude(status=EventStatus.DRAFT)
        .first()
    )
    if event is None:
        raise Http404
    return event


def registration_get(*, workspace: Workspace, user: Any, registration_id: int) -> Registration:
    """One registration of the workspace (404 for another workspace's)."""
    rows = member_rows(Registration, workspace=workspace, user=user).select_related("event", "person")
    return get_object_or_404(rows, pk=registration_id)


def registrations(
    *, workspace: Workspace, user: Any, event: Event, status: str = "", search: str = ""
) -> QuerySet[Registration]:
    """An event's registrations (wait list in its order); ``search`` matches the pseudonym number or name."""
    rows = (
        member_rows(Registration, workspace=workspace, user=user).filter(event=event).select_related("person")
    )
    if status:
        rows = rows.filter(status=status)
    if status == RegistrationStatus.WAITLISTED:
        rows = rows.order_by("queued_at", "pk")
    search = search.strip().lstrip("#")
    if search:
        match = Q(person__display_name__icontains=search)
        if search.isdigit():
            match |= Q(person_id=int(search)) | Q(pk=int(search))
        rows = rows.filter(match)
    return rows


def event_figures(*, workspace: Workspace, user: Any, event: Event) -> dict[str, int]:
    """How many are confirmed, waiting, cancelled and checked in, and the places left."""
    counts = (
        member_rows(Registration, workspace=workspace, user=user)
        .filter(event=event)
        .aggregate(
            confirmed=Count("pk", filter=Q(status=RegistrationStatus.CONFIRMED)),
            waiting=Count("pk", filter=Q(status=RegistrationStatus.WAITLISTED)),
            cancelled=Count("pk", filter=Q(status=RegistrationStatus.CANCELLED)),
            checked_in=Count("pk", filter=Q(checked_in_at__isnull=False)),
            manual=Count("pk", filter=Q(reminder="manual")),
        )
    )
    figures = {k: int(v or 0) for k, v in counts.items()}
    figures["left"] = max(0, event.capacity - figures["confirmed"])
    return figures


def registrations_by_day(*, workspace: Workspace, user: Any, event: Event) -> list[dict[str, Any]]:
    """Registrations and check-ins per local day, for the attendance chart."""
    rows = member_rows(Registration, workspace=workspace, user=user).filter(event=event)
    tz = workspace.tz
    made = dict(
        rows.annotate(day=TruncDate("created_at", tzinfo=tz)).values_list("day").annotate(n=Count("pk"))
    )
    ins = dict(
        rows.filter(checked_in_at__isnull=False)
        .annotate(day=TruncDate("checked_in_at", tzinfo=tz))
        .values_list("day")
        .annotate(n=Count("pk"))
    )
    days: list[dt.date] = sorted(set(made) | set(ins))
    return [{"day": d, "registered": made.get(d, 0), "checked_in": ins.get(d, 0)} for d in days]
