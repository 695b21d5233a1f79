"""Reads of goals: lists, resolution of ids, progress and forecast (R1.4), and the dashboard headline."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Max, OuterRef, QuerySet, Subquery, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from socialops.accounts.models import SocialAccount
from socialops.accounts.selectors import own_accounts
from socialops.core.querysets import filter_given
from socialops.core.time import local_today
from socialops.workspaces.access import membership_get
from socialops.workspaces.models import Workspace
from socialops.workspaces.selectors import member_rows, member_users

from .. import forecast as fc
from ..metrics import (
    CATALOGUE,
    LEVEL,
    RATIO,
    RETENTION,
    SUM,
    MetricDef,
    MetricSeries,
    metric_daily_series,
    period_value,
    retention_base,
)
from ..models import Goal, GoalKind, MetricSnapshot
from .forecasting import HISTORY_DAYS, special_days
from .forecasting import calendar_note as _calendar_note
from .forecasting import calibrated_text as _calibrated_text

M = TypeVar("M", bound=models.Model)

ON_TRACK = "on_track"
AT_RISK = "at_risk"
OFF_TRACK = "off_track"
INSUFFICIENT = "insufficient_data"

STATUS_LABELS = {
    ON_TRACK: gettext_lazy("On track"),
    AT_RISK: gettext_lazy("At risk"),
    OFF_TRACK: gettext_lazy("Off track"),
    INSUFFICIENT: gettext_lazy("Not enough data"),
}
# Bootstrap background of the progress bar for each status.
STATUS_BG = {
    ON_TRACK: "bg-success",
    AT_RISK: "bg-warning",
    OFF_TRACK: "bg-danger",
    INSUFFICIENT: "bg-secondary",
}

DAY = dt.timedelta(days=1)
# "80%" as a placeholder value: a literal "80% f…" in a message would read as a printf directive.
LEVEL_ARGS = {"level": f"{round(fc.LEVEL * 100)}%"}


def _date_range(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)] if end >= start else []


def _ordinals(days: list[dt.date]) -> np.ndarray:
    return np.array([d.toordinal() for d in days], dtype=np.int64)


def clean_number(value: float | None) -> float | None:
    """JSON-safe float: None for NaN/inf, rounded so charts and API stay readable."""
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), 6)


# ---------------------------------------------------------------------------------------------
# Goals
# ---------------------------------------------------------------------------------------------


def row_or_404(qs: QuerySet[M], pk: int) -> M:
    """The row of ``qs`` with this id, or Http404 (also for an id no database column could hold)."""
    if not 0 < pk < 2**63:
        raise Http404(_("Not found."))
    return get_object_or_404(qs, pk=pk)


def goal_list(*, workspace: Workspace, user: Any, kind: str | None = None) -> QuerySet[Goal]:
    """The workspace's goals (any member may read them), soonest period end first."""
    qs = (
        member_rows(Goal, workspace=workspace, user=user).select_related("owner").prefetch_related("accounts")
    )
    return filter_given(qs, kind=kind).order_by("period_end", "name", "pk")


def goal_get(*, workspace: Workspace, user: Any, goal_id: int) -> Goal:
    """One goal of this workspace, or Http404."""
    return row_or_404(goal_list(workspace=workspace, user=user), goal_id)


def goals_by_kind(*, workspace: Workspace, user: Any) -> list[tuple[str, str, list[Goal]]]:
    """(kind, label, goals) for each of the three kinds, in the plan's order."""
    goals = list(goal_list(workspace=workspace, user=user))
    return [(k.value, str(k.label), [g for g in goals if g.kind == k.value]) for k in GoalKind]


def member_user_resolve(
    *, workspace: Workspace, user: Any, user_id: int | None, field_name: str = "owner"
) -> Any:
    """The member with this user id (None for None); a ValidationError naming the field otherwise."""
    if user_id is None:
        return None
    found = next((u for u in member_users(workspace=workspace, user=user) if u.pk == user_id), None)
    if found is None:
        raise ValidationError({field_name: [_("The owner must be a member of this workspace.")]})
    return found


def _all_found(qs: QuerySet[M], ids: list[int], field_name: str, message: str) -> list[M]:
    """The rows of ``qs`` with these ids; a ValidationError on the field naming any id not among them."""
    wanted = set(ids)
    found = list(qs.filter(pk__in=wanted))
    if len(found) != len(wanted):
        missing = sorted(wanted - {row.pk for row in found})
        raise ValidationError({field_name: [message % {"ids": ", ".join(map(str, missing))}]})
    return found


