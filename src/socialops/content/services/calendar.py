"""Writes on the marketing calendar (R2.3): holiday overrides, the official-schedule import, entries.

The official schedule belongs to admins (Perm.WORKSPACE_MANAGE): it decides which days the plan
treats as days off. Hot topics and brand events are content planning (Perm.CONTENT_EDIT).
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _

from socialops.core.actors import user_or_none
from socialops.core.imports import RowError
from socialops.core.validation import refuse_unknown_fields
from socialops.workspaces.access import require_perm
from socialops.workspaces.audit import audit_delete, audit_record, audit_saved, snapshot
from socialops.workspaces.models import Workspace
from socialops.workspaces.roles import Perm

from .. import holidays
from ..models import (
    CalendarEntry,
    CalendarEntryKind,
    HolidayOverride,
    HolidayOverrideKind,
    OfficialScheduleYear,
)
from ..selectors.calendar import EARLIEST, LATEST

NAME_MAX = 50
ENTRY_NAME_MAX = 100
DESCRIPTION_MAX = 5000
SOURCE_MAX = 200
ENTRY_MAX_DAYS = 60
MAX_IMPORT_BYTES = 100_000
# A year has at most 366 days; more lines than this is not a holiday schedule.
MAX_IMPORT_LINES = 2_000
MAX_REPORTED_ERRORS = 200

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Words people use for the two kinds in the State Council's notices and in spreadsheets.
_KIND_ALIASES = {
    "holiday": HolidayOverrideKind.HOLIDAY,
    "放假": HolidayOverrideKind.HOLIDAY,
    "休": HolidayOverrideKind.HOLIDAY,
    "makeup_workday": HolidayOverrideKind.MAKEUP_WORKDAY,
    "调休": HolidayOverrideKind.MAKEUP_WORKDAY,
    "上班": HolidayOverrideKind.MAKEUP_WORKDAY,
    "补班": HolidayOverrideKind.MAKEUP_WORKDAY,
}
_HEADER_WORDS = {"date", "日期"}


# ---- holiday overrides -----------------------------------------------------------------------


def _weekday_problem(day: dt.date, kind: str) -> str | None:
    """Why ``kind`` cannot fall on ``day`` (None when it can)."""
    weekend = day.weekday() >= 5
    if kind == HolidayOverrideKind.MAKEUP_WORKDAY and not weekend:
        return _("A make-up workday is a Saturday or Sunday that is worked; %(date)s is a %(weekday)s.") % {
            "date": day.isoformat(),
            "weekday": WEEKDAYS[day.weekday()],
        }
    if kind == HolidayOverrideKind.WORKDAY and weekend:
        return _("A worked Saturday or Sunday is a make-up workday; choose that kind for %(date)s.") % {
            "date": day.isoformat()
        }
    return None


def _validate_override(date: Any, kind: Any, name: Any) -> tuple[dt.date, str, str]:
    errors: dict[str, list[str]] = {}
    if not isinstance(date, dt.date) or isinstance(date, dt.datetime):
        errors["date"] = [_("Enter a valid date.")]
    elif not EARLIEST <= date <= LATEST:
        errors["date"] = [_("Enter a date between 2000 and 2100.")]
    if kind not in HolidayOverrideKind.values:
        errors["kind"] = [_("Choose one of: public holiday, make-up workday, ordinary workday.")]
    if not isinstance(name, str):
        errors["name"] = [_("Enter a name.")]
    elif len(name.strip()) > NAME_MAX:
        errors["name"] = [_("Use at most %(n)s characters.") % {"n": NAME_MAX}]
    if not errors:
        problem = _weekday_problem(date, kind)
        if problem:
            errors["kind"] = [problem]
    if errors:
        raise ValidationError(errors)
    return date, kind, name.strip()


@transaction.atomic
def holiday_override_set(
    *, workspace: Workspace, actor: Any, date: dt.date, kind: str, name: str = ""
) -> HolidayOverride:
    """Enter or correct one day of the official schedule for this workspace (wins over the built-in data)."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.WORKSPACE_MANAGE)
    date, kind, name = _validate_override(date, kind, name)
    override = HolidayOverride.objects.select_for_update().filter(workspace=workspace, date=date).first()
    if override is None:
        override = HolidayOverride.objects.create(
            workspace=workspace,
            date=date,
            kind=kind,
            name=name,
            created_by=user_or_none(actor),
        )
        audit_saved(override, workspace=workspace, actor=actor, action="holiday_override.create")
        return override
    if override.kind == kind and override.name == name:
        return override
    before = snapshot(override)
    override.kind, override.name = kind, name
    override.save(update_fields=["kind", "name"])
    audit_saved(override, workspace=workspace, actor=actor, action="holiday_override.update", before=before)
    return override


