"""Benchmark of the plan generator (R2.5): 50 accounts × 90 days with a 2,000-item backlog.

Run: `.venv/bin/python benchmarks/plan_generation.py` (add `--runs N` for more timed runs,
`--no-db` to skip the end-to-end run on SQLite). Prints the generator's median time, a naive
greedy first-fit baseline's time on the same input in the same run, their ratio, the quality of
both plans, and one end-to-end `plan_generate` on a temporary SQLite database.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from socialops.content.calendar_types import CalendarDay, CalendarItem  # noqa: E402
from socialops.content.planner import (  # noqa: E402
    FORMS,
    AccountInput,
    BacklogItem,
    BestHours,
    Cadence,
    Capacity,
    LinkedDate,
    PlanInput,
    generate,
    week_of,
)

THEMES = {1: "行业动态", 2: "产品介绍", 3: "用户故事", 4: "专家观点", 5: "实用技巧"}
TARGETS = {1: 20, 2: 25, 3: 20, 4: 15, 5: 20}
START = dt.date(2026, 1, 5)
# Spring Festival 2026: days off 15–23 February, make-up workdays 14 and 28 February.
HOLIDAYS = {dt.date(2026, 2, d): "春节" for d in range(15, 24)}
MAKEUP = {dt.date(2026, 2, 14), dt.date(2026, 2, 28)}
FESTIVALS = [
    CalendarItem("festival:spring:2026", "festival", "春节", dt.date(2026, 2, 17), dt.date(2026, 2, 17)),
    CalendarItem("festival:lantern:2026", "festival", "元宵节", dt.date(2026, 3, 3), dt.date(2026, 3, 3)),
    CalendarItem("commerce:38:2026", "commerce", "三八节", dt.date(2026, 3, 8), dt.date(2026, 3, 8)),
]


def calendar(start: dt.date, days: int) -> tuple[CalendarDay, ...]:
    out = []
    for n in range(days):
        day = start + dt.timedelta(days=n)
        holiday = HOLIDAYS.get(day)
        makeup = day in MAKEUP
        workday = makeup or (holiday is None and day.isoweekday() <= 5)
        entries = [f for f in FESTIVALS if f.start <= day <= f.end]
        out.append(CalendarDay(day, workday, holiday, makeup, True, entries))
    return tuple(out)


def build_input(accounts: int = 50, days: int = 90, items: int = 2000, seed: int = 20260105) -> PlanInput:
    """A deterministic workload: accounts with learned or default hours, a mixed backlog."""
    rng = random.Random(seed)
    account_inputs = []
    for n in range(1, accounts + 1):
        if n % 3:
            scores = {(w, h): round(rng.uniform(0.2, 2.0), 3) for w in range(1, 8) for h in range(7, 23)}
            best = BestHours(source="learned", posts=rng.randint(60, 400), scores=scores)
        else:
            best = BestHours(
                source="platform_default",
                posts=0,
                scores={(w, h): 1.0 + (h in (12, 20)) for w in range(1, 8) for h in (8, 12, 18, 20, 21)},
            )
        account_inputs.append(
            AccountInput(
                n, f"account{n}", Cadence(holiday_mode=("weekend", "skip", "workday")[n % 3]), best, TARGETS
            )
        )
    backlog = []
    end = start_end(days)[1]
    for i in range(1, items + 1):
        deadline = None
        if rng.random() < 0.3:
            deadline = START + dt.timedelta(days=rng.randint(3, days + 10))
        links: tuple[LinkedDate, ...] = ()
        if rng.random() < 0.05:
            f = rng.choice(FESTIVALS)
            links = (LinkedDate(f.key, f.kind, f.name, f.start, f.end),)
            # A festival item is due on its festival at the latest.
            deadline = f.end if deadline is None or deadline < f.end else deadline
        importance = rng.choices(["normal", "important", "urgent"], [85, 13, 2])[0]
        targets = tuple(sorted(rng.sample(range(1, accounts + 1), rng.randint(2, 6))))
        backlog.append(
            BacklogItem(
                id=i,
                theme_id=rng.choice(list(THEMES)),
                form=rng.choices(FORMS, [40, 30, 20, 3, 7])[0],
                title=f"item {i}",
                owner_id=rng.randint(1, 12),
                importance=importance,
                deadline=deadline,
                links=links,
                accounts=targets,
            )
        )
    return PlanInput(
        start=START,
        end=end,
        days=calendar(START, days),
        accounts=tuple(account_inputs),
        themes=THEMES,
        backlog=tuple(backlog),
        capacity=Capacity(workspace_per_week=None, per_owner=dict.fromkeys(range(1, 13), 40)),
    )


def start_end(days: int) -> tuple[dt.date, dt.date]:
    return START, START + dt.timedelta(days=days - 1)


def naive_first_fit(inp: PlanInput) -> list[tuple[int, int, dt.datetime]]:
    """The baseline: the same slots, each filled with the first backlog item (by id) that may go there.

    It checks only what any plan must (the item is meant for the account, not placed there yet,
    not past its deadline) and scans the backlog for every slot: O(slots × backlog).
    """
    from socialops.content.planner import _Generator

    gen = _Generator(inp)
    gen._keep()
    slots, _stats = gen._slots()
    slots.sort(key=lambda s: (s.starts_at, s.account_id))
    backlog = sorted(inp.backlog, key=lambda i: i.id)
    placed: set[tuple[int, int]] = set()
    out = []
    for slot in slots:
        day = slot.starts_at.date()
        for item in backlog:
            if item.accounts and slot.account_id not in item.accounts:
                continue
            if (slot.account_id, item.id) in placed:
                continue
            if item.deadline is not None and item.deadline < day:
                continue
            placed.add((slot.account_id, item.id))
            out.append((slot.account_id, item.id, slot.starts_at))
            break
    return out


def quality(inp: PlanInput, rows: list[tuple[int, int, dt.datetime]]) -> dict[str, float]:
    """How a plan keeps the rules the naive baseline ignores."""
    items = {i.id: i for i in inp.backlog}
    accounts = {a.id: a for a in inp.accounts}
    by_account: dict[int, list[tuple[dt.datetime, int]]] = {}
    for account_id, item_id, at in rows:
        by_account.setdefault(account_id, []).append((at, item_id))
    deviations, repeats, over_limit, early_or_late = [], 0, 0, 0
    for account_id, posts in by_account.items():
        posts.sort()
        total = len(posts)
        targets = accounts[account_id].theme_targets
        whole = sum(targets.values())
        for theme, share in targets.items():
            n = sum(1 for _at, i in posts if items[i].theme_id == theme)
            deviations.append(abs(100.0 * n / total - 100.0 * share / whole))
        repeats += sum(
            1 for a, b in zip(posts, posts[1:], strict=False) if items[a[1]].form == items[b[1]].form
        )
        lives: dict[int, int] = {}
        for at, i in posts:
            if items[i].form == "live":
                lives[week_of(at.date())] = lives.get(week_of(at.date()), 0) + 1
        over_limit += sum(n - 1 for n in lives.values() if n > 1)
        for at, i in posts:
            for link in items[i].links:
                if not (link.start - dt.timedelta(days=3) <= at.date() <= link.end):
                    early_or_late += 1
    return {
        "placed": len(rows),
        "theme_dev_mean_pp": round(statistics.mean(deviations), 2) if deviations else 0.0,
        "theme_dev_max_pp": round(max(deviations), 2) if deviations else 0.0,
        "same_form_back_to_back": repeats,
        "live_over_weekly_limit": over_limit,
        "festival_posts_off_window": early_or_late,
    }


def timed(fn: Any, runs: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def end_to_end(inp: PlanInput) -> dict[str, Any]:
    """plan_generate on a fresh SQLite database with the same accounts, targets and backlog."""
    tmp = tempfile.mkdtemp(prefix="socialops-bench-")
    os.environ["SOCIALOPS_DATA_DIR"] = tmp
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialops.config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from socialops.accounts.models import SocialAccount
    from socialops.content.models import ContentItem, Placement, Theme, ThemeTarget
    from socialops.content.services.plan import plan_generate
    from socialops.workspaces.services import workspace_create

    workspace = workspace_create(actor=None, name="Bench", slug="bench")
    # Fixture data is bulk-inserted (the product's write path is what is being timed, not this).
    themes = Theme.objects.bulk_create(
        [Theme(workspace=workspace, name=name, position=i) for i, name in enumerate(THEMES.values())]
    )
    theme_of = dict(zip(THEMES, themes, strict=True))
    accounts = SocialAccount.objects.bulk_create(
        [
            SocialAccount(workspace=workspace, platform="weibo", handle=a.label, display_name=a.label)
            for a in inp.accounts
        ]
    )
    account_of = {a.id: acc for a, acc in zip(inp.accounts, accounts, strict=True)}
    ThemeTarget.objects.bulk_create(
        [
            ThemeTarget(workspace=workspace, account=acc, theme=theme_of[t], share=int(share))
            for acc in accounts
            for t, share in TARGETS.items()
        ]
    )
    today = dt.date.today()
    start = today + dt.timedelta(days=7 - today.weekday())
    shift = start - inp.start
    rows = ContentItem.objects.bulk_create(
        [
            ContentItem(
                workspace=workspace,
                title=i.title,
                form=i.form if i.form != "live" else "video",
                theme=theme_of[i.theme_id],
                importance=i.importance,
                deadline=i.deadline + shift if i.deadline else None,
                evergreen=i.deadline is None,
                calendar_links=[],
                body="正文",
            )
            for i in inp.backlog
        ]
    )
    through = ContentItem.accounts.through
    through.objects.bulk_create(
        [
            through(contentitem_id=row.pk, socialaccount_id=account_of[a].pk)
            for row, item in zip(rows, inp.backlog, strict=True)
            for a in item.accounts
        ]
    )
    end = start + (inp.end - inp.start)
    t0 = time.perf_counter()
    run = plan_generate(workspace=workspace, actor=None, start=start, end=end, accounts=accounts)
    seconds = time.perf_counter() - t0
    return {
        "seconds": seconds,
        "period": f"{start} – {end}",
        "placements": Placement.objects.filter(plan_run=run).count(),
        "empty_slots": run.report["slots"]["empty"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs of the generator (median)")
    parser.add_argument("--baseline-runs", type=int, default=3, help="timed runs of the baseline (median)")
    parser.add_argument("--no-db", action="store_true", help="skip the end-to-end run on SQLite")
    args = parser.parse_args()

    inp = build_input()
    ours_time, plan = timed(lambda: generate(inp), args.runs)
    again = generate(inp)
    assert [(p.account_id, p.item_id, p.starts_at) for p in plan.placements] == [
        (p.account_id, p.item_id, p.starts_at) for p in again.placements
    ], "the generator must be deterministic"
    base_time, base_rows = timed(lambda: naive_first_fit(inp), args.baseline_runs)
    ours_rows = [(p.account_id, p.item_id, p.starts_at) for p in plan.placements if not p.kept]
    report = plan.report["slots"]
    print(f"input: {len(inp.accounts)} accounts × {len(inp.days)} days, backlog {len(inp.backlog)} items")
    print(f"slots: {report['mandatory']} at the cadence minimum + {report['optional']} up to the maximum")
    print(f"generator (median of {args.runs}): {ours_time:.3f} s")
    print(f"naive first-fit baseline (median of {args.baseline_runs}): {base_time:.3f} s")
    print(f"ratio baseline / generator: {base_time / ours_time:.1f}×")
    print("quality      ", "generator", "baseline", sep="\t")
    q_ours, q_base = quality(inp, ours_rows), quality(inp, base_rows)
    for key in q_ours:
        print(f"{key:<26}", q_ours[key], q_base[key], sep="\t")
    print(f"generator report: empty slots {report['empty']}, short themes {len(plan.report['short_themes'])}")
    if not args.no_db:
        e2e = end_to_end(inp)
        print(
            f"plan_generate end to end on SQLite ({e2e['period']}): {e2e['seconds']:.2f} s, "
            f"{e2e['placements']} placements stored, {e2e['empty_slots']} empty slots"
        )


if __name__ == "__main__":
    main()
