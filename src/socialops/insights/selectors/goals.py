"""Goal review (issue 14 §2): per goal, its status, the strategies and campaigns working on it with
their measured effect, and the forecast's track record.

Forecasts are not stored as they were made, so the track record is goals' own honest backtest:
at each past weekly cutoff the range is rebuilt with only what was known then (calibrated on
earlier cutoffs) and checked against what happened (goals.forecast.TrackRecord).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from socialops.engagement.models.campaigns import Campaign
from socialops.goals.selectors import goals as goal_sel
from socialops.goals.selectors import strategies as strat_sel
from socialops.workspaces.models import Workspace


def goal_review(*, workspace: Workspace, user: Any, today: dt.date | None = None) -> list[dict[str, Any]]:
    """Every goal with its progress, its strategies' before/during effect and its forecast's track record."""
    out = []
    for goal in goal_sel.goal_list(workspace=workspace, user=user):
        progress = goal_sel.goal_progress(workspace=workspace, user=user, goal=goal, today=today)
        strategies = []
        for strategy in goal.strategies.order_by("start_date", "name"):
            effect = strat_sel.strategy_effect(workspace=workspace, user=user, strategy=strategy, today=today)
            row = next((r for r in effect.rows if r.goal.pk == goal.pk), None)
            strategies.append(
                {
                    "id": strategy.pk,
                    "name": strategy.name,
                    "kind": strategy.kind,
                    "kind_label": strategy.get_kind_display(),
                    "start": strategy.start_date,
                    "end": strategy.end_date,
                    "state": effect.state,
                    "state_label": effect.state_label,
                    "before": row.before if row else None,
                    "during": row.during if row else None,
                    "change": row.change if row else None,
                    "change_pct": row.change_pct if row else None,
                    "display": row.display if row else {},
                    "reason": row.reason if row else "",
                    "caveat": effect.caveat,
                }
            )
        campaigns = [
            {"id": c.pk, "name": c.name, "start": c.start_date, "end": c.end_date}
            for c in Campaign.objects.filter(workspace=workspace, goal=goal).order_by("start_date", "name")
        ]
        coverage = progress.track_hits / progress.track_cutoffs if progress.track_cutoffs else None
        out.append(
            {
                "id": goal.pk,
                "name": goal.name,
                "metric": goal.metric,
                "period_start": goal.period_start,
                "period_end": goal.period_end,
                "status": progress.status,
                "status_label": progress.status_label,
                "actual": progress.actual,
                "target": progress.target,
                "forecast": progress.forecast,
                "forecast_low": progress.forecast_low,
                "forecast_high": progress.forecast_high,
                "track_cutoffs": progress.track_cutoffs,
                "track_hits": progress.track_hits,
                "track_coverage": coverage,
                "track_text": progress.track_text,
                "strategies": strategies,
                "campaigns": campaigns,
            }
        )
    return out
