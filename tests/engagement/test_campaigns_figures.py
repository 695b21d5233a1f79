"""What a campaign and a topic bring about: participation, reach, the goal during vs before, topic counts,
and Mastodon's public hashtag timeline stored once per status (a respx fake of the documented endpoint)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import respx

from socialops.analytics.models import PostRecord
from socialops.engagement.models.campaigns import TopicPost
from socialops.engagement.selectors import campaigns as sel
from socialops.engagement.services.campaigns import topic_public_fetch
from socialops.engagement.tasks.campaigns import topics_fetch
from socialops.fans.models import InteractionKind
from socialops.goals.selectors.strategies import goal_windows
from tests.factories import (
    MASTODON_TOKEN,
    connect,
    fill,
    make_account,
    make_campaign,
    make_fan,
    make_goal,
    make_interaction,
    make_item,
    make_theme,
    make_topic,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date(2024, 4, 1)
LAUNCH = dt.date(2024, 3, 1)
MASTODON = "https://mastodon.example"


def at(workspace: Any, day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=workspace.tz)


@pytest.fixture
def lifted_goal(workspace: Any) -> Any:
    """New followers: 100 a day before 1 March, 150 a day from then on."""
    account = make_account(workspace, "acme_weibo")
    fill(account, dt.date(2024, 1, 1), TODAY, lambda d: {"new_followers": 150 if d >= LAUNCH else 100})
    return make_goal(workspace, accounts=[account])


def test_goal_movement_during_vs_before_on_a_known_series(
    workspace: Any, admin: Any, lifted_goal: Any
) -> None:
    campaign = make_campaign(workspace, goal=lifted_goal)
    movement = sel.campaign_goal_movement(workspace=workspace, user=admin, campaign=campaign, today=TODAY)
    window = movement.window
    assert window is not None and movement.state == "finished"
    # 20 days cut to two whole weeks on each side.
    assert window.days == 14 and window.whole_weeks
    assert (window.before_start, window.before_end) == (dt.date(2024, 2, 16), dt.date(2024, 2, 29))
    assert (window.during_start, window.during_end) == (dt.date(2024, 3, 1), dt.date(2024, 3, 14))
    (row,) = window.rows
    assert (row.before, row.during, row.change, row.change_pct) == (100, 150, 50, 50)
    assert "14 days before the campaign" in movement.caveat and "not proof" in movement.caveat
    assert "weekly rhythm" in movement.caveat

    # The same rule as a strategy's: the shared window gives the same figures.
    same = goal_windows(workspace=workspace, goals=[lifted_goal], start=LAUNCH, end=dt.date(2024, 3, 20))
    assert same.rows[0].change == 50


def test_goal_movement_reasons(workspace: Any, admin: Any, lifted_goal: Any) -> None:
    none = make_campaign(workspace, name="无目标")
    assert sel.campaign_goal_movement(workspace=workspace, user=admin, campaign=none, today=TODAY).reason
    planned = make_campaign(
        workspace, name="未来", goal=lifted_goal, start_date=dt.date(2024, 5, 1), end_date=dt.date(2024, 5, 9)
    )
    movement = sel.campaign_goal_movement(workspace=workspace, user=admin, campaign=planned, today=TODAY)
    assert movement.state == "planned" and movement.window is None and "started" in movement.reason


def test_participation_counts_marked_and_tagged_interactions(workspace: Any, admin: Any) -> None:
    weibo = make_account(workspace, "acme_weibo")
    campaign = make_campaign(workspace)
    make_topic(workspace, campaign=campaign)
    a, b, c = (make_fan(weibo, f"fan-{n}") for n in range(3))
    make_interaction(
        a, InteractionKind.VOTE, when=at(workspace, dt.date(2024, 3, 2)), meta={"campaign": campaign.pk}
    )
    make_interaction(
        a, InteractionKind.COMMENT, when=at(workspace, dt.date(2024, 3, 2)), text="冲 #星曜新品#"
    )
    make_interaction(
        b, InteractionKind.MENTION, when=at(workspace, dt.date(2024, 3, 5)), text="#星曜新品# 好看"
    )
    # Not counted: outside the period, another campaign's, a tag in a direct message.
    make_interaction(c, InteractionKind.COMMENT, when=at(workspace, dt.date(2024, 2, 20)), text="#星曜新品#")
    make_interaction(c, InteractionKind.VOTE, when=at(workspace, dt.date(2024, 3, 3)), meta={"campaign": 0})
    make_interaction(c, InteractionKind.MESSAGE, when=at(workspace, dt.date(2024, 3, 3)), text="#星曜新品#")
    p = sel.campaign_participation(workspace=workspace, user=admin, campaign=campaign)
    assert (p.people, p.interactions) == (2, 3)
    assert len(p.days) == 20 and p.per_day[1] == 2 and p.people_per_day[1] == 1 and p.per_day[4] == 1


def test_reach_sums_the_campaign_items_post_records(workspace: Any, admin: Any) -> None:
    weibo = make_account(workspace, "acme_weibo")
    theme = make_theme(workspace)
    ours, other = make_item(workspace, theme, title="新品一"), make_item(workspace, theme, title="别的")
    campaign = make_campaign(workspace, items=[ours])
    for n, (item, reach) in enumerate([(ours, 1000), (ours, 500), (other, 9999)]):
        PostRecord.objects.create(
            workspace=workspace, account=weibo, external_id=f"p{n}", weekday=1, hour=9,
            content_item=item, reach=reach, impressions=reach * 2, engagements=10,
        )  # fmt: skip
    reach = sel.campaign_reach(workspace=workspace, user=admin, campaign=campaign)
    assert (reach.posts, reach.reach, reach.impressions, reach.engagements) == (2, 1500, 3000, 20)


def test_topic_counts_inbox_mentions_and_our_posts_by_day(workspace: Any, admin: Any) -> None:
    weibo = make_account(workspace, "acme_weibo")
    masto = make_account(workspace, "acme_masto", "mastodon")
    topic = make_topic(workspace)
    fan, other = make_fan(weibo, "w-1", display_name="小林"), make_fan(masto, "m-1", display_name="Lin")
    day = dt.date(2024, 3, 30)
    make_interaction(fan, InteractionKind.COMMENT, when=at(workspace, day), text="#星曜新品# 不错")
    make_interaction(fan, InteractionKind.COMMENT, when=at(workspace, day, 15), text="又来 #星曜新品#")
    make_interaction(other, InteractionKind.MENTION, when=at(workspace, TODAY), text="love #Starlight")
    # Another platform's tag on Weibo does not count.
    make_interaction(fan, InteractionKind.COMMENT, when=at(workspace, day), text="#starlight")
    PostRecord.objects.create(
        workspace=workspace, account=weibo, external_id="w1", weekday=6, hour=9,
        published_at=at(workspace, day), text="今天上新 #星曜新品#", engagements=88,
    )  # fmt: skip
    TopicPost.objects.create(
        workspace=workspace, topic=topic, platform="mastodon", external_id="9", text="#starlight",
        posted_at=at(workspace, TODAY), likes=3, reposts=1,
    )  # fmt: skip
    counts = sel.topic_counts(workspace=workspace, user=admin, topic=topic, days=7, today=TODAY)
    assert counts.days[-1] == TODAY and len(counts.days) == 7
    assert counts.mentions[-3:] == [2, 0, 1] and counts.posts[-3] == 1 and counts.public[-1] == 1
    assert (counts.total_mentions, counts.total_posts, counts.total_public) == (3, 1, 1)
    top = sel.topic_top_posts(workspace=workspace, user=admin, topic=topic)
    assert [p.engagement for p in top] == [88, 4] and top[0].source == "ours"
    people = sel.topic_top_participants(workspace=workspace, user=admin, topic=topic)
    assert [(p.pk, n) for p, n in people] == [(fan.person.pk, 2), (other.person.pk, 1)]


# ---- Mastodon's public hashtag timeline ---------------------------------------------------------


def status(n: int, text: str, *, likes: int = 0) -> dict[str, Any]:
    """A Status as GET /api/v1/timelines/tag/:hashtag documents it (the fields we read and a few more)."""
    return {
        "id": str(n),
        "created_at": f"2024-03-30T0{n % 10}:00:00.000Z",
        "in_reply_to_id": None,
        "in_reply_to_account_id": None,
        "sensitive": False,
        "spoiler_text": "",
        "visibility": "public",
        "language": "en",
        "uri": f"{MASTODON}/users/fan{n}/statuses/{n}",
        "url": f"{MASTODON}/@fan{n}/{n}",
        "replies_count": 1,
        "reblogs_count": 2,
        "favourites_count": likes,
        "content": f'<p>{text} <a href="{MASTODON}/tags/starlight" class="mention hashtag">#<span>starlight</span></a></p>',
        "account": {
            "id": str(500 + n),
            "username": f"fan{n}",
            "acct": f"fan{n}@elsewhere.example",
            "display_name": f"Fan {n}",
            "url": f"https://elsewhere.example/@fan{n}",
        },
        "media_attachments": [],
        "mentions": [],
        "tags": [{"name": "starlight", "url": f"{MASTODON}/tags/starlight"}],
        "emojis": [],
        "poll": None,
    }


class FakeTagTimeline:
    """The tag timeline: newest first, ``min_id`` returns the statuses just after it, bearer token required."""

    def __init__(self, router: respx.MockRouter) -> None:
        self.statuses: list[dict[str, Any]] = []
        self.calls: list[httpx.Request] = []
        router.route(method="GET", url__regex=rf"{MASTODON}/api/v1/timelines/tag/[^/?]+").mock(
            side_effect=self._timeline
        )

    def _timeline(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(request)
        if request.headers.get("Authorization") != f"Bearer {MASTODON_TOKEN}":
            return httpx.Response(401, json={"error": "The access token is invalid"})
        assert request.url.path == "/api/v1/timelines/tag/starlight"
        limit = min(int(request.url.params.get("limit", "20")), 40)
        min_id = request.url.params.get("min_id")
        rows = sorted(self.statuses, key=lambda s: int(s["id"]))
        if min_id:
            rows = [s for s in rows if int(s["id"]) > int(min_id)]
        page = rows[:limit]
        return httpx.Response(200, json=list(reversed(page)))


@pytest.fixture
def timeline() -> Iterator[FakeTagTimeline]:
    with respx.mock(assert_all_called=False) as router:
        yield FakeTagTimeline(router)


def test_hashtag_timeline_is_stored_once_per_status(
    workspace: Any, admin: Any, timeline: FakeTagTimeline
) -> None:
    connect(make_account(workspace, "acme_masto", "mastodon"), "mastodon")
    topic = make_topic(workspace)
    timeline.statuses = [status(1, "first", likes=5), status(2, "second", likes=1)]
    assert topic_public_fetch(topic=topic) == (2, 0)
    topic.refresh_from_db()
    assert topic.mastodon_cursor == "2" and topic.fetched_at is not None
    post = TopicPost.objects.get(external_id="1")
    assert post.author_handle == "fan1@elsewhere.example" and post.text.startswith("first")
    assert (post.replies, post.reposts, post.likes, post.engagement) == (1, 2, 5, 8)
    assert post.url == f"{MASTODON}/@fan1/1"

    # Twice: nothing new is stored; the second call asks only for what came after the cursor.
    assert topic_public_fetch(topic=topic) == (0, 0)
    assert timeline.calls[-1].url.params["min_id"] == "2"
    timeline.statuses.append(status(3, "third"))
    assert topics_fetch() == 1 and topics_fetch() == 0
    assert TopicPost.objects.filter(topic=topic).count() == 3


def test_no_mastodon_connection_or_tag_fetches_nothing(workspace: Any, timeline: FakeTagTimeline) -> None:
    tagged = make_topic(workspace)
    assert topic_public_fetch(topic=tagged) == (0, 0)  # no Mastodon account connected
    connect(make_account(workspace, "acme_masto", "mastodon"), "mastodon")
    untagged = make_topic(workspace, name="另一个", tags={"weibo": "#星曜新品#"})
    assert topic_public_fetch(topic=untagged) == (0, 0)
    assert not timeline.calls
