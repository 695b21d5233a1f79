"""Reads of campaigns, topics and ideas: lists, one row, and what a campaign or topic brought about.

Participation is what people did in the campaign's period: interactions marked with the campaign
(``meta["campaign"]``, set by polls, draws and events) plus comments and mentions on our accounts
carrying one of the campaign's topic tags. Reach sums the published post records of the campaign's
content items. The goal's movement uses the strategies' measured-effect rule (goals.selectors).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils.translation import gettext as _

from socialops.analytics.models import PostRecord
from socialops.content.models import ContentItem
from socialops.core.time import local_today
from socialops.fans.models import Interaction, InteractionKind, Person
from socialops.goals.models import Strategy
from socialops.goals.selectors.strategies import GoalWindows, goal_windows, window_caveat
from socialops.workspaces.access import membership_get
from socialops.workspaces.models import Workspace
from socialops.workspaces.selectors import member_row_or_404, member_rows

from ..models.campaigns import Campaign, Idea, Topic, TopicPost

# What counts as talking about a topic on our accounts.
TOPIC_KINDS = (InteractionKind.COMMENT, InteractionKind.MENTION, InteractionKind.REPLY)
TOP_N = 10


def campaign_list(*, workspace: Workspace, user: Any, search: str = "") -> QuerySet[Campaign]:
    """The workspace's campaigns, latest start first (``search`` in the name)."""
    rows = member_rows(Campaign, workspace=workspace, user=user).select_related("goal", "owner")
    if search:
        rows = rows.filter(name__icontains=search)
    return rows.prefetch_related("accounts").order_by("-start_date", "name", "pk")


def campaign_get(*, workspace: Workspace, user: Any, campaign_id: int) -> Campaign:
    """One campaign of this workspace, or Http404."""
    return member_row_or_404(Campaign, workspace=workspace, user=user, pk=campaign_id)


def campaign_state(campaign: Campaign, today: dt.date) -> str:
    """planned, running or finished on ``today``."""
    if campaign.start_date > today:
        return "planned"
    return "finished" if campaign.end_date < today else "running"


def _topic_q(topics: list[Topic], prefix: str = "") -> Q | None:
    """Interactions (or post records, ``prefix`` "") on our accounts whose text carries a topic's tag."""
    q: Q | None = None
    for topic in topics:
        for platform, tag in (topic.tags or {}).items():
            part = Q(**{f"{prefix}account__platform": platform, f"{prefix}text__icontains": tag})
            q = part if q is None else q | part
    return q


