"""Reads of recommendations and the measured effect of accepted ones."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from socialops.core.time import local_today
from socialops.workspaces.models import Workspace
from socialops.workspaces.selectors import member_row_or_404, member_rows

from .. import stats
from ..models import Recommendation, RecommendationStatus
from .content import comparison_dict, post_points

MIN_EFFECT_DAYS = 7


def recommendation_list(
    *, workspace: Workspace, user: Any, status: str | None = None
) -> QuerySet[Recommendation]:
    """The workspace's recommendations, newest first (optionally of one status)."""
    qs = member_rows(Recommendation, workspace=workspace, user=user).select_related(
        "account", "theme", "decided_by"
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-pk")


def recommendation_get(*, workspace: Workspace, user: Any, recommendation_id: int) -> Recommendation:
    """One recommendation of this workspace, or Http404."""
    return member_row_or_404(Recommendation, workspace=workspace, user=user, pk=recommendation_id)


def recommendation_effect(
    *, workspace: Workspace, user: Any, recommendation: Recommendation, today: dt.date | None = None
) -> dict[str, Any] | None:
    """For an accepted change: the theme's share of posts and its engagement rate on the account,
    the days since acceptance against as many days before (as goals measures a strategy's effect);
    None until it was accepted, ``ready`` False under MIN_EFFECT_DAYS days."""
    if recommendation.status != RecommendationStatus.ACCEPTED or recommendation.decided_at is None:
        return None
    today = today or local_today(workspace)
    start = recommendation.decided_at.astimezone(workspace.tz).date()
    days = (today - start).days + 1
    if days < MIN_EFFECT_DAYS:
        return {"ready": False, "days": days, "min_days": MIN_EFFECT_DAYS}
    points = post_points(
        workspace=workspace, user=user, account=recommendation.account, days=2 * days, today=today
    )

    def local_day(p: Any) -> dt.date:
        return p.published_at.astimezone(workspace.tz).date()

    before = [p for p in points if p.published_at and local_day(p) < start]
    during = [p for p in points if p.published_at and local_day(p) >= start]
    theme = recommendation.theme_id

    def share(group: list[Any]) -> float | None:
        return sum(1 for p in group if p.theme_id == theme) / len(group) if group else None

    rates_before = [p.rate for p in before if p.theme_id == theme and p.rate is not None]
    rates_during = [p.rate for p in during if p.theme_id == theme and p.rate is not None]
    return {
        "ready": True,
        "days": days,
        "share_before": share(before),
        "share_during": share(during),
        "rate": comparison_dict(stats.compare(rates_during, rates_before)),
    }
