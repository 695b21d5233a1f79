"""The publishing-plan generator (R2.4–R2.6): cadence slots at the best hours, filled from the backlog.

Pure and deterministic: dataclasses in, dataclasses out; no Django, no clock, no randomness, no
iteration over sets. Times are naive local datetimes in the workspace's time zone (the caller
converts). Explanations and report entries are codes with parameters, rendered to text in the
reader's language elsewhere (content/selectors/plan.py). The algorithm, its guarantees and its
cost are described in docs/plan-generator.md.
"""

from __future__ import annotations

import bisect
import datetime as dt
import heapq
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from socialops.analytics.besttime_types import BestHours
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
_SLOT = "\x00slot"
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


# ---- rules shared with the services (drag, place by hand) ---------------------------------------


def time_violations(
    cadence: Cadence,
    starts_at: dt.datetime,
    *,
    others: Iterable[dt.datetime] = (),
    now: dt.datetime | None = None,
    deadline: dt.date | None = None,
) -> list[dict[str, Any]]:
    """Why an account may not post at this time: past, quiet hours, too close to another post, late."""
    problems = []
    if now is not None and starts_at < now:
        problems.append(entry("past", at=iso_minutes(starts_at)))
    if cadence.is_quiet(starts_at.time()):
        problems.append(
            entry(
                "quiet_hours",
                at=starts_at.strftime("%H:%M"),
                start=cadence.quiet_start.strftime("%H:%M"),
                end=cadence.quiet_end.strftime("%H:%M"),
            )
        )
    gap = dt.timedelta(minutes=cadence.min_gap_minutes)
    close = sorted((abs(o - starts_at), o) for o in others if abs(o - starts_at) < gap)
    if close:
        problems.append(entry("gap", minutes=cadence.min_gap_minutes, other=iso_minutes(close[0][1])))
    if deadline is not None and starts_at.date() > deadline:
        problems.append(entry("after_deadline", deadline=deadline.isoformat()))
    return problems


def form_limit_violation(
    cadence: Cadence, form: str, starts_at: dt.datetime, others: Iterable[tuple[dt.datetime, str]]
) -> dict[str, Any] | None:
    """The weekly limit of the item's form, if one more of that form in this week would break it."""
    limit = cadence.form_limits.get(form)
    if limit is None:
        return None
    week = week_of(starts_at.date())
    used = sum(1 for moment, f in others if f == form and week_of(moment.date()) == week)
    if used + 1 > limit:
        return entry("form_limit", form=form, limit=int(limit))
    return None


def hour_order(best: BestHours, key: int) -> list[tuple[int, int | None]]:
    """Hours of an ISO weekday best first, with their rank in the best-time data (None = default order)."""
    known = [h for h in best.ranked_hours(key) if 0 <= h <= 23]
    ranked: list[tuple[int, int | None]] = [(h, i + 1) for i, h in enumerate(known)]
    seen = set(known)
    ranked.extend((h, None) for h in DEFAULT_HOUR_ORDER if h not in seen)
    return ranked


# ---- the generator -----------------------------------------------------------------------------


@dataclass
class _Pair:
    """One (item, account) the generator may place, with the keys that order it."""

    item: BacklogItem
    due: int  # ordinal of the last date it may go out (deadline, link window end), FAR if none
    window_start: int  # ordinal of the first date it may go out (links), 0 if none
    link: LinkedDate | None


class _Queue:
    """A heap of (key, item id) with lazy removal; entries blocked for the week are parked."""

    __slots__ = ("heap",)

    def __init__(self, entries: list[tuple[Any, ...]]) -> None:
        self.heap = entries
        heapq.heapify(self.heap)


