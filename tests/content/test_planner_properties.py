"""Invariants of the plan generator (content/planner.py), checked on generated inputs with hypothesis.

No database: the planner is pure. The tolerance of the theme mix is the one stated in
docs/plan-generator.md.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from socialops.content.calendar_types import CalendarDay
from socialops.content.planner import (
    FORMS,
    AccountInput,
    BacklogItem,
    BestHours,
    Cadence,
    Capacity,
    LinkedDate,
    Plan,
    PlanInput,
    generate,
    insert_urgent,
    week_of,
)

# The theme mix tolerance stated in docs/plan-generator.md, in posts.
THEME_TOLERANCE = 1

EXAMPLES = int(os.environ.get("SOCIALOPS_PROPERTY_EXAMPLES", "120"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])

BASE = dt.date(2026, 1, 1)


@st.composite
def calendars(draw: Any) -> tuple[CalendarDay, ...]:
    start = BASE + dt.timedelta(days=draw(st.integers(0, 800)))
    length = draw(st.integers(1, 21))
    days = []
    for n in range(length):
        day = start + dt.timedelta(days=n)
        weekend = day.isoweekday() > 5
        kind = draw(st.sampled_from(["plain", "plain", "plain", "holiday", "makeup"]))
        covered = day.year <= 2026 or draw(st.booleans())
        if kind == "holiday":
            days.append(CalendarDay(day, False, "国庆节", False, covered))
        elif kind == "makeup" and weekend:
            days.append(CalendarDay(day, True, None, True, covered))
        else:
            days.append(CalendarDay(day, not weekend, None, False, covered))
    return tuple(days)


@st.composite
def cadences(draw: Any) -> Cadence:
    posts = {}
    for weekday in range(1, 8):
        high = draw(st.integers(0, 5))
        low = draw(st.integers(0, high))
        posts[weekday] = (low, high)
    quiet_start = dt.time(draw(st.integers(0, 23)), draw(st.sampled_from([0, 30])))
    quiet_end = dt.time(draw(st.integers(0, 23)), draw(st.sampled_from([0, 30])))
    limits = draw(st.dictionaries(st.sampled_from(FORMS), st.integers(0, 3), max_size=3))
    return Cadence(
        posts_per_weekday=posts,
        holiday_mode=draw(st.sampled_from(["weekend", "skip", "workday"])),
        makeup_as_workday=draw(st.booleans()),
        min_gap_minutes=draw(st.sampled_from([0, 45, 60, 90, 120, 180, 300])),
        quiet_start=quiet_start,
        quiet_end=quiet_end,
        form_limits=limits,
    )


@st.composite
def best_hours(draw: Any) -> BestHours:
    if draw(st.booleans()):
        return BestHours(source="platform_default", posts=0)
    cells = draw(
        st.dictionaries(
            st.tuples(st.integers(1, 7), st.integers(0, 23)), st.floats(0.1, 3.0), min_size=1, max_size=40
        )
    )
    return BestHours(source="learned", posts=50, scores=cells)


@st.composite
def plan_inputs(draw: Any, *, with_keep: bool = False) -> PlanInput:
    days = draw(calendars())
    start, end = days[0].date, days[-1].date
    theme_ids = list(range(1, draw(st.integers(1, 4)) + 1))
    themes = {t: f"theme{t}" for t in theme_ids}
    n_accounts = draw(st.integers(1, 3))
    accounts = []
    for a in range(1, n_accounts + 1):
        targets = draw(
            st.dictionaries(st.sampled_from(theme_ids), st.integers(0, 60), max_size=len(theme_ids))
        )
        accounts.append(AccountInput(a, f"acc{a}", draw(cadences()), draw(best_hours()), targets))
    items = []
    for i in range(1, draw(st.integers(0, 50)) + 1):
        deadline = None
        if draw(st.booleans()):
            deadline = start + dt.timedelta(days=draw(st.integers(-3, 25)))
        links: tuple[LinkedDate, ...] = ()
        if draw(st.integers(0, 5)) == 0:
            on = start + dt.timedelta(days=draw(st.integers(-2, 25)))
            links = (LinkedDate(f"festival:x:{i}", "festival", "中秋节", on, on),)
        items.append(
            BacklogItem(
                id=i,
                theme_id=draw(st.sampled_from(theme_ids)),
                form=draw(st.sampled_from(FORMS)),
                title=f"item{i}",
                owner_id=draw(st.sampled_from([None, 1, 2])),
                importance=draw(st.sampled_from(["normal", "normal", "important", "urgent"])),
                deadline=deadline,
                links=links,
                accounts=tuple(sorted(draw(st.sets(st.integers(1, n_accounts), max_size=n_accounts)))),
            )
        )
    capacity = Capacity(
        workspace_per_week=draw(st.none() | st.integers(0, 15)),
        per_owner=draw(st.dictionaries(st.sampled_from([1, 2]), st.integers(0, 6), max_size=2)),
    )
    now = None
    if draw(st.booleans()):
        now = dt.datetime.combine(start, dt.time()) + dt.timedelta(hours=draw(st.integers(0, 24 * 5)))
    return PlanInput(start, end, days, tuple(accounts), themes, tuple(items), capacity, (), now)


def _by_account(plan: Plan) -> dict[int, list[Any]]:
    out: dict[int, list[Any]] = {}
    for p in plan.placements:
        out.setdefault(p.account_id, []).append(p)
    for rows in out.values():
        rows.sort(key=lambda p: p.starts_at)
    return out


def _assert_valid(inp: PlanInput, plan: Plan, *, capacity: bool = True) -> None:
    """Every rule of the cadence, the backlog and (unless told) the capacity, on a finished plan."""
    items = {i.id: i for i in inp.backlog}
    accounts = {a.id: a for a in inp.accounts}
    days = {d.date: d for d in inp.days}
    produced: dict[int, int] = {}
    for account_id, rows in _by_account(plan).items():
        cadence = accounts[account_id].cadence
        gap = dt.timedelta(minutes=cadence.min_gap_minutes)
        # Cadence and gaps.
        for a, b in zip(rows, rows[1:], strict=False):
            assert b.starts_at - a.starts_at >= gap, (a, b)
        per_day = Counter(p.starts_at.date() for p in rows)
        for day, n in per_day.items():
            rule = cadence.day_rule(days[day])
            assert n <= rule.high, (day, n, rule)
            calendar_day = days[day]
            weekday = day.isoweekday()
            if not calendar_day.workday and calendar_day.holiday:
                if cadence.holiday_mode == "skip":
                    raise AssertionError(f"post on a skipped holiday {day}")
                if cadence.holiday_mode == "weekend":
                    key = weekday if weekday > 5 else 6
                else:
                    key = weekday if weekday <= 5 else 1
                assert n <= cadence.posts(key)[1]
        seen = Counter(p.item_id for p in rows)
        assert max(seen.values()) == 1, "an item placed twice for one account"
        forms = Counter((week_of(p.starts_at.date()), items[p.item_id].form) for p in rows)
        for (_week, form), n in forms.items():
            limit = cadence.form_limits.get(form)
            assert limit is None or n <= limit, (form, n, limit)
        for p in rows:
            item = items[p.item_id]
            assert not cadence.is_quiet(p.starts_at.time()), p
            assert inp.start <= p.starts_at.date() <= inp.end
            assert item.deadline is None or p.starts_at.date() <= item.deadline, (p, item)
            assert not item.accounts or account_id in item.accounts
            assert inp.now is None or p.starts_at >= inp.now
            assert p.explanation and all("code" in e and "params" in e for e in p.explanation)
            week = week_of(p.starts_at.date())
            produced[p.item_id] = min(produced.get(p.item_id, week), week)
    if not capacity:
        return
    per_week = Counter(produced.values())
    if inp.capacity.workspace_per_week is not None:
        assert max(per_week.values(), default=0) <= inp.capacity.workspace_per_week
    for owner, limit in inp.capacity.per_owner.items():
        owned = Counter(w for i, w in produced.items() if items[i].owner_id == owner)
        assert max(owned.values(), default=0) <= limit


@SETTINGS
@given(plan_inputs())
def test_generated_plans_keep_every_rule(inp: PlanInput) -> None:
    plan = generate(inp)
    _assert_valid(inp, plan)
    report = plan.report
    assert report["slots"]["filled"] == len(plan.placements)
    assert report["slots"]["empty"] == sum(e["count"] for e in report["empty_slots"])
    uncovered = sorted({d.date.year for d in inp.days if not d.covered})
    assert report["uncovered"]["years"] == uncovered


@SETTINGS
@given(plan_inputs())
def test_same_inputs_same_plan(inp: PlanInput) -> None:
    first = generate(inp)
    second = generate(inp)
    shuffled = generate(
        PlanInput(
            inp.start, inp.end, tuple(reversed(inp.days)), inp.accounts, inp.themes,
            tuple(reversed(inp.backlog)), inp.capacity, inp.keep, inp.now,
        )
    )  # fmt: skip
    rows = [(p.account_id, p.item_id, p.starts_at, p.explanation) for p in first.placements]
    assert rows == [(p.account_id, p.item_id, p.starts_at, p.explanation) for p in second.placements]
    assert rows == [(p.account_id, p.item_id, p.starts_at, p.explanation) for p in shuffled.placements]
    assert first.report == second.report == shuffled.report


@SETTINGS
@given(plan_inputs(), st.data())
def test_urgent_insertion_loses_no_item(inp: PlanInput, data: Any) -> None:
    plan = generate(inp)
    account = data.draw(st.sampled_from(inp.accounts))
    themes = list(inp.themes)
    urgent = BacklogItem(
        id=10_000,
        theme_id=data.draw(st.sampled_from(themes)),
        form=data.draw(st.sampled_from(FORMS)),
        title="突发",
        importance="urgent",
        deadline=data.draw(st.none() | st.sampled_from([d.date for d in inp.days])),
    )
    before = Counter((p.item_id, p.account_id) for p in plan.placements)
    before.update((u["item"], u["account"]) for u in plan.report["unplaced"])
    after_plan = insert_urgent(plan, urgent, account.id)
    after = Counter((p.item_id, p.account_id) for p in after_plan.placements)
    after.update((u["item"], u["account"]) for u in after_plan.report["unplaced"])
    before[(urgent.id, account.id)] += 1
    assert after == before
    # Every move is reported, and the moved items still keep every rule.
    moved = {(m["item"], m["account"]) for m in after_plan.report["moves"]}
    old = {(p.item_id, p.account_id): p.starts_at for p in plan.placements}
    for p in after_plan.placements:
        if (p.item_id, p.account_id) in old and old[(p.item_id, p.account_id)] != p.starts_at:
            assert (p.item_id, p.account_id) in moved
    full = PlanInput(
        inp.start,
        inp.end,
        inp.days,
        inp.accounts,
        inp.themes,
        (*inp.backlog, urgent),
        inp.capacity,
        (),
        inp.now,
    )
    # An urgent item is inserted by a person's decision, beyond the generator's capacity rule.
    _assert_valid(full, after_plan, capacity=False)


@st.composite
def ample_inputs(draw: Any) -> PlanInput:
    """A backlog that always allows the mix: plenty of every theme and form, nothing time-bound."""
    days = draw(calendars())
    n_themes = draw(st.integers(2, 5))
    themes = {t: f"theme{t}" for t in range(1, n_themes + 1)}
    accounts = []
    for a in range(1, draw(st.integers(1, 3)) + 1):
        targets = draw(st.dictionaries(st.sampled_from(list(themes)), st.integers(1, 60), min_size=1))
        cadence = Cadence(
            posts_per_weekday={w: (draw(st.integers(0, 3)), 3) for w in range(1, 8)},
            min_gap_minutes=draw(st.sampled_from([60, 120])),
            form_limits={},
        )
        accounts.append(AccountInput(a, f"acc{a}", cadence, BestHours("platform_default", 0), targets))
    items = []
    n = 0
    for theme in themes:
        for form in FORMS:
            for _ in range(15):
                n += 1
                items.append(BacklogItem(id=n, theme_id=theme, form=form, title=f"i{n}"))
    return PlanInput(days[0].date, days[-1].date, days, tuple(accounts), themes, tuple(items))


@SETTINGS
@given(ample_inputs())
def test_theme_mix_within_tolerance_when_backlog_allows(inp: PlanInput) -> None:
    plan = generate(inp)
    assert plan.report["slots"]["empty"] == 0
    for account in inp.accounts:
        rows = [p for p in plan.placements if p.account_id == account.id]
        total = len(rows)
        shares = {t: s for t, s in account.theme_targets.items() if s > 0}
        counts = Counter(items_theme(inp, p.item_id) for p in rows)
        whole = sum(shares.values())
        for theme, share in shares.items():
            expected = share / whole * total
            assert abs(counts.get(theme, 0) - expected) <= THEME_TOLERANCE, (theme, counts, expected, total)
        assert set(counts) <= set(shares)


def items_theme(inp: PlanInput, item_id: int) -> int:
    return next(i.theme_id for i in inp.backlog if i.id == item_id)
