"""Working time of a workspace's inbox: which moments count, and when a response target runs out.

A working day is one of the workspace's working weekdays, unless (with respect_holidays) it is
an official holiday; a 调休 make-up workday is a working day even on a weekend. Working hours
are the same every working day, in the workspace's time zone. Targets counted in working time
pause outside it: a complaint at 17:50 with a 30-minute target is due at 09:20 the next working day.
"""

from __future__ import annotations

import datetime as dt

from socialops.content.selectors.calendar import official_days
from socialops.workspaces.models import Workspace

from .models import InboxSettings

# How far ahead a due time is looked for (a target longer than this many days of holidays is odd).
HORIZON_DAYS = 60


class WorkCalendar:
    """The working days and hours of one workspace's inbox, loaded once for a span of dates."""

    def __init__(
        self, workspace: Workspace, settings: InboxSettings, start: dt.date, days: int = HORIZON_DAYS
    ):
        self.tz = workspace.tz
        self.settings = settings
        self.weekdays = {int(d) for d in settings.weekdays if str(d).isdigit()}
        self.official = (
            official_days(workspace=workspace, start=start, end=start + dt.timedelta(days=days))
            if settings.respect_holidays
            else {}
        )

    def is_workday(self, day: dt.date) -> bool:
        """True when the team works on this local date."""
        holiday, makeup = self.official.get(day, (False, False))
        if holiday:
            return False
        return makeup or day.weekday() in self.weekdays

    def window(self, day: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
        """The working hours of a local date as aware times, or None on a day off."""
        if not self.is_workday(day):
            return None
        start = dt.datetime.combine(day, self.settings.work_start, tzinfo=self.tz)
        end = dt.datetime.combine(day, self.settings.work_end, tzinfo=self.tz)
        # A working day that ends at or before it starts runs to midnight.
        if end <= start:
            end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=self.tz)
        return start, end

    def is_working_time(self, moment: dt.datetime) -> bool:
        """True when ``moment`` falls in working hours."""
        local = moment.astimezone(self.tz)
        hours = self.window(local.date())
        return hours is not None and hours[0] <= local < hours[1]

    def add(self, start: dt.datetime, minutes: int) -> dt.datetime:
        """``start`` plus ``minutes`` of working time (the clock stops outside working hours)."""
        left = dt.timedelta(minutes=minutes)
        local = start.astimezone(self.tz)
        day = local.date()
        for _ in range(HORIZON_DAYS + 1):
            hours = self.window(day)
            if hours is not None:
                begin = max(hours[0], local)
                if begin < hours[1]:
                    available = hours[1] - begin
                    if left <= available:
                        return (begin + left).astimezone(dt.UTC)
                    left -= available
            day += dt.timedelta(days=1)
        # No working time in the horizon: count calendar time instead of never.
        return (start + dt.timedelta(minutes=minutes)).astimezone(dt.UTC)


def due_time(workspace: Workspace, settings: InboxSettings, since: dt.datetime, priority: str) -> dt.datetime:
    """When a message that arrived at ``since`` must be answered, under its priority's target."""
    minutes = settings.target_minutes(priority)
    if not settings.targets_in_working_hours:
        return since + dt.timedelta(minutes=minutes)
    calendar = WorkCalendar(workspace, settings, since.astimezone(workspace.tz).date())
    return calendar.add(since, minutes)
