"""The demo's insights: themes on the imported posts and the recommendations they support.

The platform exports carry no theme, so the demo gives each of our posts one of the workspace's
themes, deterministically: 专家观点 goes more often to the posts that did well (without changing
any figure), so content performance shows a real difference and the recommendation run proposes
raising its share. Call ``seed_insights(workspace, today)`` after the post history is imported.
It also sets up one weekly report schedule (Monday 09:00, emailed to the demo's operations
address) so the reports page has something; no report is made here (the worker makes them).
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from socialops.analytics.models import PostRecord
from socialops.content.models import Theme
from socialops.insights.models import Recommendation, ReportSchedule, ReportTemplate
from socialops.insights.services.recommendations import recommendations_generate
from socialops.insights.services.reports import schedule_create
from socialops.workspaces.models import Workspace

EXPERT = ("专家观点", "Expert opinions")


def _rate(post: PostRecord) -> float:
    engagements = post.engagements or sum(
        v or 0 for v in (post.likes, post.comments, post.shares, post.saves)
    )
    base = post.impressions or post.reach or 0
    return engagements / base if base else 0.0


def seed_insights(workspace: Workspace, today: dt.date) -> dict[str, Any]:
    """Theme the demo's posts and propose theme-share changes; running it twice changes nothing."""
    themes = list(Theme.objects.filter(workspace=workspace).order_by("position", "pk"))
    if not themes:
        return {"themed": 0, "recommendations": 0}
    expert = next((t for t in themes if t.name in EXPERT), themes[0])
    others = [t for t in themes if t.pk != expert.pk] or themes
    rng = random.Random(f"insights-{workspace.slug}")
    themed = 0
    posts = list(
        PostRecord.objects.filter(
            workspace=workspace, account__is_competitor=False, theme__isnull=True
        ).order_by("account_id", "published_at", "pk")
    )
    by_account: dict[int, list[PostRecord]] = {}
    for post in posts:
        by_account.setdefault(post.account_id, []).append(post)
    for account_posts in by_account.values():
        ranked = sorted(account_posts, key=_rate)
        cut = len(ranked) * 2 // 3
        for index, post in enumerate(ranked):
            chance = 0.45 if index >= cut else 0.1
            post.theme = expert if rng.random() < chance else rng.choice(others)
            themed += 1
    PostRecord.objects.bulk_update(posts, ["theme"])
    made = []
    if not Recommendation.objects.filter(workspace=workspace).exists():
        made = recommendations_generate(workspace=workspace, actor=None, days=365, today=today)
    schedules = 0
    if not ReportSchedule.objects.filter(workspace=workspace).exists():
        schedule_create(
            workspace=workspace,
            actor=None,
            name="运营周报",
            template=ReportTemplate.WEEKLY,
            weekday=1,
            time=dt.time(9, 0),
            recipients=["ops@example.com"],
        )
        schedules = 1
    return {"themed": themed, "recommendations": len(made), "report_schedules": schedules}
