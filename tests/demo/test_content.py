"""The demo's content operation: themes and mix, backlog, media, post history, calendar and plan.

A person who opens the demo sees a team at work: a backlog in every form, the next two weeks
planned at the hours the team's own history says are best, and nothing that breaks the rules
the product enforces (deadlines, cadence, hand placements kept).
"""

from __future__ import annotations

import datetime as dt
import io
import statistics
from collections import Counter

import pytest
from django.test import Client
from PIL import Image

from socialops.accounts.models import Platform
from socialops.analytics import besttime
from socialops.analytics.models import ColumnMapping, PostRecord
from socialops.content.media import inspect_media
from socialops.content.models import (
    CadenceRule,
    CalendarEntry,
    CapacityRule,
    ContentForm,
    ContentItem,
    ContentVariant,
    Importance,
    MediaKind,
    Placement,
    PlacementSource,
    Theme,
    ThemeTarget,
)
from socialops.content.selectors.calendar import resolve_calendar_link
from socialops.content.selectors.plan import to_local
from socialops.content.services.plan import plan_generate
from socialops.demo import media as demo_media
from socialops.demo.content import IMAGES, OPERATOR_CAPACITY, PLAN_DAYS, VIDEOS
from socialops.demo.dates import demo_today
from socialops.demo.history import ENGAGEMENT_FIELDS, EXPORT_DAYS
from socialops.demo.metrics import generate_all
from socialops.demo.seed import DemoResult, demo_seed
from socialops.demo.specs import DEMO_USERS

pytestmark = pytest.mark.django_db

ACCOUNT_KEYS = ("wechat", "weibo", "douyin", "xhs")


@pytest.fixture
def seeded() -> DemoResult:
    """The demo as of the real today (the plan can only look forward from the real date)."""
    return demo_seed()


def _targets(result: DemoResult, key: str) -> dict[str, int]:
    rows = ThemeTarget.objects.filter(workspace=result.workspace, account=result.accounts[key])
    return {t.theme.name: t.share for t in rows.select_related("theme")}


# ---- themes, rules -----------------------------------------------------------------------------


def test_five_themes_with_a_mix_per_platform_and_the_team_s_rules(seeded: DemoResult) -> None:
    ws = seeded.workspace
    names = list(Theme.objects.filter(workspace=ws).values_list("name", flat=True))
    assert names == ["行业动态", "产品介绍", "用户故事", "专家观点", "实用技巧"]
    assert all(Theme.objects.filter(workspace=ws).values_list("description", flat=True))
    mixes = {key: _targets(seeded, key) for key in ACCOUNT_KEYS}
    for key, mix in mixes.items():
        assert sum(mix.values()) == 100, key
        assert set(mix) == set(names), key  # every theme has a share: the generator may use each

    def top(key: str, n: int) -> set[str]:
        return set(sorted(mixes[key], key=lambda name: -mixes[key][name])[:n])

    assert top("wechat", 2) == {"专家观点", "行业动态"}
    assert top("douyin", 2) == {"产品介绍", "实用技巧"}
    assert top("xhs", 2) == {"用户故事", "实用技巧"}
    assert len({tuple(sorted(m.items())) for m in mixes.values()}) == 4

    rules = {r.account_id: r for r in CadenceRule.objects.filter(workspace=ws)}

    def posts(key: str) -> tuple[list[int], list[int]]:
        per_day = rules[seeded.accounts[key].pk].posts_per_weekday
        return per_day["1"], per_day["7"]

    assert posts("wechat") == ([1, 2], [0, 1])
    assert posts("weibo") == ([3, 4], [3, 4])
    assert posts("douyin") == ([1, 2], [1, 2])
    assert posts("xhs") == ([1, 1], [1, 1])
    capacity = {
        (r.owner.username if r.owner else None): r.items_per_week
        for r in CapacityRule.objects.filter(workspace=ws)
    }
    assert capacity == {None: 25, "operator": OPERATOR_CAPACITY}


# ---- the backlog ---------------------------------------------------------------------------------