@transaction.atomic
def holiday_override_delete(*, workspace: Workspace, actor: Any, date: dt.date) -> None:
    """Remove this workspace's override of one date, so the built-in data (or the weekday rule) applies again."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.WORKSPACE_MANAGE)
    override = HolidayOverride.objects.filter(workspace=workspace, date=date).first()
    if override is None:
        raise Http404(_("Not found."))
    audit_delete(override, workspace=workspace, actor=actor, action="holiday_override.delete")


# ---- the official schedule of a year ---------------------------------------------------------


class LineError(RowError):
    """One problem of an imported schedule: the line as numbered in the text (None = the whole text).

    A RowError (so the API reports it like any rejected file) that reads shorter in the page's list.
    """

    def __str__(self) -> str:
        if self.line is None:
            return self.message
        return _("line %(line)s: %(message)s") % {"line": self.line, "message": self.message}


class ScheduleImportRejected(ValidationError):
    """A schedule had problems; nothing was written. ``line_errors`` lists every one of them."""

    def __init__(self, errors: list[LineError]) -> None:
        self.line_errors = list(errors)
        super().__init__({"content": [str(e) for e in self.line_errors]})


@dataclass(frozen=True)
class ScheduleImportResult:
    """What an import changed (all zero but ``unchanged`` when the same schedule came again)."""

    year: int
    days: int
    created: int
    updated: int
    deleted: int
    unchanged: int
    newly_covered: bool

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deleted or self.newly_covered)

    def summary(self) -> str:
        """What the import did, in a sentence for the page and the API."""
        if not self.changed:
            return _("The %(year)s schedule is already up to date; nothing changed.") % {"year": self.year}
        return _(
            "Imported the %(year)s schedule: %(days)s days — %(created)s new, %(updated)s changed, "
            "%(deleted)s removed. %(year)s now counts as covered."
        ) % {
            "year": self.year,
            "days": self.days,
            "created": self.created,
            "updated": self.updated,
            "deleted": self.deleted,
        }


def _decode(content: bytes | str) -> str | None:
    if isinstance(content, str):
        return content
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


# Long on purpose: one pass over the lines, collecting every problem with its line number
# (the whole file is refused or taken, so the user sees all problems at once).
def _parse_schedule(text: str, year: int) -> tuple[dict[dt.date, tuple[str, str]], list[LineError]]:
    """The text's days (date → kind, name) and every problem, each with its line number."""
    days: dict[dt.date, tuple[str, str]] = {}
    first_line: dict[dt.date, int] = {}
    errors: list[LineError] = []
    seen_content = False
    for number, raw in enumerate(text.splitlines(), start=1):
        # Full-width commas are what a Chinese keyboard types.
        line = raw.replace("，", ",").strip()
        if not line or line.startswith("#"):
            continue
        cells = [c.strip() for c in next(csv.reader([line]))]
        if not seen_content:
            seen_content = True
            if cells[0].lower() in _HEADER_WORDS:
                continue
        if len(cells) < 2:
            errors.append(
                LineError(number, "", _("Expected “date,kind,name”, e.g. 2027-02-06,holiday,春节."))
            )
            continue
        if len(cells) > 3:
            errors.append(
                LineError(
                    number,
                    "",
                    _("Too many columns: expected “date,kind,name” (quote a name that contains commas)."),
                )
            )
            continue
        date_text, kind_text = cells[0], cells[1]
        name = cells[2] if len(cells) == 3 else ""
        day: dt.date | None = None
        try:
            day = dt.date.fromisoformat(date_text) if _DATE.match(date_text) else None
        except ValueError:
            day = None
        if day is None:
            errors.append(
                LineError(
                    number,
                    "date",
                    _("“%(value)s” is not a date in the form YYYY-MM-DD.") % {"value": date_text[:40]},
                )
            )
        elif day.year != year:
            errors.append(
                LineError(
                    number,
                    "date",
                    _("%(date)s is not in %(year)s.") % {"date": day.isoformat(), "year": year},
                )
            )
            day = None
        kind = _KIND_ALIASES.get(kind_text.lower())
        if kind is None:
            errors.append(
                LineError(
                    number,
                    "kind",
                    _("Unknown kind “%(value)s”: use holiday (放假/休) or makeup_workday (调休/上班/补班).")
                    % {"value": kind_text[:40]},
                )
            )
        if len(name) > NAME_MAX:
            errors.append(LineError(number, "name", _("Use at most %(n)s characters.") % {"n": NAME_MAX}))
        if day is None or kind is None:
            continue
        if day in first_line:
            errors.append(
                LineError(
                    number,
                    "date",
                    _("%(date)s is already on line %(line)s.")
                    % {"date": day.isoformat(), "line": first_line[day]},
                )
            )
            continue
        problem = _weekday_problem(day, kind)
        if problem:
            errors.append(LineError(number, "kind", problem))
            continue
        first_line[day] = number
        days[day] = (kind, name)
    return days, errors


