"""The plan generator's value types: inputs, outputs, limits and the small helpers they share.

Pure: dataclasses and constants only (no Django). Times are naive local datetimes in the
workspace's time zone. ``BestHours`` lives here because the planner owns what it consumes;
analytics fills it in through ``content.hooks.best_hours_provider``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from socialops.content.calendar_types import CalendarDay

MAX_POSTS_PER_DAY = 12
MAX_GAP_MINUTES = 24 * 60
MAX_FORM_LIMIT = 50
# A festival- or hot-topic-linked item goes out on the linked day(s) or at most this many days before.
LINK_LEAD_DAYS = 3
# An item due within this many days goes ahead of the theme mix, so it does not miss its deadline.
DEADLINE_SOON_DAYS = 2
FORMS = ("article", "short_post", "video", "live", "qa")
IMPORTANCES = ("normal", "important", "urgent")
IMPORTANCE_RANK = {"urgent": 0, "important": 1, "normal": 2}
HOLIDAY_MODES = ("weekend", "skip", "workday")
# Used for hours an account's best-time data does not rank: evening, lunch and commute first.
DEFAULT_HOUR_ORDER = (20, 12, 21, 18, 9, 19, 10, 13, 22, 8, 11, 17, 14, 16, 15, 7, 23, 6, 0, 1, 2, 3, 4, 5)
# A holiday planned "like a weekend" takes Saturday's cadence and hours; a weekend day planned
# "like a workday" (a make-up workday, or a weekend holiday in workday mode) takes Monday's.
WEEKEND_KEY = 6
WORKDAY_KEY = 1
FAR = dt.date.max.toordinal()
# Form marker of a slot placeholder in an account's timeline while slots are laid out.
SLOT_MARKER = "\x00slot"
# Explanation entries that describe the slot rather than the choice of item (replaced on a move).
SLOT_CODES = frozenset({"best_hour", "default_hour", "holiday", "makeup_workday", "uncovered", "extra_slot"})


def default_posts_per_weekday() -> dict[int, tuple[int, int]]:
    """Mon–Fri 2–3 posts a day, Sat–Sun 1 (ISO weekdays)."""
    return {1: (2, 3), 2: (2, 3), 3: (2, 3), 4: (2, 3), 5: (2, 3), 6: (1, 1), 7: (1, 1)}


def default_form_limits() -> dict[str, int]:
    """At most one live stream a week."""
    return {"live": 1}


def week_of(day: dt.date) -> int:
    """The week a date belongs to, as the ordinal of its Monday (ISO weeks, comparable integers)."""
    return day.toordinal() - day.weekday()


def iso_minutes(moment: dt.datetime) -> str:
    """A local time as YYYY-MM-DDTHH:MM (what explanations and reports show)."""
    return moment.strftime("%Y-%m-%dT%H:%M")


@dataclass(frozen=True)
class BestHours:
    """Where an account's posts do best, by ISO weekday (1=Mon … 7=Sun) and local hour.

    ``source`` is "learned" when the account's own post history was enough, otherwise
    "platform_default". ``scores`` maps (weekday, hour) to a relative score (1.0 = the account's
    average); hours absent from it are unknown and rank below every known hour.
    """

    source: str
    posts: int
    scores: dict[tuple[int, int], float] = field(default_factory=dict)

    def ranked_hours(self, weekday: int) -> list[int]:
        """Hours of that weekday, best first (ties: earlier hour first, so the order is deterministic)."""
        known = [(h, s) for (w, h), s in self.scores.items() if w == weekday]
        known.sort(key=lambda hs: (-hs[1], hs[0]))
        return [h for h, _s in known]

    def score(self, weekday: int, hour: int) -> float | None:
        """The relative score of that weekday and hour, None when unknown."""
        return self.scores.get((weekday, hour))


# ---- inputs ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DayRule:
    """What the cadence makes of one date: the weekday whose rule applies, min and max posts, the kind."""

    key: int
    low: int
    high: int
    kind: str  # workday | weekend | holiday | makeup_workday


@dataclass(frozen=True)
class Cadence:
    """One account's cadence rule: posts per ISO weekday, holidays, gaps, quiet hours, form limits."""

    posts_per_weekday: Mapping[int, tuple[int, int]] = field(default_factory=default_posts_per_weekday)
    holiday_mode: str = "weekend"
    makeup_as_workday: bool = True
    min_gap_minutes: int = 120
    quiet_start: dt.time = dt.time(23, 0)
    quiet_end: dt.time = dt.time(7, 0)
    form_limits: Mapping[str, int] = field(default_factory=default_form_limits)

    def is_quiet(self, moment: dt.time) -> bool:
        """True inside quiet hours (start inclusive, end exclusive; equal start and end = none)."""
        start, end = self.quiet_start, self.quiet_end
        if start == end:
            return False
        if start < end:
            return start <= moment < end
        return moment >= start or moment < end

    def posts(self, key: int) -> tuple[int, int]:
        low, high = self.posts_per_weekday.get(key, (0, 0))
        return int(low), int(high)

    def day_rule(self, day: CalendarDay) -> DayRule:
        """How many posts this date takes, given public holidays and make-up workdays."""
        weekday = day.date.isoweekday()
        if not day.workday and (day.holiday is not None or weekday <= 5):
            # A day off on a weekday, or a named public holiday.
            if self.holiday_mode == "skip":
                return DayRule(weekday, 0, 0, "holiday")
            if self.holiday_mode == "workday":
                key = weekday if weekday <= 5 else WORKDAY_KEY
            else:
                key = weekday if weekday > 5 else WEEKEND_KEY
            return DayRule(key, *self.posts(key), "holiday")
        if day.makeup_workday or (day.workday and weekday > 5):
            key = WORKDAY_KEY if self.makeup_as_workday else weekday
            return DayRule(key, *self.posts(key), "makeup_workday")
        return DayRule(weekday, *self.posts(weekday), "workday" if weekday <= 5 else "weekend")