def accounts_resolve(*, workspace: Workspace, user: Any, ids: list[int]) -> list[SocialAccount]:
    """Our accounts with these ids; a ValidationError on "accounts" when one is not ours."""
    return _all_found(
        own_accounts(workspace=workspace, user=user),
        ids,
        "accounts",
        _("No own account with id %(ids)s in this workspace."),
    )


def goals_resolve(*, workspace: Workspace, user: Any, ids: list[int]) -> list[Goal]:
    """Goals of this workspace with these ids; a ValidationError on "goals" otherwise."""
    return _all_found(
        goal_list(workspace=workspace, user=user),
        ids,
        "goals",
        _("No goal with id %(ids)s in this workspace."),
    )


@dataclass
class GoalProgress:
    """Where a goal stands: actual to date, linear-pace expectation, forecast with range, status."""

    goal: Goal
    metric: MetricDef | None
    today: dt.date
    days_total: int
    days_elapsed: int
    baseline: float
    target: float
    actual: float | None = None
    actual_date: dt.date | None = None
    progress_pct: float | None = None
    expected: float | None = None
    expected_pct: float | None = None
    forecast: float | None = None
    forecast_low: float | None = None
    forecast_high: float | None = None
    status: str = INSUFFICIENT
    reason: str = ""
    method: str = ""
    data_days: int = 0
    finished: bool = False
    series: dict[str, list[Any]] = field(default_factory=dict)
    track_cutoffs: int = 0  # past cutoffs of this goal's own series whose outcome is known
    track_hits: int = 0  # of them, how many ranges contained what happened
    calendar_note: str = ""  # holidays / campaigns ahead and how the range treats them

    @property
    def track_text(self) -> str:
        """The track record for people, or why there is none yet."""
        if self.track_cutoffs < fc.MIN_CUTOFFS:
            return _(
                "Track record: not enough history yet (%(n)d of %(min)d past weekly forecasts can be checked)."
            ) % {"n": self.track_cutoffs, "min": fc.MIN_CUTOFFS}
        return _(
            "Track record: at %(n)d past weekly cutoffs of this series, the %(level)s range contained "
            "what happened %(hits)d times (%(pct)d%%)."
        ) % {
            "n": self.track_cutoffs,
            "hits": self.track_hits,
            "pct": round(100 * self.track_hits / self.track_cutoffs),
            **LEVEL_ARGS,
        }

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def status_bg(self) -> str:
        return STATUS_BG[self.status]

    @property
    def bar(self) -> int:
        """Progress for the bar, 0–100."""
        return max(0, min(100, round(self.progress_pct or 0)))

    def _fmt(self, value: float | None) -> str:
        return self.metric.format(value) if self.metric else "—"

    @property
    def display(self) -> dict[str, str]:
        """The figures formatted for people (rates as %, revenue in yuan)."""
        return {
            "actual": self._fmt(self.actual),
            "baseline": self._fmt(self.baseline),
            "target": self._fmt(self.target),
            "expected": self._fmt(self.expected),
            "forecast": self._fmt(self.forecast),
            "forecast_low": self._fmt(self.forecast_low),
            "forecast_high": self._fmt(self.forecast_high),
            "progress_pct": "—" if self.progress_pct is None else f"{self.progress_pct:.0f}%",
            "expected_pct": "—" if self.expected_pct is None else f"{self.expected_pct:.0f}%",
        }

    def summary(self) -> dict[str, Any]:
        """The figures as plain data (API)."""
        return {
            "today": self.today,
            "days_total": self.days_total,
            "days_elapsed": self.days_elapsed,
            "actual": clean_number(self.actual),
            "actual_date": self.actual_date,
            "progress_pct": clean_number(self.progress_pct),
            "expected": clean_number(self.expected),
            "expected_pct": clean_number(self.expected_pct),
            "forecast": clean_number(self.forecast),
            "forecast_low": clean_number(self.forecast_low),
            "forecast_high": clean_number(self.forecast_high),
            "interval": fc.LEVEL,
            "status": self.status,
            "status_label": self.status_label,
            "reason": self.reason,
            "method": self.method,
            "data_days": self.data_days,
            "finished": self.finished,
            "track_record": {"cutoffs": self.track_cutoffs, "hits": self.track_hits},
            "calendar_note": self.calendar_note,
        }