def test_backlog_in_every_form_with_owners_deadlines_links_and_versions(seeded: DemoResult) -> None:
    ws = seeded.workspace
    content = seeded.content
    anchor = content.anchor
    items = list(ContentItem.objects.filter(workspace=ws).prefetch_related("accounts"))
    assert 30 <= len(items) <= 40
    assert {i.form for i in items} == set(ContentForm.values)
    owners = {i.owner.username for i in items if i.owner is not None}
    assert len(owners) >= 4 and owners <= {name for name, _role, _expert in DEMO_USERS}
    assert all(i.owner is not None for i in items)
    importance = Counter(i.importance for i in items)
    assert 2 <= importance[Importance.URGENT] <= 3 and importance[Importance.IMPORTANT] >= 5
    evergreen = [i for i in items if i.evergreen]
    assert 4 <= len(evergreen) < len(items) / 2
    for item in items:
        assert item.accounts.exists(), item.title
        assert not any(a.is_competitor for a in item.accounts.all())
        if item.deadline is not None:
            assert item.deadline > anchor, item.title
            festival_linked = any(k.startswith(("festival:", "commerce:")) for k in item.calendar_links)
            if not festival_linked:
                assert item.deadline <= anchor + dt.timedelta(days=28), item.title
        for key in item.calendar_links:
            assert resolve_calendar_link(workspace=ws, key=key) is not None, key

    # The calendar: the next festival, a hot topic and a brand event, each with content linked.
    links = Counter(key.split(":")[0] for i in items for key in i.calendar_links)
    assert links["entry"] >= 6
    assert content.festival is not None and links["festival"] + links["commerce"] >= 2
    entries = CalendarEntry.objects.filter(workspace=ws)
    assert {e.kind for e in entries} == {"hot_topic", "brand_event"}
    assert all(anchor < e.start_date <= anchor + dt.timedelta(days=21) for e in entries)
    linked_to = {key for i in items for key in i.calendar_links}
    assert {f"entry:{e.pk}" for e in entries} <= linked_to
    assert content.festival.key in linked_to

    # A live stream planned ahead, with host and outline; a Q&A; a video with its file.
    lives = [i for i in items if i.form == ContentForm.LIVE]
    for live in lives:
        assert live.live_host and live.live_outline.count("\n") >= 3
        assert live.live_starts_at is not None
        assert to_local(ws, live.live_starts_at).time() == dt.time(20, 0)
        assert live.deadline == to_local(ws, live.live_starts_at).date()
    assert all(i.video is not None for i in items if i.form == ContentForm.VIDEO)
    assert all(i.body for i in items if i.form == ContentForm.QA)

    # Per-platform versions: a 公众号 article, a 微博 teaser with #话题# and a 小红书 note of one story.
    variants = ContentVariant.objects.filter(workspace=ws).select_related("account", "item")
    assert variants.count() == content.variants >= 10
    by_item: dict[int, dict[str, ContentVariant]] = {}
    for v in variants:
        by_item.setdefault(v.item_id, {})[v.account.platform] = v
    trios = [
        v for v in by_item.values() if {Platform.WECHAT_MP, Platform.WEIBO, Platform.XIAOHONGSHU} <= set(v)
    ]
    assert len(trios) >= 3
    for trio in trios:
        weibo = trio[Platform.WEIBO]
        assert weibo.hashtags and f"#{weibo.hashtags[0]}#" in weibo.body
        assert len(trio[Platform.XIAOHONGSHU].hashtags) >= 5
        assert "need_open_comment" in trio[Platform.WECHAT_MP].extra

    # Article bodies are Markdown with headings, lists and our own pictures.
    articles = [i for i in items if i.form == ContentForm.ARTICLE]
    asset_ids = {seeded.content.assets[k].pk for k in IMAGES}
    for article in articles:
        assert article.body.startswith("# ") and "\n## " in article.body
        assert "\n- " in article.body or "\n1. " in article.body
        assert "{" not in article.body and "{" not in article.title  # every placeholder was filled
    referenced = {int(ref) for a in articles for ref in _asset_refs(a.body)}
    assert referenced and referenced <= asset_ids


def _asset_refs(body: str) -> list[str]:
    import re

    return re.findall(r"\(asset:(\d+)\)", body)


def test_media_library_holds_real_pictures_and_playable_clips(seeded: DemoResult) -> None:
    assets = seeded.content.assets
    images = [a for a in assets.values() if a.kind == MediaKind.IMAGE]
    videos = [a for a in assets.values() if a.kind == MediaKind.VIDEO]
    assert len(images) == len(IMAGES) >= 5 and len(videos) == len(VIDEOS)
    for asset in images:
        assert asset.thumbnail and (asset.width, asset.height) == (900, 600)
        with asset.file.open("rb") as f:
            picture = Image.open(io.BytesIO(f.read()))
        # Brand-coloured: the card's background is one of our palette's colours.
        assert (
            picture.convert("RGB").getpixel((5, 5)) == dict(IMAGES.values())[asset.original_name].background
        )
    for asset in videos:
        assert asset.content_type == "video/mp4" and asset.duration_seconds == 16.0
        assert (asset.width, asset.height) == (144, 256)


