"""The customer-value model: BG/NBD for repeat purchases and Gamma-Gamma for spend (pure maths).

BG/NBD: Fader, Hardie & Lee (2005), "Counting your customers the easy way: an alternative to
the Pareto/NBD model", Marketing Science 24(2). Gamma-Gamma: Fader, Hardie & Lee (2005), "RFM
and CLV: using iso-value curves for customer base analysis", Journal of Marketing Research
42(4), after Colombo & Jiang (1999). Only numpy and scipy: the Django side lives in
``fans.services.value``; ``docs/value-model.md`` explains the model.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import minimize
from scipy.special import expit, gammaln, hyp2f1, psi

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

# Days per unit of time: the model's clock ticks in days or in weeks of 7 days.
UNITS = {"day": 1.0, "week": 7.0}
HORIZON_DAYS = 90
EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
# Below this many repeat customers the estimates are noise (and the optimiser may wander off).
MIN_REPEAT_CUSTOMERS = 20

# Starting points on the normalised scale (times divided by mean T, money by mean spend), so
# the same few starts suit a shop counting in days or weeks, yuan or dollars.
BGNBD_STARTS = ((1.0, 1.0, 1.0, 1.0), (0.25, 0.1, 0.8, 2.5), (0.5, 0.5, 0.5, 5.0), (2.0, 3.0, 2.0, 1.0))
GG_STARTS = ((1.0, 2.0, 1.0), (6.0, 4.0, 15.0), (2.0, 10.0, 5.0), (20.0, 20.0, 20.0))
# Log-parameters stay in this box: exp(±15) covers any sensible shape or (normalised) scale.
LOG_BOUND = 15.0


class ValueModelError(Exception):
    """The model cannot be fitted on these data; ``code`` says why ("too_few" or "no_convergence")."""

    def __init__(self, code: str, repeat_customers: int = 0) -> None:
        super().__init__(code)
        self.code = code
        self.repeat_customers = repeat_customers


@dataclass(frozen=True)
class Summary:
    """Per-customer statistics of the papers: x, t_x, T in the model's unit, and the mean repeat spend."""

    customer: IntArray  # the caller's id of each customer (person pk), sorted ascending
    x: FloatArray  # repeat purchases: distinct purchase days after the first
    t_x: FloatArray  # time of the last purchase, from the first
    T: FloatArray  # time from the first purchase to the end of the observation period
    monetary: FloatArray  # mean value of the repeat purchase days (0 when x == 0)

    @property
    def n_customers(self) -> int:
        """How many customers made at least one purchase."""
        return int(self.x.size)

    @property
    def n_repeat(self) -> int:
        """How many customers bought on at least two days."""
        return int(np.count_nonzero(self.x > 0))


def summarise(
    customer: Any, day: Any, amount: Any, *, until: int, unit: str = "day", refunds: Any = None
) -> Summary:
    """Summarise order lines (customer id, day number, amount) into the papers' x, t_x, T and spend.

    ``day`` and ``until`` are day numbers (``date.toordinal()``); lines after ``until`` are ignored.
    Lines net out per customer and day: a day counts as a purchase when its net amount is
    positive, or when all its lines are zero (a free order); a day cancelled to zero or below
    is no purchase. ``refunds`` counts the negative lines behind each row when the rows are
    already daily sums (default: each row is one line, negative when its amount is).
    """
    per_unit = UNITS[unit]
    customer = np.asarray(customer, dtype=np.int64)
    day = np.asarray(day, dtype=np.int64)
    amount = np.asarray(amount, dtype=np.float64)
    negative = (amount < 0) if refunds is None else np.asarray(refunds, dtype=np.int64) > 0
    keep = day <= until
    customer, day, amount, negative = customer[keep], day[keep], amount[keep], negative[keep]
    empty = np.empty(0)
    if customer.size == 0:
        return Summary(np.empty(0, dtype=np.int64), empty, empty, empty, empty)

    # Net each customer's day: sort by (customer, day), then sum each run.
    order = np.lexsort((day, customer))
    customer, day, amount, negative = customer[order], day[order], amount[order], negative[order]
    starts = np.flatnonzero(np.r_[True, (customer[1:] != customer[:-1]) | (day[1:] != day[:-1])])
    d_customer, d_day = customer[starts], day[starts]
    # Rounded so that lines summing to zero in cents are exactly zero despite binary fractions.
    d_value = np.round(np.add.reduceat(amount, starts), 6)
    d_refunds = np.add.reduceat(negative.astype(np.int64), starts)
    # A fully cancelled day is no purchase; a day of free (zero-amount) lines still is one.
    bought = (d_value > 0) | ((d_value == 0) & (d_refunds == 0))
    d_customer, d_day, d_value = d_customer[bought], d_day[bought], d_value[bought]
    if d_customer.size == 0:
        return Summary(np.empty(0, dtype=np.int64), empty, empty, empty, empty)

    # Purchase days are sorted within each customer: the first is the first day, the last the last.
    first_idx = np.flatnonzero(np.r_[True, d_customer[1:] != d_customer[:-1]])
    last_idx = np.r_[first_idx[1:] - 1, d_customer.size - 1]
    days = (last_idx - first_idx + 1).astype(np.float64)
    first, last = d_day[first_idx], d_day[last_idx]
    total = np.add.reduceat(d_value, first_idx)
    x = days - 1
    repeat_spend = total - d_value[first_idx]
    monetary = np.divide(repeat_spend, x, out=np.zeros_like(repeat_spend), where=x > 0)
    return Summary(
        customer=d_customer[first_idx],
        x=x,
        t_x=(last - first) / per_unit,
        T=(until - first) / per_unit,
        monetary=monetary,
    )


