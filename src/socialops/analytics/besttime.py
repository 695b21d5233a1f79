"""Best time to post: an account's engagement by weekday × hour, learned or a platform default (R2.4, R3.7).

The learned model is the account's own post history, grouped by ISO weekday (1 = Monday) and
local hour in one aggregate query. It is used once the account has enough posts (see
``MIN_POSTS`` and friends, and docs/best-time.md); before that the planner gets a small table of
typical good hours per platform, which is our assumption, not a measurement.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Avg, Case, Count, F, FloatField, Q, When
from django.db.models.functions import Cast
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from socialops.accounts.models import Platform, SocialAccount
from socialops.content.planner import BestHours
from socialops.workspaces.access import membership_get
from socialops.workspaces.models import Workspace

from .models import PostRecord

# When the account's own history is trusted over the platform default.
MIN_POSTS = 30  # posts with a known engagement figure
MIN_CELLS = 5  # distinct weekday × hour cells ...
MIN_CELL_POSTS = 2  # ... with at least this many such posts each
# A cell's mean is pulled towards the account's mean as if it had this many extra average posts,
# so one lucky post does not make an hour "the best".
PRIOR_POSTS = 5.0
# Scores use the reach-normalised rate when at least this share of posts has a reach figure.
MIN_REACH_SHARE = 0.5
TOP_HOURS = 10

LEARNED = "learned"
PLATFORM_DEFAULT = "platform_default"


# Typical good hours per platform (local time), as relative scores (1.0 = an ordinary hour).
# OUR ASSUMPTION, not a measurement: the commute (7–9), lunch (12) and evening (18–22) peaks
# that Chinese operators commonly plan around, later and broader on weekends. They only stand in
# until the account has its own history; docs/best-time.md says the same.
_Hours = dict[int, float]
_GENERIC: tuple[_Hours, _Hours] = (
    {8: 1.1, 12: 1.3, 18: 1.1, 20: 1.3, 21: 1.2},
    {10: 1.1, 12: 1.2, 16: 1.0, 20: 1.3, 21: 1.2},
)
PLATFORM_DEFAULTS: dict[str, tuple[_Hours, _Hours]] = {
    # (Monday–Friday, Saturday–Sunday)
    Platform.WECHAT_MP: (
        {7: 1.1, 8: 1.2, 12: 1.3, 18: 1.1, 20: 1.2, 21: 1.4, 22: 1.2},
        {9: 1.1, 10: 1.2, 12: 1.1, 20: 1.2, 21: 1.3},
    ),
    Platform.WEIBO: (
        {8: 1.1, 12: 1.3, 18: 1.1, 21: 1.3, 22: 1.4, 23: 1.1},
        {11: 1.1, 12: 1.2, 21: 1.3, 22: 1.3},
    ),
    Platform.DOUYIN: (
        {7: 1.0, 12: 1.3, 18: 1.2, 19: 1.2, 20: 1.3, 21: 1.4, 22: 1.2},
        {11: 1.1, 12: 1.2, 17: 1.1, 19: 1.2, 20: 1.3, 21: 1.4},
    ),
    Platform.KUAISHOU: (
        {7: 1.0, 12: 1.3, 18: 1.2, 19: 1.2, 20: 1.3, 21: 1.3},
        {11: 1.1, 12: 1.2, 19: 1.2, 20: 1.3, 21: 1.3},
    ),
    Platform.CHANNELS: (
        {7: 1.1, 12: 1.3, 18: 1.1, 20: 1.3, 21: 1.3},
        {10: 1.1, 12: 1.2, 20: 1.3, 21: 1.3},
    ),
    Platform.XIAOHONGSHU: (
        {12: 1.2, 18: 1.1, 19: 1.2, 20: 1.3, 21: 1.4, 22: 1.3},
        {10: 1.1, 11: 1.1, 15: 1.1, 20: 1.3, 21: 1.4, 22: 1.2},
    ),
    Platform.BILIBILI: (
        {12: 1.1, 18: 1.2, 19: 1.3, 20: 1.3, 21: 1.4, 22: 1.3},
        {11: 1.1, 14: 1.2, 16: 1.2, 19: 1.3, 20: 1.3, 21: 1.4},
    ),
    Platform.ZHIHU: (
        {8: 1.1, 12: 1.2, 20: 1.3, 21: 1.3, 22: 1.3},
        {10: 1.1, 15: 1.1, 21: 1.3, 22: 1.2},
    ),
    Platform.WECOM: (
        {9: 1.2, 10: 1.1, 12: 1.1, 15: 1.0, 19: 1.2, 20: 1.2},
        {10: 1.1, 20: 1.1},
    ),
}


@dataclass(frozen=True)
class Cell:
    """One weekday × hour of an account's history."""

    weekday: int
    hour: int
    posts: int = 0
    engaged_posts: int = 0  # posts with a known engagement figure
    mean_engagement: float | None = None
    rate_posts: int = 0  # posts with a known engagement figure and a reach above 0
    mean_engagement_rate: float | None = None


