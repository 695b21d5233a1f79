"""The demo's goals and strategies, each goal's target tuned so the day of seeding shows its intended status.

A goal's target is chosen against the forecast the goals app itself makes (on track: below its
80% range; at risk: inside; off track: above), from a baseline of the previous period's ordinary
pace. The goals and strategies themselves are in data/goals.toml.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Any

from django.db import transaction

from socialops.goals.metrics import CATALOGUE, LEVEL, RATIO, SUM, metric_daily_series
from socialops.goals.selectors.goals import goal_progress
from socialops.goals.services.goals import goal_create, strategy_create

from .dates import DemoCalendar, Period
from .specs import BASELINE_NOTE, GOALS, OFF_TRACK, ON_TRACK, STRATEGIES


def goal_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """Three calendar months starting with the month of ``today`` − 40 days.

    The demo's goals are always six to ten weeks in, so they have figures to judge and a few
    weeks left to forecast, whatever day it is seeded.
    """
    anchor = today - dt.timedelta(days=40)
    start = anchor.replace(day=1)
    month = start.month + 3
    year = start.year + (month - 1) // 12
    end = dt.date(year, (month - 1) % 12 + 1, 1) - dt.timedelta(days=1)
    return start, end


def _floor_step(value: float, step: float) -> float:
    return math.floor(value / step) * step


def _ceil_step(value: float, step: float) -> float:
    return math.ceil(value / step) * step


def _nice_step(value: float, digits: int) -> float:
    """The place value of the ``digits``-th significant digit of ``value`` (at least 1)."""
    if value <= 0:
        return 1.0
    return max(1.0, 10 ** (math.floor(math.log10(value)) - digits + 1))


def tuned_target(
    status: str, low: float, high: float, *, rate: bool, baseline: float | None = None
) -> Decimal:
    """A round target the forecast band (low, high) judges as ``status`` (see goals.selectors._status).

    on track: the target is below the band's low end (and above the baseline when the band
    allows it: nobody sets a target below where they start); at risk: inside the band; off
    track: above its high end. Rates are fractions stored to 0.01 percentage points.
    """
    if rate:
        fine = 0.0001
        if status == ON_TRACK:
            value = _floor_step(low * 0.985, 0.001)
        elif status == OFF_TRACK:
            value = _ceil_step(high * 1.03, 0.001)
        else:
            value = round((low + high) / 2 / fine) * fine
        return Decimal(f"{value:.4f}")
    if status == ON_TRACK:
        raw = low * 0.98
        value = _floor_step(raw, _nice_step(raw, 3))
        if baseline is not None and value <= baseline < low:
            for digits in (3, 4, 5):
                step = _nice_step(low, digits)
                above = (math.floor(baseline / step) + 1) * step
                if above <= low:
                    value = above
                    break
    elif status == OFF_TRACK:
        raw = high * 1.15
        value = _ceil_step(raw, _nice_step(raw, 2))
    else:
        mid = (low + high) / 2
        value = float(round(mid))
        for digits in (2, 3, 4):
            step = _nice_step(mid, digits)
            candidate = round(mid / step) * step
            if low < candidate < high:
                value = candidate
                break
    return Decimal(f"{value:.2f}")


class _Rollback(Exception):
    """Raised to undo a probe goal (created only to read its forecast)."""


def _forecast_band(*, workspace: Any, viewer: Any, today: dt.date, **goal: Any) -> tuple[float, float]:
    """The 80% forecast range of a goal as the goals app computes it, without keeping the goal.

    The forecast does not depend on the target, so a throw-away goal with any valid target is
    created in a savepoint, judged, and rolled back.
    """
    band: tuple[float, float] | None = None
    try:
        with transaction.atomic():
            probe = goal_create(workspace=workspace, actor=None, **goal)
            progress = goal_progress(workspace=workspace, user=viewer, goal=probe, today=today)
            if progress.forecast_low is not None and progress.forecast_high is not None:
                band = (progress.forecast_low, progress.forecast_high)
            raise _Rollback
    except _Rollback:
        pass
    if band is None:
        raise RuntimeError(f"no forecast for the demo goal {goal['name']}")
    return band


def _baseline(
    workspace: Any, metric: Any, accounts: list[Any], start: dt.date, end: dt.date, campaign: Period
) -> float:
    """Where the goal starts from: the previous, equally long period at its ordinary pace (a level:
    where it stood the day before the period).

    Campaign days are left out (a team sets targets on its run rate, not on last quarter's
    sale): a total is the ordinary daily mean times the period's length, a rate the ratio of the
    ordinary days' totals.
    """
    length = (end - start).days + 1
    before_end = start - dt.timedelta(days=1)
    before_start = before_end - dt.timedelta(days=length - 1)
    series = metric_daily_series(
        workspace=workspace, metric=metric, start=before_start, end=before_end, accounts=accounts
    )
    if series.metric.aggregation == LEVEL:
        # A level starts from where it stood when the period began.
        known = sorted(series.value)
        return series.value[known[-1]] if known else 0.0
    if series.metric.aggregation == RATIO:
        days = [d for d in series.num if d not in campaign]
        den = sum(series.den[d] for d in days)
        return sum(series.num[d] for d in days) / den if den else 0.0
    if series.metric.aggregation != SUM:
        raise ValueError(f"the demo has no baseline rule for {series.metric.key}")
    values = [v for d, v in series.value.items() if d not in campaign]
    return sum(values) / len(values) * length if values else 0.0


def seed_goals(
    workspace: Any, users: dict[str, Any], accounts: dict[str, Any], calendar: DemoCalendar
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Create the demo's goals, targets tuned to their intended status, and the strategies serving them."""
    start, end = goal_period(calendar.today)
    viewer = users["admin"]
    goals: dict[str, Any] = {}
    for spec in GOALS:
        metric = CATALOGUE[spec.metric]
        goal_accounts = [accounts[key] for key in spec.accounts]
        rate = metric.is_rate
        baseline = _baseline(workspace, spec.metric, goal_accounts, start, end, calendar.campaign)
        fields: dict[str, Any] = {
            "kind": spec.kind,
            "name": spec.name,
            "metric": spec.metric,
            "period_start": start,
            "period_end": end,
            "owner": users[spec.owner],
            "accounts": goal_accounts,
            "description": spec.description + BASELINE_NOTE,
        }
        base = Decimal(f"{baseline:.4f}") if rate else Decimal(round(baseline))
        # Any valid target will do for the probe: above the baseline, positive, within [0, 1] for rates.
        probe_target = Decimal(1) if rate else base + 1
        low, high = _forecast_band(
            workspace=workspace,
            viewer=viewer,
            today=calendar.today,
            baseline=base,
            target=probe_target,
            **fields,
        )
        target = tuned_target(spec.status, low, high, rate=rate, baseline=float(base))
        if rate and base >= target:
            # A rate goal must aim above where it starts; keep the story (an improvement) intact.
            base = target - Decimal("0.0030")
        goals[spec.key] = goal_create(workspace=workspace, actor=None, baseline=base, target=target, **fields)
    strategies = seed_strategies(workspace, users, goals, calendar, start, end)
    return goals, strategies


def seed_strategies(
    workspace: Any,
    users: dict[str, Any],
    goals: dict[str, Any],
    calendar: DemoCalendar,
    start: dt.date,
    end: dt.date,
) -> dict[str, Any]:
    """Create the demo's strategies, their dates resolved from the anchors named in goals.toml."""
    campaign = calendar.campaign
    anchors = {
        "period_start": start,
        "period_end": end,
        "campaign_start": campaign.start,
        "campaign_end": campaign.end,
        "today": calendar.today,
    }
    strategies: dict[str, Any] = {}
    for spec in STRATEGIES:
        strategies[spec.key] = strategy_create(
            workspace=workspace,
            actor=None,
            kind=spec.kind,
            name=spec.name.replace("{campaign}", campaign.name),
            goals=[goals[key] for key in spec.goals],
            start_date=anchors[spec.start] + dt.timedelta(days=spec.start_days),
            end_date=anchors[spec.end] + dt.timedelta(days=spec.end_days),
            description=spec.description,
            owner=users[spec.owner],
        )
    return strategies