def _dot(u: FloatArray, v: FloatArray) -> float:
    # Not `u @ v`: that goes to BLAS, whose threads spin against each other on a busy machine
    # (ten times slower here); an elementwise product and a sum stay on one core.
    return float(np.sum(u * v))


def local_days(utc_seconds: Any, tz: dt.tzinfo) -> IntArray:
    """Day numbers (``date.toordinal()``) in time zone ``tz`` of instants given as UTC seconds.

    Offsets are looked up once per quarter of an hour that occurs (time-zone changes fall on
    quarter hours), so millions of instants cost a few thousand zoneinfo look-ups.
    """
    seconds = np.round(np.asarray(utc_seconds, dtype=np.float64), 3)
    quarter = np.floor(seconds / 900).astype(np.int64)
    distinct, inverse = np.unique(quarter, return_inverse=True)
    offsets = np.array(
        [
            (
                dt.datetime.fromtimestamp(int(q) * 900, dt.UTC).astimezone(tz).utcoffset() or dt.timedelta()
            ).total_seconds()
            for q in distinct
        ],
        dtype=np.float64,
    ).reshape(-1)
    local = seconds + offsets[inverse.reshape(-1)]
    return np.floor(local / 86400).astype(np.int64) + EPOCH_ORDINAL


# ---- BG/NBD ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _BGData:
    """BG/NBD data compressed for the optimiser: distinct (x, t_x, T) rows with their counts.

    With whole days or weeks most customers share their row (everyone who bought once on the
    same day has the same one), and terms of x alone are computed once per distinct x.
    """

    x: FloatArray
    t_x: FloatArray
    T: FloatArray
    weight: FloatArray
    repeat: NDArray[np.bool_]
    ux: FloatArray  # distinct x values
    ux_weight: FloatArray  # customers per distinct x
    n: float

    @classmethod
    def of(cls, x: FloatArray, t_x: FloatArray, T: FloatArray) -> _BGData:
        """Compress the per-customer arrays."""
        # Sort by (x, t_x, T) and cut into runs of equal rows (faster than np.unique(axis=0)).
        order = np.lexsort((T, t_x, x))
        x, t_x, T = x[order], t_x[order], T[order]
        new = np.r_[True, (x[1:] != x[:-1]) | (t_x[1:] != t_x[:-1]) | (T[1:] != T[:-1])]
        starts = np.flatnonzero(new)
        weight = np.diff(np.r_[starts, x.size]).astype(np.float64)
        x, t_x, T = x[starts], t_x[starts], T[starts]
        ux, inverse = np.unique(x, return_inverse=True)
        ux_weight = np.bincount(inverse, weights=weight, minlength=ux.size).astype(np.float64)
        return cls(x, t_x, T, weight, x > 0, ux.astype(np.float64), ux_weight, float(weight.sum()))


