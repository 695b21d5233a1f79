"""Calibrated goal forecasts (issue 17): ranges that keep their promise, holidays, track record, CLI."""

from __future__ import annotations

import datetime as dt
import io
import json
import sys
from typing import Any

import numpy as np
import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from socialops.content import holidays
from socialops.goals import forecast as fc
from socialops.goals.selectors import goals as sel
from tests.factories import fill, make_account, make_goal
from tests.shared_data import shared_file

WEEKLY = np.array([1.0, 1.0, 1.0, 1.05, 1.1, 0.8, 0.7])  # Mon … Sun


def official(start: dt.date, end: dt.date) -> dict[dt.date, str]:
    """China's official holidays and 调休 days between two dates, as the goals see them."""
    out = {}
    d = start
    while d <= end:
        day = holidays.library_day(d)
        if day is not None:
            out[d] = str(day.name) if day.kind == holidays.HOLIDAY else "调休"
        d += dt.timedelta(days=1)
    return out


def ar_series(seed: int, n: int, start: dt.date, *, dip: float = 1.0) -> list[float]:
    """Orders a day: weekly pattern, AR(1) noise (a good week follows a good week), and on 国庆's
    official days off the figure times ``dip``."""
    rng = np.random.default_rng(seed)
    e = 0.0
    out = []
    for i in range(n):
        day = start + dt.timedelta(days=i)
        e = 0.7 * e + rng.normal(0, 8)
        value = 200 * WEEKLY[day.weekday()] + e
        detail = holidays.library_day(day)
        if detail is not None and detail.kind == holidays.HOLIDAY and str(detail.name) == "National Day":
            value *= dip
        out.append(max(value, 0.0))
    return out


def test_ranges_keep_their_promise_on_autocorrelated_series() -> None:
    # The old analytic range assumed independent errors and covered far less than 80% here.
    hits = old_hits = trials = 0
    for seed in range(40):
        values = ar_series(seed, 400 + 28, dt.date(2023, 1, 2))
        past, future = values[:400], values[400:]
        result = fc.forecast_from_values(past, start=dt.date(2023, 1, 2), horizon=28)
        _p, low, high = result.band.final
        hits += low <= sum(future) <= high
        days = np.arange(352, 400) + dt.date(2023, 1, 2).toordinal()
        old = fc.forecast_cumulative(days, past[352:], np.arange(400, 428) + dt.date(2023, 1, 2).toordinal())
        old_hits += old.low[-1] <= sum(future) <= old.high[-1]
        trials += 1
        assert result.calibrated_on >= fc.MIN_CUTOFFS  # a year of history: calibrated on its own errors
    assert 0.7 <= hits / trials <= 0.95
    assert old_hits < hits


def test_short_history_uses_the_fallback_width() -> None:
    values = ar_series(1, 56, dt.date(2024, 1, 1))
    result = fc.forecast_from_values(values, start=dt.date(2024, 1, 1), horizon=28)
    assert result.calibrated_on == 0 and result.scale == fc.FALLBACK_SCALE
    # A few past cutoffs can be checked (fits of 14+ days), too few to set the width.
    assert result.track.cutoffs < fc.MIN_CUTOFFS


def retail_daily() -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Every calendar day of the shared retail file and its order lines and revenue (0: no invoice)."""
    import csv

    lines: dict[int, float] = {}
    revenue: dict[int, float] = {}
    with shared_file("online_retail_sample_20k.csv").open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if float(row["Quantity"]) <= 0 or row["InvoiceNo"].startswith("C"):
                continue
            day = dt.datetime.fromisoformat(row["InvoiceDate"]).date().toordinal()
            lines[day] = lines.get(day, 0) + 1
            revenue[day] = revenue.get(day, 0) + float(row["Quantity"]) * float(row["UnitPrice"])
    days = np.arange(min(lines), max(lines) + 1)
    return days, {
        name: np.array([series.get(int(d), 0.0) for d in days])
        for name, series in (("order lines", lines), ("revenue", revenue))
    }


def test_retail_backtest_covers_about_80_percent() -> None:
    """The shared retail file's daily order lines and revenue (docs/forecast.md has the full table)."""
    days, series = retail_daily()
    for y in series.values():
        hits = n = 0
        c = int(days[-1]) - 28
        while c - 55 >= days[0]:
            hist, ahead = days <= c, (days > c) & (days <= c + 28)
            _p, low, high = fc.forecast_calibrated(days[hist], y[hist], days[ahead]).band.final
            hits += low <= y[ahead].sum() <= high
            n += 1
            c -= 7
        assert n == 42
        # 79% and 81% measured (docs/forecast.md); the old analytic ranges covered 57%.
        assert 0.72 <= hits / n <= 0.88


