"""Reads of the marketing calendar (R2.3): days with official holidays, 调休 and entries; coverage.

Every date is computed in memory after one query each for the workspace's overrides, covered
years and entries, so a 400-day range stays fast. Official data is never guessed: a date whose
year neither the library nor an admin covers is reported as not covered.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from socialops.core.querysets import filter_given
from socialops.core.time import local_today
from socialops.workspaces.access import membership_get
from socialops.workspaces.models import Workspace
from socialops.workspaces.selectors import member_rows

from .. import holidays
from ..calendar_types import CalendarDay, CalendarItem
from ..models import (
    CalendarEntry,
    CalendarEntryKind,
    HolidayOverride,
    HolidayOverrideKind,
    OfficialScheduleYear,
)

MAX_DAYS = 400
EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2100, 12, 31)
DAY = dt.timedelta(days=1)
MAX_ID = 2_147_483_647

# Where an official day comes from.
SOURCE_LIBRARY = "library"
SOURCE_OVERRIDE = "override"
SOURCE_RULE = "rule"
SOURCE_LABELS = {
    SOURCE_LIBRARY: gettext_lazy("State Council General Office notice (built in)"),
    SOURCE_OVERRIDE: gettext_lazy("Entered by an admin"),
    SOURCE_RULE: gettext_lazy("Weekday rule (Monday to Friday)"),
}

OFFICIAL_SOURCE = gettext_lazy("State Council General Office notice on public holidays")

# Coverage of a year's official schedule.
COVERED_LIBRARY = "library"
COVERED_ADMIN = "admin"
NOT_COVERED = "not_covered"
COVERAGE_LABELS = {
    COVERED_LIBRARY: gettext_lazy("Covered by the built-in official data"),
    COVERED_ADMIN: gettext_lazy("Entered by an admin"),
    NOT_COVERED: gettext_lazy("Not covered"),
}

# Kinds of a day in the official schedule.
DAY_HOLIDAY = holidays.HOLIDAY
DAY_MAKEUP = holidays.MAKEUP_WORKDAY
DAY_WORKDAY = "workday"
DAY_WEEKEND = "weekend"
DAY_KIND_LABELS = {
    DAY_HOLIDAY: gettext_lazy("Public holiday (day off)"),
    DAY_MAKEUP: gettext_lazy("Make-up workday (调休上班)"),
    DAY_WORKDAY: gettext_lazy("Workday"),
    DAY_WEEKEND: gettext_lazy("Weekend"),
}

ITEM_KIND_LABELS = {
    **dict(CalendarEntryKind.choices),
    "holiday": gettext_lazy("Public holiday"),
}


def item_kind_label(kind: str) -> str:
    """A calendar item's kind in the active language."""
    return str(ITEM_KIND_LABELS.get(kind, kind))


def check_range(start: Any, end: Any, *, max_days: int = MAX_DAYS, too_long: str | None = None) -> None:
    """Raise ValidationError unless start ≤ end, both in 2000–2100 and at most ``max_days`` days apart.

    ``too_long`` is the message for a longer range, with %(n)s for ``max_days``.
    """
    errors: dict[str, list[str]] = {}
    for value, name in ((start, "start"), (end, "end")):
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            errors[name] = [_("Enter a valid date.")]
        elif not EARLIEST <= value <= LATEST:
            errors[name] = [_("Enter a date between 2000 and 2100.")]
    if errors:
        raise ValidationError(errors)
    if end < start:
        raise ValidationError({"end": [_("The end date cannot be before the start date.")]})
    if (end - start).days + 1 > max_days:
        message = too_long if too_long is not None else _("Ask for at most %(n)s days at a time.")
        raise ValidationError({"end": [message % {"n": max_days}]})


def _days(start: dt.date, end: dt.date) -> Iterable[dt.date]:
    return (start + DAY * i for i in range((end - start).days + 1))


def entry_item(entry: CalendarEntry) -> CalendarItem:
    """A stored calendar entry as a linkable calendar item."""
    return CalendarItem(
        key=f"entry:{entry.pk}", kind=entry.kind, name=entry.name, start=entry.start_date, end=entry.end_date
    )


def _admin_years(workspace: Workspace, first: int, last: int) -> dict[int, OfficialScheduleYear]:
    rows = OfficialScheduleYear.objects.filter(workspace=workspace, year__gte=first, year__lte=last)
    return {row.year: row for row in rows}


