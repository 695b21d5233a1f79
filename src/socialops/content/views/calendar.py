"""Pages: the official holiday schedule (节假日与调休) and hot topics and brand events (热点与品牌活动).

The FullCalendar planning page is in views/plan.py; it shows these through the API's feed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from socialops.core.time import local_today
from socialops.core.view_helpers import submitted
from socialops.workspaces.decorators import WorkspaceRequest, workspace_view
from socialops.workspaces.roles import Perm

from .. import holidays
from ..forms.calendar import CalendarEntryForm, HolidayOverrideForm, ScheduleImportForm
from ..models import CalendarEntry
from ..selectors import calendar as sel
from ..services import calendar as svc

MONTH_CHOICES = (1, 2, 3, 6, 12)
DEFAULT_MONTHS = 3


def _holidays_url(slug: str, year: int) -> str:
    return f"{reverse('calendar_holidays', kwargs={'slug': slug})}?year={year}"


def _year_param(request: WorkspaceRequest, default: int) -> int:
    try:
        year = int(request.GET.get("year", default))
    except ValueError:
        return default
    return year if sel.EARLIEST.year <= year <= sel.LATEST.year else default


def _first_uncovered_year(coverage: list[sel.YearCoverage], today: dt.date) -> int:
    # The year an admin most likely wants to enter next: the first one from this year on without data.
    for row in coverage:
        if row.year >= today.year and not row.covered:
            return row.year
    return today.year + 1


def _holidays_page(
    request: WorkspaceRequest,
    *,
    year: int | None = None,
    override_form: HolidayOverrideForm | None = None,
    import_form: ScheduleImportForm | None = None,
    report: list[svc.LineError] | None = None,
) -> HttpResponse:
    """The schedule page; a rejected form is shown again on it (status 200, like any invalid form)."""
    workspace = request.workspace
    today = local_today(workspace)
    year = year or _year_param(request, today.year)
    coverage = sel.year_coverage(workspace=workspace, user=request.user, today=today)
    this_year = next((row for row in coverage if row.year == year), None)
    if this_year is None:
        # A year outside the listed span (far past or future): work out its status the same way.
        status = sel.COVERED_LIBRARY if holidays.library_covers(year) else sel.NOT_COVERED
        this_year = sel.YearCoverage(year, status)
    days = sel.official_schedule(workspace=workspace, user=request.user, year=year)
    context = {
        "year": year,
        "years": [row.year for row in coverage],
        "coverage": coverage,
        "year_coverage": this_year,
        "days": days,
        "holiday_count": sum(1 for d in days if d.kind == sel.DAY_HOLIDAY),
        "makeup_count": sum(1 for d in days if d.kind == sel.DAY_MAKEUP),
        "override_form": override_form or HolidayOverrideForm(),
        "import_form": import_form
        or ScheduleImportForm(initial={"year": _first_uncovered_year(coverage, today)}),
        "report": report,
        "library_years": holidays.library_years(),
    }
    return render(request, "content/calendar/holidays.html", context)


@workspace_view()
def calendar_holidays(request: WorkspaceRequest) -> HttpResponse:
    """The official schedule of a year with its sources, every year's coverage, overrides and the import."""
    return _holidays_page(request)


@require_POST
@workspace_view(Perm.WORKSPACE_MANAGE)
def calendar_holiday_override(request: WorkspaceRequest) -> HttpResponse:
    """Enter or correct one day of the official schedule."""
    workspace = request.workspace
    form = HolidayOverrideForm(request.POST)
    done = submitted(
        request,
        form,
        lambda: svc.holiday_override_set(
            workspace=workspace,
            actor=request.user,
            date=form.cleaned_data["date"],
            kind=form.cleaned_data["kind"],
            name=form.cleaned_data["name"],
        ),
        message=lambda override: (
            _("Saved the official schedule of %(date)s.") % {"date": override.date.isoformat()}
        ),
        to=lambda override: _holidays_url(workspace.slug, override.date.year),
    )
    if done is not None:
        return done
    chosen = form.cleaned_data.get("date") if hasattr(form, "cleaned_data") else None
    return _holidays_page(request, year=chosen.year if chosen else None, override_form=form)


@require_POST
@workspace_view(Perm.WORKSPACE_MANAGE)
def calendar_holiday_override_delete(request: WorkspaceRequest, date: str) -> HttpResponse:
    """Remove the override of one date, so the built-in data (or the weekday rule) applies again."""
    workspace = request.workspace
    try:
        day = dt.date.fromisoformat(date)
    except ValueError:
        raise Http404(_("Not found.")) from None
    svc.holiday_override_delete(workspace=workspace, actor=request.user, date=day)
    messages.success(request, _("Removed the override of %(date)s.") % {"date": day.isoformat()})
    return redirect(_holidays_url(workspace.slug, day.year))


@require_POST
@workspace_view(Perm.WORKSPACE_MANAGE)
def calendar_schedule_import(request: WorkspaceRequest) -> HttpResponse:
    """Import a year's official schedule; on any bad line show every problem and change nothing."""
    workspace = request.workspace
    form = ScheduleImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _holidays_page(request, import_form=form)
    year = form.cleaned_data["year"]
    try:
        result = svc.official_schedule_import(
            workspace=workspace,
            actor=request.user,
            year=year,
            content=form.content(),
            source=form.cleaned_data["source"],
        )
    except svc.ScheduleImportRejected as exc:
        return _holidays_page(request, year=year, import_form=form, report=exc.line_errors)
    except ValidationError as exc:
        form.add_service_errors(exc)
        return _holidays_page(request, import_form=form)
    (messages.success if result.changed else messages.info)(request, result.summary())
    return redirect(_holidays_url(workspace.slug, year))