class _Generator:
    def __init__(self, inp: PlanInput) -> None:
        self.inp = inp
        self.accounts = list(inp.accounts)
        self.acc_pos = {a.id: i for i, a in enumerate(self.accounts)}
        self.days = sorted((d for d in inp.days if inp.start <= d.date <= inp.end), key=lambda d: d.date)
        self.items: dict[int, BacklogItem] = {}
        for item in sorted(inp.backlog, key=lambda i: i.id):
            self.items.setdefault(item.id, item)
        self.theme_order = {tid: i for i, tid in enumerate(inp.themes)}
        self.now = inp.now
        # Per account: item ids placed (membership only), the sorted timeline of (time, form).
        self.placed: dict[int, set[int]] = {a.id: set() for a in self.accounts}
        self.times: dict[int, list[dt.datetime]] = {a.id: [] for a in self.accounts}
        self.forms_at: dict[int, list[str]] = {a.id: [] for a in self.accounts}
        self.theme_count: dict[int, dict[int, int]] = {a.id: {} for a in self.accounts}
        self.total_count: dict[int, int] = {a.id: 0 for a in self.accounts}
        self.form_week: dict[tuple[int, int, str], int] = {}
        # Capacity: the week each item is produced in (its first placement), and use per week.
        self.produced: dict[int, int] = {}
        self.used_ws: dict[int, int] = {}
        self.used_owner: dict[tuple[int, int], int] = {}
        self.held_back: dict[tuple[int | None, int], set[int]] = {}
        self.owner_of: dict[int, int | None] = {i.id: i.owner_id for i in self.items.values()}
        self.placements: list[Placed] = []
        self.unplaced: list[dict[str, Any]] = []
        self.warnings: list[dict[str, Any]] = []
        self.dry: dict[tuple[int, int], int] = {}
        self.parked: list[tuple[_Queue, tuple[Any, ...]]] = []
        self.targets = {a.id: self._targets(a) for a in self.accounts}
        self.cadences = {a.id: a.cadence for a in self.accounts}
        self.off_target: dict[int, int] = {}

    # -- set-up ---------------------------------------------------------------------------------

    def _targets(self, account: AccountInput) -> dict[int, float]:
        """Theme shares of an account normalised to 100; equal shares when it has none."""
        shares = {t: float(s) for t, s in account.theme_targets.items() if float(s) > 0}
        if not shares:
            themes = list(self.inp.themes)
            if themes:
                self.warnings.append(entry("no_theme_targets", account=account.id, label=account.label))
            shares = dict.fromkeys(themes, 1.0)
        total = sum(shares.values())
        ordered = sorted(shares, key=lambda t: (self.theme_order.get(t, len(self.theme_order)), t))
        return {t: 100.0 * shares[t] / total for t in ordered} if total else {}

    def _record(self, account_id: int, item_id: int, moment: dt.datetime, theme_id: int, form: str) -> None:
        """Count a placement (kept or new) in the account's timeline, theme mix and form limits."""
        self.placed[account_id].add(item_id)
        index = bisect.bisect_right(self.times[account_id], moment)
        self.times[account_id].insert(index, moment)
        self.forms_at[account_id].insert(index, form)
        if self.inp.start <= moment.date() <= self.inp.end:
            counts = self.theme_count[account_id]
            counts[theme_id] = counts.get(theme_id, 0) + 1
            self.total_count[account_id] += 1
        key = (account_id, week_of(moment.date()), form)
        self.form_week[key] = self.form_week.get(key, 0) + 1

    def _produce(self, item_id: int, week: int) -> None:
        """Charge an item's production to a week (moving it earlier if it was charged later)."""
        current = self.produced.get(item_id)
        if current is not None and current <= week:
            return
        owner = self.owner_of.get(item_id)
        if current is not None:
            self.used_ws[current] -= 1
            if owner is not None:
                self.used_owner[(owner, current)] -= 1
        self.produced[item_id] = week
        self.used_ws[week] = self.used_ws.get(week, 0) + 1
        if owner is not None:
            self.used_owner[(owner, week)] = self.used_owner.get((owner, week), 0) + 1

    def _capacity_ok(self, item: BacklogItem, week: int) -> bool:
        current = self.produced.get(item.id)
        if current is not None and current <= week:
            return True
        cap = self.inp.capacity
        if cap.workspace_per_week is not None and self.used_ws.get(week, 0) >= cap.workspace_per_week:
            self.held_back.setdefault((None, week), set()).add(item.id)
            return False
        if item.owner_id is not None:
            limit = cap.per_owner.get(item.owner_id)
            if limit is not None and self.used_owner.get((item.owner_id, week), 0) >= limit:
                self.held_back.setdefault((item.owner_id, week), set()).add(item.id)
                return False
        return True

    def _busy_conflict(self, account_id: int, moment: dt.datetime, gap: dt.timedelta) -> bool:
        times = self.times[account_id]
        i = bisect.bisect_left(times, moment)
        if i < len(times) and times[i] - moment < gap:
            return True
        return i > 0 and moment - times[i - 1] < gap

    def _keep(self) -> None:
        for kept in sorted(self.inp.keep, key=lambda k: (k.starts_at, k.account_id, k.item_id)):
            if kept.account_id not in self.placed:
                continue
            self.owner_of.setdefault(kept.item_id, kept.owner_id)
            self._record(kept.account_id, kept.item_id, kept.starts_at, kept.theme_id, kept.form)
            self._produce(kept.item_id, week_of(kept.starts_at.date()))
            if self.inp.start <= kept.starts_at.date() <= self.inp.end:
                self.placements.append(
                    Placed(
                        kept.account_id, kept.item_id, kept.starts_at, [entry("kept")], False, True, kept.ref
                    )
                )

    def _targets_of(self, item: BacklogItem) -> list[int]:
        if item.accounts:
            wanted = set(item.accounts)
            return [a.id for a in self.accounts if a.id in wanted]
        return [a.id for a in self.accounts]

    def _fixed(self, by_account: dict[int, AccountInput]) -> list[Slot]:
        """Items with a set time (a planned live stream) go exactly there, or are reported."""
        slots = []
        for item in self.items.values():
            at = item.fixed_at
            if at is None or not self.inp.start <= at.date() <= self.inp.end:
                continue
            for account_id in self._targets_of(item):
                if item.id in self.placed[account_id]:
                    continue
                cadence = by_account[account_id].cadence
                problems = time_violations(
                    cadence, at, others=self.times[account_id], now=self.now, deadline=item.deadline
                )
                limit = form_limit_violation(
                    cadence,
                    item.form,
                    at,
                    zip(self.times[account_id], self.forms_at[account_id], strict=True),
                )
                if limit:
                    problems.append(limit)
                if problems:
                    self._unplace(
                        item, account_id, "fixed_time_conflict", at=iso_minutes(at), problem=problems[0]
                    )
                    continue
                self._record(account_id, item.id, at, item.theme_id, item.form)
                self._produce(item.id, week_of(at.date()))
                notes = (entry("fixed_time", at=iso_minutes(at)),)
                slots.append(Slot(account_id, at, True, "fixed", notes))
                self.placements.append(Placed(account_id, item.id, at, [*notes], movable=False))
        return slots

    def _unplace(self, item: BacklogItem, account_id: int, reason: str, **params: Any) -> None:
        self.unplaced.append(
            {"item": item.id, "title": item.title, "account": account_id, "reason": reason, "params": params}
        )

    # -- slots ----------------------------------------------------------------------------------

    def _slots(self) -> tuple[list[Slot], dict[int, dict[str, int]]]:
        """Slots per account per day by the cadence, at the best hours, outside quiet hours, gaps kept."""
        slots: list[Slot] = []
        stats: dict[int, dict[str, int]] = {}
        for account in self.accounts:
            cadence = account.cadence
            gap = dt.timedelta(minutes=cadence.min_gap_minutes)
            hours = {key: hour_order(account.best_hours, key) for key in range(1, 8)}
            st = {"mandatory": 0, "optional": 0, "unfit": 0, "cadence_low": 0, "cadence_high": 0}
            busy_by_day: dict[dt.date, int] = {}
            for moment in self.times[account.id]:
                busy_by_day[moment.date()] = busy_by_day.get(moment.date(), 0) + 1
            for day in self.days:
                rule = cadence.day_rule(day)
                st["cadence_low"] += rule.low
                st["cadence_high"] += rule.high
                taken = busy_by_day.get(day.date, 0)
                want_high = max(0, min(rule.high, MAX_POSTS_PER_DAY) - taken)
                want_low = min(want_high, max(0, rule.low - taken))
                if want_high == 0:
                    continue
                day_notes = self._day_notes(day, rule, cadence)
                chosen: list[tuple[dt.datetime, int | None]] = []
                for hour, rank in hours[rule.key]:
                    if len(chosen) == want_high:
                        break
                    moment = dt.datetime.combine(day.date, dt.time(hour))
                    if self.now is not None and moment < self.now:
                        continue
                    if cadence.is_quiet(moment.time()) or self._busy_conflict(account.id, moment, gap):
                        continue
                    chosen.append((moment, rank))
                    index = bisect.bisect_right(self.times[account.id], moment)
                    # Slot times join the timeline (marked _SLOT) so later slots keep their distance.
                    self.times[account.id].insert(index, moment)
                    self.forms_at[account.id].insert(index, _SLOT)
                if len(chosen) < want_low:
                    st["unfit"] += want_low - len(chosen)
                for n, (moment, rank) in enumerate(chosen):
                    mandatory = n < want_low
                    st["mandatory" if mandatory else "optional"] += 1
                    if rank is None:
                        hour_note = entry("default_hour", hour=moment.hour)
                    else:
                        hour_note = entry(
                            "best_hour",
                            hour=moment.hour,
                            weekday=rule.key,
                            rank=rank,
                            source=account.best_hours.source,
                        )
                    notes = (hour_note, *day_notes) + (() if mandatory else (entry("extra_slot"),))
                    slots.append(Slot(account.id, moment, mandatory, rule.kind, notes))
            # Slot placeholders leave the timeline; placements are recorded as they are made.
            keep = [
                (t, f)
                for t, f in zip(self.times[account.id], self.forms_at[account.id], strict=True)
                if f != _SLOT
            ]
            self.times[account.id] = [t for t, _f in keep]
            self.forms_at[account.id] = [f for _t, f in keep]
            stats[account.id] = st
        return slots, stats

    def _day_notes(self, day: CalendarDay, rule: DayRule, cadence: Cadence) -> tuple[dict[str, Any], ...]:
        notes: list[dict[str, Any]] = []
        if rule.kind == "holiday":
            notes.append(
                entry("holiday", date=day.date.isoformat(), name=day.holiday or "", mode=cadence.holiday_mode)
            )
        elif rule.kind == "makeup_workday":
            notes.append(
                entry("makeup_workday", date=day.date.isoformat(), as_workday=cadence.makeup_as_workday)
            )
        if not day.covered:
            notes.append(entry("uncovered", year=day.date.year))
        return tuple(notes)

    # -- queues ---------------------------------------------------------------------------------

    def _window(self, item: BacklogItem) -> tuple[int, int, LinkedDate | None] | None:
        """(first, last date ordinal, link) the item may go out in; None when its link has passed."""
        due = item.deadline.toordinal() if item.deadline else FAR
        if not item.links:
            return 0, due, None
        floor = max(self.inp.start, self.now.date() if self.now else self.inp.start)
        upcoming = sorted((link for link in item.links if link.end >= floor), key=lambda x: (x.start, x.key))
        if not upcoming:
            return None
        link = upcoming[0]
        first = (link.start - dt.timedelta(days=LINK_LEAD_DAYS)).toordinal()
        return first, min(due, link.end.toordinal()), link

    def _queues(self, first: bool = True) -> None:
        """Per account: urgent, calendar-linked and due-soon queues, and pools by theme and form.

        Built again (``first`` False) for the second pass; reports are made on the first build only.
        """
        first_day = max(self.inp.start, self.now.date() if self.now else self.inp.start).toordinal()
        self.urgent: dict[int, _Queue] = {}
        self.soon: dict[int, _Queue] = {}
        self.linked_wait: dict[int, list[tuple[int, int, int]]] = {}
        self.linked_open: dict[int, _Queue] = {}
        self.pools: dict[int, dict[int, dict[str, _Queue]]] = {}
        self.pairs: dict[tuple[int, int], _Pair] = {}
        lists: dict[int, dict[str, list[tuple[Any, ...]]]] = {}
        for account in self.accounts:
            lists[account.id] = {"urgent": [], "soon": [], "linked": []}
            self.pools[account.id] = {}
        pool_lists: dict[tuple[int, int, str], list[tuple[Any, ...]]] = {}
        for item in self.items.values():
            if item.fixed_at is not None:
                continue
            window = self._window(item)
            for account_id in self._targets_of(item):
                if item.id in self.placed[account_id]:
                    continue
                if window is None:
                    if first:
                        self._unplace(item, account_id, "link_passed", name=item.links[0].name)
                    continue
                start, due, link = window
                if link is not None and due < start:
                    # Due before its festival's lead window opens: the team has to fix one of the two.
                    if first:
                        self._unplace(
                            item,
                            account_id,
                            "deadline_before_link",
                            name=link.name,
                            date=link.start.isoformat(),
                        )
                    continue
                if due < first_day:
                    if first:
                        deadline = item.deadline.isoformat() if item.deadline else ""
                        self._unplace(item, account_id, "deadline_passed", deadline=deadline)
                    continue
                self.pairs[(account_id, item.id)] = _Pair(item, due, start, link)
                rank = IMPORTANCE_RANK.get(item.importance, 2)
                own = lists[account_id]
                if link is not None:
                    own["linked"].append((start, due, item.id))
                elif item.importance == "urgent":
                    own["urgent"].append((due, item.id))
                elif item.theme_id not in self.targets[account_id]:
                    # The account's mix gives this theme no share: not placed there by the generator.
                    del self.pairs[(account_id, item.id)]
                    if first:
                        self.off_target[account_id] = self.off_target.get(account_id, 0) + 1
                else:
                    pool_lists.setdefault((account_id, item.theme_id, item.form), []).append(
                        (rank, due, item.id)
                    )
                    if due != FAR:
                        own["soon"].append((due, rank, item.id))
        for account in self.accounts:
            own = lists[account.id]
            self.urgent[account.id] = _Queue(own["urgent"])
            self.soon[account.id] = _Queue(own["soon"])
            # Linked items wait, by window start, until their window opens (popped from the end).
            self.linked_wait[account.id] = sorted(own["linked"], reverse=True)
            self.linked_open[account.id] = _Queue([])
        for (account_id, theme_id, form), entries in sorted(pool_lists.items()):
            self.pools[account_id].setdefault(theme_id, {})[form] = _Queue(entries)

    def _head(
        self, queue: _Queue, account_id: int, day: int, week: int, *, pool: bool = False
    ) -> BacklogItem | None:
        """The queue's first item placeable now: placed or expired ones are dropped, blocked ones parked.

        ``pool`` queues hold one form, which the caller has checked against the weekly limits.
        """
        heap = queue.heap
        placed = self.placed[account_id]
        while heap:
            top = heap[0]
            item_id = top[-1]
            pair = self.pairs[(account_id, item_id)]
            if item_id in placed:
                heapq.heappop(heap)
                continue
            if pair.due < day:
                heapq.heappop(heap)
                continue
            item = pair.item
            if not pool and not self._form_ok(account_id, item.form, week):
                self.parked.append((queue, heapq.heappop(heap)))
                continue
            if not self._capacity_ok(item, week):
                self.parked.append((queue, heapq.heappop(heap)))
                continue
            return item
        return None

    def _form_ok(self, account_id: int, form: str, week: int) -> bool:
        limit = self.cadences[account_id].form_limits.get(form)
        return limit is None or self.form_week.get((account_id, week, form), 0) < limit

    def _unpark(self) -> None:
        for queue, item in self.parked:
            heapq.heappush(queue.heap, item)
        self.parked = []

    # -- filling --------------------------------------------------------------------------------

    def _neighbour_forms(self, account_id: int, moment: dt.datetime) -> tuple[str, str]:
        times, forms = self.times[account_id], self.forms_at[account_id]
        i = bisect.bisect_left(times, moment)
        before = forms[i - 1] if i > 0 else ""
        after = forms[i] if i < len(times) else ""
        return before, after

    def _theme_order(self, account_id: int) -> list[tuple[float, int]]:
        """Themes of the account's targets, most under target first: (gap in %, theme id)."""
        counts = self.theme_count[account_id]
        total = self.total_count[account_id]
        scored = []
        for theme_id, share in self.targets[account_id].items():
            # Deficit if this post were counted: share × (n + 1) − 100 × count (largest first).
            deficit = share * (total + 1) - 100.0 * counts.get(theme_id, 0)
            scored.append((-deficit, self.theme_order.get(theme_id, len(self.theme_order)), theme_id))
        scored.sort()
        out = []
        for _neg, _pos, theme_id in scored:
            actual = 100.0 * counts.get(theme_id, 0) / total if total else 0.0
            out.append((self.targets[account_id][theme_id] - actual, theme_id))
        return out

    def _from_pools(
        self, account_id: int, slot: Slot, day: int, week: int
    ) -> tuple[BacklogItem, list[dict[str, Any]]] | None:
        """The best item of the theme most under target, avoiding the neighbours' form when possible."""
        order = self._theme_order(account_id)
        before, after = self._neighbour_forms(account_id, slot.starts_at)
        pools = self.pools[account_id]
        heads: dict[int, list[BacklogItem]] = {}
        for _gap, theme_id in order:
            found = []
            for form, queue in sorted(pools.get(theme_id, {}).items()):
                if not self._form_ok(account_id, form, week):
                    continue
                item = self._head(queue, account_id, day, week, pool=True)
                if item is not None:
                    found.append(item)
            found.sort(
                key=lambda i: (IMPORTANCE_RANK.get(i.importance, 2), self.pairs[(account_id, i.id)].due, i.id)
            )
            heads[theme_id] = found
        for spread in (True, False):
            empty: list[int] = []
            for gap, theme_id in order:
                choice = next(
                    (i for i in heads[theme_id] if not (spread and i.form in (before, after))), None
                )
                if choice is None:
                    if not heads[theme_id]:
                        empty.append(theme_id)
                    continue
                why = [self._theme_note(account_id, theme_id, gap)]
                if empty:
                    names = "、".join(self.inp.themes.get(t, str(t)) for t in empty)
                    why.append(entry("theme_unavailable", themes=names))
                if choice is not heads[theme_id][0] or len(empty) < [t for _g, t in order].index(theme_id):
                    why.append(entry("form_spread", form=choice.form, previous=before or after))
                self._mark_dry(account_id, empty)
                return choice, why
        self._mark_dry(account_id, [t for _g, t in order if not heads[t]])
        return None

    def _mark_dry(self, account_id: int, themes: list[int]) -> None:
        """Themes wanted more than the one placed (or wanted at all) that had nothing to offer."""
        for theme_id in themes:
            key = (account_id, theme_id)
            self.dry[key] = self.dry.get(key, 0) + 1

    def _theme_note(self, account_id: int, theme_id: int, gap: float) -> dict[str, Any]:
        name = self.inp.themes.get(theme_id, str(theme_id))
        target = round(self.targets[account_id][theme_id])
        if gap >= 0.5:
            return entry("theme_under_target", theme=name, gap_pct=round(gap), target_pct=target)
        return entry("theme_on_target", theme=name, target_pct=target)

    def _pick(self, slot: Slot, day: int, week: int) -> tuple[BacklogItem, list[dict[str, Any]]] | None:
        """Urgent first, then items whose calendar link is due, then items due soon, then the theme mix."""
        account_id = slot.account_id
        item = self._head(self.urgent[account_id], account_id, day, week)
        if item is not None:
            return item, [entry("urgent")]
        waiting, opened = self.linked_wait[account_id], self.linked_open[account_id]
        while waiting and waiting[-1][0] <= day:
            _start, due, item_id = waiting.pop()
            heapq.heappush(
                opened.heap, (due, IMPORTANCE_RANK.get(self.items[item_id].importance, 2), item_id)
            )
        item = self._head(opened, account_id, day, week)
        if item is not None:
            link = self.pairs[(account_id, item.id)].link
            assert link is not None
            code = "festival_link" if link.kind in ("festival", "commerce", "holiday") else "hot_topic_link"
            before = max(0, link.start.toordinal() - day)
            return item, [
                entry(code, name=link.name, kind=link.kind, date=link.start.isoformat(), days_before=before)
            ]
        # The soon queue is ordered by due date, so its first placeable item is the most pressing.
        item = self._head(self.soon[account_id], account_id, day, week)
        if item is not None and self.pairs[(account_id, item.id)].due - day <= DEADLINE_SOON_DAYS:
            return item, [entry("deadline_soon")]
        return self._from_pools(account_id, slot, day, week)

    def _place(self, slot: Slot, item: BacklogItem, why: list[dict[str, Any]]) -> None:
        account_id = slot.account_id
        if item.importance == "important":
            why.append(entry("important"))
        if item.deadline is not None:
            why.append(
                entry(
                    "deadline",
                    deadline=item.deadline.isoformat(),
                    days_left=item.deadline.toordinal() - slot.starts_at.date().toordinal(),
                )
            )
        self._record(account_id, item.id, slot.starts_at, item.theme_id, item.form)
        self._produce(item.id, week_of(slot.starts_at.date()))
        self.placements.append(Placed(account_id, item.id, slot.starts_at, [*why, *slot.notes]))

    def _fill(self, slots: list[Slot]) -> dict[int, int]:
        """Fill the cadence's minimum first, in time order; then, from what is left, the extra slots.

        Extra slots (up to the cadence's maximum) only take items the minimum could not use, so
        the plan proposes fewer posts rather than pads: a short backlog leaves them unused.
        """
        order = sorted(
            (s for s in slots if s.kind != "fixed"), key=lambda s: (s.starts_at, self.acc_pos[s.account_id])
        )
        empty = {a.id: 0 for a in self.accounts}
        self.empty_days: dict[tuple[int, dt.date], int] = {}
        for mandatory in (True, False):
            if not mandatory:
                # Expired and parked entries of the first pass are valid again earlier in time.
                self._queues(first=False)
            self.parked = []
            current_week = None
            for slot in order:
                if slot.mandatory != mandatory:
                    continue
                day = slot.starts_at.date()
                week = week_of(day)
                if week != current_week:
                    self._unpark()
                    current_week = week
                picked = self._pick(slot, day.toordinal(), week)
                if picked is None:
                    if mandatory:
                        empty[slot.account_id] += 1
                        key = (slot.account_id, day)
                        self.empty_days[key] = self.empty_days.get(key, 0) + 1
                    continue
                item, why = picked
                self._place(slot, item, why)
        return empty

    # -- the run --------------------------------------------------------------------------------

    def run(self) -> Plan:
        by_account = {a.id: a for a in self.accounts}
        self._keep()
        fixed_slots = self._fixed(by_account)
        slots, stats = self._slots()
        self._queues()
        empty = self._fill(slots)
        all_slots = sorted([*slots, *fixed_slots], key=lambda s: (s.starts_at, self.acc_pos[s.account_id]))
        self.placements.sort(key=lambda p: (p.starts_at, self.acc_pos.get(p.account_id, 0), p.item_id))
        report = self._report(stats, empty, slots)
        return Plan(self.inp, all_slots, self.placements, report)

    def _report(
        self, stats: dict[int, dict[str, int]], empty: dict[int, int], slots: list[Slot]
    ) -> dict[str, Any]:
        weeks = max(1, len(self.days)) / 7.0
        new = [p for p in self.placements if not p.kept]
        filled: dict[int, dict[str, int]] = {a.id: {"mandatory": 0, "optional": 0} for a in self.accounts}
        slot_kind = {(s.account_id, s.starts_at): s.mandatory for s in slots}
        for p in new:
            mandatory = slot_kind.get((p.account_id, p.starts_at), True)
            filled[p.account_id]["mandatory" if mandatory else "optional"] += 1
        kept_in_period = {a.id: 0 for a in self.accounts}
        for p in self.placements:
            if p.kept:
                kept_in_period[p.account_id] += 1
        by_account: list[dict[str, Any]] = []
        short = []
        for account in self.accounts:
            st = stats.get(account.id, {})
            posts = self.total_count[account.id]
            by_account.append(
                {
                    "account": account.id,
                    "label": account.label,
                    "mandatory_slots": st.get("mandatory", 0),
                    "optional_slots": st.get("optional", 0),
                    "filled": filled[account.id]["mandatory"] + filled[account.id]["optional"],
                    "extra": filled[account.id]["optional"],
                    "kept": kept_in_period[account.id],
                    "empty": empty[account.id],
                    "unfit": st.get("unfit", 0),
                    "cadence_per_week": round(st.get("cadence_low", 0) / weeks, 1),
                    "planned_per_week": round(posts / weeks, 1),
                    "best_hours_source": account.best_hours.source,
                }
            )
            need_total = posts + empty[account.id]
            for theme_id, share in self.targets[account.id].items():
                needed = round(share * need_total / 100.0)
                placed = self.theme_count[account.id].get(theme_id, 0)
                if placed < needed and self.dry.get((account.id, theme_id), 0) > 0:
                    short.append(
                        {
                            "account": account.id,
                            "label": account.label,
                            "theme": theme_id,
                            "theme_name": self.inp.themes.get(theme_id, str(theme_id)),
                            "target_pct": round(share),
                            "needed": needed,
                            "placed": placed,
                            "missing": needed - placed,
                        }
                    )
        self._missed()
        warnings = list(self.warnings)
        for row in by_account:
            if row["empty"]:
                warnings.append(
                    entry(
                        "empty_slots",
                        account=row["account"],
                        label=row["label"],
                        count=row["empty"],
                        suggested=row["planned_per_week"],
                        cadence=row["cadence_per_week"],
                    )
                )
            if self.off_target.get(row["account"]):
                warnings.append(
                    entry(
                        "off_target_items",
                        account=row["account"],
                        label=row["label"],
                        count=self.off_target[row["account"]],
                    )
                )
            if row["unfit"]:
                warnings.append(
                    entry("cadence_unfit", account=row["account"], label=row["label"], count=row["unfit"])
                )
        capacity = []
        cap = self.inp.capacity
        for (owner, week), held_items in sorted(
            self.held_back.items(), key=lambda kv: (kv[0][1], kv[0][0] or 0)
        ):
            held = len(held_items)
            limit = cap.workspace_per_week if owner is None else cap.per_owner.get(owner)
            used = self.used_ws.get(week, 0) if owner is None else self.used_owner.get((owner, week), 0)
            monday = dt.date.fromordinal(week).isoformat()
            capacity.append({"week": monday, "owner": owner, "limit": limit, "used": used, "held_back": held})
            warnings.append(entry("capacity_reached", week=monday, owner=owner, limit=limit, held_back=held))
        uncovered_days = [d.date for d in self.days if not d.covered]
        years = sorted({d.year for d in uncovered_days})
        for year in years:
            warnings.append(entry("uncovered_year", year=year))
        empty_list = [
            {"account": account_id, "date": day.isoformat(), "count": n}
            for (account_id, day), n in sorted(
                self.empty_days.items(), key=lambda kv: (kv[0][1], self.acc_pos[kv[0][0]])
            )
        ]
        placed_items = {p.item_id for p in new}
        return {
            "period": {"start": self.inp.start.isoformat(), "end": self.inp.end.isoformat()},
            "accounts": [a.id for a in self.accounts],
            "slots": {
                "mandatory": sum(r["mandatory_slots"] for r in by_account),
                "optional": sum(r["optional_slots"] for r in by_account),
                "filled": len(new),
                "extra": sum(r["extra"] for r in by_account),
                "kept": sum(r["kept"] for r in by_account),
                "empty": sum(empty.values()),
                "unfit": sum(r["unfit"] for r in by_account),
            },
            "by_account": by_account,
            "empty_slots": empty_list,
            "short_themes": short,
            "capacity": capacity,
            "unplaced": self.unplaced,
            "moves": [],
            "uncovered": {"years": years, "days": len(uncovered_days)},
            "warnings": warnings,
            "backlog": {
                "items": len(self.items),
                "placed": len(placed_items),
                "left": len(self.items) - len(placed_items),
            },
        }

    def _missed(self) -> None:
        """Items due (or linked) inside the period that did not get a slot in time, per account."""
        end = self.inp.end.toordinal()
        for (account_id, item_id), pair in sorted(
            self.pairs.items(), key=lambda kv: (self.acc_pos[kv[0][0]], kv[0][1])
        ):
            if item_id in self.placed[account_id] or pair.due > end:
                continue
            item = pair.item
            if pair.link is not None:
                self._unplace(
                    item, account_id, "link_missed", name=pair.link.name, date=pair.link.start.isoformat()
                )
            else:
                deadline = item.deadline.isoformat() if item.deadline else ""
                self._unplace(item, account_id, "deadline_missed", deadline=deadline)


