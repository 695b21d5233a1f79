"""Content performance (R3.7, issue 14 §1): engagement and engagement rate by theme, form, platform,
time slot and length band, each group against the rest with the documented test, and the post ranking.

Every figure comes from analytics' post records of OUR accounts. A post's engagements are its
``engagements`` figure, else likes + comments + shares + saves when any is known; its engagement
rate is engagements ÷ impressions, else ÷ reach (posts with neither have no rate).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from socialops.accounts.models import Platform, SocialAccount
from socialops.analytics.models import WEEKDAY_LABELS, PostRecord
from socialops.content.models import ContentForm
from socialops.core.time import local_today
from socialops.workspaces.access import membership_get
from socialops.workspaces.models import Workspace

from .. import stats

DIMENSIONS: dict[str, Any] = {
    "theme": gettext_lazy("Theme"),
    "form": gettext_lazy("Form"),
    "platform": gettext_lazy("Platform"),
    "weekday": gettext_lazy("Weekday"),
    "hour": gettext_lazy("Hour"),
    "length": gettext_lazy("Length"),
}
METRICS: dict[str, Any] = {
    "engagement_rate": gettext_lazy("Engagement rate"),
    "engagements": gettext_lazy("Engagements"),
    "reach": gettext_lazy("Reach"),
    "impressions": gettext_lazy("Impressions"),
    "likes": gettext_lazy("Likes"),
    "comments": gettext_lazy("Comments"),
    "shares": gettext_lazy("Shares"),
    "saves": gettext_lazy("Saves"),
    "clicks": gettext_lazy("Clicks"),
}
# Text length bands in characters: (key, upper bound exclusive).
LENGTH_BANDS: tuple[tuple[str, int], ...] = (
    ("short", 140),
    ("medium", 500),
    ("long", 2000),
    ("very_long", 10**9),
)
LENGTH_LABELS: dict[str, Any] = {
    "none": gettext_lazy("No text recorded"),
    "short": gettext_lazy("Under 140 characters"),
    "medium": gettext_lazy("140–499 characters"),
    "long": gettext_lazy("500–1,999 characters"),
    "very_long": gettext_lazy("2,000 characters or more"),
}
DAY_CHOICES = (30, 90, 180, 365, 0)  # 0: every post, dated or not
DEFAULT_DAYS = 180


@dataclass(frozen=True)
class PostPoint:
    """One post reduced to what the analyses need."""

    id: int
    account_id: int
    account: str
    platform: str
    published_at: dt.datetime | None
    weekday: int
    hour: int
    theme_id: int | None
    theme: str
    form: str
    length: str
    values: dict[str, float | None]

    @property
    def engagements(self) -> float | None:
        return self.values["engagements"]

    @property
    def rate(self) -> float | None:
        return self.values["engagement_rate"]


def _length_band(text: str) -> str:
    if not text:
        return "none"
    size = len(text)
    return next(key for key, upper in LENGTH_BANDS if size < upper)


def _point(post: PostRecord) -> PostPoint:
    parts = [post.likes, post.comments, post.shares, post.saves]
    engagements: float | None
    if post.engagements is not None:
        engagements = float(post.engagements)
    elif any(p is not None for p in parts):
        engagements = float(sum(p or 0 for p in parts))
    else:
        engagements = None
    base = post.impressions or post.reach
    rate = engagements / base if engagements is not None and base else None
    values: dict[str, float | None] = {"engagements": engagements, "engagement_rate": rate}
    for name in ("reach", "impressions", "likes", "comments", "shares", "saves", "clicks"):
        raw = getattr(post, name)
        values[name] = None if raw is None else float(raw)
    account = post.account
    return PostPoint(
        id=post.pk,
        account_id=account.pk,
        account=account.display_name,
        platform=account.platform,
        published_at=post.published_at,
        weekday=post.weekday,
        hour=post.hour,
        theme_id=post.theme_id,
        theme=post.theme.name if post.theme else "",
        form=post.form,
        length=_length_band(post.text),
        values=values,
    )


def post_points(
    *,
    workspace: Workspace,
    user: Any,
    account: SocialAccount | None = None,
    days: int = DEFAULT_DAYS,
    today: dt.date | None = None,
    system: bool = False,
) -> list[PostPoint]:
    """Our accounts' posts (one account's if given) of the last ``days`` days; days=0: all, undated too.

    ``system=True`` is for code acting as the system (the recommendation run): no member to check.
    """
    if not system:
        membership_get(workspace=workspace, user=user)
    qs: QuerySet[PostRecord] = PostRecord.objects.filter(
        workspace=workspace, account__is_competitor=False
    ).select_related("account", "theme")
    if account is not None:
        qs = qs.filter(account=account)
    if days:
        # An explicit ``today`` ends the window there (a report on a past period); posts are never
        # dated after the real today, so the pages and the API see the same posts either way.
        end = today or local_today(workspace)
        qs = qs.filter(published_at__date__gt=end - dt.timedelta(days=days))
        if today is not None:
            qs = qs.filter(published_at__date__lte=today)
    return [_point(p) for p in qs.order_by("published_at", "id")]


def _key_label(dimension: str) -> Callable[[PostPoint], tuple[str, str]]:
    forms = dict(ContentForm.choices)
    platforms = dict(Platform.choices)
    if dimension == "theme":
        return lambda p: (str(p.theme_id or ""), p.theme or _("No theme"))
    if dimension == "form":
        return lambda p: (p.form, str(forms.get(p.form, p.form)) if p.form else _("Form unknown"))
    if dimension == "platform":
        return lambda p: (p.platform, str(platforms.get(p.platform, p.platform)))
    if dimension == "weekday":
        return lambda p: (str(p.weekday), str(WEEKDAY_LABELS[p.weekday - 1]) if 1 <= p.weekday <= 7 else "?")
    if dimension == "hour":
        return lambda p: (str(p.hour), f"{p.hour:02d}:00")
    if dimension == "length":
        return lambda p: (p.length, str(LENGTH_LABELS[p.length]))
    raise ValueError(dimension)


def _ci_dict(ci: stats.MeanCI) -> dict[str, Any]:
    return {"mean": ci.mean, "low": ci.low, "high": ci.high}


def comparison_dict(comparison: stats.Comparison) -> dict[str, Any]:
    """A comparison as plain data (for the API, the exports and the recommendations' evidence)."""
    return {
        "n_a": comparison.n_a,
        "n_b": comparison.n_b,
        "mean_a": comparison.mean_a,
        "mean_b": comparison.mean_b,
        "ratio": comparison.ratio,
        "diff": comparison.diff,
        "diff_low": comparison.diff_low,
        "diff_high": comparison.diff_high,
        "p_value": comparison.p_value,
        "outcome": comparison.outcome,
        "significant": comparison.significant,
        "test": "welch_t",
        "min_sample": stats.MIN_SAMPLE,
    }


def group_performance(points: list[PostPoint], dimension: str) -> list[dict[str, Any]]:
    """Per group: posts, engagements and rate with 95% intervals, and its rate against the other posts'."""
    key_label = _key_label(dimension)
    groups: dict[str, list[PostPoint]] = defaultdict(list)
    labels: dict[str, str] = {}
    for p in points:
        key, label = key_label(p)
        groups[key].append(p)
        labels[key] = label
    rows = []
    for key, members in groups.items():
        eng = [p.engagements for p in members if p.engagements is not None]
        rates = [p.rate for p in members if p.rate is not None]
        others = [p.rate for p in points if p.rate is not None and key_label(p)[0] != key]
        rows.append(
            {
                "key": key,
                "label": labels[key],
                "posts": len(members),
                "n_engagements": len(eng),
                "n_rate": len(rates),
                "engagements": _ci_dict(stats.mean_ci(eng)),
                "engagement_rate": _ci_dict(stats.mean_ci(rates)),
                "vs_rest": comparison_dict(stats.compare(rates, others)),
            }
        )

    def order(row: dict[str, Any]) -> Any:
        if dimension in ("weekday", "hour"):
            return (0, int(row["key"]) if row["key"].isdigit() else 99, "")
        mean = row["engagement_rate"]["mean"]
        return (1, -(mean if mean is not None else -1.0), row["label"])

    return sorted(rows, key=order)


def slot_grid(points: list[PostPoint]) -> list[dict[str, Any]]:
    """Weekday × hour cells with posts, mean engagement rate and mean engagements."""
    cells: dict[tuple[int, int], list[PostPoint]] = defaultdict(list)
    for p in points:
        cells[(p.weekday, p.hour)].append(p)
    out = []
    for (weekday, hour), members in sorted(cells.items()):
        rates = [p.rate for p in members if p.rate is not None]
        eng = [p.engagements for p in members if p.engagements is not None]
        out.append(
            {
                "weekday": weekday,
                "hour": hour,
                "posts": len(members),
                "engagement_rate": stats.mean_ci(rates).mean,
                "engagements": stats.mean_ci(eng).mean,
            }
        )
    return out


def content_performance(
    *,
    workspace: Workspace,
    user: Any,
    account: SocialAccount | None = None,
    days: int = DEFAULT_DAYS,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """Every dimension's groups with intervals and tests, the weekday × hour grid and the totals."""
    points = post_points(workspace=workspace, user=user, account=account, days=days, today=today)
    rates = [p.rate for p in points if p.rate is not None]
    eng = [p.engagements for p in points if p.engagements is not None]
    return {
        "days": days,
        "account": account.pk if account else None,
        "posts": len(points),
        "totals": {
            "posts": len(points),
            "engagements": sum(eng),
            "n_rate": len(rates),
            "engagements_mean": _ci_dict(stats.mean_ci(eng)),
            "engagement_rate": _ci_dict(stats.mean_ci(rates)),
        },
        "dimensions": {d: group_performance(points, d) for d in DIMENSIONS},
        "slots": slot_grid(points),
        "rules": rules(),
    }


def rules() -> dict[str, Any]:
    """The documented statistical rules, stated with every answer."""
    return {
        "interval": "student_t_95",
        "test": "welch_t",
        "alpha": stats.ALPHA,
        "min_sample": stats.MIN_SAMPLE,
        "outliers": "tukey_log1p_1.5iqr",
    }


def compare_groups(
    *,
    workspace: Workspace,
    user: Any,
    dimension: str,
    a: str,
    b: str,
    account: SocialAccount | None = None,
    days: int = DEFAULT_DAYS,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """Group a against group b of one dimension on per-post engagement rate (Welch's t, minimum sample)."""
    points = post_points(workspace=workspace, user=user, account=account, days=days, today=today)
    key_label = _key_label(dimension)
    rates_a = [p.rate for p in points if p.rate is not None and key_label(p)[0] == a]
    rates_b = [p.rate for p in points if p.rate is not None and key_label(p)[0] == b]
    labels = {key_label(p)[0]: key_label(p)[1] for p in points}
    return {
        "dimension": dimension,
        "a": a,
        "b": b,
        "label_a": labels.get(a, a),
        "label_b": labels.get(b, b),
        "ci_a": _ci_dict(stats.mean_ci(rates_a)),
        "ci_b": _ci_dict(stats.mean_ci(rates_b)),
        **comparison_dict(stats.compare(rates_a, rates_b)),
    }


def post_ranking(
    *,
    workspace: Workspace,
    user: Any,
    metric: str = "engagements",
    account: SocialAccount | None = None,
    days: int = DEFAULT_DAYS,
    today: dt.date | None = None,
    limit: int = 100,
) -> dict[str, Any]:
    """Posts ranked by ``metric`` (highest first), each marked high/low outlier beyond the log-scale Tukey fences."""
    if metric not in METRICS:
        raise ValueError(metric)
    points = post_points(workspace=workspace, user=user, account=account, days=days, today=today)
    known = [p for p in points if p.values.get(metric) is not None]
    values = [float(p.values[metric] or 0.0) for p in known]
    # Rates are fractions; the log fences would squash them, so they are scaled to per-mille first.
    scale = 1000.0 if metric == "engagement_rate" else 1.0
    fences = stats.tukey_fences_log([v * scale for v in values])
    rows = []
    for p in sorted(known, key=lambda q: -(q.values[metric] or 0.0)):
        value = float(p.values[metric] or 0.0)
        outlier = ""
        if fences is not None:
            if value * scale > fences[1]:
                outlier = "high"
            elif value * scale < fences[0]:
                outlier = "low"
        rows.append(
            {
                "id": p.id,
                "account": p.account,
                "platform": p.platform,
                "published_at": p.published_at,
                "weekday": p.weekday,
                "hour": p.hour,
                "theme": p.theme,
                "form": p.form,
                "value": value,
                "engagements": p.engagements,
                "engagement_rate": p.rate,
                "reach": p.values["reach"],
                "outlier": outlier,
            }
        )
    low, high = (None, None) if fences is None else (fences[0] / scale, fences[1] / scale)
    return {
        "metric": metric,
        "posts": len(rows),
        "fence_low": None if low is None or math.isnan(low) else max(low, 0.0),
        "fence_high": high,
        "outliers": sum(1 for r in rows if r["outlier"]),
        "rows": rows[:limit],
    }
