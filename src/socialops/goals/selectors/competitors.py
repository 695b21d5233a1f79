"""The competitor comparison (R1.2): our accounts and competitors' side by side, from the snapshots.

It lives in goals because it reads ``MetricSnapshot``; accounts sits below goals in the app tree
and only lists the accounts. Chart options for it are in ``goals.presenters``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from socialops.accounts.models import Platform, SocialAccount
from socialops.accounts.selectors import account_list, workspace_today
from socialops.workspaces.models import Workspace

from ..models import MetricSnapshot

MIN_DAYS = 7
MAX_DAYS = 730


def _week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _ratio(numerator: int, denominator: int, digits: int) -> float | None:
    if denominator <= 0:
        return None
    return round(numerator / denominator, digits)


def _new_stats(weeks: int) -> dict[str, Any]:
    return {
        "followers": None,
        "followers_date": None,
        "weekly": [None] * weeks,
        "posts": 0,
        "post_weeks": set(),
        "has_posts": False,
        "engagements": 0,
        "has_engagements": False,
        "impressions": None,
        "rate_engagements": 0,
        "rate_impressions": 0,
        "per_post_engagements": 0,
        "per_post_posts": 0,
        "days": 0,
    }


def _add_day(
    s: dict[str, Any],
    week_no: int,
    day: dt.date,
    followers: int | None,
    likes: int | None,
    comments: int | None,
    shares: int | None,
    saves: int | None,
    impressions: int | None,
    posts: int | None,
) -> None:
    """Add one snapshot's figures to an account's running sums (blank figures are skipped)."""
    s["days"] += 1
    if followers is not None:
        s["followers"], s["followers_date"] = followers, day
        s["weekly"][week_no] = followers
    if posts is not None:
        s["posts"] += posts
        s["has_posts"] = True
        s["post_weeks"].add(week_no)
    if impressions is not None:
        s["impressions"] = (s["impressions"] or 0) + impressions
    parts = [p for p in (likes, comments, shares, saves) if p is not None]
    engagements = sum(parts) if parts else None
    if engagements is not None:
        s["engagements"] += engagements
        s["has_engagements"] = True
        if impressions is not None:
            s["rate_engagements"] += engagements
            s["rate_impressions"] += impressions
        if posts is not None:
            s["per_post_engagements"] += engagements
            s["per_post_posts"] += posts


def _account_row(a: SocialAccount, s: dict[str, Any], platform_labels: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": a.pk,
        "handle": a.handle,
        "display_name": a.display_name,
        "platform": a.platform,
        "platform_label": str(platform_labels.get(a.platform, a.platform)),
        "is_competitor": a.is_competitor,
        "days_with_data": s["days"],
        "followers": s["followers"],
        "followers_date": s["followers_date"].isoformat() if s["followers_date"] else None,
        "posts": s["posts"] if s["has_posts"] else None,
        "weeks_with_posts": len(s["post_weeks"]),
        "posts_per_week": _ratio(s["posts"], len(s["post_weeks"]), 2),
        "engagements": s["engagements"] if s["has_engagements"] else None,
        "impressions": s["impressions"],
        "engagement_rate": _ratio(s["rate_engagements"], s["rate_impressions"], 4),
        "engagements_per_post": _ratio(s["per_post_engagements"], s["per_post_posts"], 1),
        "followers_series": s["weekly"],
    }


def competitor_comparison(
    *, workspace: Workspace, user: Any, days: int = 90, today: dt.date | None = None
) -> dict[str, Any]:
    """Our accounts and competitors' side by side over the last ``days`` days (R1.2).

    Per account: the latest follower count in the window, posts per week (posts summed over the
    window divided by the number of calendar weeks, Monday to Sunday, with a post figure),
    engagement rate ((likes + comments + shares + saves) / impressions) and engagements per post
    (for competitors whose impressions are not public), plus weekly follower counts (the last
    known figure of each week). A blank figure is unknown, not zero: each ratio uses only the
    days on which both of its figures are known.
    """
    # account_list checks membership now; its query runs below, after the window is validated.
    account_qs = account_list(workspace=workspace, user=user)
    if isinstance(days, bool) or not isinstance(days, int) or not MIN_DAYS <= days <= MAX_DAYS:
        raise ValidationError(
            {"days": [_("Choose a window of %(min)d to %(max)d days.") % {"min": MIN_DAYS, "max": MAX_DAYS}]}
        )
    end = today or workspace_today(workspace)
    start = end - dt.timedelta(days=days - 1)
    weeks: list[dt.date] = []
    week = _week_start(start)
    while week <= end:
        weeks.append(week)
        week += dt.timedelta(days=7)
    week_index = {w: i for i, w in enumerate(weeks)}

    accounts = list(account_qs)
    stats = {a.pk: _new_stats(len(weeks)) for a in accounts}
    # One query for every account's days in the window; the sums are cheap in Python and the
    # weekly series needs the rows anyway.
    rows = (
        MetricSnapshot.objects.filter(workspace=workspace, date__gte=start, date__lte=end)
        .order_by("account_id", "date")
        .values_list(
            "account_id",
            "date",
            "followers_total",
            "likes",
            "comments",
            "shares",
            "saves",
            "impressions",
            "posts",
        )
    )
    for account_id, day, *figures in rows:
        s = stats.get(account_id)
        if s is not None:
            _add_day(s, week_index[_week_start(day)], day, *figures)

    platform_labels = dict(Platform.choices)
    result_accounts = [_account_row(a, stats[a.pk], platform_labels) for a in accounts]
    return {
        "days": days,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "weeks": [w.isoformat() for w in weeks],
        "accounts": result_accounts,
        "has_ours": any(not a["is_competitor"] for a in result_accounts),
        "has_competitors": any(a["is_competitor"] for a in result_accounts),
        "has_data": any(a["days_with_data"] for a in result_accounts),
    }
