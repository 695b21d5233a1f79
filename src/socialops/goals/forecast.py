"""Forecasts of daily metric series: linear trend + day-of-week effects, fitted by least squares.

Pure numpy (and the standard library): no Django, no database, deterministic. The method, why it
was chosen and its caveats are in docs/forecast.md.

Days are integers (``date.toordinal()``), so the weekday of a day is ``(day + 6) % 7`` with
Monday = 0, exactly as ``date.weekday()``.

Intervals are analytic prediction intervals for a *sum* of future days under the regression
model y = Xβ + ε with independent errors of equal variance σ²:

    Var(S_h − Ŝ_h) = σ² · (h + aᵀ (XᵀX)⁻¹ a),   a = Σ_{j ≤ h} x_j

The ``h`` term is the noise of the future days themselves, the quadratic form is the uncertainty
of the fitted trend and weekday effects. The interval is Ŝ_h ± t_{(1+level)/2, n−p} · √Var.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

FloatArray = NDArray[np.float64]

#: The smallest number of observed days a forecast is made from (fewer is "insufficient data").
MIN_DAYS = 14
#: How far back the fit looks (8 weeks: enough for a trend, short enough to follow changes).
WINDOW_DAYS = 56
#: The central probability of the forecast interval.
LEVEL = 0.8


def weekday_of(days: ArrayLike) -> NDArray[np.int64]:
    """Monday = 0 … Sunday = 6 of proleptic ordinals (as ``date.weekday()``)."""
    return (np.asarray(days, dtype=np.int64) + 6) % 7


def t_quantile(p: float, dof: float) -> float:
    """The p-quantile of Student's t with ``dof`` degrees of freedom (scipy's, not an approximation)."""
    if dof <= 0:
        raise ValueError("degrees of freedom must be positive")
    return float(stats.norm.ppf(p)) if math.isinf(dof) else float(stats.t.ppf(p, dof))


@dataclass(frozen=True)
class Fit:
    """A least-squares fit of one or more series on the same days.

    ``beta`` has one column per series; ``cov`` is the residual covariance between the series
    (1×1 for a single series); ``xtx_inv`` is (XᵀX)⁻¹.
    """

    beta: FloatArray
    xtx_inv: FloatArray
    cov: FloatArray
    dof: int
    n: int
    weekly: bool
    origin: float
    trend: bool = True
    rho: float = 0.0  # lag-1 autocorrelation of the residuals on consecutive days (≥ 0)

    def design(self, days: ArrayLike) -> FloatArray:
        """The design rows of these days (same coding as the fit)."""
        return design_matrix(days, weekly=self.weekly, origin=self.origin, trend=self.trend)


def design_matrix(days: ArrayLike, *, weekly: bool, origin: float, trend: bool = True) -> FloatArray:
    """Columns: intercept, days since ``origin``, and (if weekly) six effect-coded weekdays.

    Effect coding (Monday row = −1 in every weekday column) makes the seven weekday effects sum to
    zero, so a whole week's sum carries no seasonal part and the intercept is the weekly mean.
    """
    d = np.asarray(days, dtype=np.float64)
    cols = [np.ones_like(d), d - origin] if trend else [np.ones_like(d)]
    if weekly:
        wd = weekday_of(d.astype(np.int64))
        for k in range(1, 7):
            cols.append(np.where(wd == k, 1.0, np.where(wd == 0, -1.0, 0.0)))
    return np.column_stack(cols)


def _use_weekly(days: NDArray[np.int64]) -> bool:
    # Weekday effects need every weekday observed (else the system is singular) and twice, so a
    # single odd day does not become "the Tuesday effect"; and enough days left to judge noise.
    counts = np.bincount(weekday_of(days), minlength=7)
    return bool(counts.min() >= 2 and len(days) - 8 >= 4)


def fit(days: ArrayLike, values: ArrayLike, *, weekly: bool | None = None, trend: bool = True) -> Fit:
    """Fit trend (+ weekday effects when the data allow it) to one series or to columns of series.

    ``values`` is a vector, or an n×k matrix of k series observed on the same days.
    """
    d = np.asarray(days, dtype=np.int64)
    y = np.asarray(values, dtype=np.float64)
    if y.ndim == 1:
        y = y[:, None]
    if d.ndim != 1 or y.shape[0] != d.shape[0]:
        raise ValueError("days and values must have the same length")
    if not np.all(np.isfinite(y)):
        raise ValueError("values must be finite")
    if len(d) < 3:
        raise ValueError("at least three observed days are needed")
    if weekly is None:
        weekly = _use_weekly(d)
    origin = float(d.mean())
    x = design_matrix(d, weekly=weekly, origin=origin, trend=trend)
    n, p = x.shape
    if n - p < 1:
        raise ValueError("too few observed days for this model")
    xtx_inv = np.asarray(np.linalg.pinv(x.T @ x), dtype=np.float64)
    beta = xtx_inv @ (x.T @ y)
    resid = y - x @ beta
    dof = n - p
    cov = (resid.T @ resid) / dof
    return Fit(
        beta=beta, xtx_inv=xtx_inv, cov=cov, dof=dof, n=n, weekly=weekly, origin=origin, trend=trend,
        rho=_lag1(d, resid[:, 0]),
    )  # fmt: skip


def _lag1(days: NDArray[np.int64], resid: FloatArray) -> float:
    """Lag-1 autocorrelation of residuals over pairs of consecutive days, clipped to [0, 0.9].

    Negative values are treated as none (they would narrow the range, and are rarely real here);
    0.9 caps a near-random-walk so the variance stays finite over long horizons.
    """
    pairs = np.flatnonzero(np.diff(days) == 1)
    denom = float(resid @ resid)
    if len(pairs) < 5 or denom <= 0:
        return 0.0
    r = float(resid[pairs] @ resid[pairs + 1]) / denom * len(resid) / len(pairs)
    return min(max(r, 0.0), 0.9)


def _sum_noise_factor(steps: FloatArray, rho: float) -> FloatArray:
    """Var(e_1 + … + e_h) / σ² for AR(1) errors: h + 2·Σ_{k<h} (h − k)·ρ^k (just h when ρ = 0)."""
    if rho <= 0:
        return steps
    h = steps
    # Closed form of the double sum; exact for stationary AR(1).
    return h * (1 + rho) / (1 - rho) - 2 * rho * (1 - rho**h) / (1 - rho) ** 2


@dataclass(frozen=True)
class Band:
    """A forecast with its interval, one value per future day (cumulative or per day)."""

    point: FloatArray
    low: FloatArray
    high: FloatArray
    weekly: bool = False  # whether the fit had day-of-week effects

    @property
    def final(self) -> tuple[float, float, float]:
        """(point, low, high) at the last future day; zeros when there is no future day."""
        if len(self.point) == 0:
            return 0.0, 0.0, 0.0
        return float(self.point[-1]), float(self.low[-1]), float(self.high[-1])


def _empty() -> Band:
    z = np.zeros(0)
    return Band(point=z, low=z, high=z)


def forecast_cumulative(
    days: ArrayLike,
    values: ArrayLike,
    future_days: ArrayLike,
    *,
    level: float = LEVEL,
    nonnegative: bool = False,
    autocorrelated: bool = False,
    trend: bool = True,
) -> Band:
    """Running sums of the forecast over ``future_days`` (in order), with the interval of each sum.

    With ``nonnegative`` (counts such as impressions) a projected day below zero counts as zero
    and no bound goes below zero. With ``autocorrelated`` the noise of the future days is
    modelled as AR(1) with the residuals' own lag-1 correlation (a good week follows a good week).
    Without ``trend`` the projection is the window's weekly mean with its weekday effects.
    """
    future = np.asarray(future_days, dtype=np.int64)
    if len(future) == 0:
        return _empty()
    f = fit(days, values, trend=trend)
    xf = f.design(future)
    daily = xf @ f.beta[:, 0]
    if nonnegative:
        daily = np.maximum(daily, 0.0)
    point = np.cumsum(daily)
    a = np.cumsum(xf, axis=0)
    steps = np.arange(1, len(future) + 1, dtype=np.float64)
    quad = np.einsum("ij,jk,ik->i", a, f.xtx_inv, a)
    noise = _sum_noise_factor(steps, f.rho) if autocorrelated else steps
    var = float(f.cov[0, 0]) * (noise + quad)
    half = t_quantile((1 + level) / 2, f.dof) * np.sqrt(np.maximum(var, 0.0))
    low, high = point - half, point + half
    if nonnegative:
        low = np.maximum(low, 0.0)
    return Band(point=point, low=low, high=high, weekly=f.weekly)


def forecast_values(
    days: ArrayLike, values: ArrayLike, future_days: ArrayLike, *, level: float = LEVEL
) -> Band:
    """The value of each future day (for a level such as a follower count, from its own trend)."""
    future = np.asarray(future_days, dtype=np.int64)
    if len(future) == 0:
        return _empty()
    f = fit(days, values)
    xf = f.design(future)
    point = xf @ f.beta[:, 0]
    quad = np.einsum("ij,jk,ik->i", xf, f.xtx_inv, xf)
    var = float(f.cov[0, 0]) * (1.0 + quad)
    half = t_quantile((1 + level) / 2, f.dof) * np.sqrt(np.maximum(var, 0.0))
    return Band(point=point, low=point - half, high=point + half, weekly=f.weekly)


def forecast_ratio(
    days: ArrayLike,
    numerator: ArrayLike,
    denominator: ArrayLike,
    future_days: ArrayLike,
    *,
    base_numerator: float = 0.0,
    base_denominator: float = 0.0,
    level: float = LEVEL,
) -> Band:
    """The ratio of running sums (base + forecast numerator) / (base + forecast denominator).

    Numerator and denominator are fitted jointly on the same days, so their correlation (more
    impressions bring more engagements) narrows the interval as it should. The interval uses the
    delta method: R's error ≈ (e_num − R·e_den) / D, whose variance is
    (σ_nn − 2Rσ_nd + R²σ_dd) · (h + aᵀ(XᵀX)⁻¹a) / D². Days whose projected denominator total is
    not positive have no ratio (NaN).
    """
    future = np.asarray(future_days, dtype=np.int64)
    if len(future) == 0:
        return _empty()
    y = np.column_stack([np.asarray(numerator, dtype=np.float64), np.asarray(denominator, dtype=np.float64)])
    f = fit(days, y)
    xf = f.design(future)
    daily = np.maximum(xf @ f.beta, 0.0)  # both are counts
    num = base_numerator + np.cumsum(daily[:, 0])
    den = base_denominator + np.cumsum(daily[:, 1])
    a = np.cumsum(xf, axis=0)
    steps = np.arange(1, len(future) + 1, dtype=np.float64)
    quad = np.einsum("ij,jk,ik->i", a, f.xtx_inv, a)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(den > 0, num / den, np.nan)
        s_nn, s_nd, s_dd = f.cov[0, 0], f.cov[0, 1], f.cov[1, 1]
        lin_var = np.maximum(s_nn - 2 * ratio * s_nd + ratio**2 * s_dd, 0.0)
        var = lin_var * (steps + quad) / np.where(den > 0, den, np.nan) ** 2
    half = t_quantile((1 + level) / 2, f.dof) * np.sqrt(var)
    low = np.maximum(ratio - half, 0.0)
    return Band(point=ratio, low=low, high=ratio + half, weekly=f.weekly)


# ---------------------------------------------------------------------------------------------
# Calibrated forecasts (issue 17): the model above, its range rescaled by the series' own past
# rolling-origin errors (split conformal), and special days (holidays, 调休, campaigns) kept out of
# the fit. Why this method and the backtest behind it: docs/forecast.md.
# ---------------------------------------------------------------------------------------------

CUMULATIVE = "cumulative"
LEVEL_KIND = "level"
KINDS = (CUMULATIVE, LEVEL_KIND)
#: Past cutoffs (a week apart) scored before the series' own errors set the range's width.
MIN_CUTOFFS = 8
#: At most this many past cutoffs are scored (a year of weekly cutoffs is plenty, and cheap).
MAX_CUTOFFS = 52
#: Past cutoffs are scored on totals of at most this many days (longer horizons reuse the scale).
CALIBRATION_HORIZON = 28
STEP_DAYS = 7
#: Weight (in cutoffs) of FALLBACK_SCALE when shrinking a series' own conformal scale toward it.
SHRINK = 8
#: Scale of the model's range when the history is too short to calibrate it (docs/forecast.md: set
#: so that 56 days alone cover 80–90% on the retail series and on synthetic random-walk, growth,
#: Poisson and AR(1) series; wider than 1 because real errors shift in level more than modelled).
FALLBACK_SCALE = 1.5
#: The same for a level forecast from its own trend, the last resort when a level's figures have
#: gaps longer than MAX_LEVEL_GAP (else it is forecast from its daily changes, see
#: _level_from_increments). That range does not grow with the horizon, so it needs far more than
#: FALLBACK_SCALE: ×5 covers 79% of the retail running totals from 56 days (×1.5 covered 29–45%);
#: synthetic stationary series need ×3–4, random walks ×9 (docs/forecast.md).
LEVEL_FALLBACK_SCALE = 5.0
#: A level's change over a gap of up to this many days is spread evenly over the gap's days.
MAX_LEVEL_GAP = 7


@dataclass(frozen=True)
class TrackRecord:
    """How often past ranges of this series contained what happened (each range calibrated only
    with what was known at its cutoff)."""

    cutoffs: int
    hits: int

    @property
    def coverage(self) -> float | None:
        """Share of past cutoffs whose range contained the outcome (None without cutoffs)."""
        return self.hits / self.cutoffs if self.cutoffs else None


@dataclass(frozen=True)
class Forecast:
    """A calibrated forecast: the band, how its width was set, and what it cannot know."""

    band: Band
    scale: float  # the model's half-width was multiplied by this
    calibrated_on: int  # past cutoffs the scale came from (0: too little history, fallback)
    track: TrackRecord
    unseen: tuple[str, ...] = ()  # special days ahead the history never saw (range widened)
    known: tuple[str, ...] = ()  # special days ahead whose effect the history showed (applied)
    obs: int = 0  # days the model was fitted on


Predict = Callable[[NDArray[np.bool_], NDArray[np.int64]], Band]


def _effects(d: NDArray[np.int64], y: FloatArray, special: Mapping[int, str], upto: int) -> dict[str, float]:
    """Multiplicative effect of each special day name seen up to ``upto``: its days' total over
    the total the ordinary days of the 4 weeks before each of them would suggest."""
    ordinary = np.array([int(x) not in special for x in d])
    got: dict[str, list[float]] = {}
    ref: dict[str, list[float]] = {}
    for i, day in enumerate(d):
        name = special.get(int(day))
        if name is None or day > upto:
            continue
        near = ordinary & (d >= day - 28) & (d < day)
        if near.sum() < 7:
            continue
        base = y[near]
        # A ratio needs a reference clearly above zero: on a series that hovers around zero (daily
        # changes of a flat follower count) it would explode. Such a day stays "unseen", which
        # widens the range instead of scaling the forecast by noise.
        if base.mean() <= 2 * base.std(ddof=1) / np.sqrt(len(base)):
            continue
        got.setdefault(name, []).append(float(y[i]))
        ref.setdefault(name, []).append(float(base.mean()))
    return {n: sum(got[n]) / sum(ref[n]) for n in got if sum(ref[n]) > 0}


#: Weight of the trend model in the point forecast (0: weekly mean only, 1: linear trend).
TREND_WEIGHT = 0.5


def _blended(days: NDArray[np.int64], values: FloatArray, future: NDArray[np.int64], *, level: float) -> Band:
    """Running totals from the weekly mean and from the linear trend, blended; the two models'
    disagreement is added to the range as model uncertainty (a series that really trends then gets
    a range reaching its trend; one whose slope is noise is not thrown off by it)."""
    flat = forecast_cumulative(days, values, future, level=level, autocorrelated=True, trend=False)
    sloped = forecast_cumulative(days, values, future, level=level, autocorrelated=True, trend=True)
    point = (1 - TREND_WEIGHT) * flat.point + TREND_WEIGHT * sloped.point
    gap = np.abs(sloped.point - flat.point)
    half = np.sqrt((flat.high - flat.point) ** 2 + gap**2)
    return Band(point=point, low=point - half, high=point + half, weekly=flat.weekly)


def _raw(
    kind: str,
    d: NDArray[np.int64],
    y: FloatArray,
    fit_mask: NDArray[np.bool_],
    future: NDArray[np.int64],
    *,
    level: float,
    special: Mapping[int, str],
) -> tuple[Band, tuple[str, ...], tuple[str, ...]]:
    """The uncalibrated forecast from the days in ``fit_mask``: special days are left out of the
    fit (when enough ordinary days remain); ahead, a special day seen before gets its effect, one
    never seen widens the range by its whole day (it could be anything from nothing to double)."""
    ordinary = fit_mask & np.array([int(x) not in special for x in d])
    use = ordinary if ordinary.sum() >= MIN_DAYS else fit_mask
    if kind == LEVEL_KIND:
        return forecast_values(d[use], y[use], future, level=level), (), ()
    # Half trend: the backtest (docs/forecast.md) showed 8 weeks of slope extrapolated over 4 more
    # weeks to be the largest error on retail, and no slope at all to miss steadily growing series.
    band = _blended(d[use], y[use], future, level=level)
    daily = np.diff(band.point, prepend=0.0)
    half = band.high - band.point
    names = [special.get(int(x)) for x in future]
    if not any(names):
        return band, (), ()
    effects = _effects(d, y, special, int(d[fit_mask].max()))
    shift = np.zeros(len(future))
    extra = np.zeros(len(future))
    for j, name in enumerate(names):
        if name is None:
            continue
        if name in effects:
            shift[j] = daily[j] * (effects[name] - 1)
            extra[j] = abs(shift[j]) / 2  # an effect estimated from few days is itself uncertain
        else:
            extra[j] = abs(daily[j])
    point = band.point + np.cumsum(shift)
    half = half + np.cumsum(extra)
    known = tuple(dict.fromkeys(n for n in names if n and n in effects))
    unseen = tuple(dict.fromkeys(n for n in names if n and n not in effects))
    return Band(point=point, low=point - half, high=point + half, weekly=band.weekly), known, unseen


def _scores(
    d: NDArray[np.int64], predict: Predict, actual: Callable[[NDArray[np.bool_]], float], horizon: int
) -> list[tuple[int, float]]:
    """(cutoff, |error| ÷ half-width) of the model's forecast of the next ``horizon`` days' figure
    at past cutoffs a week apart, fitted each time on the WINDOW_DAYS before the cutoff; oldest first."""
    out: list[tuple[int, float]] = []
    last = int(d[-1])
    for k in range(MAX_CUTOFFS):
        c = last - horizon - STEP_DAYS * k
        fit_mask = (d > c - WINDOW_DAYS) & (d <= c)
        if fit_mask.sum() < MIN_DAYS:
            break
        ahead = (d > c) & (d <= c + horizon)
        if ahead.sum() < max(1, horizon // 2):
            continue  # too many missing days to judge the total
        p, _lo, hi = predict(fit_mask, d[ahead]).final
        err = abs(actual(ahead) - p)
        half = hi - p
        out.append((c, err / half if half > 0 else (0.0 if err == 0 else math.inf)))
    return out[::-1]


def conformal_scale(scores: Sequence[float], level: float = LEVEL) -> float | None:
    """The split-conformal scale: the ⌈(n+1)·level⌉-th smallest score (None below MIN_CUTOFFS)."""
    n = len(scores)
    if n < MIN_CUTOFFS:
        return None
    q = min(1.0, math.ceil((n + 1) * level) / n)
    return float(np.quantile(np.asarray(scores, dtype=np.float64), q, method="higher"))


def scale_for(
    scores: Sequence[float], level: float = LEVEL, *, fallback: float = FALLBACK_SCALE
) -> tuple[float, bool]:
    """(scale, from the series' own errors?): the conformal scale, shrunk toward ``fallback``
    with the weight of MIN_CUTOFFS pseudo-cutoffs — a few weeks of calm history should not make
    the range much narrower than series in general need; the fallback alone below MIN_CUTOFFS."""
    own = conformal_scale(scores, level)
    if own is None:
        return fallback, False
    n = len(scores)
    return (n * own + SHRINK * fallback) / (n + SHRINK), True


def _track(scored: list[tuple[int, float]], horizon: int, level: float) -> TrackRecord:
    # Each past range is judged with the scale known at its own cutoff: only cutoffs whose outcome
    # was complete by then, so the record is what a user would have seen, not hindsight.
    hits = 0
    for c, score in scored:
        before = [s for c2, s in scored if c2 + horizon <= c]
        scale = scale_for(before, level)[0]
        hits += score <= scale
    return TrackRecord(cutoffs=len(scored), hits=hits)


def daily_changes(days: ArrayLike, values: ArrayLike) -> tuple[NDArray[np.int64], FloatArray]:
    """The day-to-day changes of a level: (day, value − value the day before). A change over a gap
    of up to MAX_LEVEL_GAP days is spread evenly over the gap's days (the level interpolated
    linearly); longer gaps give no changes. ``days`` must be increasing."""
    d = np.asarray(days, dtype=np.int64)
    y = np.asarray(values, dtype=np.float64)
    gaps = np.diff(d)
    ok = (gaps >= 1) & (gaps <= MAX_LEVEL_GAP)
    g = gaps[ok]
    if len(g) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    offsets = np.arange(int(g.sum())) - np.repeat(np.cumsum(g) - g, g)
    inc_days = np.repeat(d[:-1][ok] + 1, g) + offsets
    inc = np.repeat(np.diff(y)[ok] / g, g)
    return inc_days.astype(np.int64), inc


def _level_from_increments(
    d: NDArray[np.int64],
    y: FloatArray,
    future: NDArray[np.int64],
    *,
    level: float,
    nonnegative: bool,
    special: Mapping[int, str],
) -> Forecast | None:
    """A level (a follower count) on a future day is the latest level plus the sum of the daily
    changes up to that day, so it is forecast as exactly that: the calibrated cumulative forecast
    of the day-to-day changes (``daily_changes``), added to the latest level. The range then grows
    with the horizon as a running total's does, and it is calibrated on the same past cutoffs.
    None (the caller uses the level's own trend) when the changes in the last WINDOW_DAYS are too
    few or a future day is not after the history."""
    inc_days, inc = daily_changes(d, y)
    if len(inc_days) == 0 or int((inc_days > inc_days[-1] - WINDOW_DAYS).sum()) < MIN_DAYS:
        return None
    last = int(d[-1])
    if int(future.min()) <= last:
        return None
    ahead = np.arange(last + 1, int(future.max()) + 1, dtype=np.int64)
    res = forecast_calibrated(inc_days, inc, ahead, kind=CUMULATIVE, level=level, special=special)
    pick = future - (last + 1)
    base = float(y[-1])
    point = base + res.band.point[pick]
    low, high = base + res.band.low[pick], base + res.band.high[pick]
    if nonnegative:
        point, low, high = np.maximum(point, 0.0), np.maximum(low, 0.0), np.maximum(high, 0.0)
    return Forecast(
        band=Band(point=point, low=low, high=high, weekly=res.band.weekly),
        scale=res.scale,
        calibrated_on=res.calibrated_on,
        track=res.track,
        unseen=res.unseen,
        known=res.known,
        obs=res.obs,
    )


def forecast_calibrated(
    days: ArrayLike,
    values: ArrayLike,
    future_days: ArrayLike,
    *,
    kind: str = CUMULATIVE,
    level: float = LEVEL,
    nonnegative: bool = False,
    special: Mapping[int, str] | None = None,
) -> Forecast:
    """The calibrated forecast of ``future_days`` from the whole history ``days``/``values``.

    ``kind`` cumulative: running totals of the future days (sums such as orders, or net growth
    added to a level); level: the value of each future day, as the latest value plus the running
    total of the forecast day-to-day changes (``_level_from_increments``; the series' own trend
    only when those changes are too few). The model is fitted on the last WINDOW_DAYS of the
    history; the older history only calibrates the range and estimates the effects of ``special``
    days (ordinal → name: holidays, 调休, campaigns).
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}")
    d = np.asarray(days, dtype=np.int64)
    y = np.asarray(values, dtype=np.float64)
    order = np.argsort(d, kind="stable")
    d, y = d[order], y[order]
    future = np.asarray(future_days, dtype=np.int64)
    spec = dict(special or {})
    fit_mask = d > d[-1] - WINDOW_DAYS
    if fit_mask.sum() < MIN_DAYS:
        raise ValueError(f"at least {MIN_DAYS} days with figures in the last {WINDOW_DAYS} are needed")
    if len(future) == 0:
        return Forecast(band=_empty(), scale=1.0, calibrated_on=0, track=TrackRecord(0, 0))
    if kind == LEVEL_KIND:
        via_increments = _level_from_increments(
            d, y, future, level=level, nonnegative=nonnegative, special=spec
        )
        if via_increments is not None:
            return via_increments

    def predict(mask: NDArray[np.bool_], fut: NDArray[np.int64]) -> Band:
        return _raw(kind, d, y, mask, fut, level=level, special=spec)[0]

    def actual(mask: NDArray[np.bool_]) -> float:
        return float(y[mask].sum()) if kind == CUMULATIVE else float(y[mask][-1])

    horizon = int(min(max(future[-1] - d[-1], 1), CALIBRATION_HORIZON))
    scored = _scores(d, predict, actual, horizon)
    fallback = LEVEL_FALLBACK_SCALE if kind == LEVEL_KIND else FALLBACK_SCALE
    scale, own = scale_for([s for _c, s in scored], level, fallback=fallback)
    band, known, unseen = _raw(kind, d, y, fit_mask, future, level=level, special=spec)
    half = (band.high - band.point) * scale
    low = band.point - half
    point = band.point
    if nonnegative:
        point, low = np.maximum(point, 0.0), np.maximum(low, 0.0)
    return Forecast(
        band=Band(point=point, low=low, high=band.point + half, weekly=band.weekly),
        scale=scale,
        calibrated_on=len(scored) if own else 0,
        track=_track(scored, horizon, level),
        unseen=unseen,
        known=known,
        obs=int(fit_mask.sum()),
    )