def _bgnbd_tail(params: FloatArray, d: _BGData) -> tuple[FloatArray, FloatArray]:
    """Per row: the log of the likelihood's two-branch sum (FHL 2005a eq. 6) and the branch share."""
    r, alpha, a, b = params
    a3 = -(r + d.x) * np.log(alpha + d.T)
    bxm1 = np.where(d.repeat, b + d.x - 1, 1.0)
    a4 = np.where(d.repeat, np.log(a) - np.log(bxm1) - (r + d.x) * np.log(alpha + d.t_x), -np.inf)
    tail = np.logaddexp(a3, a4)
    # The share of the "dropped out right after the last purchase" branch, for the gradient.
    return tail, np.exp(a4 - tail)


def _bgnbd_ll(params: FloatArray, d: _BGData) -> float:
    r, alpha, a, b = params
    u = d.ux
    head = (
        gammaln(r + u)
        - gammaln(r)
        + r * np.log(alpha)
        + gammaln(a + b)
        + gammaln(b + u)
        - gammaln(b)
        - gammaln(a + b + u)
    )
    tail, _share = _bgnbd_tail(params, d)
    return _dot(d.ux_weight, head) + _dot(d.weight, tail)


def bgnbd_loglik(params: Any, x: FloatArray, t_x: FloatArray, T: FloatArray) -> float:
    """The BG/NBD log-likelihood of (r, alpha, a, b) summed over customers (FHL 2005a eq. 6)."""
    return _bgnbd_ll(np.asarray(params, dtype=np.float64), _BGData.of(x, t_x, T))


def _bgnbd_objective(log_params: FloatArray, d: _BGData) -> tuple[float, FloatArray]:
    """Minus the mean log-likelihood and its gradient with respect to the log-parameters."""
    params = np.exp(log_params)
    r, alpha, a, b = params
    u, uw, w = d.ux, d.ux_weight, d.weight
    tail, share = _bgnbd_tail(params, d)
    head = (
        gammaln(r + u)
        - gammaln(r)
        + r * np.log(alpha)
        + gammaln(a + b)
        + gammaln(b + u)
        - gammaln(b)
        - gammaln(a + b + u)
    )
    ll = _dot(uw, head) + _dot(w, tail)
    bxm1 = np.where(d.repeat, b + d.x - 1, 1.0)
    d_r = _dot(uw, psi(r + u) - psi(r) + np.log(alpha)) - _dot(
        w, (1 - share) * np.log(alpha + d.T) + share * np.log(alpha + d.t_x)
    )
    d_alpha = d.n * r / alpha - _dot(w, (r + d.x) * ((1 - share) / (alpha + d.T) + share / (alpha + d.t_x)))
    common = _dot(uw, psi(a + b) - psi(a + b + u))
    d_a = common + _dot(w, share) / a
    d_b = common + _dot(uw, psi(b + u) - psi(b)) - _dot(w, share / bxm1)
    grad = np.array([d_r, d_alpha, d_a, d_b]) * params
    return -float(ll) / d.n, -grad / d.n


def _fit(objective: Any, starts: Any, args: tuple[Any, ...]) -> tuple[FloatArray, bool]:
    """Minimise from every start (in log space); the best finite optimum and whether it converged."""
    best: Any = None
    for start in starts:
        with np.errstate(all="ignore"):
            try:
                res = minimize(
                    objective,
                    np.log(np.asarray(start, dtype=np.float64)),
                    args=args,
                    jac=True,
                    method="L-BFGS-B",
                    bounds=[(-LOG_BOUND, LOG_BOUND)] * len(start),
                    options={"maxiter": 2000},
                )
            except (ValueError, FloatingPointError):
                continue
        if not np.isfinite(res.fun) or not np.all(np.isfinite(res.x)):
            continue
        if (
            best is None
            or res.fun < best.fun - 1e-12
            or (res.success and not best.success and res.fun <= best.fun + 1e-9)
        ):
            best = res
    if best is None:
        raise ValueModelError("no_convergence")
    return np.exp(best.x), bool(best.success)


@dataclass(frozen=True)
class BGNBD:
    """Fitted BG/NBD parameters (time in the unit the summary used)."""

    r: float
    alpha: float
    a: float
    b: float
    loglik: float
    converged: bool

    @property
    def params(self) -> FloatArray:
        """(r, alpha, a, b) as an array."""
        return np.array([self.r, self.alpha, self.a, self.b])