def test_the_clips_are_h264_and_the_same_bytes_every_time() -> None:
    card = demo_media.Card("watch", demo_media.OBSIDIAN, demo_media.STARLIGHT, demo_media.AURORA, "Watch S2")
    clip = demo_media.slideshow_mp4(
        [demo_media.scene_image(card, n, 3) for n in range(3)], seconds_per_scene=2, fps=5
    )
    info = inspect_media(clip)
    assert (info.kind, info.width, info.height, info.duration_seconds) == ("video", 144, 256, 6.0)
    # An avc1 sample entry with its decoder configuration: Baseline profile, one SPS and one PPS.
    assert b"avc1" in clip and clip[clip.index(b"avcC") + 5] == demo_media.PROFILE_BASELINE
    assert clip == demo_media.slideshow_mp4(
        [demo_media.scene_image(card, n, 3) for n in range(3)], seconds_per_scene=2, fps=5
    )
    # Samples are length-prefixed NAL units with no start-code emulation inside (00 00 00/01/02
    # would cut a unit short for a decoder): 3 scenes × 2 s at 5 fps.
    mdat = clip.index(b"mdat") + 4
    units = []
    while mdat < len(clip):
        size = int.from_bytes(clip[mdat : mdat + 4], "big")
        units.append(clip[mdat + 4 : mdat + 4 + size])
        mdat += 4 + size
    assert len(units) == 30 and mdat == len(clip)
    assert [u[0] & 0x1F for u in units[:2]] == [5, 1]  # an IDR picture, then a P picture
    assert not any(b"\x00\x00" + bytes([n]) in u for u in units for n in (0, 1, 2))
    with pytest.raises(ValueError, match="multiples of 16"):
        demo_media.slideshow_mp4([Image.new("RGB", (100, 100))])


# ---- post history and best time -----------------------------------------------------------------


def test_post_history_teaches_the_best_hours_at_the_personas_active_hours(seeded: DemoResult) -> None:
    ws = seeded.workspace
    calendar = seeded.calendar
    assert set(ColumnMapping.objects.filter(workspace=ws).values_list("name", flat=True)) == {
        "公众号图文数据(头条)",
        "抖音作品数据",
    }
    metrics = generate_all(calendar.today)
    for key, low, high in (("wechat", 110, 160), ("douyin", 100, 140)):
        account = seeded.accounts[key]
        posts = list(PostRecord.objects.filter(workspace=ws, account=account))
        assert low <= len(posts) <= high, (key, len(posts))
        assert seeded.content.imports[key].created == len(posts)
        local = [to_local(ws, p.published_at) for p in posts if p.published_at is not None]
        assert max(local).date() <= calendar.end
        assert min(local).date() >= calendar.today - dt.timedelta(days=EXPORT_DAYS[key])
        assert all(
            p.weekday == t.isoweekday() and p.hour == t.hour for p, t in zip(posts, local, strict=True)
        )
        # Posts fall on days the daily metrics counted posts, and their reach and engagement are
        # of the same scale as those days' figures.
        daily = dict(metrics[key])
        days = {t.date() for t in local}
        assert all(daily[d]["posts"] > 0 for d in days)
        post_reach = sum(p.reach or 0 for p in posts)
        day_reach = sum(daily[d]["reach"] for d in days)
        assert 0.3 < post_reach / day_reach < 1.3
        post_rate = sum(p.engagements or 0 for p in posts) / post_reach
        day_rate = sum(sum(daily[d][f] for f in ENGAGEMENT_FIELDS) for d in days) / day_reach
        assert 0.8 < post_rate / day_rate < 1.4

        best = besttime.best_hours_for_system(workspace=ws, account=account)
        assert best.source == besttime.LEARNED
        active = {h for persona in account.personas.all() for h in persona.active_hours}
        assert {hour for _w, hour, _s in besttime.ranked_cells(best, 5)} <= active, key
    for key in ("weibo", "xhs"):
        best = besttime.best_hours_for_system(workspace=ws, account=seeded.accounts[key])
        assert best.source == besttime.PLATFORM_DEFAULT


# ---- the plan ------------------------------------------------------------------------------------