def _official(day: dt.date, override: HolidayOverride | None) -> tuple[bool, str | None, bool]:
    """(workday, holiday name, make-up workday) of one date: the override wins over the library."""
    weekend = day.weekday() >= 5
    if override is not None:
        if override.kind == HolidayOverrideKind.HOLIDAY:
            return False, override.name or _("Public holiday"), False
        # Any worked Saturday or Sunday is a make-up workday (调休), whatever the override calls it.
        return True, None, weekend
    official = holidays.library_day(day)
    if official is not None:
        if official.kind == holidays.HOLIDAY:
            return False, official.name, False
        return True, None, True
    return not weekend, None, False


def official_days(*, workspace: Workspace, start: dt.date, end: dt.date) -> dict[dt.date, tuple[bool, bool]]:
    """(official holiday, make-up workday) of each date from ``start`` to ``end``, overrides applied; no entries.

    For working-time arithmetic (the inbox's response targets); at most 400 days per call.
    """
    check_range(start, end)
    overrides = {
        o.date: o for o in HolidayOverride.objects.filter(workspace=workspace, date__gte=start, date__lte=end)
    }
    result = {}
    for day in _days(start, end):
        _workday, holiday, makeup = _official(day, overrides.get(day))
        result[day] = (holiday is not None, makeup)
    return result


def calendar_days_for_system(*, workspace: Workspace, start: dt.date, end: dt.date) -> list[CalendarDay]:
    """Every date from ``start`` to ``end`` (inclusive) with its official status and entries (no user check).

    For the plan generator and other system code; at most 400 days per call.
    """
    check_range(start, end)
    overrides = {
        o.date: o for o in HolidayOverride.objects.filter(workspace=workspace, date__gte=start, date__lte=end)
    }
    admin_years = _admin_years(workspace, start.year, end.year)
    entries = CalendarEntry.objects.filter(workspace=workspace, start_date__lte=end, end_date__gte=start)

    items: dict[dt.date, list[CalendarItem]] = defaultdict(list)
    for item in holidays.festivals_between(start, end):
        items[item.start].append(item)
    for entry in entries.order_by("start_date", "name", "pk"):
        item = entry_item(entry)
        for day in _days(max(entry.start_date, start), min(entry.end_date, end)):
            items[day].append(item)

    covered_years = {
        year: holidays.library_covers(year) or year in admin_years for year in range(start.year, end.year + 1)
    }
    result = []
    for day in _days(start, end):
        workday, holiday, makeup = _official(day, overrides.get(day))
        result.append(
            CalendarDay(
                date=day,
                workday=workday,
                holiday=holiday,
                makeup_workday=makeup,
                covered=covered_years[day.year],
                entries=items.get(day, []),
            )
        )
    return result


def calendar_days(*, workspace: Workspace, user: Any, start: dt.date, end: dt.date) -> list[CalendarDay]:
    """The marketing calendar's days from ``start`` to ``end`` (inclusive) for a member; at most 400 days."""
    membership_get(workspace=workspace, user=user)
    return calendar_days_for_system(workspace=workspace, start=start, end=end)


def day_note(day: CalendarDay) -> str | None:
    """What a page or API says about a date without official data (None when covered)."""
    return None if day.covered else holidays.uncovered_message(day.date.year)


def item_as_dict(item: CalendarItem) -> dict[str, Any]:
    """A calendar item as JSON-ready data (dates as ISO strings)."""
    return {
        "key": item.key,
        "kind": item.kind,
        "kind_label": item_kind_label(item.kind),
        "name": item.name,
        "start": item.start.isoformat(),
        "end": item.end.isoformat(),
    }


def day_as_dict(day: CalendarDay) -> dict[str, Any]:
    """A calendar day as the CLI and the API show it."""
    return {
        "date": day.date.isoformat(),
        "workday": day.workday,
        "holiday": day.holiday,
        "makeup_workday": day.makeup_workday,
        "covered": day.covered,
        "note": day_note(day),
        "entries": [item_as_dict(i) for i in day.entries],
    }


def uncovered_years(*, workspace: Workspace, start: dt.date, end: dt.date) -> list[int]:
    """Years between ``start`` and ``end`` whose official holiday schedule nobody knows yet."""
    if end < start:
        return []
    admin_years = _admin_years(workspace, start.year, end.year)
    return [
        year
        for year in range(start.year, end.year + 1)
        if not holidays.library_covers(year) and year not in admin_years
    ]


def resolve_calendar_link(*, workspace: Workspace, key: str) -> CalendarItem | None:
    """The festival, commerce day or entry a content item's link key names (None if it names nothing)."""
    if not isinstance(key, str) or len(key) > 60:
        return None
    if key.startswith("entry:"):
        ident = key.removeprefix("entry:")
        if not ident.isdigit() or not 1 <= int(ident) <= MAX_ID:
            return None
        entry = CalendarEntry.objects.filter(workspace=workspace, pk=int(ident)).first()
        return entry_item(entry) if entry is not None else None
    return holidays.festival_resolve(key)