def generate(inp: PlanInput) -> Plan:
    """Plan the period: slots by each account's cadence at its best hours, filled from the backlog."""
    return _Generator(inp).run()


# ---- urgent insertion --------------------------------------------------------------------------


def _due(item: BacklogItem | None) -> int:
    if item is None:
        return FAR
    due = item.deadline.toordinal() if item.deadline else FAR
    if item.links:
        ends = [link.end.toordinal() for link in item.links]
        due = min(due, max(ends))
    return due


def insert_urgent(plan: Plan, item: BacklogItem, account_id: int, at: dt.datetime | None = None) -> Plan:
    """Put an urgent item into the account's earliest suitable slot (or at ``at``) and re-flow.

    Displaced items move to the next suitable later slots (earliest due first; an item keeps its
    slot unless one due sooner needs it). Every move is reported; an item that no longer fits goes
    to the report's "unplaced" list. Raises PlanError when ``at`` breaks a rule.
    """
    inp = plan.input
    account = next((a for a in inp.accounts if a.id == account_id), None)
    if account is None:
        raise PlanError("unknown_account", {"account": account_id})
    cadence = account.cadence
    items = {i.id: i for i in inp.backlog}
    items[item.id] = item
    now = inp.now
    placements = [replace(p, explanation=list(p.explanation)) for p in plan.placements]
    mine = [p for p in placements if p.account_id == account_id]
    moves: list[dict[str, Any]] = []
    unplaced: list[dict[str, Any]] = []
    grid = sorted((s for s in plan.slots if s.account_id == account_id), key=lambda s: s.starts_at)
    occupant: dict[dt.datetime, Placed] = {p.starts_at: p for p in mine if p.movable}
    fixed = [p for p in mine if not p.movable]
    forms: dict[tuple[int, str], int] = {}

    def form_of(p: Placed) -> str:
        known = items.get(p.item_id)
        return known.form if known else ""

    for p in mine:
        key = (week_of(p.starts_at.date()), form_of(p))
        forms[key] = forms.get(key, 0) + 1

    def count(p: Placed, delta: int) -> None:
        key = (week_of(p.starts_at.date()), form_of(p))
        forms[key] = forms.get(key, 0) + delta

    def form_room(form: str, moment: dt.datetime, leaving: Placed | None) -> bool:
        limit = cadence.form_limits.get(form)
        if limit is None:
            return True
        used = forms.get((week_of(moment.date()), form), 0)
        if (
            leaving is not None
            and form_of(leaving) == form
            and week_of(leaving.starts_at.date()) == week_of(moment.date())
        ):
            used -= 1
        return used < limit

    previous = next((p for p in mine if p.item_id == item.id), None)
    if previous is not None:
        if not previous.movable:
            raise PlanError("already_placed", {"at": iso_minutes(previous.starts_at)})
        placements.remove(previous)
        occupant.pop(previous.starts_at, previous)
        count(previous, -1)

    displaced: list[Placed] = []
    target: Slot | None = None
    if at is not None:
        problems = time_violations(
            cadence, at, others=[p.starts_at for p in fixed], now=now, deadline=item.deadline
        )
        if problems:
            raise PlanError(problems[0]["code"], problems[0]["params"])
        gap = dt.timedelta(minutes=cadence.min_gap_minutes)
        clashing = [s for s in grid if abs(s.starts_at - at) < gap]
        for s in clashing:
            grid.remove(s)
            gone = occupant.pop(s.starts_at) if s.starts_at in occupant else None
            if gone is not None:
                displaced.append(gone)
                count(gone, -1)
        if not form_room(item.form, at, None):
            raise PlanError("form_limit", {"form": item.form, "limit": int(cadence.form_limits[item.form])})
        hour_notes = (entry("chosen_time", at=iso_minutes(at)),)
        target = Slot(account_id, at, True, "urgent", hour_notes)
        bisect.insort(grid, target, key=lambda s: s.starts_at)
    else:
        for s in grid:
            if (now is not None and s.starts_at < now) or s.kind == "fixed":
                continue
            if s.starts_at.date().toordinal() > _due(item):
                break
            if form_room(item.form, s.starts_at, occupant.get(s.starts_at)):
                target = s
                break
        if target is None:
            unplaced.append(
                {
                    "item": item.id,
                    "title": item.title,
                    "account": account_id,
                    "reason": "no_suitable_slot",
                    "params": {},
                }
            )
            if previous is not None:
                moves.append({"item": item.id, "title": item.title, "account": account_id,
                              "from": iso_minutes(previous.starts_at), "to": None})  # fmt: skip
            return _after_insert(plan, placements, grid, account_id, moves, unplaced)
        gone = occupant.pop(target.starts_at) if target.starts_at in occupant else None
        if gone is not None:
            displaced.append(gone)
            count(gone, -1)
    new = Placed(account_id, item.id, target.starts_at, [entry("urgent_inserted"), *target.notes])
    if item.deadline is not None:
        new.explanation.insert(1, entry("deadline", deadline=item.deadline.isoformat(),
                                        days_left=item.deadline.toordinal() - target.starts_at.date().toordinal()))  # fmt: skip
    placements.append(new)
    occupant[target.starts_at] = new
    count(new, 1)
    if previous is not None:
        moves.append({"item": item.id, "title": item.title, "account": account_id,
                      "from": iso_minutes(previous.starts_at), "to": iso_minutes(target.starts_at)})  # fmt: skip

    origin = {id(p): p.starts_at for p in displaced}
    dropped: list[Placed] = []
    queue = sorted(displaced, key=lambda p: (_due(items.get(p.item_id)), p.starts_at, p.item_id))
    for s in grid:
        if not queue:
            break
        if s.starts_at <= target.starts_at or s.kind == "fixed" or (now is not None and s.starts_at < now):
            continue
        day = s.starts_at.date().toordinal()
        for p in [q for q in queue if _due(items.get(q.item_id)) < day]:
            queue.remove(p)
            dropped.append(p)
            _lost(p, items, unplaced, moves, origin, "deadline_passed")
        current = occupant.get(s.starts_at)
        best = next((q for q in queue if form_room(form_of(q), s.starts_at, current)), None)
        if best is None:
            continue
        if current is not None and _due(items.get(current.item_id)) <= _due(items.get(best.item_id)):
            continue
        queue.remove(best)
        if current is not None:
            count(current, -1)
            origin.setdefault(id(current), current.starts_at)
            queue.append(current)
            queue.sort(key=lambda p: (_due(items.get(p.item_id)), origin[id(p)], p.item_id))
        best.starts_at = s.starts_at
        best.explanation = [
            e for e in best.explanation if e["code"] not in SLOT_CODES and e["code"] != "reflowed"
        ]
        best.explanation += [entry("reflowed", **{"from": iso_minutes(origin[id(best)])}), *s.notes]
        occupant[s.starts_at] = best
        count(best, 1)
        moves.append({"item": best.item_id, "title": items[best.item_id].title if best.item_id in items else "",
                      "account": account_id, "from": iso_minutes(origin[id(best)]), "to": iso_minutes(s.starts_at)})  # fmt: skip
    for p in queue:
        _lost(p, items, unplaced, moves, origin, "no_slot_left")
    lost = {id(p) for p in queue} | {id(p) for p in dropped}
    placements = [p for p in placements if id(p) not in lost]
    return _after_insert(plan, placements, grid, account_id, moves, unplaced)