@dataclass(frozen=True)
class LinkedDate:
    """A festival, commerce day, hot topic or brand event an item is linked to."""

    key: str
    kind: str
    name: str
    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class BacklogItem:
    """A content item the generator may place: its theme, form, owner, importance, deadline and links.

    ``accounts`` empty means any account of the run; ``fixed_at`` is a set time (a live stream).
    """

    id: int
    theme_id: int
    form: str
    title: str = ""
    owner_id: int | None = None
    importance: str = "normal"
    deadline: dt.date | None = None
    links: tuple[LinkedDate, ...] = ()
    accounts: tuple[int, ...] = ()
    fixed_at: dt.datetime | None = None


@dataclass(frozen=True)
class AccountInput:
    """One account of the run: its cadence, best hours and theme targets (theme id → share %)."""

    id: int
    label: str
    cadence: Cadence = field(default_factory=Cadence)
    best_hours: BestHours = field(default_factory=lambda: BestHours(source="platform_default", posts=0))
    theme_targets: Mapping[int, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Capacity:
    """What the team can produce per week: for the whole workspace and/or per owner (None = no limit)."""

    workspace_per_week: int | None = None
    per_owner: Mapping[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class KeptPlacement:
    """A placement regeneration keeps: placed or locked by hand, or outside the period."""

    account_id: int
    item_id: int
    starts_at: dt.datetime
    theme_id: int
    form: str
    owner_id: int | None = None
    ref: int | None = None


@dataclass(frozen=True)
class PlanInput:
    """Everything one run needs. ``now`` (local) stops slots in the past; None = no such limit."""

    start: dt.date
    end: dt.date
    days: tuple[CalendarDay, ...]
    accounts: tuple[AccountInput, ...]
    themes: Mapping[int, str]
    backlog: tuple[BacklogItem, ...]
    capacity: Capacity = field(default_factory=Capacity)
    keep: tuple[KeptPlacement, ...] = ()
    now: dt.datetime | None = None


# ---- outputs -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    """A time an account should post at, by its cadence; ``notes`` explain the hour and the day."""

    account_id: int
    starts_at: dt.datetime
    mandatory: bool
    kind: str
    notes: tuple[dict[str, Any], ...] = ()


@dataclass
class Placed:
    """An item placed for an account; ``movable`` is False for kept and fixed-time placements."""

    account_id: int
    item_id: int
    starts_at: dt.datetime
    explanation: list[dict[str, Any]]
    movable: bool = True
    kept: bool = False
    ref: int | None = None


@dataclass
class Plan:
    """The generator's result: the slot grid, the placements (kept ones included) and the report."""

    input: PlanInput
    slots: list[Slot]
    placements: list[Placed]
    report: dict[str, Any]


class PlanError(ValueError):
    """A requested placement breaks a rule; ``code`` and ``params`` say which (rendered elsewhere)."""

    def __init__(self, code: str, params: dict[str, Any] | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.params = params or {}


def entry(code: str, **params: Any) -> dict[str, Any]:
    """One explanation or report entry."""
    return {"code": code, "params": params}
