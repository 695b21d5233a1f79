"""Competitor benchmark over time (issue 14 §2), built on goals' competitor comparison.

goals gives the window's totals per account and the weekly follower series
(``competitor_comparison``); this adds, per account and week: posts, engagement rate
(engagements ÷ impressions, weeks with both) and share of voice — the account's engagements over
all tracked accounts' engagements that week (ours and competitors'; accounts without an
engagement figure that week are left out of it, so the share is among those that report one).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from socialops.goals.models import MetricSnapshot
from socialops.goals.selectors.competitors import competitor_comparison
from socialops.workspaces.models import Workspace

DAY_CHOICES = (28, 91, 182)
DEFAULT_DAYS = 91


def benchmark(
    *, workspace: Workspace, user: Any, days: int = DEFAULT_DAYS, today: dt.date | None = None
) -> dict[str, Any]:
    """goals' comparison plus weekly posts, engagement rate and share of voice per account."""
    comparison = competitor_comparison(workspace=workspace, user=user, days=days, today=today)
    # goals gives the weeks as ISO strings (its API's shape); dates here.
    weeks = [w if isinstance(w, dt.date) else dt.date.fromisoformat(w) for w in comparison["weeks"]]
    index = {w: i for i, w in enumerate(weeks)}
    ids = [a["id"] for a in comparison["accounts"]]
    posts: dict[int, list[int | None]] = {i: [None] * len(weeks) for i in ids}
    eng: dict[int, list[int | None]] = {i: [None] * len(weeks) for i in ids}
    rate_num: dict[int, list[int]] = {i: [0] * len(weeks) for i in ids}
    rate_den: dict[int, list[int]] = {i: [0] * len(weeks) for i in ids}
    snaps = MetricSnapshot.objects.filter(
        workspace=workspace, account_id__in=ids, date__gte=comparison["start"], date__lte=comparison["end"]
    )
    for s in snaps:
        w = index.get(s.date - dt.timedelta(days=s.date.weekday()))
        if w is None:
            continue
        if s.posts is not None:
            posts[s.account_id][w] = (posts[s.account_id][w] or 0) + s.posts
        e = s.engagements
        if e is not None:
            eng[s.account_id][w] = (eng[s.account_id][w] or 0) + e
            if s.impressions:
                rate_num[s.account_id][w] += e
                rate_den[s.account_id][w] += s.impressions
    totals: dict[int, int] = defaultdict(int)
    for i in ids:
        for w, value in enumerate(eng[i]):
            if value is not None:
                totals[w] += value
    accounts = []
    for a in comparison["accounts"]:
        i = a["id"]
        accounts.append(
            {
                **a,
                "weekly_posts": posts[i],
                "weekly_engagement_rate": [
                    rate_num[i][w] / rate_den[i][w] if rate_den[i][w] else None for w in range(len(weeks))
                ],
                "weekly_share_of_voice": [
                    (eng[i][w] or 0) / totals[w] if eng[i][w] is not None and totals[w] else None
                    for w in range(len(weeks))
                ],
                "share_of_voice": (
                    sum(v or 0 for v in eng[i]) / sum(totals.values()) if sum(totals.values()) else None
                ),
            }
        )
    return {**comparison, "weeks": weeks, "accounts": accounts}