def _lost(
    p: Placed,
    items: dict[int, BacklogItem],
    unplaced: list[dict[str, Any]],
    moves: list[dict[str, Any]],
    origin: dict[int, dt.datetime],
    reason: str,
) -> None:
    known = items.get(p.item_id)
    title = known.title if known else ""
    unplaced.append(
        {"item": p.item_id, "title": title, "account": p.account_id, "reason": reason, "params": {}}
    )
    moves.append({"item": p.item_id, "title": title, "account": p.account_id,
                  "from": iso_minutes(origin.get(id(p), p.starts_at)), "to": None})  # fmt: skip


def _after_insert(
    plan: Plan,
    placements: list[Placed],
    grid: list[Slot],
    account_id: int,
    moves: list[dict[str, Any]],
    unplaced: list[dict[str, Any]],
) -> Plan:
    pos = {a.id: i for i, a in enumerate(plan.input.accounts)}
    slots = [s for s in plan.slots if s.account_id != account_id] + grid
    slots.sort(key=lambda s: (s.starts_at, pos.get(s.account_id, 0)))
    placements.sort(key=lambda p: (p.starts_at, pos.get(p.account_id, 0), p.item_id))
    report = dict(plan.report)
    report["moves"] = [*plan.report.get("moves", []), *moves]
    report["unplaced"] = [*plan.report.get("unplaced", []), *unplaced]
    return Plan(plan.input, slots, placements, report)