# ---- hot topics and brand events -------------------------------------------------------------


def _months_param(request: WorkspaceRequest) -> int:
    try:
        months = int(request.GET.get("months", DEFAULT_MONTHS))
    except ValueError:
        return DEFAULT_MONTHS
    return months if months in MONTH_CHOICES else DEFAULT_MONTHS


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    # The same day of the month, or the month's last day when it is shorter.
    for dom in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, dom)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _events_page(request: WorkspaceRequest, *, form: CalendarEntryForm | None = None) -> HttpResponse:
    workspace = request.workspace
    today = local_today(workspace)
    months = _months_param(request)
    end = min(_add_months(today, months) - dt.timedelta(days=1), sel.LATEST)
    items = sel.calendar_link_choices(workspace=workspace, user=request.user, start=today, end=end)
    entries = {
        f"entry:{e.pk}": e
        for e in sel.calendar_entry_list(workspace=workspace, user=request.user, start=today, end=end)
    }
    rows = [
        {"item": item, "entry": entries.get(item.key), "kind_label": sel.item_kind_label(item.kind)}
        for item in items
    ]
    context = {
        "rows": rows,
        "start": today,
        "end": end,
        "months": months,
        "month_choices": MONTH_CHOICES,
        "uncovered": [
            holidays.uncovered_message(y)
            for y in sel.uncovered_years(workspace=workspace, start=today, end=end)
        ],
        "form": form or CalendarEntryForm(initial={"start_date": today, "end_date": today}),
        "festival_count": sum(1 for r in rows if r["entry"] is None),
        "entry_count": len(entries),
    }
    return render(request, "content/calendar/events.html", context)


@workspace_view()
def calendar_events(request: WorkspaceRequest) -> HttpResponse:
    """Festivals, commerce days, hot topics and brand events of the coming months."""
    return _events_page(request)


@require_POST
@workspace_view(Perm.CONTENT_EDIT)
def calendar_entry_create(request: WorkspaceRequest) -> HttpResponse:
    """Add a hot topic, brand event or extra festival/commerce day."""
    workspace = request.workspace
    form = CalendarEntryForm(request.POST)
    done = submitted(
        request,
        form,
        lambda: svc.calendar_entry_create(workspace=workspace, actor=request.user, **form.cleaned_data),
        message=lambda entry: _("Added “%(name)s” to the calendar.") % {"name": entry.name},
        to=reverse("calendar_events", kwargs={"slug": workspace.slug}),
    )
    return done or _events_page(request, form=form)


def _entry(request: WorkspaceRequest, entry_id: int) -> CalendarEntry:
    return sel.calendar_entry_get(
        workspace=request.workspace,
        user=request.user,
        entry_id=entry_id,
    )


@workspace_view(Perm.CONTENT_EDIT)
def calendar_entry_edit(request: WorkspaceRequest, entry_id: int) -> HttpResponse:
    """Change a calendar entry."""
    workspace = request.workspace
    entry = _entry(request, entry_id)
    if request.method == "POST":
        form = CalendarEntryForm(request.POST)
        done = submitted(
            request,
            form,
            lambda: svc.calendar_entry_update(
                workspace=workspace, actor=request.user, entry=entry, **form.cleaned_data
            ),
            message=lambda saved: _("Saved “%(name)s”.") % {"name": saved.name},
            to=reverse("calendar_events", kwargs={"slug": workspace.slug}),
        )
        if done is not None:
            return done
    else:
        form = CalendarEntryForm(
            initial={
                "kind": entry.kind,
                "name": entry.name,
                "start_date": entry.start_date,
                "end_date": entry.end_date,
                "description": entry.description,
            }
        )
    context: dict[str, Any] = {"form": form, "entry": entry}
    return render(request, "content/calendar/entry_form.html", context)


@require_POST
@workspace_view(Perm.CONTENT_EDIT)
def calendar_entry_delete(request: WorkspaceRequest, entry_id: int) -> HttpResponse:
    """Remove a calendar entry."""
    workspace = request.workspace
    entry = _entry(request, entry_id)
    name = entry.name
    svc.calendar_entry_delete(workspace=workspace, actor=request.user, entry=entry)
    messages.success(request, _("Removed “%(name)s” from the calendar.") % {"name": name})
    return redirect("calendar_events", slug=workspace.slug)


calendar_urlpatterns: list[URLPattern] = [
    path("calendar/holidays/", calendar_holidays, name="calendar_holidays"),
    path("calendar/holidays/override/", calendar_holiday_override, name="calendar_holiday_override"),
    path(
        "calendar/holidays/override/<str:date>/delete/",
        calendar_holiday_override_delete,
        name="calendar_holiday_override_delete",
    ),
    path("calendar/holidays/import/", calendar_schedule_import, name="calendar_schedule_import"),
    path("calendar/events/", calendar_events, name="calendar_events"),
    path("calendar/events/new/", calendar_entry_create, name="calendar_entry_create"),
    path("calendar/events/<int:entry_id>/edit/", calendar_entry_edit, name="calendar_entry_edit"),
    path("calendar/events/<int:entry_id>/delete/", calendar_entry_delete, name="calendar_entry_delete"),
]