# Long on purpose: validate, parse, replace the year's overrides and audit are one
# all-or-nothing transaction.
@transaction.atomic
def official_schedule_import(
    *, workspace: Workspace, actor: Any, year: int, content: bytes | str, source: str = ""
) -> ScheduleImportResult:
    """Enter a year's official holiday schedule from "date,kind,name" lines; whole or nothing, idempotent.

    Replaces the year's overrides and marks the year covered. Raises ScheduleImportRejected with
    every bad line (nothing changed), or ValidationError for a bad year or source.
    """
    require_perm(workspace=workspace, actor=actor, perm=Perm.WORKSPACE_MANAGE)
    if not isinstance(year, int) or isinstance(year, bool) or not EARLIEST.year <= year <= LATEST.year:
        raise ValidationError({"year": [_("Enter a year between 2000 and 2100.")]})
    if holidays.library_covers(year):
        raise ValidationError(
            {
                "year": [
                    _(
                        "The official schedule of %(year)s is built in; correct single days with an override instead."
                    )
                    % {"year": year}
                ]
            }
        )
    if not isinstance(source, str) or len(source.strip()) > SOURCE_MAX:
        raise ValidationError({"source": [_("Use at most %(n)s characters.") % {"n": SOURCE_MAX}]})
    source = source.strip()
    size = len(content.encode() if isinstance(content, str) else content)
    if size > MAX_IMPORT_BYTES:
        raise ScheduleImportRejected(
            [
                LineError(
                    None, "", _("The schedule is larger than %(kb)s KB.") % {"kb": MAX_IMPORT_BYTES // 1000}
                )
            ]
        )
    text = _decode(content)
    if text is None:
        raise ScheduleImportRejected([LineError(None, "", _("The file is not UTF-8 or GB18030 text."))])
    if len(text.splitlines()) > MAX_IMPORT_LINES:
        raise ScheduleImportRejected(
            [LineError(None, "", _("The schedule has more than %(n)s lines.") % {"n": MAX_IMPORT_LINES})]
        )
    days, errors = _parse_schedule(text, year)
    if not errors and not days:
        errors.append(LineError(None, "", _("The schedule lists no days.")))
    if errors:
        raise ScheduleImportRejected(errors[:MAX_REPORTED_ERRORS])

    existing = {
        o.date: o
        for o in HolidayOverride.objects.select_for_update().filter(workspace=workspace, date__year=year)
    }
    before = {d.isoformat(): [o.kind, o.name] for d, o in sorted(existing.items())}
    created = updated = unchanged = 0
    user = user_or_none(actor)
    new_rows = []
    for day, (kind, name) in sorted(days.items()):
        override = existing.get(day)
        if override is None:
            new_rows.append(
                HolidayOverride(workspace=workspace, date=day, kind=kind, name=name, created_by=user)
            )
            created += 1
        elif (override.kind, override.name) != (kind, name):
            override.kind, override.name = kind, name
            override.save(update_fields=["kind", "name"])
            updated += 1
        else:
            unchanged += 1
    HolidayOverride.objects.bulk_create(new_rows)
    stale = [o.pk for d, o in existing.items() if d not in days]
    HolidayOverride.objects.filter(pk__in=stale).delete()

    covered, newly_covered = OfficialScheduleYear.objects.get_or_create(
        workspace=workspace, year=year, defaults={"source": source}
    )
    old_source = covered.source
    if source and covered.source != source:
        covered.source = source
        covered.save(update_fields=["source"])
    result = ScheduleImportResult(year, len(days), created, updated, len(stale), unchanged, newly_covered)
    if result.changed or old_source != covered.source:
        after = {d.isoformat(): list(v) for d, v in sorted(days.items())}
        audit_record(
            workspace=workspace,
            actor=actor,
            action="official_schedule.import",
            obj=covered,
            before={"covered": not newly_covered, "source": old_source, "days": before},
            after={"covered": True, "source": covered.source, "days": after},
        )
    return result


# ---- calendar entries ------------------------------------------------------------------------

ENTRY_FIELDS = ("kind", "name", "start_date", "end_date", "description")


def _validate_entry(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    if data["kind"] not in CalendarEntryKind.values:
        errors["kind"] = [_("Choose one of: hot topic, brand event, commerce day, festival.")]
    name = data["name"]
    if not isinstance(name, str) or not name.strip():
        errors["name"] = [_("This field is required.")]
    elif len(name.strip()) > ENTRY_NAME_MAX:
        errors["name"] = [_("Use at most %(n)s characters.") % {"n": ENTRY_NAME_MAX}]
    description = data["description"]
    if not isinstance(description, str) or len(description) > DESCRIPTION_MAX:
        errors["description"] = [_("Use at most %(n)s characters.") % {"n": DESCRIPTION_MAX}]
    start, end = data["start_date"], data["end_date"]
    for value, field in ((start, "start_date"), (end, "end_date")):
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            errors[field] = [_("Enter a valid date.")]
        elif not EARLIEST <= value <= LATEST:
            errors[field] = [_("Enter a date between 2000 and 2100.")]
    if "start_date" not in errors and "end_date" not in errors:
        if end < start:
            errors["end_date"] = [_("The end date cannot be before the start date.")]
        elif (end - start).days + 1 > ENTRY_MAX_DAYS:
            errors["end_date"] = [_("An entry can last at most %(n)s days.") % {"n": ENTRY_MAX_DAYS}]
    if errors:
        raise ValidationError(errors)
    return {**data, "name": name.strip(), "description": description.strip()}


@transaction.atomic
def calendar_entry_create(
    *,
    workspace: Workspace,
    actor: Any,
    kind: str,
    name: str,
    start_date: dt.date,
    end_date: dt.date,
    description: str = "",
) -> CalendarEntry:
    """Put a hot topic, brand event or extra festival/commerce day on the calendar (at most 60 days long)."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.CONTENT_EDIT)
    data = _validate_entry(
        {
            "kind": kind,
            "name": name,
            "start_date": start_date,
            "end_date": end_date,
            "description": description,
        }
    )
    entry = CalendarEntry.objects.create(workspace=workspace, created_by=user_or_none(actor), **data)
    audit_saved(entry, workspace=workspace, actor=actor, action="calendar_entry.create")
    return entry


@transaction.atomic
def calendar_entry_update(
    *, workspace: Workspace, actor: Any, entry: CalendarEntry, **fields: Any
) -> CalendarEntry:
    """Change any of an entry's kind, name, dates and description; the whole entry is validated again."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.CONTENT_EDIT)
    if entry.workspace_id != workspace.pk:
        raise Http404(_("Not found."))
    refuse_unknown_fields(fields, ENTRY_FIELDS)
    before = snapshot(entry)
    data = _validate_entry({**{f: getattr(entry, f) for f in ENTRY_FIELDS}, **fields})
    if all(getattr(entry, f) == data[f] for f in ENTRY_FIELDS):
        return entry
    for key, value in data.items():
        setattr(entry, key, value)
    entry.save(update_fields=list(ENTRY_FIELDS))
    audit_saved(entry, workspace=workspace, actor=actor, action="calendar_entry.update", before=before)
    return entry


@transaction.atomic
def calendar_entry_delete(*, workspace: Workspace, actor: Any, entry: CalendarEntry) -> None:
    """Remove an entry from the calendar; content items that linked to it keep the (now unresolved) key."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.CONTENT_EDIT)
    if entry.workspace_id != workspace.pk:
        raise Http404(_("Not found."))
    audit_delete(entry, workspace=workspace, actor=actor, action="calendar_entry.delete")