def calendar_link_choices(
    *, workspace: Workspace, user: Any, start: dt.date, end: dt.date
) -> list[CalendarItem]:
    """Festivals, commerce days and entries overlapping ``start``–``end``, for a content item's picker."""
    membership_get(workspace=workspace, user=user)
    check_range(start, end)
    entries = CalendarEntry.objects.filter(workspace=workspace, start_date__lte=end, end_date__gte=start)
    items = holidays.festivals_between(start, end) + [entry_item(e) for e in entries]
    return sorted(items, key=lambda i: (i.start, i.key.startswith("entry:"), i.name, i.key))


# ---- the official schedule: per year, with sources -----------------------------------------------


@dataclass(frozen=True)
class ScheduleDay:
    """One day of a year's official schedule as the schedule page and API list it."""

    date: dt.date
    kind: str  # holiday | makeup_workday | workday
    name: str
    source: str  # library | override
    overridden: str | None = None  # the library's kind when an override replaced it

    @property
    def kind_label(self) -> str:
        return str(DAY_KIND_LABELS.get(self.kind, self.kind))

    @property
    def source_label(self) -> str:
        return str(SOURCE_LABELS[self.source])


@dataclass(frozen=True)
class YearCoverage:
    """Whether a year's official schedule is known, and from where."""

    year: int
    status: str  # library | admin | not_covered
    source: str = ""
    days: int = 0  # official days entered by admins for that year

    @property
    def covered(self) -> bool:
        return self.status != NOT_COVERED

    @property
    def status_label(self) -> str:
        return str(COVERAGE_LABELS[self.status])

    @property
    def note(self) -> str | None:
        return None if self.covered else holidays.uncovered_message(self.year)


def official_schedule(*, workspace: Workspace, user: Any, year: int) -> list[ScheduleDay]:
    """A year's official days off and make-up workdays (library merged with overrides), by date."""
    membership_get(workspace=workspace, user=user)
    if not EARLIEST.year <= year <= LATEST.year:
        raise ValidationError({"year": [_("Enter a year between 2000 and 2100.")]})
    overrides = {o.date: o for o in HolidayOverride.objects.filter(workspace=workspace, date__year=year)}
    library = {d.date: d for d in holidays.library_year_days(year)}
    result = []
    for day in sorted(set(overrides) | set(library)):
        override = overrides.get(day)
        official = library.get(day)
        if override is not None:
            result.append(
                ScheduleDay(
                    date=day,
                    kind=override.kind,
                    name=override.name,
                    source=SOURCE_OVERRIDE,
                    overridden=official.kind if official is not None else None,
                )
            )
        elif official is not None:
            result.append(
                ScheduleDay(date=day, kind=official.kind, name=official.name, source=SOURCE_LIBRARY)
            )
    return result


def year_coverage(*, workspace: Workspace, user: Any, today: dt.date | None = None) -> list[YearCoverage]:
    """Coverage of every year from the library's first to next year (and any later year an admin entered)."""
    membership_get(workspace=workspace, user=user)
    today = today or local_today(workspace)
    rows = {row.year: row for row in OfficialScheduleYear.objects.filter(workspace=workspace)}
    counts: dict[int, int] = defaultdict(int)
    for day in HolidayOverride.objects.filter(workspace=workspace).values_list("date", flat=True):
        counts[day.year] += 1
    library = holidays.library_years()
    first = min([library[0] if library else today.year, *rows])
    last = max([today.year + 1, library[1] + 1 if library else today.year, *rows])
    result = []
    for year in range(first, last + 1):
        if holidays.library_covers(year):
            # The data's origin is the State Council General Office's yearly notice on public
            # holidays (the library only carries it); that is what people recognise.
            result.append(YearCoverage(year, COVERED_LIBRARY, str(OFFICIAL_SOURCE), counts[year]))
        elif year in rows:
            result.append(YearCoverage(year, COVERED_ADMIN, rows[year].source, counts[year]))
        else:
            result.append(YearCoverage(year, NOT_COVERED, "", counts[year]))
    return result


@dataclass(frozen=True)
class HolidayStatus:
    """The official status of one date: the effective kind, its source and any override."""

    date: dt.date
    kind: str  # holiday | makeup_workday | workday | weekend
    name: str
    source: str
    covered: bool
    override: HolidayOverride | None

    @property
    def kind_label(self) -> str:
        return str(DAY_KIND_LABELS[self.kind])

    @property
    def source_label(self) -> str:
        return str(SOURCE_LABELS[self.source])

    @property
    def note(self) -> str | None:
        return None if self.covered else holidays.uncovered_message(self.date.year)


