"""API: the marketing calendar — days, official holiday schedule and overrides, covered years, entries, feed."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from ninja import Field, File, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate
from ninja.params import FormEx, P, PathEx, QueryEx

from socialops.core.api import IsoDate, validation_messages
from socialops.core.imports import ImportRejectedOut, rejected_report
from socialops.core.time import local_today
from socialops.workspaces.access import ensure_perm
from socialops.workspaces.api import api_delete, api_object, api_workspace
from socialops.workspaces.roles import Perm

from ..models import CalendarEntry
from ..selectors import calendar as sel
from ..services import calendar as svc

router = Router(tags=["calendar"])

MAX_ID = 2_147_483_647
DAY = dt.timedelta(days=1)


# ---- schemas ---------------------------------------------------------------------------------


class CalendarItemOut(Schema):
    key: str
    kind: str
    kind_label: str
    name: str
    start: dt.date
    end: dt.date


class DayOut(Schema):
    date: dt.date
    workday: bool
    holiday: str | None
    makeup_workday: bool
    covered: bool
    note: str | None = Field(None, description="“no official holiday data for YEAR” where covered is false")
    entries: list[CalendarItemOut]


class HolidayOverrideOut(Schema):
    kind: str
    kind_label: str
    name: str


class HolidayStatusOut(Schema):
    date: dt.date
    kind: str = Field(..., description="holiday | makeup_workday | workday | weekend")
    kind_label: str
    name: str
    source: str = Field(..., description="library | override | rule")
    source_label: str
    covered: bool
    note: str | None
    override: HolidayOverrideOut | None


class HolidayOverrideIn(Schema):
    kind: str = Field(..., max_length=20, description="holiday | makeup_workday | workday")
    name: str = Field("", max_length=50)


class ScheduleDayOut(Schema):
    date: dt.date
    kind: str
    kind_label: str
    name: str
    source: str
    source_label: str
    overridden: str | None


class YearOut(Schema):
    year: int
    status: str = Field(..., description="library | admin | not_covered")
    status_label: str
    covered: bool
    source: str
    days: int = Field(..., description="official days entered by admins for this year")
    note: str | None


class CalendarImportOut(Schema):
    year: int
    days: int
    created: int
    updated: int
    deleted: int
    unchanged: int
    newly_covered: bool
    changed: bool
    message: str


class EntryOut(Schema):
    id: int
    key: str
    kind: str
    kind_label: str
    name: str
    start_date: dt.date
    end_date: dt.date
    description: str
    created_by: str | None
    created_at: dt.datetime


class EntryIn(Schema):
    kind: str = Field(..., max_length=20, description="hot_topic | brand_event | commerce | festival")
    name: str = Field(..., min_length=1, max_length=100)
    start_date: dt.date
    end_date: dt.date
    description: str = Field("", max_length=5000)


class EntryPatch(Schema):
    kind: str | None = Field(None, max_length=20)
    name: str | None = Field(None, min_length=1, max_length=100)
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    description: str | None = Field(None, max_length=5000)


class FeedPropsOut(Schema):
    kind: str
    key: str


class CalendarFeedEventOut(Schema):
    id: str
    title: str
    start: dt.date
    end: dt.date = Field(..., description="exclusive: the day after the last day")
    allDay: bool  # noqa: N815 (FullCalendar's field name)
    display: str | None = None
    classNames: list[str]  # noqa: N815
    extendedProps: FeedPropsOut  # noqa: N815


# ---- helpers ---------------------------------------------------------------------------------


def _status_out(status: sel.HolidayStatus) -> dict[str, Any]:
    override = status.override
    return {
        "date": status.date,
        "kind": status.kind,
        "kind_label": status.kind_label,
        "name": status.name,
        "source": status.source,
        "source_label": status.source_label,
        "covered": status.covered,
        "note": status.note,
        "override": None
        if override is None
        else {"kind": override.kind, "kind_label": override.get_kind_display(), "name": override.name},
    }


def _entry_out(entry: CalendarEntry) -> dict[str, Any]:
    return {
        "id": entry.pk,
        "key": f"entry:{entry.pk}",
        "kind": entry.kind,
        "kind_label": entry.get_kind_display(),
        "name": entry.name,
        "start_date": entry.start_date,
        "end_date": entry.end_date,
        "description": entry.description,
        "created_by": entry.created_by.get_username() if entry.created_by else None,
        "created_at": entry.created_at,
    }


def _rejected(errors: list[svc.LineError]) -> dict[str, Any]:
    message = ngettext(
        "The schedule was not imported: %(n)s problem found; nothing was changed.",
        "The schedule was not imported: %(n)s problems found; nothing was changed.",
        len(errors),
    ) % {"n": len(errors)}
    return rejected_report(errors, message)


def _feed_bound(value: str, field: str, *, end: bool) -> dt.date:
    """A FullCalendar bound: a date, or a date-time with or without offset (its local date is used).

    For the exclusive end, midnight means "up to the day before"; any later time includes that day.
    """
    try:
        if len(value) == 10:
            day = dt.date.fromisoformat(value)
            return day - DAY if end else day
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError({field: [_("Must be a date or a date and time (ISO 8601).")]}) from None
    if end and moment.time() == dt.time(0, 0):
        return moment.date() - DAY
    return moment.date()


# ---- days ------------------------------------------------------------------------------------


@router.get(
    "/workspaces/{slug}/calendar",
    response=list[DayOut],
    summary="The marketing calendar's days: workday, public holiday, 调休, coverage and entries",
)
@paginate
def calendar_day_list(
    request: HttpRequest,
    slug: str,
    date_from: QueryEx[IsoDate | None, P(alias="from", description="first date (default: today)")] = None,
    date_to: QueryEx[
        IsoDate | None, P(alias="to", description="last date, inclusive (default: from + 30 days)")
    ] = None,
) -> list[dict[str, Any]]:
    workspace = api_workspace(request, slug)
    start = date_from or local_today(workspace)
    if date_to is None:
        end = start + dt.timedelta(days=30) if start <= dt.date(2100, 12, 1) else start
    else:
        end = date_to
    days = sel.calendar_days(workspace=workspace, user=request.user, start=start, end=end)
    return [sel.day_as_dict(day) for day in days]


@router.get(
    "/workspaces/{slug}/calendar/feed",
    response=list[CalendarFeedEventOut],
    summary="FullCalendar event source: holidays, 调休, festivals, commerce days, entries, coverage warnings",
    description="Not paginated: FullCalendar expects a JSON array. At most 400 days per request.",
)
def calendar_feed(
    request: HttpRequest,
    slug: str,
    start: QueryEx[str, P(max_length=40, description="date or ISO date-time (FullCalendar's start)")],
    end: QueryEx[str, P(max_length=40, description="date or ISO date-time, exclusive (FullCalendar's end)")],
) -> list[dict[str, Any]]:
    workspace = api_workspace(request, slug)
    first = _feed_bound(start, "start", end=False)
    last = _feed_bound(end, "end", end=True)
    return sel.calendar_feed(workspace=workspace, user=request.user, start=first, last=last)


# ---- official schedule -----------------------------------------------------------------------


@router.get(
    "/workspaces/{slug}/calendar/covered-years",
    response=list[YearOut],
    summary="Which years' official holiday schedule is known (built in, entered by an admin, or not)",
)
@paginate
def covered_years(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    workspace = api_workspace(request, slug)
    return [
        {
            "year": y.year,
            "status": y.status,
            "status_label": y.status_label,
            "covered": y.covered,
            "source": y.source,
            "days": y.days,
            "note": y.note,
        }
        for y in sel.year_coverage(workspace=workspace, user=request.user)
    ]


@router.get(
    "/workspaces/{slug}/calendar/holidays",
    response=list[ScheduleDayOut],
    summary="A year's official days off and make-up workdays, with their source",
)
@paginate
def holiday_list(
    request: HttpRequest,
    slug: str,
    year: QueryEx[int | None, P(ge=2000, le=2100, description="default: this year")] = None,
) -> list[dict[str, Any]]:
    workspace = api_workspace(request, slug)
    days = sel.official_schedule(
        workspace=workspace, user=request.user, year=year or local_today(workspace).year
    )
    return [
        {
            "date": d.date,
            "kind": d.kind,
            "kind_label": d.kind_label,
            "name": d.name,
            "source": d.source,
            "source_label": d.source_label,
            "overridden": d.overridden,
        }
        for d in days
    ]


@router.get(
    "/workspaces/{slug}/calendar/holidays/{date}",
    response=HolidayStatusOut,
    summary="What the official schedule says about one date, and this workspace's override of it",
)
def holiday_get(request: HttpRequest, slug: str, date: dt.date) -> dict[str, Any]:
    workspace = api_workspace(request, slug)
    return _status_out(sel.holiday_status(workspace=workspace, user=request.user, date=date))


@router.put(
    "/workspaces/{slug}/calendar/holidays/{date}",
    response=HolidayStatusOut,
    summary="Enter or correct one day of the official schedule (admins)",
)
def holiday_put(request: HttpRequest, slug: str, date: dt.date, payload: HolidayOverrideIn) -> dict[str, Any]:
    workspace = api_workspace(request, slug)
    svc.holiday_override_set(
        workspace=workspace, actor=request.user, date=date, kind=payload.kind, name=payload.name
    )
    return _status_out(sel.holiday_status(workspace=workspace, user=request.user, date=date))


@router.delete(
    "/workspaces/{slug}/calendar/holidays/{date}",
    response={204: None},
    summary="Remove the override of one date (admins)",
)
def holiday_delete(request: HttpRequest, slug: str, date: dt.date) -> Status[None]:
    workspace = api_workspace(request, slug)
    svc.holiday_override_delete(workspace=workspace, actor=request.user, date=date)
    return Status(204, None)


@router.post(
    "/workspaces/{slug}/calendar/schedule-import",
    response={200: CalendarImportOut, 400: ImportRejectedOut},
    summary="Import a year's official schedule as “date,kind,name” lines (admins; whole or nothing)",
    description=(
        "Send `year` and either `file` (UTF-8 or GB18030 text/CSV) or `text`. Kinds: holiday (放假/休) or "
        "makeup_workday (调休/上班/补班). Replaces the year's overrides and marks the year covered."
    ),
)
def schedule_import(
    request: HttpRequest,
    slug: str,
    year: FormEx[int, P(ge=2000, le=2100, description="the schedule's year")],
    text: FormEx[str, P(max_length=svc.MAX_IMPORT_BYTES, description="the lines, if no file")] = "",
    source: FormEx[str, P(max_length=svc.SOURCE_MAX, description="e.g. the State Council notice")] = "",
    file: File[UploadedFile | None] = None,
) -> Any:
    workspace = api_workspace(request, slug)
    # Checked before the upload is read, so a member without the role learns nothing from it.
    ensure_perm(workspace=workspace, user=request.user, perm=Perm.WORKSPACE_MANAGE)
    if file is not None:
        if file.size is not None and file.size > svc.MAX_IMPORT_BYTES:
            error = svc.LineError(
                None,
                "file",
                _("The schedule is larger than %(kb)s KB.") % {"kb": svc.MAX_IMPORT_BYTES // 1000},
            )
            return Status(400, _rejected([error]))
        content: bytes | str = file.read()
    elif text.strip():
        content = text
    else:
        error = svc.LineError(None, "file", _("Upload a file or paste the schedule."))
        return Status(400, _rejected([error]))
    try:
        result = svc.official_schedule_import(
            workspace=workspace, actor=request.user, year=year, content=content, source=source
        )
    except svc.ScheduleImportRejected as exc:
        return Status(400, _rejected(exc.line_errors))
    except ValidationError as exc:
        errors = [
            svc.LineError(None, "" if field == "__all__" else field, message)
            for field, messages in validation_messages(exc).items()
            for message in messages
        ]
        return Status(400, _rejected(errors))
    return Status(200, {**vars(result), "changed": result.changed, "message": result.summary()})


# ---- entries ---------------------------------------------------------------------------------


@router.get(
    "/workspaces/{slug}/calendar/entries",
    response=list[EntryOut],
    summary="Hot topics, brand events and other entries",
)
@paginate
def entry_list(
    request: HttpRequest,
    slug: str,
    date_from: QueryEx[IsoDate | None, P(alias="from", description="entries ending on or after")] = None,
    date_to: QueryEx[IsoDate | None, P(alias="to", description="entries starting on or before")] = None,
    kind: QueryEx[str, P(max_length=20)] = "",
) -> list[dict[str, Any]]:
    workspace = api_workspace(request, slug)
    qs = sel.calendar_entry_list(
        workspace=workspace, user=request.user, start=date_from, end=date_to, kind=kind or None
    )
    return [_entry_out(e) for e in qs]


@router.post(
    "/workspaces/{slug}/calendar/entries", response={201: EntryOut}, summary="Add a hot topic or brand event"
)
def entry_create(request: HttpRequest, slug: str, payload: EntryIn) -> Status[dict[str, Any]]:
    workspace = api_workspace(request, slug)
    entry = svc.calendar_entry_create(workspace=workspace, actor=request.user, **payload.dict())
    return Status(201, _entry_out(entry))


@router.get("/workspaces/{slug}/calendar/entries/{entry_id}", response=EntryOut)
def entry_detail(
    request: HttpRequest, slug: str, entry_id: PathEx[int, P(ge=1, le=MAX_ID)]
) -> dict[str, Any]:
    workspace = api_workspace(request, slug)
    return _entry_out(sel.calendar_entry_get(workspace=workspace, user=request.user, entry_id=entry_id))


@router.patch("/workspaces/{slug}/calendar/entries/{entry_id}", response=EntryOut)
def entry_patch(
    request: HttpRequest, slug: str, entry_id: PathEx[int, P(ge=1, le=MAX_ID)], payload: EntryPatch
) -> dict[str, Any]:
    workspace, entry = api_object(request, slug, sel.calendar_entry_get, entry_id=entry_id)
    fields = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    svc.calendar_entry_update(workspace=workspace, actor=request.user, entry=entry, **fields)
    return _entry_out(sel.calendar_entry_get(workspace=workspace, user=request.user, entry_id=entry_id))


@router.delete("/workspaces/{slug}/calendar/entries/{entry_id}", response={204: None})
def entry_delete(request: HttpRequest, slug: str, entry_id: PathEx[int, P(ge=1, le=MAX_ID)]) -> Status[None]:
    return api_delete(
        request, slug, sel.calendar_entry_get, svc.calendar_entry_delete, "entry", entry_id=entry_id
    )
