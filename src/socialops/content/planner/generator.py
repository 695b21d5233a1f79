"""The plan generator (R2.4–R2.6): cadence slots at the best hours, filled from the backlog.

Pure and deterministic: no Django, no clock, no randomness, no iteration over sets. The
algorithm, its guarantees and its cost are described in docs/plan-generator.md.
"""

from __future__ import annotations

import bisect
import datetime as dt
import heapq
from dataclasses import dataclass
from typing import Any

from socialops.content.calendar_types import CalendarDay

from .rules import form_limit_violation, hour_order, time_violations
from .types import (
    DEADLINE_SOON_DAYS,
    FAR,
    IMPORTANCE_RANK,
    LINK_LEAD_DAYS,
    MAX_POSTS_PER_DAY,
    SLOT_MARKER,
    AccountInput,
    BacklogItem,
    Cadence,
    DayRule,
    LinkedDate,
    Placed,
    Plan,
    PlanInput,
    Slot,
    entry,
    iso_minutes,
    week_of,
)

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


class Generator:
    """One run of the generator: lay out each account's slots, then fill them from the backlog.

    A class because its passes (slots, deadlines, theme mix, links) share the per-account
    timelines and counters; docs/plan-generator.md walks through them in order.
    """

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
                    # Slot times join the timeline (marked SLOT_MARKER) so later slots keep their distance.
                    self.times[account.id].insert(index, moment)
                    self.forms_at[account.id].insert(index, SLOT_MARKER)
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
                if f != SLOT_MARKER
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

    # Long on purpose: it assembles the run's whole report (slots, per-account mix, warnings)
    # in the order docs/plan-generator.md lists its parts; each part is a few lines.
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
    return Generator(inp).run()