def holiday_status(*, workspace: Workspace, user: Any, date: dt.date) -> HolidayStatus:
    """What the official schedule (with this workspace's overrides) says about one date."""
    membership_get(workspace=workspace, user=user)
    check_range(date, date)
    override = HolidayOverride.objects.filter(workspace=workspace, date=date).first()
    admin_years = _admin_years(workspace, date.year, date.year)
    covered = holidays.library_covers(date.year) or date.year in admin_years
    workday, holiday, makeup = _official(date, override)
    kind = DAY_HOLIDAY if holiday else DAY_MAKEUP if makeup else DAY_WORKDAY if workday else DAY_WEEKEND
    if override is not None:
        source = SOURCE_OVERRIDE
    elif holidays.library_day(date) is not None:
        source = SOURCE_LIBRARY
    else:
        source = SOURCE_RULE
    return HolidayStatus(date, kind, holiday or "", source, covered, override)


# ---- calendar entries ------------------------------------------------------------------------


def calendar_entry_list(
    *,
    workspace: Workspace,
    user: Any,
    start: dt.date | None = None,
    end: dt.date | None = None,
    kind: str | None = None,
) -> QuerySet[CalendarEntry]:
    """The workspace's hot topics, brand events and other entries, optionally those overlapping a range."""
    qs = filter_given(
        member_rows(CalendarEntry, workspace=workspace, user=user),
        end_date__gte=start,
        start_date__lte=end,
        kind=kind,
    )
    return qs.select_related("created_by").order_by("start_date", "name", "pk")


def calendar_entry_get(*, workspace: Workspace, user: Any, entry_id: int) -> CalendarEntry:
    """One entry of this workspace (404 for another workspace's)."""
    membership_get(workspace=workspace, user=user)
    if not 1 <= entry_id <= MAX_ID:
        raise Http404(_("Not found."))
    return get_object_or_404(CalendarEntry, workspace=workspace, pk=entry_id)


# ---- the FullCalendar background feed ----------------------------------------------------------


def _event(
    key: str,
    kind: str,
    title: str,
    start: dt.date,
    last: dt.date,
    classes: list[str],
    background: bool = False,
) -> dict[str, Any]:
    event: dict[str, Any] = {
        "id": key,
        "title": title,
        "start": start.isoformat(),
        # FullCalendar's all-day end is exclusive: the day after the last day.
        "end": (last + DAY).isoformat(),
        "allDay": True,
        "classNames": classes,
        "extendedProps": {"kind": kind, "key": key},
    }
    if background:
        event["display"] = "background"
    return event


def calendar_feed(*, workspace: Workspace, user: Any, start: dt.date, last: dt.date) -> list[dict[str, Any]]:
    """FullCalendar events for ``start``–``last`` (inclusive): holidays and 调休 as background, festivals,
    commerce days and entries as all-day events, and one warning per year without official data."""
    days = calendar_days(workspace=workspace, user=user, start=start, end=last)
    events: list[dict[str, Any]] = []
    # Consecutive days off with one name are one period (春节 15th–23rd is one band, not nine).
    run: list[CalendarDay] = []

    def close_run() -> None:
        if run:
            first = run[0]
            events.append(
                _event(
                    f"holiday:{first.date.isoformat()}",
                    "holiday",
                    first.holiday or "",
                    first.date,
                    run[-1].date,
                    ["cal-holiday"],
                    background=True,
                )
            )
            run.clear()

    for day in days:
        if day.holiday and run and run[-1].holiday == day.holiday and run[-1].date + DAY == day.date:
            run.append(day)
            continue
        close_run()
        if day.holiday:
            run.append(day)
        elif day.makeup_workday:
            events.append(
                _event(
                    f"makeup:{day.date.isoformat()}",
                    DAY_MAKEUP,
                    _("Make-up workday"),
                    day.date,
                    day.date,
                    ["cal-makeup"],
                    background=True,
                )
            )
    close_run()

    seen: set[str] = set()
    for day in days:
        for item in day.entries:
            if item.key in seen:
                continue
            seen.add(item.key)
            stored = item.key.startswith("entry:")
            classes = ["cal-entry", f"cal-entry-{item.kind}"] if stored else [f"cal-{item.kind}"]
            events.append(_event(item.key, item.kind, item.name, item.start, item.end, classes))

    for year in uncovered_years(workspace=workspace, start=start, end=last):
        events.append(
            _event(
                f"uncovered:{year}",
                "uncovered",
                holidays.uncovered_message(year),
                max(start, dt.date(year, 1, 1)),
                min(last, dt.date(year, 12, 31)),
                ["cal-uncovered"],
                background=True,
            )
        )
    return events