def plan_from_placements(inp: PlanInput, movable: Iterable[Placed]) -> Plan:
    """The current plan of the period, rebuilt from stored placements (for an urgent insertion).

    The slot grid is the cadence's slots around every stored placement, plus the movable
    placements' own times; kept placements come from ``inp.keep``.
    """
    movable = list(movable)
    as_kept = tuple(KeptPlacement(p.account_id, p.item_id, p.starts_at, 0, "", None, p.ref) for p in movable)
    gen = _Generator(replace(inp, keep=inp.keep + as_kept, backlog=()))
    gen._keep()
    slots, _stats = gen._slots()
    by_time = {(p.account_id, p.starts_at) for p in movable}
    notes = {}
    for account in inp.accounts:
        cadence = account.cadence
        for p in movable:
            if p.account_id != account.id:
                continue
            day = CalendarDay(p.starts_at.date(), True, None, False, True)
            rule = cadence.day_rule(next((d for d in inp.days if d.date == p.starts_at.date()), day))
            ranks = dict(hour_order(account.best_hours, rule.key))
            rank = ranks.get(p.starts_at.hour)
            hour_note = (
                entry(
                    "best_hour",
                    hour=p.starts_at.hour,
                    weekday=rule.key,
                    rank=rank,
                    source=account.best_hours.source,
                )
                if rank is not None and p.starts_at.minute == 0
                else entry("chosen_time", at=iso_minutes(p.starts_at))
            )
            notes[(p.account_id, p.starts_at)] = Slot(
                p.account_id, p.starts_at, True, rule.kind, (hour_note,)
            )
    grid = [s for s in slots if (s.account_id, s.starts_at) not in by_time] + [
        notes[k] for k in sorted(notes)
    ]
    pos = {a.id: i for i, a in enumerate(inp.accounts)}
    grid.sort(key=lambda s: (s.starts_at, pos.get(s.account_id, 0)))
    kept = [
        Placed(k.account_id, k.item_id, k.starts_at, [entry("kept")], False, True, k.ref)
        for k in inp.keep
        if inp.start <= k.starts_at.date() <= inp.end
    ]
    placements = [*kept, *movable]
    placements.sort(key=lambda p: (p.starts_at, pos.get(p.account_id, 0), p.item_id))
    report: dict[str, Any] = {"moves": [], "unplaced": []}
    return Plan(inp, grid, placements, report)
