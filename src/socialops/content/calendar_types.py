"""Value types of the marketing calendar, shared by the calendar, the plan generator and the pages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class CalendarItem:
    """A festival, commerce day, hot topic or brand event, linkable from content items by ``key``.

    Keys: "festival:<code>:<year>", "commerce:<code>:<year>" (computed) or "entry:<id>" (stored).
    """

    key: str
    kind: str  # festival | commerce | hot_topic | brand_event | holiday
    name: str
    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class CalendarDay:
    """One local date of the marketing calendar."""

    date: dt.date
    workday: bool
    holiday: str | None  # the public holiday's name on a day off, else None
    makeup_workday: bool  # 调休: a weekend day that is a workday
    covered: bool  # False when no official holiday data exists for this date's year
    entries: list[CalendarItem] = field(default_factory=list)
