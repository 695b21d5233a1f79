"""Report periods and schedule slots, in the workspace's local time.

A weekly (and campaign wrap-up) schedule has a slot every week on its weekday and time; the run
covers the Monday-to-Sunday week before the slot's week. A monthly schedule has its slot on the
first such weekday of each month and covers the calendar month before.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from ..models import ReportTemplate


def previous_week(day: dt.date) -> tuple[dt.date, dt.date]:
    """Monday to Sunday of the week before ``day``'s week."""
    monday = day - dt.timedelta(days=day.weekday())
    return monday - dt.timedelta(days=7), monday - dt.timedelta(days=1)


def previous_month(day: dt.date) -> tuple[dt.date, dt.date]:
    """First to last day of the month before ``day``'s month."""
    last = day.replace(day=1) - dt.timedelta(days=1)
    return last.replace(day=1), last


def default_period(template: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """The period a report made ``today`` covers when none is given."""
    if template == ReportTemplate.MONTHLY:
        return previous_month(today)
    return previous_week(today)


def _first_weekday(month_start: dt.date, weekday: int) -> dt.date:
    return month_start + dt.timedelta(days=(weekday - 1 - month_start.weekday()) % 7)


def latest_slot(
    *, template: str, weekday: int, at: dt.time, tz: zoneinfo.ZoneInfo, now: dt.datetime
) -> dt.datetime:
    """The schedule's most recent slot at or before ``now`` (an aware datetime in ``tz``)."""
    local = now.astimezone(tz)
    today = local.date()
    if template == ReportTemplate.MONTHLY:
        day = _first_weekday(today.replace(day=1), weekday)
        slot = dt.datetime.combine(day, at, tzinfo=tz)
        if slot > local:
            day = _first_weekday(previous_month(today)[0], weekday)
            slot = dt.datetime.combine(day, at, tzinfo=tz)
        return slot
    day = today - dt.timedelta(days=(today.isoweekday() - weekday) % 7)
    slot = dt.datetime.combine(day, at, tzinfo=tz)
    if slot > local:
        slot = dt.datetime.combine(day - dt.timedelta(days=7), at, tzinfo=tz)
    return slot


def slot_period(template: str, slot: dt.datetime) -> tuple[dt.date, dt.date]:
    """The period the run of a slot covers."""
    return default_period(template, slot.date())