def _bounds(workspace: Workspace, start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = workspace.tz
    first = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    after = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return first, after


def _days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def campaign_interactions(*, workspace: Workspace, user: Any, campaign: Campaign) -> QuerySet[Interaction]:
    """Interactions in the campaign's period marked with it or carrying one of its topics' tags."""
    membership_get(workspace=workspace, user=user)
    first, after = _bounds(workspace, campaign.start_date, campaign.end_date)
    q = Q(meta__campaign=campaign.pk)
    topic_q = _topic_q(list(Topic.objects.filter(workspace=workspace, campaign=campaign)))
    if topic_q is not None:
        q |= Q(kind__in=TOPIC_KINDS, account__is_competitor=False) & topic_q
    return Interaction.objects.filter(
        workspace=workspace, occurred_at__gte=first, occurred_at__lt=after
    ).filter(q)


@dataclass
class Participation:
    """Who took part in a campaign and how often, in total and per local day."""

    people: int = 0
    interactions: int = 0
    days: list[dt.date] = field(default_factory=list)
    per_day: list[int] = field(default_factory=list)
    people_per_day: list[int] = field(default_factory=list)


def campaign_participation(*, workspace: Workspace, user: Any, campaign: Campaign) -> Participation:
    """Distinct people and interactions of the campaign, with both per day of its period."""
    rows = campaign_interactions(workspace=workspace, user=user, campaign=campaign)
    totals = rows.aggregate(n=Count("pk"), people=Count("person", distinct=True))
    by_day: dict[dt.date, dict[str, int]] = {
        r["day"]: {"n": r["n"], "people": r["people"]}
        for r in rows.annotate(day=TruncDate("occurred_at", tzinfo=workspace.tz))
        .values("day")
        .annotate(n=Count("pk"), people=Count("person", distinct=True))
        .order_by("day")
    }
    days = _days(campaign.start_date, campaign.end_date)
    return Participation(
        people=totals["people"] or 0,
        interactions=totals["n"] or 0,
        days=days,
        per_day=[by_day.get(d, {}).get("n", 0) for d in days],
        people_per_day=[by_day.get(d, {}).get("people", 0) for d in days],
    )


@dataclass
class Reach:
    """What the campaign's published posts reached, from analytics' post records."""

    posts: int = 0
    reach: int = 0
    impressions: int = 0
    engagements: int = 0


def campaign_reach(*, workspace: Workspace, user: Any, campaign: Campaign) -> Reach:
    """Sum of the post records of the campaign's content items (each published post once)."""
    membership_get(workspace=workspace, user=user)
    item_ids = list(campaign.items.values_list("pk", flat=True))
    rows = PostRecord.objects.filter(workspace=workspace, content_item_id__in=item_ids)
    sums = rows.aggregate(
        n=Count("pk"), reach=Sum("reach"), impressions=Sum("impressions"), engagements=Sum("engagements")
    )
    return Reach(
        posts=sums["n"] or 0,
        reach=sums["reach"] or 0,
        impressions=sums["impressions"] or 0,
        engagements=sums["engagements"] or 0,
    )


@dataclass
class GoalMovement:
    """The linked goal's metric during the campaign vs the same number of days before it."""

    state: str
    window: GoalWindows | None = None
    caveat: str = ""
    reason: str = ""


def campaign_goal_movement(
    *, workspace: Workspace, user: Any, campaign: Campaign, today: dt.date | None = None
) -> GoalMovement:
    """The strategies' measured-effect rule on the campaign's goal, with the same caveat."""
    membership_get(workspace=workspace, user=user)
    today = today or local_today(workspace)
    state = campaign_state(campaign, today)
    if campaign.goal_id is None:
        return GoalMovement(state=state, reason=_("Link a goal to see how it moved during the campaign."))
    if state == "planned":
        return GoalMovement(state=state, reason=_("The movement is measured once the campaign has started."))
    goal = campaign.goal
    assert goal is not None
    window = goal_windows(
        workspace=workspace,
        goals=[goal],
        start=campaign.start_date,
        end=min(campaign.end_date, today),
        no_before=_("No figures in the days before the campaign, so there is nothing to compare with."),
        no_during=_("No figures yet for the days of the campaign."),
    )
    overlapping = [
        s.name
        for s in Strategy.objects.filter(
            workspace=workspace, start_date__lte=window.during_end, end_date__gte=window.before_start
        ).order_by("start_date", "name")
    ]
    lead = _(
        "This compares the %(days)d days before the campaign with its first %(days)d days; "
        "it is a before/after comparison, not proof that the campaign caused the change."
    ) % {"days": window.days}
    others = list(
        Campaign.objects.filter(
            workspace=workspace, start_date__lte=window.during_end, end_date__gte=window.before_start
        )
        .exclude(pk=campaign.pk)
        .order_by("start_date", "name")
        .values_list("name", flat=True)
    )
    caveat = window_caveat(lead=lead, whole_weeks=window.whole_weeks, overlapping=overlapping)
    if others:
        caveat += " " + _("Campaigns overlapping these windows: %(names)s.") % {"names": "、".join(others)}
    return GoalMovement(state=state, window=window, caveat=caveat)


def campaign_item_choices(*, workspace: Workspace, user: Any) -> QuerySet[ContentItem]:
    """The content library's items a campaign may link (newest first)."""
    return member_rows(ContentItem, workspace=workspace, user=user).order_by("-created_at", "-pk")


# ---- topics ------------------------------------------------------------------------------------


def topic_list(*, workspace: Workspace, user: Any, campaign: Campaign | None = None) -> QuerySet[Topic]:
    """The workspace's topics (of one campaign when given), by name."""
    rows = member_rows(Topic, workspace=workspace, user=user).select_related("campaign")
    if campaign is not None:
        rows = rows.filter(campaign=campaign)
    return rows.order_by("name", "pk")


def topic_get(*, workspace: Workspace, user: Any, topic_id: int) -> Topic:
    """One topic of this workspace, or Http404."""
    return member_row_or_404(Topic, workspace=workspace, user=user, pk=topic_id)


def topic_interactions(*, workspace: Workspace, user: Any, topic: Topic) -> QuerySet[Interaction]:
    """Comments, mentions and replies on our accounts whose text carries the topic's tag."""
    membership_get(workspace=workspace, user=user)
    q = _topic_q([topic])
    if q is None:
        return Interaction.objects.none()
    return Interaction.objects.filter(
        workspace=workspace, kind__in=TOPIC_KINDS, account__is_competitor=False
    ).filter(q)


def topic_own_posts(*, workspace: Workspace, user: Any, topic: Topic) -> QuerySet[PostRecord]:
    """Our own published posts (analytics' post records) whose text carries the topic's tag."""
    membership_get(workspace=workspace, user=user)
    q = _topic_q([topic])
    if q is None:
        return PostRecord.objects.none()
    return PostRecord.objects.filter(workspace=workspace, account__is_competitor=False).filter(q)


@dataclass
class TopicCounts:
    """A topic per local day: mentions (our inbox and the public tag timeline) and our own posts."""

    days: list[dt.date] = field(default_factory=list)
    mentions: list[int] = field(default_factory=list)
    public: list[int] = field(default_factory=list)
    posts: list[int] = field(default_factory=list)
    total_mentions: int = 0
    total_public: int = 0
    total_posts: int = 0


def _per_day(qs: QuerySet[Any], field_name: str, workspace: Workspace) -> dict[dt.date, int]:
    return {
        r["day"]: r["n"]
        for r in qs.annotate(day=TruncDate(field_name, tzinfo=workspace.tz))
        .values("day")
        .annotate(n=Count("pk"))
        .order_by("day")
    }


def topic_counts(
    *, workspace: Workspace, user: Any, topic: Topic, days: int = 30, today: dt.date | None = None
) -> TopicCounts:
    """Mentions and posts of the topic per day over the last ``days`` days."""
    today = today or local_today(workspace)
    start = today - dt.timedelta(days=days - 1)
    first, after = _bounds(workspace, start, today)
    inbox = _per_day(
        topic_interactions(workspace=workspace, user=user, topic=topic).filter(
            occurred_at__gte=first, occurred_at__lt=after
        ),
        "occurred_at",
        workspace,
    )
    public = _per_day(
        TopicPost.objects.filter(workspace=workspace, topic=topic, posted_at__gte=first, posted_at__lt=after),
        "posted_at",
        workspace,
    )
    own = _per_day(
        topic_own_posts(workspace=workspace, user=user, topic=topic).filter(
            published_at__gte=first, published_at__lt=after
        ),
        "published_at",
        workspace,
    )
    span = _days(start, today)
    counts = TopicCounts(
        days=span,
        mentions=[inbox.get(d, 0) for d in span],
        public=[public.get(d, 0) for d in span],
        posts=[own.get(d, 0) for d in span],
    )
    counts.total_mentions = sum(counts.mentions)
    counts.total_public = sum(counts.public)
    counts.total_posts = sum(counts.posts)
    return counts


@dataclass
class TopPost:
    """One post under the topic, ours or the public's, with its engagement."""

    source: str
    text: str
    url: str
    author: str
    posted_at: dt.datetime | None
    engagement: int


def topic_top_posts(*, workspace: Workspace, user: Any, topic: Topic, limit: int = TOP_N) -> list[TopPost]:
    """The topic's posts with the most engagement: public tag-timeline posts and our own posts."""
    public = [
        TopPost(
            source="public",
            text=p.text,
            url=p.url,
            author=p.author_handle or p.author_name,
            posted_at=p.posted_at,
            engagement=p.engagement,
        )
        for p in member_rows(TopicPost, workspace=workspace, user=user).filter(topic=topic)
    ]
    own = [
        TopPost(
            source="ours",
            text=p.text,
            url="",
            author=p.account.display_name or p.account.handle,
            posted_at=p.published_at,
            engagement=p.engagements or 0,
        )
        for p in topic_own_posts(workspace=workspace, user=user, topic=topic).select_related("account")
    ]
    return sorted(public + own, key=lambda p: -p.engagement)[:limit]


def topic_top_participants(
    *, workspace: Workspace, user: Any, topic: Topic, limit: int = TOP_N
) -> list[tuple[Person, int]]:
    """The people who wrote most often under the topic on our accounts, with their counts."""
    counts = Counter(
        topic_interactions(workspace=workspace, user=user, topic=topic).values_list("person_id", flat=True)
    )
    top = counts.most_common(limit)
    people = Person.objects.in_bulk([pk for pk, _n in top])
    return [(people[pk], n) for pk, n in top if pk in people]


# ---- ideas -------------------------------------------------------------------------------------


def idea_list(
    *,
    workspace: Workspace,
    user: Any,
    status: str = "",
    source: str = "",
    campaign_id: int | None = None,
    mine: bool = False,
) -> QuerySet[Idea]:
    """Ideas, newest first, narrowed by status, source, campaign, or those sent to ``user``."""
    rows = member_rows(Idea, workspace=workspace, user=user).select_related(
        "campaign", "content_item", "product_owner", "person"
    )
    if status:
        rows = rows.filter(status=status)
    if source:
        rows = rows.filter(source=source)
    if campaign_id:
        rows = rows.filter(campaign_id=campaign_id)
    if mine:
        rows = rows.filter(product_owner=user)
    return rows.order_by("-created_at", "-pk")


def idea_get(*, workspace: Workspace, user: Any, idea_id: int) -> Idea:
    """One idea of this workspace, or Http404."""
    return member_row_or_404(Idea, workspace=workspace, user=user, pk=idea_id)