def _aggregate(workspace: Workspace, accounts: Iterable[int]) -> dict[int, list[Cell]]:
    """Every account's cells that have posts, from one aggregate query."""
    rated = Q(engagements__isnull=False, reach__gt=0)
    rows = (
        PostRecord.objects.filter(workspace=workspace, account_id__in=list(accounts))
        .values("account_id", "weekday", "hour")
        .annotate(
            posts=Count("id"),
            engaged_posts=Count("engagements"),
            mean_engagement=Avg("engagements"),
            rate_posts=Count("id", filter=rated),
            # Per-post engagement ÷ reach, averaged; posts without reach (or with 0) are left out.
            mean_engagement_rate=Avg(
                Case(
                    When(rated, then=Cast(F("engagements"), FloatField()) / Cast(F("reach"), FloatField())),
                    output_field=FloatField(),
                )
            ),
        )
        .order_by("account_id", "weekday", "hour")
    )
    cells: dict[int, list[Cell]] = {}
    for row in rows:
        mean = row["mean_engagement"]
        rate = row["mean_engagement_rate"]
        cells.setdefault(row["account_id"], []).append(
            Cell(
                weekday=row["weekday"],
                hour=row["hour"],
                posts=row["posts"],
                engaged_posts=row["engaged_posts"],
                mean_engagement=None if mean is None else float(mean),
                rate_posts=row["rate_posts"],
                mean_engagement_rate=None if rate is None else float(rate),
            )
        )
    return cells


def _weighted_mean(cells: list[Cell], value: str, weight: str) -> float | None:
    total = sum(getattr(c, weight) for c in cells if getattr(c, value) is not None)
    if not total:
        return None
    return sum(getattr(c, value) * getattr(c, weight) for c in cells if getattr(c, value) is not None) / total


@dataclass(frozen=True)
class HistoryModel:
    """What was learned from one account's cells (or why not)."""

    cells: list[Cell]
    posts: int
    engaged_posts: int
    qualifying_cells: int
    metric: str  # "engagement_rate" or "engagement": what the scores compare
    mean_engagement: float | None
    mean_engagement_rate: float | None
    learned: bool


def _model(cells: list[Cell]) -> HistoryModel:
    posts = sum(c.posts for c in cells)
    engaged = sum(c.engaged_posts for c in cells)
    rated = sum(c.rate_posts for c in cells)
    mean_engagement = _weighted_mean(cells, "mean_engagement", "engaged_posts")
    mean_rate = _weighted_mean(cells, "mean_engagement_rate", "rate_posts")
    qualifying = sum(1 for c in cells if c.engaged_posts >= MIN_CELL_POSTS)
    use_rate = engaged > 0 and rated >= MIN_REACH_SHARE * engaged and bool(mean_rate)
    metric = "engagement_rate" if use_rate else "engagement"
    overall = mean_rate if use_rate else mean_engagement
    # An account whose posts all have zero engagement has nothing to learn from.
    learned = engaged >= MIN_POSTS and qualifying >= MIN_CELLS and bool(overall)
    return HistoryModel(
        cells=cells,
        posts=posts,
        engaged_posts=engaged,
        qualifying_cells=qualifying,
        metric=metric,
        mean_engagement=mean_engagement,
        mean_engagement_rate=mean_rate,
        learned=learned,
    )


def _learned_scores(model: HistoryModel) -> dict[tuple[int, int], float]:
    use_rate = model.metric == "engagement_rate"
    overall = model.mean_engagement_rate if use_rate else model.mean_engagement
    assert overall
    scores: dict[tuple[int, int], float] = {}
    for c in model.cells:
        n = c.rate_posts if use_rate else c.engaged_posts
        mean = c.mean_engagement_rate if use_rate else c.mean_engagement
        if not n or mean is None:
            continue
        shrunk = (n * mean + PRIOR_POSTS * overall) / (n + PRIOR_POSTS)
        scores[(c.weekday, c.hour)] = round(shrunk / overall, 4)
    return scores