def fit_bgnbd(x: FloatArray, t_x: FloatArray, T: FloatArray) -> BGNBD:
    """Maximum-likelihood BG/NBD fit, from several starting points, on log-parameters."""
    # alpha is a time scale: fit on times divided by mean T, then scale alpha back.
    scale = float(np.mean(T)) or 1.0
    params, converged = _fit(_bgnbd_objective, BGNBD_STARTS, (_BGData.of(x, t_x / scale, T / scale),))
    params[1] *= scale
    r, alpha, a, b = map(float, params)
    return BGNBD(r, alpha, a, b, loglik=bgnbd_loglik(params, x, t_x, T), converged=converged)


def _hyp2f1_series(a: FloatArray, b: FloatArray, c: FloatArray, z: FloatArray) -> FloatArray:
    """2F1(a, b; c; z) for 0 <= z < 1 by summing the series (fallback where scipy gives up)."""
    total = np.ones_like(z)
    term = np.ones_like(z)
    for j in range(100_000):
        term = term * (a + j) * (b + j) / ((c + j) * (j + 1)) * z
        total = total + term
        if np.all(np.abs(term) <= 1e-15 * np.abs(total)):
            break
    return total


def bgnbd_expected(model: BGNBD, t: float, x: FloatArray, t_x: FloatArray, T: FloatArray) -> FloatArray:
    """Expected purchases in the next ``t`` units given (x, t_x, T): FHL 2005 eq. 10.

    The hypergeometric factor is rewritten with Euler's transformation,
    ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; z) = (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z)
    with z = t/(alpha+T+t): the large powers cancel analytically, so big x and T cannot overflow,
    and the series converges faster the more purchases there are.
    """
    r, alpha, a, b = model.r, model.alpha, model.a, model.b
    z = t / (alpha + T + t)
    c = a + b + x - 1
    with np.errstate(all="ignore"):
        f = hyp2f1(a + b - 1 - r, a - 1, c, z)
        bad = ~np.isfinite(f)
        if bad.any():
            f[bad] = _hyp2f1_series(
                np.full(bad.sum(), a + b - 1 - r), np.full(bad.sum(), a - 1), c[bad], z[bad]
            )
        numerator = c / (a - 1) * (1 - np.exp((a - 1) * np.log1p(-z)) * f)
    return numerator * p_alive(model, x, t_x, T)


def p_alive(model: BGNBD, x: FloatArray, t_x: FloatArray, T: FloatArray) -> FloatArray:
    """P(still a customer | x, t_x, T) (FHL 2005 eq. 11); 1 for customers without a repeat purchase."""
    r, alpha, a, b = model.r, model.alpha, model.a, model.b
    repeat = x > 0
    log_odds = np.full_like(x, -np.inf)
    xr = x[repeat]
    log_odds[repeat] = (
        np.log(a) - np.log(b + xr - 1) + (r + xr) * (np.log(alpha + T[repeat]) - np.log(alpha + t_x[repeat]))
    )
    # 1 / (1 + e^L), evaluated without overflow for any L.
    return np.asarray(expit(-log_odds), dtype=np.float64)


# ---- Gamma-Gamma -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _GGData:
    """Gamma-Gamma data with what does not depend on the parameters computed once."""

    x: FloatArray
    spend: FloatArray  # m * x, the total repeat spend
    ux: FloatArray  # distinct x values
    ux_count: FloatArray
    sum_log_m: float
    sum_x_log_mx: float  # sum of x (log m + log x)
    n: float

    @classmethod
    def of(cls, x: FloatArray, m: FloatArray) -> _GGData:
        """Precompute from repeat customers' counts and mean spends (x > 0, m > 0)."""
        ux, counts = np.unique(x, return_counts=True)
        log_m = np.log(m)
        return cls(
            x,
            m * x,
            ux,
            counts.astype(np.float64),
            float(log_m.sum()),
            _dot(x, log_m + np.log(x)),
            float(x.size),
        )


def _gg_ll(params: FloatArray, d: _GGData) -> float:
    """Sum over customers of the log density of the mean spend (FHL 2005b eq. 2, in logs)."""
    p, q, gamma = params
    pu = p * d.ux
    head = _dot(d.ux_count, gammaln(pu + q) - gammaln(pu))
    return float(
        head
        - d.n * gammaln(q)
        + d.n * q * np.log(gamma)
        + p * d.sum_x_log_mx
        - d.sum_log_m
        - _dot(p * d.x + q, np.log(gamma + d.spend))
    )