def _start_value(metric: MetricDef, baseline: float) -> float:
    """Where the goal's figure stands on day one: totals start at 0, retention at 100%."""
    if metric.aggregation == SUM:
        return 0.0
    if metric.aggregation == RETENTION:
        return 1.0
    return baseline


def _progress_pct(metric: MetricDef, value: float | None, baseline: float, target: float) -> float | None:
    if value is None:
        return None
    if metric.aggregation == SUM:
        return value / target * 100 if target else None
    return (value - baseline) / (target - baseline) * 100 if target != baseline else None


def _status(low: float, high: float, target: float) -> str:
    # Tiny tolerance so a forecast that lands exactly on the target is not judged by rounding noise.
    eps = 1e-9 * max(1.0, abs(target))
    if low >= target - eps:
        return ON_TRACK
    if high >= target - eps:
        return AT_RISK
    return OFF_TRACK


def _status_reason(status: str) -> str:
    return {
        ON_TRACK: _("Even the low end of the %(level)s forecast range reaches the target.") % LEVEL_ARGS,
        AT_RISK: _("The target is inside the %(level)s forecast range: it may or may not be reached.")
        % LEVEL_ARGS,
        OFF_TRACK: _("Even the high end of the %(level)s forecast range falls short of the target.")
        % LEVEL_ARGS,
    }.get(status, "")


def _method_text(band: fc.Band, obs: int, via: str = "") -> str:
    model = (
        _("Linear trend + day-of-week effects")
        if band.weekly
        else _("Linear trend (too few days for weekday effects)")
    )
    fitted = ngettext(
        "fitted to %(n)d day of figures in the last 8 weeks",
        "fitted to %(n)d days of figures in the last 8 weeks",
        obs,
    ) % {"n": obs}
    args = {"model": model, "fitted": fitted, "via": via, **LEVEL_ARGS}
    if via:
        return _("%(model)s, %(fitted)s; %(via)s; %(level)s range.") % args
    return _("%(model)s, %(fitted)s; %(level)s range.") % args


def join_sentences(parts: list[str]) -> str:
    """Sentences joined as the language writes them: a space after "." but none after "。"."""
    out = ""
    for part in parts:
        if out and not out.endswith(("。", "！", "？", "：")):
            out += " "
        out += part
    return out


@dataclass
class _Projection:
    """Forecast of the goal's figure for each future day from ``anchor`` (in-period days only)."""

    days: list[dt.date]
    point: list[float]
    low: list[float]
    high: list[float]
    anchor: dt.date | None  # the last day with figures, where the forecast joins the actual line
    anchor_value: float | None
    method: str
    obs: int = 0  # days of figures the fit used
    result: fc.Forecast | None = None  # the calibrated forecast (track record, calendar notes)


def _window(series_days: list[dt.date], win_start: dt.date, today: dt.date) -> list[dt.date]:
    return [d for d in series_days if win_start <= d <= today]


def _insufficient_reason(obs: int, today: dt.date) -> str:
    return _(
        "Only %(n)d days with figures in the 8 weeks up to %(today)s; a forecast needs at least %(min)d. "
        "Import or enter daily metrics for the goal's accounts."
    ) % {"n": obs, "today": date_format(today, "SHORT_DATE_FORMAT"), "min": fc.MIN_DAYS}


def _cumulative_actual(
    metric: MetricDef, series: MetricSeries, days: list[dt.date], base: float | None
) -> list[Any]:
    """The figure as it stood at the end of each day of ``days`` (None on days without figures)."""
    out: list[Any] = []
    total = num = den = 0.0
    for d in days:
        if metric.aggregation == SUM:
            if d in series.value:
                total += series.value[d]
                out.append(total)
            else:
                out.append(None)
        elif metric.aggregation == LEVEL:
            out.append(series.value.get(d))
        elif metric.aggregation == RATIO:
            if d in series.num:
                num += series.num[d]
                den += series.den[d]
            out.append(num / den if d in series.num and den > 0 else None)
        else:
            if d in series.num:
                total += series.num[d]
            out.append(1 - total / base if d in series.num and base else None)
    return [clean_number(v) for v in out]


