"""The statistics every insight uses, in one place so the documented rules (docs/analytics.md) hold everywhere.

- Interval of a group's mean: Student's t interval, mean ± t(0.975, n−1) · s/√n (95%).
- Difference between two groups: Welch's two-sided t-test on the per-post values (unequal
  variances), significant when p < ALPHA and both groups have at least MIN_SAMPLE posts; below
  that the answer is "not enough posts to tell", whatever p says.
- Outliers: Tukey fences (Q1 − 1.5·IQR, Q3 + 1.5·IQR) on log(1 + value), because engagement
  counts are heavily right-skewed.
- Anomalies: per weekday, median ± K_MAD · 1.4826 · MAD over a trailing window.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from scipy import stats as sps

CONFIDENCE = 0.95
ALPHA = 0.05
# Below this many posts in either group no difference is called significant (see docs/analytics.md).
MIN_SAMPLE = 20
TUKEY_K = 1.5
K_MAD = 3.0
# 1.4826 · MAD estimates the standard deviation of normally distributed data.
MAD_SCALE = 1.4826

# Outcomes of a comparison between two groups.
HIGHER = "higher"
LOWER = "lower"
NO_DIFFERENCE = "no_difference"
TOO_FEW = "too_few"


@dataclass(frozen=True)
class MeanCI:
    """A group's mean with its 95% interval (None when it cannot be computed)."""

    n: int
    mean: float | None
    low: float | None
    high: float | None


def mean_ci(values: Sequence[float], confidence: float = CONFIDENCE) -> MeanCI:
    """Mean and Student's t interval; one value gives the mean without an interval."""
    n = len(values)
    if n == 0:
        return MeanCI(0, None, None, None)
    mean = statistics.fmean(values)
    if n < 2:
        return MeanCI(n, mean, None, None)
    sd = statistics.stdev(values)
    half = float(sps.t.ppf(0.5 + confidence / 2, n - 1)) * sd / math.sqrt(n)
    return MeanCI(n, mean, mean - half, mean + half)


@dataclass(frozen=True)
class Comparison:
    """Group a against group b: Welch's t-test and what may be said about it."""

    n_a: int
    n_b: int
    mean_a: float | None
    mean_b: float | None
    ratio: float | None  # mean_a / mean_b
    diff: float | None  # mean_a − mean_b
    diff_low: float | None  # 95% Welch interval of the difference
    diff_high: float | None
    p_value: float | None
    outcome: str  # HIGHER, LOWER, NO_DIFFERENCE, TOO_FEW

    @property
    def significant(self) -> bool:
        return self.outcome in (HIGHER, LOWER)


def compare(a: Sequence[float], b: Sequence[float], *, min_sample: int = MIN_SAMPLE) -> Comparison:
    """Welch's t-test of a against b; TOO_FEW when either group has fewer than min_sample values."""
    n_a, n_b = len(a), len(b)
    mean_a = statistics.fmean(a) if a else None
    mean_b = statistics.fmean(b) if b else None
    ratio = mean_a / mean_b if mean_a is not None and mean_b else None
    diff = mean_a - mean_b if mean_a is not None and mean_b is not None else None
    if n_a < max(min_sample, 2) or n_b < max(min_sample, 2):
        return Comparison(n_a, n_b, mean_a, mean_b, ratio, diff, None, None, None, TOO_FEW)
    var_a, var_b = statistics.variance(a) / n_a, statistics.variance(b) / n_b
    se = math.sqrt(var_a + var_b)
    if se == 0:
        outcome = NO_DIFFERENCE if diff == 0 else (HIGHER if (diff or 0) > 0 else LOWER)
        p = 1.0 if diff == 0 else 0.0
        return Comparison(n_a, n_b, mean_a, mean_b, ratio, diff, diff, diff, p, outcome)
    # Welch–Satterthwaite degrees of freedom.
    df = (var_a + var_b) ** 2 / (var_a**2 / (n_a - 1) + var_b**2 / (n_b - 1))
    t = (diff or 0.0) / se
    p = float(2 * sps.t.sf(abs(t), df))
    half = float(sps.t.ppf(0.5 + CONFIDENCE / 2, df)) * se
    outcome = (HIGHER if (diff or 0) > 0 else LOWER) if p < ALPHA else NO_DIFFERENCE
    return Comparison(
        n_a, n_b, mean_a, mean_b, ratio, diff, (diff or 0) - half, (diff or 0) + half, p, outcome
    )


def quantile(sorted_values: Sequence[float], q: float) -> float:
    """Linear-interpolation quantile (numpy's default) of already sorted values."""
    if not sorted_values:
        raise ValueError("no values")
    pos = (len(sorted_values) - 1) * q
    lo = math.floor(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def tukey_fences_log(values: Sequence[float]) -> tuple[float, float] | None:
    """(low, high) Tukey fences in the values' own units, computed on log(1 + value); None under 4 values."""
    logs = sorted(math.log1p(max(v, 0.0)) for v in values)
    if len(logs) < 4:
        return None
    q1, q3 = quantile(logs, 0.25), quantile(logs, 0.75)
    iqr = q3 - q1
    return math.expm1(q1 - TUKEY_K * iqr), math.expm1(q3 + TUKEY_K * iqr)


def median_mad_band(values: Sequence[float], k: float = K_MAD) -> tuple[float, float, float] | None:
    """(median, low, high) of median ± k · 1.4826 · MAD; None without values."""
    if not values:
        return None
    med = statistics.median(values)
    mad = statistics.median(abs(v - med) for v in values) * MAD_SCALE
    return med, med - k * mad, med + k * mad