def test_retail_level_backtest_covers_about_80_percent() -> None:
    """A level (the running total plays a follower count) on day 28: from all the history before
    each cutoff, and honest with only 56 days (the fallback width, never narrower)."""
    days, series = retail_daily()
    for y in series.values():
        level = np.cumsum(y)
        hits = short_hits = n = 0
        c = int(days[-1]) - 28
        while c - 55 >= days[0]:
            hist, ahead = days <= c, (days > c) & (days <= c + 28)
            win = hist & (days > c - 56)
            outcome = level[ahead][-1]
            _p, low, high = fc.forecast_calibrated(
                days[hist], level[hist], days[ahead], kind=fc.LEVEL_KIND
            ).band.final
            hits += low <= outcome <= high
            _p, low, high = fc.forecast_calibrated(
                days[win], level[win], days[ahead], kind=fc.LEVEL_KIND
            ).band.final
            short_hits += low <= outcome <= high
            n += 1
            c -= 7
        assert n == 42
        # 79% and 86% measured with the history, 86% and 88% with 56 days (docs/forecast.md); the
        # level's own trend covered 74% and 67%, and 45% and 29% with 56 days.
        assert 0.72 <= hits / n <= 0.88
        assert 0.72 <= short_hits / n <= 0.92


def test_a_level_is_its_latest_figure_plus_its_forecast_daily_changes() -> None:
    start = dt.date(2024, 1, 1).toordinal()
    days = np.arange(start, start + 70)
    rng = np.random.default_rng(7)
    level = 5000 + np.cumsum(30 + rng.normal(0, 5, len(days)))
    future = np.arange(days[-1] + 1, days[-1] + 29)
    result = fc.forecast_calibrated(days, level, future, kind=fc.LEVEL_KIND)
    changes = fc.forecast_calibrated(days[1:], np.diff(level), future)
    assert result.band.point == pytest.approx(level[-1] + changes.band.point)
    assert result.band.high == pytest.approx(level[-1] + changes.band.high)
    assert result.scale == changes.scale
    # The range grows with the horizon (a level wanders), unlike a trend's.
    assert np.all(np.diff(result.band.high - result.band.low) > 0)
    # Figures every other day: the changes over the gaps are spread over their days.
    sparse = fc.forecast_calibrated(days[::2], 10 * (days[::2] - start), future, kind=fc.LEVEL_KIND)
    assert sparse.band.point == pytest.approx(10 * (future - start))
    d, inc = fc.daily_changes([1, 2, 4, 20, 21], [0.0, 1.0, 5.0, 9.0, 12.0])
    assert list(d) == [2, 3, 4, 21] and list(inc) == [1.0, 2.0, 2.0, 3.0]


def test_a_national_day_dip_seen_last_year_is_applied() -> None:
    start = dt.date(2023, 1, 2)
    n = (dt.date(2024, 9, 30) - start).days + 1
    values = ar_series(3, n + 31, start, dip=0.4)
    special = official(start, dt.date(2024, 10, 31))
    with_cal = fc.forecast_from_values(values[:n], start=start, horizon=31, special_days=special)
    blind = fc.forecast_from_values(values[:n], start=start, horizon=31)
    outcome = sum(values[n:])
    assert "National Day" in with_cal.known and not with_cal.unseen
    # The blind forecast expects an ordinary October; with the calendar the dip is expected.
    assert with_cal.band.final[0] < blind.band.final[0] - 0.5 * 200 * 7 * 0.6 * 0.5
    assert with_cal.band.low[-1] <= outcome <= with_cal.band.high[-1]


def test_a_holiday_the_history_never_saw_widens_the_range_and_says_so() -> None:
    start = dt.date(2024, 6, 3)
    n = (dt.date(2024, 9, 30) - start).days + 1
    values = ar_series(4, n + 31, start, dip=0.4)
    special = official(start, dt.date(2024, 10, 31))
    result = fc.forecast_from_values(values[:n], start=start, horizon=31, special_days=special)
    blind = fc.forecast_from_values(values[:n], start=start, horizon=31)
    assert "National Day" in result.unseen
    _p, low, high = result.band.final
    assert high - low > (blind.band.final[2] - blind.band.final[1]) * 1.3
    assert low <= sum(values[n:]) <= high