# Long on purpose: one read in the order docs/forecast.md explains it (actual, pace, forecast,
# status, track record); splitting it would scatter that order over helpers that share a dozen values.
def goal_progress(
    *, workspace: Workspace, user: Any, goal: Goal, today: dt.date | None = None
) -> GoalProgress:
    """Actual to date, expected pace, forecast to the period end with an 80% range, and status.

    See docs/forecast.md for the method and the status rule.
    """
    membership_get(workspace=workspace, user=user)
    if goal.workspace_id != workspace.pk:
        raise Http404(_("Not found."))
    today = today or local_today(workspace)
    ps, pe = goal.period_start, goal.period_end
    days_total = (pe - ps).days + 1
    days_elapsed = max(0, min(days_total, (today - ps).days + 1))
    baseline, target = float(goal.baseline), float(goal.target)
    metric = CATALOGUE.get(goal.metric)
    progress = GoalProgress(
        goal=goal,
        metric=metric,
        today=today,
        days_total=days_total,
        days_elapsed=days_elapsed,
        baseline=baseline,
        target=target,
        finished=today > pe,
    )
    if metric is None:
        progress.reason = _("The metric “%(metric)s” is not in the catalogue.") % {"metric": goal.metric}
        return progress

    frac = days_elapsed / days_total
    start_value = _start_value(metric, baseline)
    progress.expected = start_value + (target - start_value) * frac
    progress.expected_pct = _progress_pct(metric, progress.expected, baseline, target)

    accounts = [a.pk for a in goal.accounts.all()] or None
    win_start = today - dt.timedelta(days=fc.WINDOW_DAYS - 1)
    # A year before the fit window calibrates the range and shows last year's holidays.
    q_start = min(ps, today - dt.timedelta(days=HISTORY_DAYS - 1))
    series = metric_daily_series(
        workspace=workspace, metric=metric, start=q_start, end=today, accounts=accounts
    )
    actual_end = min(today, pe)
    in_period = actual_end >= ps

    # Actual to date.
    f0: float | None = None
    if metric.aggregation == LEVEL:
        progress.actual = period_value(series, q_start, actual_end) if in_period else None
    elif metric.aggregation == RETENTION:
        f0 = retention_base(series, ps, pe)
        if f0 is None:
            earlier = [d for d in series.den if d < ps and series.den[d] > 0]
            f0 = series.den[max(earlier)] if earlier else None
        lost_days = [d for d in series.num if ps <= d <= actual_end]
        progress.actual = 1 - sum(series.num[d] for d in lost_days) / f0 if f0 and lost_days else None
    else:
        progress.actual = period_value(series, ps, actual_end) if in_period else None
    known = [d for d in series.days() if ps <= d <= actual_end]
    progress.actual_date = max(known) if known else None
    progress.progress_pct = _progress_pct(metric, progress.actual, baseline, target)

    projection, reason = _project(workspace, goal, metric, series, accounts, today, win_start, q_start, f0)
    period_days = _date_range(ps, pe)
    base_line = (
        _cumulative_actual(metric, series, [d for d in period_days if d <= actual_end], f0)
        if in_period
        else []
    )
    progress.series = {
        "dates": [d.isoformat() for d in period_days],
        "actual": base_line + [None] * (len(period_days) - len(base_line)),
        "target": [target] * len(period_days),
        "expected": [
            clean_number(start_value + (target - start_value) * (i + 1) / days_total)
            for i in range(days_total)
        ],
        "forecast": [None] * len(period_days),
        "forecast_low": [None] * len(period_days),
        "forecast_high": [None] * len(period_days),
    }
    if projection is None:
        progress.status = INSUFFICIENT
        progress.reason = reason
        return progress

    progress.method = projection.method
    progress.data_days = projection.obs
    if projection.result is not None and projection.days:
        progress.track_cutoffs = projection.result.track.cutoffs
        progress.track_hits = projection.result.track.hits
        progress.calendar_note = _calendar_note(projection.result)
    if projection.days:
        point, low, high = projection.point[-1], projection.low[-1], projection.high[-1]
    else:
        # Every day of the period has figures: the final figure is known.
        final = progress.actual if progress.actual is not None else 0.0
        point = low = high = final
        progress.method = _("Every day of the period has figures; no forecast is needed.")
    progress.forecast, progress.forecast_low, progress.forecast_high = point, low, high
    if not all(math.isfinite(v) for v in (point, low, high)):
        progress.status = INSUFFICIENT
        progress.reason = _("The forecast's denominator is zero; there is nothing to divide by yet.")
        progress.forecast = progress.forecast_low = progress.forecast_high = None
        return progress
    progress.status = _status(low, high, target)
    progress.reason = _status_reason(progress.status)

    index = {d: i for i, d in enumerate(period_days)}
    if projection.anchor is not None and projection.anchor in index and projection.anchor_value is not None:
        i = index[projection.anchor]
        for key in ("forecast", "forecast_low", "forecast_high"):
            progress.series[key][i] = clean_number(projection.anchor_value)
    for d, p, lo, hi in zip(projection.days, projection.point, projection.low, projection.high, strict=True):
        if d in index:
            i = index[d]
            progress.series["forecast"][i] = clean_number(p)
            progress.series["forecast_low"][i] = clean_number(lo)
            progress.series["forecast_high"][i] = clean_number(hi)
    return progress


