"""Reads of strategies: the list, one strategy, and its before/after effect on linked goals (R1.5)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from socialops.core.time import local_today
from socialops.workspaces.access import membership_get
from socialops.workspaces.models import Workspace
from socialops.workspaces.selectors import member_rows

from ..metrics import CATALOGUE, LEVEL, SUM, MetricDef, MetricSeries, metric_daily_series, period_value
from ..models import Goal, Strategy
from .goals import DAY, join_sentences, row_or_404


def strategy_list(*, workspace: Workspace, user: Any) -> QuerySet[Strategy]:
    """The workspace's strategies, latest start first."""
    return (
        member_rows(Strategy, workspace=workspace, user=user)
        .select_related("owner")
        .prefetch_related("goals")
        .order_by("-start_date", "name", "pk")
    )


def strategy_get(*, workspace: Workspace, user: Any, strategy_id: int) -> Strategy:
    """One strategy of this workspace, or Http404."""
    return row_or_404(strategy_list(workspace=workspace, user=user), strategy_id)


NOT_STARTED = "not_started"
ONGOING = "ongoing"
FINISHED = "finished"
STATE_LABELS = {
    NOT_STARTED: gettext_lazy("Not started"),
    ONGOING: gettext_lazy("Ongoing"),
    FINISHED: gettext_lazy("Finished"),
}


@dataclass
class EffectRow:
    """One linked goal's metric: mean per day before vs during the strategy."""

    goal: Goal
    metric: MetricDef | None
    before: float | None = None
    during: float | None = None
    change: float | None = None
    change_pct: float | None = None
    reason: str = ""

    @property
    def display(self) -> dict[str, str]:
        metric = self.metric

        def fmt(value: float | None) -> str:
            return metric.format(value, precise=True) if metric else "—"

        change = "—"
        if self.change is not None and self.metric is not None:
            sign = "+" if self.change >= 0 else "−"
            if self.metric.is_rate:
                change = sign + _("%(value)s pp") % {"value": f"{abs(self.change) * 100:.2f}"}
            else:
                change = sign + self.metric.format(abs(self.change), precise=True)
        pct = "—"
        if self.change_pct is not None:
            pct = ("+" if self.change_pct >= 0 else "−") + f"{abs(self.change_pct):.1f}%"
        return {"before": fmt(self.before), "during": fmt(self.during), "change": change, "change_pct": pct}


@dataclass
class StrategyEffect:
    """The before/after comparison of a strategy on its goals' metrics, with its caveat."""

    strategy: Strategy
    state: str
    days: int = 0
    whole_weeks: bool = False
    before_start: dt.date | None = None
    before_end: dt.date | None = None
    during_start: dt.date | None = None
    during_end: dt.date | None = None
    rows: list[EffectRow] = field(default_factory=list)
    overlapping: list[Strategy] = field(default_factory=list)
    caveat: str = ""

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])


def _window_figure(metric: MetricDef, series: MetricSeries, start: dt.date, end: dt.date) -> float | None:
    """A window's figure per day: SUM → mean per day with figures; LEVEL → mean level; rates → over the window."""
    if metric.aggregation in (SUM, LEVEL):
        vals = [v for d, v in series.value.items() if start <= d <= end]
        return sum(vals) / len(vals) if vals else None
    return period_value(series, start, end)


@dataclass
class GoalWindows:
    """Goals' metrics per day during a period vs the same number of days just before it."""

    days: int
    whole_weeks: bool
    before_start: dt.date
    before_end: dt.date
    during_start: dt.date
    during_end: dt.date
    rows: list[EffectRow] = field(default_factory=list)