def gg_loglik(params: Any, x: FloatArray, m: FloatArray) -> float:
    """The Gamma-Gamma log-likelihood of (p, q, gamma) over repeat customers (x > 0, m > 0)."""
    return _gg_ll(np.asarray(params, dtype=np.float64), _GGData.of(x, m))


def _gg_objective(log_params: FloatArray, d: _GGData) -> tuple[float, FloatArray]:
    """Minus the mean Gamma-Gamma log-likelihood and its gradient in log-parameters."""
    params = np.exp(log_params)
    p, q, gamma = params
    pu = p * d.ux
    log_den = np.log(gamma + d.spend)
    d_p = _dot(d.ux_count, d.ux * (psi(pu + q) - psi(pu))) + d.sum_x_log_mx - _dot(d.x, log_den)
    d_q = _dot(d.ux_count, psi(pu + q)) - d.n * psi(q) + d.n * np.log(gamma) - log_den.sum()
    d_gamma = d.n * q / gamma - np.sum((p * d.x + q) / (gamma + d.spend))
    grad = np.array([d_p, d_q, d_gamma]) * params
    return -_gg_ll(params, d) / d.n, -grad / d.n


@dataclass(frozen=True)
class GammaGamma:
    """Fitted Gamma-Gamma parameters (gamma in the money unit of the data)."""

    p: float
    q: float
    gamma: float
    loglik: float
    converged: bool


def fit_gamma_gamma(x: FloatArray, m: FloatArray) -> GammaGamma:
    """Maximum-likelihood Gamma-Gamma fit on repeat customers' purchase counts and mean spends."""
    use = (x > 0) & (m > 0)
    x, m = x[use], m[use]
    # gamma is a money scale: fit on spends divided by their mean, then scale gamma back.
    scale = float(np.mean(m)) or 1.0
    params, converged = _fit(_gg_objective, GG_STARTS, (_GGData.of(x, m / scale),))
    params[2] *= scale
    p, q, gamma = map(float, params)
    return GammaGamma(p, q, gamma, loglik=gg_loglik(params, x, m), converged=converged)


def gg_expected_spend(model: GammaGamma, x: FloatArray, m: FloatArray) -> FloatArray:
    """Expected value of a purchase given x repeat purchases of mean m (FHL 2005b eq. 5).

    A weighted mean of the population mean p*gamma/(q-1) and the customer's own mean m; with
    x = 0 it is the population mean. Infinite when q <= 1 (the population mean does not exist).
    """
    p, q, gamma = model.p, model.q, model.gamma
    if q <= 1:
        return np.full_like(x, np.inf)
    return np.asarray((gamma + m * x) * p / (p * x + q - 1), dtype=np.float64)


# ---- Both --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ValueFit:
    """Both fitted models and, per customer, the 90-day expectations."""

    summary: Summary
    bgnbd: BGNBD
    gamma_gamma: GammaGamma
    unit: str
    expected_purchases: FloatArray = field(repr=False)
    p_alive: FloatArray = field(repr=False)
    expected_value: FloatArray = field(repr=False)


def fit_value_model(summary: Summary, *, unit: str = "day", horizon_days: int = HORIZON_DAYS) -> ValueFit:
    """Fit BG/NBD and Gamma-Gamma on a summary and score every customer over the next ``horizon_days``."""
    repeat = summary.n_repeat
    if repeat < MIN_REPEAT_CUSTOMERS:
        raise ValueModelError("too_few", repeat)
    bg = fit_bgnbd(summary.x, summary.t_x, summary.T)
    gg = fit_gamma_gamma(summary.x, summary.monetary)
    t = horizon_days / UNITS[unit]
    purchases = bgnbd_expected(bg, t, summary.x, summary.t_x, summary.T)
    alive = p_alive(bg, summary.x, summary.t_x, summary.T)
    spend = gg_expected_spend(gg, summary.x, summary.monetary)
    values = (purchases, alive, purchases * spend)
    if gg.q <= 1 or not all(np.all(np.isfinite(v)) for v in values):
        raise ValueModelError("no_convergence", repeat)
    return ValueFit(summary, bg, gg, unit, *values)