# Long on purpose: one branch per aggregation (sum, level, ratio, retention), each a few lines;
# a table of callables would hide which inputs each one reads.
def _project(
    workspace: Workspace,
    goal: Goal,
    metric: MetricDef,
    series: MetricSeries,
    accounts: list[int] | None,
    today: dt.date,
    win_start: dt.date,
    q_start: dt.date,
    f0: float | None,
) -> tuple[_Projection | None, str]:
    """The forecast of the goal's figure over the rest of the period, or (None, why not)."""
    ps, pe = goal.period_start, goal.period_end
    days = [d for d in series.days() if d <= today]
    if metric.aggregation == LEVEL:
        return _project_level(workspace, metric, series, accounts, today, win_start, q_start, ps, pe)
    if not days:
        return None, _(
            "No figures yet for this metric and these accounts. Import or enter daily metrics first."
        )
    last = max(days)
    horizon = _date_range(max(ps, last + DAY), pe)
    obs = _window(days, win_start, today)
    if horizon and len(obs) < fc.MIN_DAYS:
        return None, _insufficient_reason(len(obs), today)
    anchor = last if ps <= last <= pe else None
    done = [d for d in days if ps <= d <= min(last, pe)]
    special = special_days(workspace, q_start, pe) if horizon else {}

    if metric.aggregation == SUM:
        base = sum(series.value[d] for d in done)
        result = fc.forecast_calibrated(
            _ordinals(days), [series.value[d] for d in days], _ordinals(horizon),
            nonnegative=metric.nonnegative, special=special,
        )  # fmt: skip
        band = result.band
        return _Projection(
            horizon, list(base + band.point), list(base + band.low), list(base + band.high),
            anchor, base if anchor else None, _calibrated_text(result), len(obs), result,
        ), ""  # fmt: skip

    if metric.aggregation == RATIO:
        base_num = sum(series.num[d] for d in done)
        base_den = sum(series.den[d] for d in done)
        rdays = sorted(d for d in series.num if d <= today)
        result = fc.forecast_ratio_calibrated(
            _ordinals(rdays),
            [series.num[d] for d in rdays],
            [series.den[d] for d in rdays],
            _ordinals(horizon),
            base_numerator=base_num,
            base_denominator=base_den,
        )
        band = result.band
        via = _("numerator and denominator forecast together")
        anchor_value = base_num / base_den if anchor and base_den > 0 else None
        return _Projection(
            horizon, list(band.point), list(band.low), list(band.high), anchor, anchor_value,
            _method_text(band, len(obs), via) + " " + _calibrated_text(result), len(obs), result,
        ), ""  # fmt: skip

    # RETENTION: forecast followers lost; followers at the start are known.
    if not f0:
        return None, _(
            "There is no follower count at the start of the period, so retention cannot be computed."
        )
    lost_done = sum(series.num[d] for d in done)
    ldays = sorted(d for d in series.num if d <= today)
    result = fc.forecast_calibrated(
        _ordinals(ldays),
        [series.num[d] for d in ldays],
        _ordinals(horizon),
        nonnegative=True,
        special=special,
    )
    band = result.band
    via = _("forecast of followers lost")
    return _Projection(
        horizon,
        [1 - (lost_done + v) / f0 for v in band.point],
        [1 - (lost_done + v) / f0 for v in band.high],
        [1 - (lost_done + v) / f0 for v in band.low],
        anchor,
        1 - lost_done / f0 if anchor else None,
        _calibrated_text(result, via),
        len(obs),
        result,
    ), ""


