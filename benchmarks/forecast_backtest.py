"""Rolling-origin backtest of the goal forecasts (issue 17) against two baselines, in one run.

    .venv/bin/python benchmarks/forecast_backtest.py                    # order lines + revenue of the shared retail file
    .venv/bin/python benchmarks/forecast_backtest.py --csv series.csv   # any daily series, CSV date,value
    .venv/bin/python benchmarks/forecast_backtest.py --kinds cumulative level ratio --horizon 28

At cutoffs a week apart (the last one ``horizon`` days before the series ends), every method is
fitted on the 56 days up to the cutoff and forecasts the next ``horizon`` days; the harness prints,
per series, goal kind and method: the cutoffs scored, how often the 80% range contained what
happened (coverage), the mean range width relative to the outcome, and the median absolute
percentage error of the point forecast.

Kinds (as the goals forecast them): ``cumulative`` — the total of the next days (orders,
revenue, impressions); ``level`` — the value on the last day (a follower count; the series'
running total plays one); ``ratio`` — Σnumerator ÷ Σdenominator over the next days (revenue per
order line; only for the retail file, which has both).

Methods: ``ours`` is ``socialops.goals.forecast.forecast_calibrated`` given every day before the
cutoff (the goals give it up to a year), ``ours-56d`` the same given only the 56 days (too short
to calibrate: the fallback scale), ``analytic`` the uncalibrated model (the method before issue
17), ``snaive`` the seasonal naive forecast (last week repeated, with the spread of week-on-week
changes as its random-walk range; for a level, last week's daily changes from the latest level),
``ets`` statsmodels' ETS (additive error, damped additive trend, additive weekly seasonality)
with its own simulated prediction intervals.

The retail file (``../shared/data/online_retail_sample_20k.csv``, or SOCIALOPS_SHARED_DATA):
order lines are invoice rows with a positive quantity (cancellations left out), revenue their
quantity × unit price; a calendar day without any invoice counts as 0 (the shop sold nothing).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import math
import os
import sys
import warnings
from collections import defaultdict
from pathlib import Path

import numpy as np
from scipy import stats

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from socialops.goals import forecast as fc  # noqa: E402

LEVEL = 0.8
WINDOW = fc.WINDOW_DAYS
RETAIL = "online_retail_sample_20k.csv"
Z = float(stats.norm.ppf((1 + LEVEL) / 2))


def shared_data() -> Path:
    return Path(os.environ.get("SOCIALOPS_SHARED_DATA") or ROOT.parent / "shared" / "data")


def retail_series(path: Path) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray | None]]:
    """{name: (ordinals, numerator-or-value, denominator-or-None)} of the retail file, every calendar day."""
    lines: dict[int, float] = defaultdict(float)
    revenue: dict[int, float] = defaultdict(float)
    with path.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            qty = float(row["Quantity"])
            if qty <= 0 or row["InvoiceNo"].startswith("C"):
                continue
            day = dt.datetime.fromisoformat(row["InvoiceDate"]).date().toordinal()
            lines[day] += 1
            revenue[day] += qty * float(row["UnitPrice"])
    days = np.arange(min(lines), max(lines) + 1, dtype=np.int64)
    n = np.array([lines.get(int(d), 0.0) for d in days])
    r = np.array([revenue.get(int(d), 0.0) for d in days])
    return {"order lines": (days, n, None), "revenue": (days, r, None), "revenue per line": (days, r, n)}


def csv_series(path: Path) -> tuple[np.ndarray, np.ndarray, None]:
    """A CSV date,value (header optional); days without a row are missing, not zero."""
    pairs: dict[int, float] = {}
    with path.open(newline="", encoding="utf-8") as f:
        for row in csv.reader(f):
            if not row or not row[0].strip():
                continue
            try:
                pairs[dt.date.fromisoformat(row[0].strip()[:10]).toordinal()] = float(row[1])
            except ValueError:
                continue  # the header
    days = np.array(sorted(pairs), dtype=np.int64)
    return days, np.array([pairs[int(d)] for d in days]), None


# ---- baselines ----------------------------------------------------------------------------


def snaive(y_fit: np.ndarray, h: int, kind: str) -> tuple[float, float, float]:
    """Last week repeated; the range treats weekly totals as a random walk (week-on-week changes).

    For a level, last week's daily *changes* are repeated from the latest level (repeating last
    week's level itself would forecast a growing follower count to fall back a week: 0% coverage).
    """
    if kind == "level":
        base = float(y_fit[-1])
        point, low, high = snaive(np.diff(y_fit), h, "cumulative")
        return base + point, base + low, base + high
    week = y_fit[-7:]
    weekly = y_fit[len(y_fit) % 7 :].reshape(-1, 7).sum(axis=1)
    sd = float(np.std(np.diff(weekly), ddof=1)) if len(weekly) > 2 else 0.0
    full, rest = divmod(h, 7)
    point = float(week.sum() * full + week[:rest].sum())
    # Var of Σ_{j≤k}(W_{T+j} − W_T) for a random walk of weekly totals: σ²·Σ j²; a part week pro rata.
    k = full + rest / 7
    var = sd**2 * sum(min(j, k) ** 2 for j in range(1, math.ceil(k) + 1))
    half = Z * math.sqrt(var)
    return point, point - half, point + half


def ets(y_fit: np.ndarray, h: int, kind: str, seed: int) -> tuple[float, float, float]:
    """statsmodels ETS(A, Ad, A) with weekly seasonality; range from its own simulated paths."""
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = ETSModel(
            y_fit, error="add", trend="add", damped_trend=True, seasonal="add", seasonal_periods=7
        ).fit(disp=False)
        sims = np.asarray(model.simulate(h, repetitions=2000, anchor="end", rng=np.random.default_rng(seed)))
    if sims.ndim == 1:
        sims = sims[:, None]
    outcome = sims[-1] if kind == "level" else sims.sum(axis=0)
    point = float(np.mean(outcome))
    lo, hi = np.quantile(outcome, [(1 - LEVEL) / 2, (1 + LEVEL) / 2])
    return point, float(lo), float(hi)


# ---- the backtest -----------------------------------------------------------------------------


def contiguous(days: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The fit window on every calendar day (baselines need it): missing days interpolated."""
    full = np.arange(days[0], days[-1] + 1)
    return np.interp(full, days, y)