# ---- the goal page and the command ----------------------------------------------------------------


@pytest.mark.django_db
def test_goal_page_shows_track_record_and_the_national_day_note(workspace: Any, admin: Any, web: Any) -> None:
    account = make_account(workspace, "acme")
    start = dt.date(2023, 6, 5)
    values = ar_series(5, (dt.date(2024, 9, 20) - start).days + 1, start, dip=0.4)
    fill(account, start, dt.date(2024, 9, 20), lambda d: {"orders": round(values[(d - start).days])})
    goal = make_goal(
        workspace, kind="conversion", name="Orders in October", metric="orders", target=5000,
        period_start=dt.date(2024, 9, 21), period_end=dt.date(2024, 10, 31), accounts=[account],
    )  # fmt: skip
    p = sel.goal_progress(workspace=workspace, user=admin, goal=goal, today=dt.date(2024, 9, 20))
    assert p.track_cutoffs >= fc.MIN_CUTOFFS and 0 < p.track_hits <= p.track_cutoffs
    assert "National Day" in p.calendar_note and "effect seen in the history" in p.calendar_note
    assert p.summary()["track_record"] == {"cutoffs": p.track_cutoffs, "hits": p.track_hits}  # the API
    with time_machine.travel(dt.datetime(2024, 9, 20, 12, 0, tzinfo=dt.UTC), tick=False):
        html = web(admin).get(f"/w/acme/goals/{goal.pk}/").content.decode()
    assert 'data-figure="track-record"' in html and "range contained what happened" in html
    assert 'data-figure="calendar-note"' in html


@pytest.mark.django_db
def test_goal_with_little_history_says_the_track_record_is_not_there_yet(workspace: Any, admin: Any) -> None:
    account = make_account(workspace, "acme")
    fill(account, dt.date(2024, 1, 25), dt.date(2024, 3, 20), lambda d: {"new_followers": 70 + d.weekday()})
    goal = make_goal(workspace, accounts=[account])
    p = sel.goal_progress(workspace=workspace, user=admin, goal=goal, today=dt.date(2024, 3, 20))
    assert p.track_cutoffs < fc.MIN_CUTOFFS and "not enough history yet" in p.track_text


def run_forecast(monkeypatch: Any, text: str, *args: str) -> str:
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))
    out = io.StringIO()
    call_command("forecast", *args, stdout=out)
    return out.getvalue()


def test_forecast_command_prints_point_low_high_for_each_day(monkeypatch: Any) -> None:
    start = dt.date(2023, 1, 2)
    values = ar_series(6, 200, start)
    csv_text = "date,value\n" + "".join(f"{start + dt.timedelta(days=i)},{v}\n" for i, v in enumerate(values))
    data = json.loads(run_forecast(monkeypatch, csv_text, "--horizon", "5", "--json"))
    assert [r["date"] for r in data["forecast"]][0] == str(start + dt.timedelta(days=200))
    assert len(data["forecast"]) == 5
    assert all(r["low"] <= r["point"] <= r["high"] for r in data["forecast"])
    # The same code path as the goals.
    same = fc.forecast_from_values(values, start=start, horizon=5)
    assert data["forecast"][-1]["high"] == pytest.approx(same.band.high[-1])
    wider = json.loads(run_forecast(monkeypatch, csv_text, "--horizon", "5", "--coverage", "95", "--json"))
    assert wider["forecast"][-1]["high"] > data["forecast"][-1]["high"]
    level = run_forecast(monkeypatch, csv_text, "--horizon", "2", "--kind", "level")
    assert len(level.strip().splitlines()) == 2


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("date,value\n2024-01-01,3\n2024-01-02,x\n", "line 3: 'x' is not a number"),
        ("2024-01-01,3\n2024-13-02,4\n", "line 2: '2024-13-02' is not a date"),
        ("2024-01-01,3\n2024-01-01,4\n", "line 2: 2024-01-01 appears twice"),
        ("2024-01-01\n", "line 1: expected date,value"),
        ("", "no rows"),
        ("2024-01-01,3\n2024-01-02,4\n", "at least 14 days"),
    ],
)
def test_forecast_command_names_the_bad_line(monkeypatch: Any, text: str, message: str) -> None:
    with pytest.raises(CommandError, match=message):
        run_forecast(monkeypatch, text, "--horizon", "3")