def goal_windows(
    *,
    workspace: Workspace,
    goals: list[Goal],
    start: dt.date,
    end: dt.date,
    no_before: str = "",
    no_during: str = "",
) -> GoalWindows:
    """The measured-effect rule for any period (a strategy, a campaign): during ``start``–``end`` vs before.

    Both windows have the same length, cut to whole weeks when the period lasts a week or more;
    each goal's metric is a mean per day (SUM, LEVEL) or the window's rate. ``no_before`` and
    ``no_during`` say why a row has no change (default: a strategy's words). The caller checks access.
    """
    days = (end - start).days + 1
    whole_weeks = days >= 7
    if whole_weeks:
        days -= days % 7  # whole weeks on both sides balance the weekly rhythm
    during_start = start
    during_end = during_start + dt.timedelta(days=days - 1)
    before_end = during_start - DAY
    before_start = during_start - dt.timedelta(days=days)
    window = GoalWindows(
        days=days,
        whole_weeks=whole_weeks,
        before_start=before_start,
        before_end=before_end,
        during_start=during_start,
        during_end=during_end,
    )
    for goal in goals:
        metric = CATALOGUE.get(goal.metric)
        row = EffectRow(goal=goal, metric=metric)
        window.rows.append(row)
        if metric is None:
            row.reason = _("The metric “%(metric)s” is not in the catalogue.") % {"metric": goal.metric}
            continue
        accounts = [a.pk for a in goal.accounts.all()] or None
        series = metric_daily_series(
            workspace=workspace, metric=metric, start=before_start, end=during_end, accounts=accounts
        )
        row.before = _window_figure(metric, series, before_start, before_end)
        row.during = _window_figure(metric, series, during_start, during_end)
        if row.before is None:
            row.reason = no_before or _(
                "No figures in the days before the strategy, so there is nothing to compare with."
            )
            row.during = None
            continue
        if row.during is None:
            row.reason = no_during or _("No figures yet for the days of the strategy.")
            continue
        row.change = row.during - row.before
        row.change_pct = row.change / abs(row.before) * 100 if row.before else None
    return window


def window_caveat(*, lead: str, whole_weeks: bool, overlapping: list[str]) -> str:
    """The caveat of a before/after comparison: ``lead`` (what is compared), the weekly rhythm, other causes."""
    parts = [lead]
    if whole_weeks:
        parts.append(
            _("Both windows are whole weeks, so the weekly rhythm (weekdays vs weekends) is balanced.")
        )
    else:
        parts.append(
            _("The windows are shorter than a week, so weekday differences may distort the comparison.")
        )
    parts.append(_("Other campaigns or holidays in either window may explain part of the change."))
    if overlapping:
        parts.append(
            _("Strategies overlapping these windows: %(names)s.") % {"names": "、".join(overlapping)}
        )
    return join_sentences(parts)


def strategy_effect(
    *, workspace: Workspace, user: Any, strategy: Strategy, today: dt.date | None = None
) -> StrategyEffect:
    """Mean per day of each linked goal's metric during the strategy vs the same number of days before it.

    A before/after comparison, not proof of cause: see the caveat it carries.
    """
    membership_get(workspace=workspace, user=user)
    if strategy.workspace_id != workspace.pk:
        raise Http404(_("Not found."))
    today = today or local_today(workspace)
    goals = list(strategy.goals.all().prefetch_related("accounts"))
    if strategy.start_date > today:
        effect = StrategyEffect(strategy=strategy, state=NOT_STARTED)
        effect.rows = [
            EffectRow(goal=g, metric=CATALOGUE.get(g.metric), reason=_("The strategy has not started yet."))
            for g in goals
        ]
        effect.caveat = _("The effect is measured once the strategy has started.")
        return effect

    window = goal_windows(
        workspace=workspace, goals=goals, start=strategy.start_date, end=min(strategy.end_date, today)
    )
    effect = StrategyEffect(
        strategy=strategy,
        state=FINISHED if strategy.end_date < today else ONGOING,
        days=window.days,
        whole_weeks=window.whole_weeks,
        before_start=window.before_start,
        before_end=window.before_end,
        during_start=window.during_start,
        during_end=window.during_end,
        rows=window.rows,
    )
    before_start, during_end = window.before_start, window.during_end
    effect.overlapping = list(
        Strategy.objects.filter(workspace=workspace, start_date__lte=during_end, end_date__gte=before_start)
        .exclude(pk=strategy.pk)
        .order_by("start_date", "name")
    )
    effect.caveat = strategy_caveat(effect)
    return effect


def strategy_caveat(effect: StrategyEffect) -> str:
    """The sentence that keeps a before/after comparison honest."""
    lead = _(
        "This compares the %(days)d days before the strategy with its first %(days)d days; "
        "it is a before/after comparison, not proof that the strategy caused the change."
    ) % {"days": effect.days}
    return window_caveat(
        lead=lead,
        whole_weeks=effect.whole_weeks,
        overlapping=[s.name for s in effect.overlapping],
    )
