"""Pages of the community app: events (staff pages, the door check-in) and public registration."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from socialops.core import throttle
from socialops.core.view_helpers import apply_form, run_and_say
from socialops.workspaces.access import user_can
from socialops.workspaces.decorators import WorkspaceRequest, workspace_view
from socialops.workspaces.roles import Perm

from ..forms.events import EventForm, RegisterForm
from ..models.events import Event, Registration, RegistrationStatus
from ..presenters import events as pres
from ..selectors import events as sel
from ..services import events as svc
from .tickets import tickets_public_urlpatterns, tickets_urlpatterns

# Public registration: at most this many posts per address in REGISTER_WINDOW seconds.
REGISTER_LIMIT = 10
REGISTER_WINDOW = 600


def _event_fields(form: EventForm) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    data["link"] = data.get("link") or ""
    data["venue"] = data.get("venue") or ""
    data["description"] = data.get("description") or ""
    return data


@workspace_view()
def event_list(request: WorkspaceRequest) -> HttpResponse:
    """Events, upcoming or past, with registrations, wait list and check-ins."""
    when = request.GET.get("when", "upcoming")
    when = when if when in ("upcoming", "past", "all") else "upcoming"
    rows = sel.event_list(workspace=request.workspace, user=request.user, when="" if when == "all" else when)
    page = Paginator(rows, sel.PAGE_SIZE).get_page(request.GET.get("page"))
    can_edit = user_can(workspace=request.workspace, user=request.user, perm=Perm.COMMUNITY_EDIT)
    return render(
        request,
        "community/events/list.html",
        {"page": page, "events": list(page), "when": when, "can_edit": can_edit, "query": f"when={when}"},
    )


@workspace_view(Perm.COMMUNITY_EDIT)
def event_create(request: WorkspaceRequest) -> HttpResponse:
    """A new event."""
    workspace = request.workspace
    form = EventForm(request.POST or None, workspace=workspace)
    if request.method == "POST":
        event = apply_form(
            form, lambda: svc.event_create(workspace=workspace, actor=request.user, **_event_fields(form))
        )
        if event is not None:
            messages.success(request, _("Event created."))
            return redirect("event_detail", slug=workspace.slug, event_id=event.pk)
    return render(
        request,
        "web/form_page.html",
        {
            "form": form,
            "title": _("New event"),
            "submit": _("Create"),
            "cancel_url": reverse("event_list", kwargs={"slug": workspace.slug}),
        },
    )


@workspace_view(Perm.COMMUNITY_EDIT)
def event_edit(request: WorkspaceRequest, event_id: int) -> HttpResponse:
    """Change an event's details."""
    workspace = request.workspace
    event = sel.event_get(workspace=workspace, user=request.user, event_id=event_id)
    initial = {name: getattr(event, name) for name in svc.EVENT_FIELDS}
    for name in ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at"):
        if initial[name] is not None:
            initial[name] = timezone.localtime(initial[name]).strftime("%Y-%m-%dT%H:%M")
    form = EventForm(request.POST or None, workspace=workspace, initial=initial)
    if request.method == "POST":
        done = apply_form(
            form,
            lambda: svc.event_update(
                workspace=workspace, actor=request.user, event=event, **_event_fields(form)
            ),
        )
        if done is not None:
            messages.success(request, _("Event saved."))
            return redirect("event_detail", slug=workspace.slug, event_id=event.pk)
    return render(
        request,
        "web/form_page.html",
        {
            "form": form,
            "title": _("Edit event"),
            "submit": _("Save"),
            "cancel_url": reverse("event_detail", kwargs={"slug": workspace.slug, "event_id": event.pk}),
        },
    )


def _rows(registrations: Any, identity: bool) -> list[dict[str, Any]]:
    return [{"r": r, "name": pres.registrant_name(r, identity=identity)} for r in registrations]