def forecast_from_values(
    values: Sequence[float | None],
    *,
    start: dt.date,
    horizon: int,
    kind: str = CUMULATIVE,
    level: float = LEVEL,
    nonnegative: bool = False,
    special_days: Mapping[dt.date, str] | None = None,
) -> Forecast:
    """The calibrated forecast of the ``horizon`` days after a daily series (no database needed).

    ``values[i]`` is the figure of ``start + i`` days (None: a day without figures). Returns
    running totals of the future days for ``kind="cumulative"``, each day's value for "level".
    """
    days = [(start + dt.timedelta(days=i)).toordinal() for i, v in enumerate(values) if v is not None]
    ys = [float(v) for v in values if v is not None]
    if not days:
        raise ValueError("no figures")
    last = start.toordinal() + len(values) - 1
    future = np.arange(last + 1, last + 1 + horizon, dtype=np.int64)
    special = {k.toordinal(): v for k, v in (special_days or {}).items()}
    return forecast_calibrated(
        days, ys, future, kind=kind, level=level, nonnegative=nonnegative, special=special
    )


def forecast_ratio_calibrated(
    days: ArrayLike,
    numerator: ArrayLike,
    denominator: ArrayLike,
    future_days: ArrayLike,
    *,
    base_numerator: float = 0.0,
    base_denominator: float = 0.0,
    level: float = LEVEL,
) -> Forecast:
    """``forecast_ratio`` fitted on the last WINDOW_DAYS, its range scaled like forecast_calibrated's."""
    d = np.asarray(days, dtype=np.int64)
    order = np.argsort(d, kind="stable")
    d = d[order]
    num = np.asarray(numerator, dtype=np.float64)[order]
    den = np.asarray(denominator, dtype=np.float64)[order]
    future = np.asarray(future_days, dtype=np.int64)
    fit_mask = d > d[-1] - WINDOW_DAYS
    if len(future) == 0:
        return Forecast(band=_empty(), scale=1.0, calibrated_on=0, track=TrackRecord(0, 0))

    def predict(mask: NDArray[np.bool_], fut: NDArray[np.int64]) -> Band:
        return forecast_ratio(d[mask], num[mask], den[mask], fut, level=level)

    def actual(mask: NDArray[np.bool_]) -> float:
        total = float(den[mask].sum())
        return float(num[mask].sum()) / total if total > 0 else math.nan

    horizon = int(min(max(future[-1] - d[-1], 1), CALIBRATION_HORIZON))
    scored = [(c, s) for c, s in _scores(d, predict, actual, horizon) if math.isfinite(s)]
    scale, own = scale_for([s for _c, s in scored], level)
    band = forecast_ratio(
        d[fit_mask], num[fit_mask], den[fit_mask], future,
        base_numerator=base_numerator, base_denominator=base_denominator, level=level,
    )  # fmt: skip
    half = (band.high - band.point) * scale
    return Forecast(
        band=Band(band.point, np.maximum(band.point - half, 0.0), band.point + half, weekly=band.weekly),
        scale=scale,
        calibrated_on=len(scored) if own else 0,
        track=_track(scored, horizon, level),
        obs=int(fit_mask.sum()),
    )