def _project_level(
    workspace: Workspace,
    metric: MetricDef,
    series: MetricSeries,
    accounts: list[int] | None,
    today: dt.date,
    win_start: dt.date,
    q_start: dt.date,
    ps: dt.date,
    pe: dt.date,
) -> tuple[_Projection | None, str]:
    """A level (follower count): latest count + forecast of daily net growth, else its own trend."""
    levels = sorted(d for d in series.value if d <= today)
    if not levels:
        return None, _("No follower count yet for these accounts. Import or enter daily metrics first.")
    last = levels[-1]
    level = series.value[last]
    horizon_all = _date_range(last + DAY, pe)
    anchor = last if ps <= last <= pe else None
    if not horizon_all:
        return _Projection([], [], [], [], anchor, level, ""), ""
    net = metric_daily_series(
        workspace=workspace, metric="net_growth", start=q_start, end=today, accounts=accounts
    )
    net_obs = _window(sorted(net.value), win_start, today)
    result: fc.Forecast | None = None
    if len(net_obs) >= fc.MIN_DAYS:
        net_days = sorted(d for d in net.value if d <= today)
        result = fc.forecast_calibrated(
            _ordinals(net_days), [net.value[d] for d in net_days], _ordinals(horizon_all),
            special=special_days(workspace, q_start, pe),
        )  # fmt: skip
        band = result.band
        point, low, high = level + band.point, level + band.low, level + band.high
        method = _calibrated_text(result, _("latest follower count + forecast of daily net growth"))
        used = len(net_obs)
    else:
        obs = _window(levels, win_start, today)
        if len(obs) < fc.MIN_DAYS:
            return None, _insufficient_reason(max(len(obs), len(net_obs)), today)
        result = fc.forecast_calibrated(
            _ordinals(levels), [series.value[d] for d in levels], _ordinals(horizon_all), kind=fc.LEVEL_KIND
        )
        band = result.band
        point, low, high = band.point, band.low, band.high
        method = (
            _method_text(band, len(obs), _("latest follower count + forecast of its day-to-day changes"))
            + " "
            + _calibrated_text(result)
        )
        used = len(obs)
    return _Projection(
        horizon_all, list(point), list(low), list(high), anchor, level, method, used, result
    ), ""


# ---------------------------------------------------------------------------------------------
# Dashboard
# ---------------------------------------------------------------------------------------------


@dataclass
class Headline:
    """The dashboard's headline figures over our own accounts."""

    followers: float | None
    followers_date: dt.date | None
    new_followers_7d: float | None
    interaction_rate_30d: float | None
    account_count: int

    @property
    def display(self) -> dict[str, str]:
        return {
            "followers": CATALOGUE["followers_total"].format(self.followers),
            "new_followers_7d": CATALOGUE["new_followers"].format(self.new_followers_7d),
            "interaction_rate_30d": CATALOGUE["interaction_rate"].format(self.interaction_rate_30d),
        }


def dashboard_headline(*, workspace: Workspace, user: Any, today: dt.date | None = None) -> Headline:
    """Followers across our accounts (each account's latest count), 7-day new followers, 30-day interaction rate."""
    membership_get(workspace=workspace, user=user)
    today = today or local_today(workspace)
    known = MetricSnapshot.objects.filter(
        workspace=workspace, account__is_competitor=False, followers_total__isnull=False, date__lte=today
    )
    latest = known.filter(account=OuterRef("account")).order_by("-date").values("date")[:1]
    agg = known.filter(date=Subquery(latest)).aggregate(total=Sum("followers_total"), last=Max("date"))
    new7 = metric_daily_series(
        workspace=workspace, metric="new_followers", start=today - dt.timedelta(days=6), end=today
    )
    rate_start = today - dt.timedelta(days=29)
    rate30 = metric_daily_series(workspace=workspace, metric="interaction_rate", start=rate_start, end=today)
    return Headline(
        followers=float(agg["total"]) if agg["total"] is not None else None,
        followers_date=agg["last"],
        new_followers_7d=period_value(new7, today - dt.timedelta(days=6), today),
        interaction_rate_30d=period_value(rate30, rate_start, today),
        account_count=SocialAccount.objects.filter(workspace=workspace, is_competitor=False).count(),
    )