@workspace_view()
def event_detail(request: WorkspaceRequest, event_id: int) -> HttpResponse:
    """One event: its figures and attendance chart, the registrations, the wait list, manual check-in."""
    workspace, user = request.workspace, request.user
    event = sel.event_get(workspace=workspace, user=user, event_id=event_id)
    identity = user_can(workspace=workspace, user=user, perm=Perm.FANS_IDENTITY)
    figures = sel.event_figures(workspace=workspace, user=user, event=event)
    search = request.GET.get("q", "").strip()[:100]
    confirmed = sel.registrations(
        workspace=workspace, user=user, event=event, status=RegistrationStatus.CONFIRMED, search=search
    )
    waiting = sel.registrations(
        workspace=workspace, user=user, event=event, status=RegistrationStatus.WAITLISTED
    )
    cancelled = sel.registrations(
        workspace=workspace, user=user, event=event, status=RegistrationStatus.CANCELLED
    )
    days = sel.registrations_by_day(workspace=workspace, user=user, event=event)
    context = {
        "event": event,
        "figures": figures,
        "search": search,
        "confirmed": _rows(confirmed[:500], identity),
        "waiting": _rows(waiting[:500], identity),
        "cancelled": _rows(cancelled[:200], identity),
        "chart": pres.attendance_chart(days, figures) if days else None,
        "public_url": request.build_absolute_uri(reverse("event_register", kwargs={"token": event.token})),
        "can_edit": user_can(workspace=workspace, user=user, perm=Perm.COMMUNITY_EDIT),
    }
    return render(request, "community/events/detail.html", context)


@require_POST
@workspace_view(Perm.COMMUNITY_EDIT)
def registration_checkin(request: WorkspaceRequest, event_id: int, registration_id: int) -> HttpResponse:
    """Check a registrant in by hand from the event page."""
    workspace = request.workspace
    row = sel.registration_get(workspace=workspace, user=request.user, registration_id=registration_id)
    if row.event_id != event_id:
        raise Http404
    try:
        row, first = svc.registration_checkin(workspace=workspace, actor=request.user, registration=row)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if first:
            messages.success(request, _("Checked in."))
        else:
            messages.info(request, _("Already checked in at %(time)s.") % {"time": _clock(row)})
    return redirect("event_detail", slug=workspace.slug, event_id=event_id)


@require_POST
@workspace_view(Perm.COMMUNITY_EDIT)
def registration_cancel(request: WorkspaceRequest, event_id: int, registration_id: int) -> HttpResponse:
    """Cancel a registration for the registrant (the wait list moves up)."""
    workspace = request.workspace
    row = sel.registration_get(workspace=workspace, user=request.user, registration_id=registration_id)
    if row.event_id != event_id:
        raise Http404
    run_and_say(
        request,
        lambda: svc.registration_cancel(registration=row, actor=request.user),
        _("Registration cancelled."),
    )
    return redirect("event_detail", slug=workspace.slug, event_id=event_id)


@require_POST
@workspace_view(Perm.COMMUNITY_EDIT)
def registration_reminded(request: WorkspaceRequest, event_id: int, registration_id: int) -> HttpResponse:
    """Record that a manual reminder was given."""
    workspace = request.workspace
    row = sel.registration_get(workspace=workspace, user=request.user, registration_id=registration_id)
    if row.event_id != event_id:
        raise Http404
    run_and_say(
        request,
        lambda: svc.reminder_mark_done(workspace=workspace, actor=request.user, registration=row),
        _("Reminder recorded."),
    )
    return redirect("event_detail", slug=workspace.slug, event_id=event_id)


def _clock(row: Registration) -> str:
    assert row.checked_in_at is not None
    return timezone.localtime(row.checked_in_at, row.workspace.tz).strftime("%H:%M")


@workspace_view(Perm.COMMUNITY_EDIT)
def event_checkin(request: WorkspaceRequest, token: str) -> HttpResponse:
    """The door: what the phone opens on scanning a registration's QR code; a big button checks in once."""
    workspace = request.workspace
    row = svc.registration_from_token(token)
    if row is None or row.workspace_id != workspace.pk:
        raise Http404
    identity = user_can(workspace=workspace, user=request.user, perm=Perm.FANS_IDENTITY)
    outcome = ""
    if request.method == "POST":
        try:
            row, first = svc.registration_checkin(workspace=workspace, actor=request.user, registration=row)
            outcome = "done" if first else "already"
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    elif row.checked_in_at is not None:
        outcome = "already"
    context = {
        "row": row,
        "event": row.event,
        "name": pres.registrant_name(row, identity=identity),
        "outcome": outcome,
        "clock": _clock(row) if row.checked_in_at else "",
    }
    return render(request, "community/events/checkin.html", context)


# ---- public pages ------------------------------------------------------------------------------


def _public(
    request: HttpRequest, template: str, event: Event, context: dict[str, Any], status: int = 200
) -> Any:
    return render(
        request, template, {"event": event, "public_owner": event.workspace.name, **context}, status=status
    )