def platform_default_scores(platform: str) -> dict[tuple[int, int], float]:
    """The platform's typical good hours as scores by (ISO weekday, hour)."""
    workdays, weekend = PLATFORM_DEFAULTS.get(platform, _GENERIC)
    scores: dict[tuple[int, int], float] = {}
    for weekday in range(1, 8):
        for hour, score in (workdays if weekday <= 5 else weekend).items():
            scores[(weekday, hour)] = score
    return scores


def _best_hours(account: SocialAccount, model: HistoryModel) -> BestHours:
    if model.learned:
        return BestHours(source=LEARNED, posts=model.posts, scores=_learned_scores(model))
    return BestHours(
        source=PLATFORM_DEFAULT, posts=model.posts, scores=platform_default_scores(account.platform)
    )


def best_hours_for_system(*, workspace: Workspace, account: SocialAccount) -> BestHours:
    """Where the account's posts do best, for the plan generator (no member to check)."""
    cells = _aggregate(workspace, [account.pk]).get(account.pk, [])
    return _best_hours(account, _model(cells))


def best_hours_for_system_many(
    *, workspace: Workspace, accounts: Iterable[SocialAccount]
) -> dict[int, BestHours]:
    """best_hours_for_system for many accounts at once (one query), keyed by account id."""
    chosen = [a for a in accounts if a.workspace_id == workspace.pk]
    cells = _aggregate(workspace, [a.pk for a in chosen])
    return {a.pk: _best_hours(a, _model(cells.get(a.pk, []))) for a in chosen}


def ranked_cells(best: BestHours, limit: int = TOP_HOURS) -> list[tuple[int, int, float]]:
    """The best (weekday, hour, score) over the whole week, best first (ties: earlier first)."""
    ordered = sorted(best.scores.items(), key=lambda item: (-item[1], item[0][0], item[0][1]))
    return [(w, h, s) for (w, h), s in ordered[:limit]]


def source_label(best: BestHours) -> str:
    """How the page and the CLI name where the hours come from."""
    if best.source == LEARNED:
        return ngettext("learned from %(n)s post", "learned from %(n)s posts", best.posts) % {"n": best.posts}
    return _("platform default")


def _table(workspace: Workspace, account: SocialAccount) -> dict[str, Any]:
    cells = _aggregate(workspace, [account.pk]).get(account.pk, [])
    model = _model(cells)
    best = _best_hours(account, model)
    by_slot = {(c.weekday, c.hour): c for c in cells}
    grid = []
    for weekday in range(1, 8):
        for hour in range(24):
            c = by_slot.get((weekday, hour)) or Cell(weekday=weekday, hour=hour)
            grid.append(
                {
                    "weekday": weekday,
                    "hour": hour,
                    "posts": c.posts,
                    "engaged_posts": c.engaged_posts,
                    "mean_engagement": c.mean_engagement,
                    "rate_posts": c.rate_posts,
                    "mean_engagement_rate": c.mean_engagement_rate,
                    "score": best.score(weekday, hour),
                }
            )
    return {
        "account": {
            "id": account.pk,
            "handle": account.handle,
            "platform": account.platform,
            "display_name": account.display_name,
        },
        "source": best.source,
        "source_label": source_label(best),
        "posts": model.posts,
        "engaged_posts": model.engaged_posts,
        "qualifying_cells": model.qualifying_cells,
        "threshold": {"min_posts": MIN_POSTS, "min_cells": MIN_CELLS, "min_cell_posts": MIN_CELL_POSTS},
        "score_metric": model.metric,
        "mean_engagement": model.mean_engagement,
        "mean_engagement_rate": model.mean_engagement_rate,
        "cells": grid,
        "top_hours": [
            {
                "weekday": w,
                "hour": h,
                "score": s,
                "posts": by_slot[(w, h)].posts if (w, h) in by_slot else 0,
            }
            for w, h, s in ranked_cells(best)
        ],
    }


def best_time_table(*, workspace: Workspace, user: Any, account: SocialAccount) -> dict[str, Any]:
    """The weekday × hour table the heatmap shows, with where the planner's hours come from.

    ``cells`` has all 7 × 24 slots (ISO weekday, local hour): posts, mean engagement, mean
    engagement rate (engagements ÷ reach over the posts whose reach is known and above 0) and the
    planner's score; ``source`` is "learned" or "platform_default".
    """
    membership_get(workspace=workspace, user=user)
    if account.workspace_id != workspace.pk:
        raise Http404(_("Not found."))
    return _table(workspace, account)


def best_time_table_for_system(*, workspace: Workspace, account: SocialAccount) -> dict[str, Any]:
    """best_time_table for the command line, which acts as the system."""
    return _table(workspace, account)