def backtest(
    days: np.ndarray, y: np.ndarray, den: np.ndarray | None, kind: str, horizon: int, methods: list[str]
) -> dict[str, list[tuple[float, float, float, float]]]:
    """{method: [(point, low, high, actual) per cutoff]}."""
    out: dict[str, list[tuple[float, float, float, float]]] = defaultdict(list)
    last = int(days[-1])
    cutoffs = []
    c = last - horizon
    while c - WINDOW + 1 >= days[0]:
        cutoffs.append(c)
        c -= 7
    for c in reversed(cutoffs):
        hist = days <= c
        win = hist & (days > c - WINDOW)
        ahead = (days > c) & (days <= c + horizon)
        if win.sum() < fc.MIN_DAYS or not ahead.any():
            continue
        fut = days[ahead]
        if kind == "ratio":
            assert den is not None
            actual = float(y[ahead].sum() / den[ahead].sum())
        elif kind == "level":
            actual = float(y[ahead][-1])
        else:
            actual = float(y[ahead].sum())
        for m in methods:
            out[m].append((*predict(m, days, y, den, hist, win, fut, kind, horizon, c), actual))
    return out


def predict(
    m: str, days, y, den, hist, win, fut, kind: str, horizon: int, c: int
) -> tuple[float, float, float]:
    if kind == "ratio":
        if m == "analytic":
            return fc.forecast_ratio(days[win], y[win], den[win], fut).final
        if m in ("ours", "ours-56d"):
            return ratio_calibrated(days, y, den, hist if m == "ours" else win, fut)
        ys = {
            name: {"snaive": snaive, "ets": lambda a, h, k: ets(a, h, k, seed=c)}[m](
                contiguous(days[win], arr[win]), horizon, "cumulative"
            )
            for name, arr in (("n", y), ("d", den))
        }
        point = ys["n"][0] / ys["d"][0]
        # The baselines have no joint model: bounds from the numerator's range over the point denominator.
        return point, ys["n"][1] / ys["d"][0], ys["n"][2] / ys["d"][0]
    fc_kind = fc.LEVEL_KIND if kind == "level" else fc.CUMULATIVE
    if m == "ours":
        return fc.forecast_calibrated(days[hist], y[hist], fut, kind=fc_kind).band.final
    if m == "ours-56d":
        return fc.forecast_calibrated(days[win], y[win], fut, kind=fc_kind).band.final
    if m == "analytic":
        if kind == "level":
            return fc.forecast_values(days[win], y[win], fut).final
        return fc.forecast_cumulative(days[win], y[win], fut).final
    series = contiguous(days[win], y[win])
    if m == "snaive":
        return snaive(series, horizon, kind)
    return ets(series, horizon, kind, seed=c)


def ratio_calibrated(days, num, den, mask, fut) -> tuple[float, float, float]:
    return fc.forecast_ratio_calibrated(days[mask], num[mask], den[mask], fut).band.final


Row = tuple[str, str, str, int, float, float, float]


def summarise(name: str, kind: str, results: dict[str, list[tuple[float, float, float, float]]]) -> list[Row]:
    rows = []
    for m, res in results.items():
        a = np.array(res)
        point, low, high, actual = a.T
        cover = float(np.mean((low <= actual) & (actual <= high)))
        with np.errstate(divide="ignore", invalid="ignore"):
            width = np.nanmean(np.where(actual != 0, (high - low) / np.abs(actual), np.nan))
            mape = np.nanmedian(np.where(actual != 0, np.abs(point - actual) / np.abs(actual), np.nan))
        rows.append((name, kind, m, len(a), cover, float(width), float(mape)))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--csv", type=Path, action="append", help="a daily series, CSV date,value (repeatable)"
    )
    parser.add_argument("--kinds", nargs="+", default=["cumulative", "level", "ratio"])
    parser.add_argument("--methods", nargs="+", default=["ours", "ours-56d", "analytic", "snaive", "ets"])
    parser.add_argument("--horizon", type=int, default=28)
    args = parser.parse_args(argv)

    series: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray | None]] = {}
    if args.csv:
        for path in args.csv:
            series[path.name] = csv_series(path)
    else:
        series.update(retail_series(shared_data() / RETAIL))
    rows: list[Row] = []
    for name, (days, y, den) in series.items():
        for kind in args.kinds:
            if (kind == "ratio") != (den is not None):
                continue
            # For the level kind the running total plays a level (a follower count).
            y_kind = np.cumsum(y) if kind == "level" else y
            rows += summarise(name, kind, backtest(days, y_kind, den, kind, args.horizon, args.methods))
    print(
        f"{'series':<20} {'kind':<11} {'method':<9} {'cutoffs':>7} {'coverage':>9} {'width':>7} {'MdAPE':>7}"
    )
    for name, kind, m, n, cover, width, mape in rows:
        print(f"{name:<20} {kind:<11} {m:<9} {n:>7} {cover:>8.0%} {width:>7.1%} {mape:>7.1%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
