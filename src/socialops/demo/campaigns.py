"""The demo's campaign: 星曜科技's new-product week, running today, with its topic and the ideas fans gave.

Called after the rest of the seed (it reads the demo's goals, accounts, content items, fans and
inbox threads): ``seed_campaigns(workspace, today)``. The campaign serves the exposure goal on
the Weibo and Douyin accounts, links the items due around today, and has the topic #星曜新品#;
fans' comments carrying the tag in the campaign's days are recorded as platform comments (the
inbox files them), and a few inbox messages are kept as ideas, one already sent to the admin.
Drawn from a fixed seed and dated relative to ``today``; running it twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model

from socialops.accounts.models import Platform, SocialAccount
from socialops.analytics.models import PostRecord
from socialops.content.models import ContentItem
from socialops.engagement.models import ThreadItem
from socialops.engagement.models.campaigns import Campaign, IdeaSource, IdeaStatus
from socialops.engagement.services import campaigns as campaign_services
from socialops.engagement.services import ideas as idea_services
from socialops.fans.models import Fan, InteractionKind, InteractionSource
from socialops.fans.services.people import interaction_record
from socialops.goals.models import Goal
from socialops.workspaces.models import Workspace

SEED = 20261208
CAMPAIGN_NAME = "星曜 X1 新品周"
TOPIC_NAME = "星曜新品"
TAGS: dict[str, str] = {
    Platform.WEIBO: "#星曜新品#",
    Platform.DOUYIN: "#星曜新品",
    Platform.MASTODON: "#starlight",
}
COMMENTS = (
    "{tag} 颜值太高了，已经加购",
    "{tag} 续航真的有宣传的那么久吗？",
    "蹲一个优惠 {tag}",
    "{tag} 希望出个粉色款",
    "转发抽奖 {tag} 冲冲冲",
    "{tag} 和上一代比升级在哪里？",
    "{tag} 收到了，包装很用心",
)
MANUAL_IDEA = "直播时现场演示 X1 的续航测试，很多粉丝在问续航"


def _at(workspace: Workspace, day: dt.date, rng: random.Random) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(rng.randint(9, 22), rng.randint(0, 59)), tzinfo=workspace.tz)


def _goal(workspace: Workspace, today: dt.date) -> Goal | None:
    goals = Goal.objects.filter(workspace=workspace)
    return (
        goals.filter(metric="impressions").first()
        or goals.filter(period_start__lte=today, period_end__gte=today).order_by("pk").first()
        or goals.order_by("pk").first()
    )


def seed_campaigns(workspace: Workspace, today: dt.date) -> Campaign:
    """One running campaign (goal, accounts, items, budget, owner) with a topic, tagged comments and ideas."""
    existing = Campaign.objects.filter(workspace=workspace, name=CAMPAIGN_NAME).first()
    if existing is not None:
        return existing
    rng = random.Random(SEED)
    users = get_user_model().objects.filter(memberships__workspace=workspace)
    owner = users.filter(username="operator").first()
    admin = users.filter(username="admin").first()
    accounts = list(
        SocialAccount.objects.filter(
            workspace=workspace, is_competitor=False, platform__in=(Platform.WEIBO, Platform.DOUYIN)
        ).order_by("pk")
    )
    start, end = today - dt.timedelta(days=9), today + dt.timedelta(days=11)
    items = list(
        ContentItem.objects.filter(workspace=workspace, deadline__gte=start, deadline__lte=end).order_by(
            "deadline", "pk"
        )[:5]
    )
    campaign = campaign_services.campaign_create(
        workspace=workspace,
        actor=None,
        name=CAMPAIGN_NAME,
        description="X1 上市的三周：微博话题 #星曜新品#、抖音挑战赛和两场直播，目标是把全平台曝光拉起来。",
        goal=_goal(workspace, today),
        accounts=accounts,
        start_date=start,
        end_date=end,
        budget=Decimal("20000"),
        owner=owner,
        items=items,
    )
    campaign_services.topic_create(
        workspace=workspace, actor=None, name=TOPIC_NAME, campaign=campaign, tags=dict(TAGS)
    )
    _seed_comments(workspace, campaign, today, rng)
    _seed_posts(workspace, campaign, items, today, rng)
    _seed_ideas(workspace, campaign, admin)
    return campaign


def _seed_posts(
    workspace: Workspace, campaign: Campaign, items: list[ContentItem], today: dt.date, rng: random.Random
) -> int:
    """The posts the campaign's items became so far, with their metrics, as the metrics sync stores them.

    The campaign's reach reads post records by content item (the sync links each record to its
    publication's item); the history's records come from exports that know no item, so without
    these the running campaign would reach nobody.
    """
    stored = 0
    due = [i for i in items if i.deadline is not None and i.deadline <= today] or items[:2]
    for item in due:
        day = min(item.deadline or today, today)
        for account in campaign.accounts.all():
            published = _at(workspace, day, rng)
            local = published.astimezone(workspace.tz)
            reach = rng.randint(8_000, 60_000)
            likes, comments, shares = rng.randint(200, 1500), rng.randint(20, 300), rng.randint(10, 200)
            _row, created = PostRecord.objects.get_or_create(
                workspace=workspace,
                account=account,
                external_id=f"demo-campaign-{item.pk}-{account.pk}",
                defaults={
                    "published_at": published,
                    "month": local.month,
                    "weekday": local.isoweekday(),
                    "hour": local.hour,
                    "content_item": item,
                    "form": item.form,
                    "theme": item.theme,
                    "text": item.title,
                    "reach": reach,
                    "impressions": int(reach * rng.uniform(1.3, 2.2)),
                    "likes": likes,
                    "comments": comments,
                    "shares": shares,
                    "engagements": likes + comments + shares,
                    "source": "sync",
                },
            )
            stored += created
    return stored


def _seed_comments(workspace: Workspace, campaign: Campaign, today: dt.date, rng: random.Random) -> int:
    """Fans' comments with the topic's tag on each day of the campaign so far (stored once by id)."""
    stored = 0
    for account in campaign.accounts.all():
        fans = list(Fan.objects.filter(workspace=workspace, account=account).order_by("pk")[:40])
        if not fans:
            continue
        tag = TAGS.get(account.platform, "")
        day = campaign.start_date
        while day <= today:
            for n in range(rng.randint(2, 6)):
                fan = rng.choice(fans)
                _row, created = interaction_record(
                    workspace=workspace,
                    fan=fan,
                    kind=InteractionKind.COMMENT,
                    occurred_at=_at(workspace, day, rng),
                    source=InteractionSource.PULL,
                    text=rng.choice(COMMENTS).format(tag=tag),
                    external_id=f"demo-topic-{account.pk}-{day:%Y%m%d}-{n}",
                    audit=False,
                )
                stored += created
            day += dt.timedelta(days=1)
    return stored


def _seed_ideas(workspace: Workspace, campaign: Campaign, admin: Any) -> None:
    """Three fans' inbox messages kept as ideas (one sent to the admin) and one a member wrote."""
    items = list(
        ThreadItem.objects.filter(workspace=workspace, interaction__text__contains="#星曜新品")
        .select_related("interaction")
        .order_by("-interaction__occurred_at", "-pk")[:3]
    )
    ideas = [
        idea_services.idea_collect(
            workspace=workspace,
            actor=None,
            text=item.interaction.text,
            source=IdeaSource.INBOX,
            source_id=str(item.pk),
            person=item.interaction.person,
            campaign=campaign,
        )
        for item in items
    ]
    idea_services.idea_create(workspace=workspace, actor=None, text=MANUAL_IDEA, campaign=campaign)
    if ideas and admin is not None and ideas[0].status == IdeaStatus.NEW:
        idea_services.idea_send_to_product(workspace=workspace, actor=None, idea=ideas[0], owner=admin)