def test_the_next_two_weeks_are_planned_within_every_rule(seeded: DemoResult) -> None:
    ws = seeded.workspace
    content = seeded.content
    assert content.plan_start == content.anchor + dt.timedelta(days=1)
    assert (content.plan_end - content.plan_start).days == PLAN_DAYS - 1
    report = content.plan_run.report
    assert report["slots"]["filled"] >= 50 and not report["unplaced"]
    sources = {row["account"]: row["best_hours_source"] for row in report["by_account"]}
    assert sources[seeded.accounts["wechat"].pk] == sources[seeded.accounts["douyin"].pk] == "learned"

    placements = list(
        Placement.objects.filter(workspace=ws)
        .select_related("item", "account")
        .prefetch_related("item__accounts")
    )
    assert len(placements) == content.placements
    assert {p.account_id for p in placements} == {seeded.accounts[k].pk for k in ACCOUNT_KEYS}
    for p in placements:
        local = to_local(ws, p.starts_at)
        assert p.item.workspace_id == ws.pk
        assert p.account in p.item.accounts.all()
        assert content.plan_start <= local.date() <= content.plan_end
        if p.item.deadline is not None:
            assert local.date() <= p.item.deadline, (p.item.title, local)
        if p.item.form == ContentForm.LIVE:
            assert p.starts_at == p.item.live_starts_at
    # Every live stream of the period is on the calendar at its set time.
    lives = ContentItem.objects.filter(workspace=ws, form=ContentForm.LIVE)
    assert all(Placement.objects.filter(item=live).exists() for live in lives)

    manual = [p for p in placements if p.source == PlacementSource.MANUAL]
    assert [(p.item.title, p.account.platform) for p in manual] == [
        ("智能手表测血压,准不准?", Platform.WECHAT_MP)
    ]
    assert to_local(ws, manual[0].starts_at).time() == dt.time(7, 30)
    locked = [p for p in placements if p.locked]
    assert len(locked) == 1 and locked[0] == content.locked
    assert (locked[0].item, locked[0].account) == (content.items["anc_video"], seeded.accounts["douyin"])

    # Regenerating keeps what a person placed or locked.
    kept = {(p.pk, p.starts_at) for p in manual + locked}
    plan_generate(
        workspace=ws,
        actor=None,
        start=content.plan_start,
        end=content.plan_end,
        accounts=[seeded.accounts[k] for k in ACCOUNT_KEYS],
    )
    assert {(p.pk, p.starts_at) for p in Placement.objects.filter(pk__in=[pk for pk, _t in kept])} == kept

    # Items for the festival after the plan wait in the backlog.
    if content.later_festival is not None:
        key = content.later_festival.key
        waiting = [i for i in ContentItem.objects.filter(workspace=ws) if key in i.calendar_links]
        assert len(waiting) == 2 and not Placement.objects.filter(item__in=waiting).exists()


def test_a_seed_as_of_a_past_day_still_plans_from_the_real_today() -> None:
    result = demo_seed(today=dt.date(2025, 6, 20))
    assert result.content.anchor == demo_today()
    assert result.content.placements >= 50
    # The history is the past day's: posts end the day before it.
    last = PostRecord.objects.filter(workspace=result.workspace).order_by("-published_at").first()
    assert last is not None and last.published_at is not None
    assert to_local(result.workspace, last.published_at).date() == dt.date(2025, 6, 19)


# ---- the pages -----------------------------------------------------------------------------------


def test_calendar_content_and_best_time_pages_show_the_data(seeded: DemoResult) -> None:
    client = Client()
    client.force_login(seeded.users["operator"])
    ws = seeded.workspace
    content = seeded.content

    page = client.get("/w/demo/calendar/").content.decode()
    assert "发布日历" in page
    assert content.plan_start.isoformat() in page  # the latest run's period heads the report
    feed = client.get(
        "/api/v1/workspaces/demo/placements/feed",
        {
            "start": content.plan_start.isoformat(),
            "end": (content.plan_end + dt.timedelta(days=1)).isoformat(),
        },
    )
    assert feed.status_code == 200
    events = feed.json()
    assert len(events) == content.placements
    assert any("X1 Pro" in e["title"] for e in events)

    listing = client.get("/w/demo/content/").content.decode()
    assert "X1 Pro 深度解读" in listing and "直播" in listing

    article = content.items["x1pro_deep_dive"]
    detail = client.get(f"/w/demo/content/{article.pk}/").content.decode()
    assert f"/w/demo/assets/{content.assets['x1pro'].pk}/file/" in detail  # the picture in the body
    video = content.items["anc_video"]
    assert (
        f"/w/demo/assets/{content.assets['anc_test'].pk}/file/"
        in client.get(f"/w/demo/content/{video.pk}/").content.decode()
    )

    client.cookies["django_language"] = "en"
    best = client.get(
        f"/w/demo/analytics/accounts/{seeded.accounts['wechat'].pk}/best-time/"
    ).content.decode()
    posts = PostRecord.objects.filter(workspace=ws, account=seeded.accounts["wechat"]).count()
    assert f"learned from {posts} posts" in best.lower()

    hours = [
        to_local(ws, p.starts_at).hour
        for p in Placement.objects.filter(workspace=ws, account=seeded.accounts["douyin"])
    ]
    # 抖音 goes out in the evening, as its viewers' history says.
    assert statistics.median(hours) >= 19
