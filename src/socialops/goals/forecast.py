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

import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
from numpy.typing import ArrayLike, NDArray

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
    """The p-quantile of Student's t with ``dof`` degrees of freedom.

    Cornish–Fisher expansion around the normal quantile (Abramowitz & Stegun 26.7.5); accurate
    to about 1e-4 for dof ≥ 4, which every fit here has (at least 14 days, at most 8 parameters).
    """
    if dof <= 0:
        raise ValueError("degrees of freedom must be positive")
    z = NormalDist().inv_cdf(p)
    if math.isinf(dof):
        return z
    g1 = (z**3 + z) / 4
    g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96
    g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384
    g4 = (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / 92160
    return z + g1 / dof + g2 / dof**2 + g3 / dof**3 + g4 / dof**4


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

    def design(self, days: ArrayLike) -> FloatArray:
        """The design rows of these days (same coding as the fit)."""
        return design_matrix(days, weekly=self.weekly, origin=self.origin)


def design_matrix(days: ArrayLike, *, weekly: bool, origin: float) -> FloatArray:
    """Columns: intercept, days since ``origin``, and (if weekly) six effect-coded weekdays.

    Effect coding (Monday row = −1 in every weekday column) makes the seven weekday effects sum to
    zero, so a whole week's sum carries no seasonal part and the intercept is the weekly mean.
    """
    d = np.asarray(days, dtype=np.float64)
    cols = [np.ones_like(d), d - origin]
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


def fit(days: ArrayLike, values: ArrayLike, *, weekly: bool | None = None) -> Fit:
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
    x = design_matrix(d, weekly=weekly, origin=origin)
    n, p = x.shape
    if n - p < 1:
        raise ValueError("too few observed days for this model")
    xtx_inv = np.asarray(np.linalg.pinv(x.T @ x), dtype=np.float64)
    beta = xtx_inv @ (x.T @ y)
    resid = y - x @ beta
    dof = n - p
    cov = (resid.T @ resid) / dof
    return Fit(beta=beta, xtx_inv=xtx_inv, cov=cov, dof=dof, n=n, weekly=weekly, origin=origin)


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
) -> Band:
    """Running sums of the forecast over ``future_days`` (in order), with the interval of each sum.

    With ``nonnegative`` (counts such as impressions) a projected day below zero counts as zero
    and no bound goes below zero.
    """
    future = np.asarray(future_days, dtype=np.int64)
    if len(future) == 0:
        return _empty()
    f = fit(days, values)
    xf = f.design(future)
    daily = xf @ f.beta[:, 0]
    if nonnegative:
        daily = np.maximum(daily, 0.0)
    point = np.cumsum(daily)
    a = np.cumsum(xf, axis=0)
    steps = np.arange(1, len(future) + 1, dtype=np.float64)
    quad = np.einsum("ij,jk,ik->i", a, f.xtx_inv, a)
    var = float(f.cov[0, 0]) * (steps + quad)
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
