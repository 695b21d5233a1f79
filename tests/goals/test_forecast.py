"""The forecast method (goals/forecast.py) on synthetic series with a known truth."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from socialops.goals import forecast as fc

MONDAY = dt.date(2024, 1, 1).toordinal()  # 2024-01-01 was a Monday
WEEKLY = np.array([5.0, 3.0, 2.0, 0.0, -1.0, -4.0, -5.0])  # Mon … Sun, sums to 0


def synthetic(seed: int, n_past: int = 56, n_future: int = 30, slope: float = 0.8, noise: float = 6.0):
    rng = np.random.default_rng(seed)
    days = np.arange(MONDAY, MONDAY + n_past + n_future)
    y = 100 + slope * (days - days[0]) + 8 * WEEKLY[fc.weekday_of(days)] + rng.normal(0, noise, len(days))
    return days[:n_past], y[:n_past], days[n_past:], y[n_past:]


def test_weekday_matches_python() -> None:
    days = [dt.date(2024, 3, d) for d in range(1, 15)]
    assert list(fc.weekday_of([d.toordinal() for d in days])) == [d.weekday() for d in days]


@pytest.mark.parametrize(
    ("dof", "expected"), [(4, 1.5332), (6, 1.4398), (10, 1.3722), (30, 1.3104), (48, 1.2994)]
)
def test_t_quantile_matches_tables(dof: int, expected: float) -> None:
    assert fc.t_quantile(0.9, dof) == pytest.approx(expected, abs=2e-4)


def test_noise_free_trend_and_weekly_pattern_are_recovered_exactly() -> None:
    days = np.arange(MONDAY, MONDAY + 56)
    y = 50 + 2.0 * (days - MONDAY) + WEEKLY[fc.weekday_of(days)]
    future = np.arange(MONDAY + 56, MONDAY + 70)
    band = fc.forecast_cumulative(days, y, future)
    truth = np.cumsum(50 + 2.0 * (future - MONDAY) + WEEKLY[fc.weekday_of(future)])
    assert np.allclose(band.point, truth)
    assert np.allclose(band.low, truth) and np.allclose(band.high, truth)
    assert band.weekly


def test_80_percent_interval_covers_the_truth_about_80_percent_of_the_time() -> None:
    seeds = 300
    hits_sum = hits_day = 0
    for seed in range(seeds):
        past_d, past_y, fut_d, fut_y = synthetic(seed)
        band = fc.forecast_cumulative(past_d, past_y, fut_d)
        _p, low, high = band.final
        hits_sum += low <= fut_y.sum() <= high
        values = fc.forecast_values(past_d, past_y, fut_d[:1])
        hits_day += values.low[0] <= fut_y[0] <= values.high[0]
    assert 0.65 <= hits_sum / seeds <= 0.95
    assert 0.65 <= hits_day / seeds <= 0.95


def test_coverage_also_holds_with_few_days_and_trend_only() -> None:
    seeds = 300
    hits = 0
    for seed in range(seeds):
        past_d, past_y, fut_d, fut_y = synthetic(seed, n_past=14, n_future=10, noise=10.0)
        band = fc.forecast_cumulative(past_d, past_y, fut_d)
        _p, low, high = band.final
        hits += low <= fut_y.sum() <= high
    assert 0.65 <= hits / seeds <= 0.95


def test_pure_weekly_pattern_projects_flat_weekly_sums() -> None:
    days = np.arange(MONDAY, MONDAY + 56)
    y = 100 + 30 * WEEKLY[fc.weekday_of(days)]
    future = np.arange(MONDAY + 56, MONDAY + 56 + 28)
    band = fc.forecast_cumulative(days, y, future)
    weekly_sums = np.diff(np.concatenate([[0.0], band.point[6::7]]))
    assert np.allclose(weekly_sums, 700.0)
    # ... and the days themselves keep the weekly shape.
    daily = np.diff(np.concatenate([[0.0], band.point]))
    assert np.allclose(daily[:7], 100 + 30 * WEEKLY)


def test_noisy_weekly_pattern_without_trend_stays_close_to_flat() -> None:
    rng = np.random.default_rng(7)
    days = np.arange(MONDAY, MONDAY + 56)
    y = 100 + 30 * WEEKLY[fc.weekday_of(days)] + rng.normal(0, 3, 56)
    band = fc.forecast_cumulative(days, y, np.arange(MONDAY + 56, MONDAY + 56 + 28))
    weekly_sums = np.diff(np.concatenate([[0.0], band.point[6::7]]))
    assert np.all(np.abs(weekly_sums - 700) < 35)


def test_weekday_effects_are_dropped_when_a_weekday_is_missing() -> None:
    days = np.array([d for d in range(MONDAY, MONDAY + 56) if (d + 6) % 7 < 5])  # weekdays only
    y = 10 + 0.5 * (days - MONDAY)
    band = fc.forecast_cumulative(days, y, np.arange(MONDAY + 56, MONDAY + 60))
    assert not band.weekly
    assert band.point[0] == pytest.approx(10 + 0.5 * 56)


def test_nonnegative_counts_never_go_below_zero() -> None:
    days = np.arange(MONDAY, MONDAY + 28)
    y = np.maximum(0, 100 - 5.0 * (days - MONDAY))  # a falling count that reaches zero
    band = fc.forecast_cumulative(days, y, np.arange(MONDAY + 28, MONDAY + 60), nonnegative=True)
    assert np.all(band.low >= 0) and np.all(np.diff(band.point) >= 0)


def test_ratio_forecast_of_correlated_series() -> None:
    rng = np.random.default_rng(3)
    days = np.arange(MONDAY, MONDAY + 56)
    impressions = 1000 + 20 * WEEKLY[fc.weekday_of(days)] + rng.normal(0, 30, 56)
    engagements = 0.05 * impressions + rng.normal(0, 2, 56)
    future = np.arange(MONDAY + 56, MONDAY + 86)
    band = fc.forecast_ratio(
        days, engagements, impressions, future, base_numerator=500, base_denominator=10000
    )
    point, low, high = band.final
    assert low <= point <= high
    assert point == pytest.approx(0.05, abs=0.002)
    assert high - low < 0.005  # correlation keeps the ratio tight


def test_too_few_days_is_an_error_not_a_guess() -> None:
    with pytest.raises(ValueError):
        fc.fit([MONDAY, MONDAY + 1], [1.0, 2.0])
    with pytest.raises(ValueError):
        fc.fit([MONDAY, MONDAY + 1, MONDAY + 2], [1.0, float("nan"), 2.0])


def test_empty_horizon() -> None:
    band = fc.forecast_cumulative([MONDAY, MONDAY + 1, MONDAY + 2], [1, 2, 3], [])
    assert band.final == (0.0, 0.0, 0.0)


series_values = st.lists(
    st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False), min_size=14, max_size=56
)


@settings(max_examples=60, deadline=None)
@given(values=series_values, horizon=st.integers(min_value=1, max_value=120), start=st.integers(0, 6))
def test_interval_contains_the_point(values: list[float], horizon: int, start: int) -> None:
    days = np.arange(MONDAY + start, MONDAY + start + len(values))
    future = np.arange(days[-1] + 1, days[-1] + 1 + horizon)
    for nonnegative in (False, True):
        band = fc.forecast_cumulative(days, values, future, nonnegative=nonnegative)
        assert np.all(band.low <= band.point + 1e-6) and np.all(band.point <= band.high + 1e-6)
    level = fc.forecast_values(days, values, future)
    assert np.all(level.low <= level.point + 1e-6) and np.all(level.point <= level.high + 1e-6)


@settings(max_examples=40, deadline=None)
@given(
    pairs=st.lists(
        st.tuples(st.floats(0, 1e4, allow_nan=False), st.floats(1, 1e5, allow_nan=False)),
        min_size=14,
        max_size=40,
    ),
    horizon=st.integers(1, 60),
)
def test_ratio_interval_contains_the_point(pairs: list[tuple[float, float]], horizon: int) -> None:
    days = np.arange(MONDAY, MONDAY + len(pairs))
    num = [p[0] for p in pairs]
    den = [p[1] for p in pairs]
    band = fc.forecast_ratio(
        days, num, den, np.arange(days[-1] + 1, days[-1] + 1 + horizon), base_denominator=1.0
    )
    ok = np.isfinite(band.point)
    assert np.all(band.low[ok] <= band.point[ok] + 1e-9) and np.all(band.point[ok] <= band.high[ok] + 1e-9)


@settings(max_examples=30, deadline=None)
@given(values=series_values)
def test_deterministic(values: list[float]) -> None:
    days = np.arange(MONDAY, MONDAY + len(values))
    future = np.arange(days[-1] + 1, days[-1] + 31)
    a = fc.forecast_cumulative(days, values, future)
    b = fc.forecast_cumulative(days, values, future)
    assert (
        np.array_equal(a.point, b.point) and np.array_equal(a.low, b.low) and np.array_equal(a.high, b.high)
    )