def event_register(request: HttpRequest, token: str) -> HttpResponse:
    """The public registration page of an event (no login, phone first, rate-limited)."""
    event = sel.event_by_token(token)
    closed = svc.registration_open(event)
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and not closed:
        if not throttle.allow(
            "event.register", throttle.client_address(request), limit=REGISTER_LIMIT, per=REGISTER_WINDOW
        ):
            message = _("Too many registrations from this address. Please try again in a few minutes.")
            return _public(
                request, "community/events/register.html", event, {"form": form, "closed": message}, 429
            )
        row = apply_form(
            form,
            lambda: svc.registration_create(
                event=event,
                name=form.cleaned_data["name"],
                phone=form.cleaned_data["phone"],
                email=form.cleaned_data.get("email") or "",
            )[0],
        )
        if row is not None:
            access = svc.registration_token(row, svc.ACCESS_SALT)
            return redirect("event_registration", token=event.token, access=access)
    return _public(request, "community/events/register.html", event, {"form": form, "closed": closed})


def _own(token: str, access: str) -> Registration:
    event = sel.event_by_token(token)
    row = svc.registration_from_token(access, svc.ACCESS_SALT)
    if row is None or row.event_id != event.pk:
        raise Http404
    return row


def event_registration(request: HttpRequest, token: str, access: str) -> HttpResponse:
    """The registrant's own page: where they stand, the QR code to show at the door, and a way to cancel."""
    row = _own(token, access)
    return _public(
        request,
        "community/events/registration.html",
        row.event,
        {"row": row, "access": access, "position": _position(row)},
    )


def _position(row: Registration) -> int | None:
    if row.status != RegistrationStatus.WAITLISTED or row.queued_at is None:
        return None
    ahead = Registration.objects.filter(
        event_id=row.event_id, status=RegistrationStatus.WAITLISTED, queued_at__lt=row.queued_at
    ).count()
    return ahead + 1


def event_registration_qr(request: HttpRequest, token: str, access: str) -> HttpResponse:
    """The registration's QR code as SVG: the signed check-in URL the door staff's phone opens."""
    row = _own(token, access)
    if row.status != RegistrationStatus.CONFIRMED:
        raise Http404
    url = request.build_absolute_uri(
        reverse("event_checkin", kwargs={"slug": row.workspace.slug, "token": svc.registration_token(row)})
    )
    response = HttpResponse(pres.qr_svg(url), content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_POST
def event_registration_cancel(request: HttpRequest, token: str, access: str) -> HttpResponse:
    """The registrant cancels through their signed link; the next on the wait list gets the place."""
    row = _own(token, access)
    if not throttle.allow("event.cancel", throttle.client_address(request), limit=30, per=REGISTER_WINDOW):
        return HttpResponse(_("Too many requests. Please try again in a few minutes."), status=429)
    try:
        svc.registration_cancel(registration=row)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("event_registration", token=token, access=access)


events_urlpatterns: list[URLPattern] = [
    path("events/", event_list, name="event_list"),
    path("events/new/", event_create, name="event_create"),
    path("events/checkin/<str:token>/", event_checkin, name="event_checkin"),
    path("events/<int:event_id>/", event_detail, name="event_detail"),
    path("events/<int:event_id>/edit/", event_edit, name="event_edit"),
    path(
        "events/<int:event_id>/registrations/<int:registration_id>/checkin/",
        registration_checkin,
        name="registration_checkin",
    ),
    path(
        "events/<int:event_id>/registrations/<int:registration_id>/cancel/",
        registration_cancel,
        name="registration_cancel",
    ),
    path(
        "events/<int:event_id>/registrations/<int:registration_id>/reminded/",
        registration_reminded,
        name="registration_reminded",
    ),
    *tickets_urlpatterns,
]
# Public pages (no login), mounted under /p/ in config/urls.py.
events_public_urlpatterns: list[URLPattern] = [
    path("events/<str:token>/", event_register, name="event_register"),
    path("events/<str:token>/r/<str:access>/", event_registration, name="event_registration"),
    path("events/<str:token>/r/<str:access>/qr.svg", event_registration_qr, name="event_registration_qr"),
    path(
        "events/<str:token>/r/<str:access>/cancel/",
        event_registration_cancel,
        name="event_registration_cancel",
    ),
    *tickets_public_urlpatterns,
]
