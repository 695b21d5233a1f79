"""Changing a generated plan: an urgent item pushed in, or a plan rebuilt around hand-placed posts."""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from socialops.content.calendar_types import CalendarDay

from .generator import Generator
from .rules import hour_order, time_violations
from .types import (
    FAR,
    SLOT_CODES,
    BacklogItem,
    KeptPlacement,
    Placed,
    Plan,
    PlanError,
    PlanInput,
    Slot,
    entry,
    iso_minutes,
    week_of,
)


def _due(item: BacklogItem | None) -> int:
    if item is None:
        return FAR
    due = item.deadline.toordinal() if item.deadline else FAR
    if item.links:
        ends = [link.end.toordinal() for link in item.links]
        due = min(due, max(ends))
    return due


# Long on purpose: choosing the slot, displacing and re-flowing share one timeline that every
# step updates; split, each piece would need the whole state passed around.
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
    gen = Generator(replace(inp, keep=inp.keep + as_kept, backlog=()))
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
