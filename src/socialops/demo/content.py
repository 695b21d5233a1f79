"""The demo's content operation: themes and their mix, media, the backlog, calendar, history and plan.

What 星曜科技's team would have in the product on an ordinary working day: the five themes with
a target mix per account, a media library of product cards and short clips, 39 content items in
all five forms (some with a version per platform), a hot topic and a brand event on the
marketing calendar, cadence and capacity rules, post history imported from the
platforms' exports (so the best hours are learned), and the next two weeks' publishing plan.
The data is in data/content.toml, data/media.toml and data/items.toml.

Like the rest of the demo, every row goes through the apps' services with ``actor=None``, and the
result depends only on the day: the history on ``today``, the forward-looking part on the first
day that can still be planned (see ``content_anchor``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from socialops.analytics.services import column_mapping_create, posts_import
from socialops.content.holidays import FESTIVALS_BY_KEY
from socialops.content.models import Placement, PlacementSource
from socialops.content.planner.types import LINK_LEAD_DAYS
from socialops.content.selectors.calendar import calendar_days_for_system, calendar_link_choices
from socialops.content.services.calendar import calendar_entry_create
from socialops.content.services.items import content_item_create
from socialops.content.services.media import media_asset_upload
from socialops.content.services.plan import (
    cadence_rule_set,
    capacity_set,
    placement_create,
    placement_lock,
    plan_generate,
)
from socialops.content.services.themes import theme_targets_set, theme_update, themes_create_defaults
from socialops.content.services.variants import variant_create

from . import media
from .dates import DemoCalendar, demo_today
from .history import EXPORTS, post_export
from .specs import OUR_ACCOUNTS, OUR_KEYS, load, tuples

PLAN_DAYS = 14

_CONTENT = load("content")
THEME_KEYS = tuple(theme["key"] for theme in _CONTENT["themes"])
THEME_DESCRIPTIONS = {theme["key"]: theme["description"] for theme in _CONTENT["themes"]}
# Percent per theme and account key: 公众号 is where depth lives (expert voices, industry
# reading), 抖音 sells and teaches, 小红书 is word of mouth and how-tos, 微博 a bit of everything.
THEME_TARGETS: dict[str, dict[str, int]] = _CONTENT["theme_targets"]
WORKSPACE_CAPACITY = _CONTENT["capacity"]["workspace"]  # items a week the whole team produces
OPERATOR_CAPACITY = _CONTENT["capacity"][
    "operator"
]  # what the one full-time operator writes and edits a week
# Days after the anchor each entry of the marketing calendar spans; the brand event takes the
# same days as the strategy 「城市快闪体验店」 of the goals part (today + 10 … 12).
ENTRY_DAYS = {"hot_topic": (1, 3), "brand_event": (10, 12)}
# Commerce days read better by their short names inside titles and hashtags.
SHORT_NAMES: dict[str, str] = _CONTENT["short_names"]


def _cadence(rule: dict[str, Any]) -> dict[str, Any]:
    """A cadence rule of content.toml as cadence_rule_set takes it (posts per ISO weekday 1–7)."""
    week = {str(d): list(rule["posts_weekday"] if d <= 5 else rule["posts_weekend"]) for d in range(1, 8)}
    return {
        "posts_per_weekday": week,
        **{k: v for k, v in rule.items() if k not in ("posts_weekday", "posts_weekend")},
    }


CADENCE: dict[str, dict[str, Any]] = {key: _cadence(rule) for key, rule in _CONTENT["cadence"].items()}


def _card(row: dict[str, Any]) -> tuple[str, media.Card]:
    """A media.toml row: its file name and the card drawn for it."""
    colours = {k: media.palette_colour(row[k]) for k in ("background", "colour", "accent")}
    return row["file"], media.Card(
        row["shape"], caption=row["caption"], subcaption=row["subcaption"], **colours
    )


IMAGES: dict[str, tuple[str, media.Card]] = {row["key"]: _card(row) for row in load("media")["images"]}
VIDEOS: dict[str, tuple[str, media.Card]] = {row["key"]: _card(row) for row in load("media")["videos"]}


# ---- items ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VariantSpec:
    """An item's version for one account; text may use the same {placeholders} as the item."""

    account: str
    title: str = ""
    body: str = ""
    digest: str = ""
    author: str = ""
    hashtags: tuple[str, ...] = ()
    link_url: str = ""
    media: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ItemSpec:
    """One content item of the backlog (the fields are explained at the top of data/items.toml).

    ``due`` is days after the anchor, or the name of a date of the season (``festival``,
    ``festival2``, ``hot_end``, ``event_start``, ``event_end``, ``live1``, ``live2``); None means evergreen.
    ``link`` ties the item to the next festival (or the one after), the hot topic or the brand event.
    """

    key: str
    form: str
    theme: str
    owner: str
    title: str
    accounts: tuple[str, ...]
    due: int | str | None
    importance: str = "normal"
    link: str | None = None
    digest: str = ""
    body: str = ""
    cover: str | None = None
    images: tuple[str, ...] = ()
    video: str | None = None
    live: str | None = None  # "live1" | "live2": the stream's start
    live_host: str = ""
    live_outline: str = ""
    variants: tuple[VariantSpec, ...] = ()


def _item(row: dict[str, Any]) -> ItemSpec:
    """An items.toml row as an ItemSpec (an item without ``due`` says ``evergreen = true``)."""
    row = tuples(row)
    if row.pop("evergreen", False):
        row["due"] = None
    variants = tuple(VariantSpec(**tuples(v)) for v in row.pop("variants", ()))
    return ItemSpec(**row, variants=variants)


ITEMS: tuple[ItemSpec, ...] = tuple(_item(row) for row in load("items")["items"])


# ---- the marketing calendar --------------------------------------------------------------------


def content_anchor(today: dt.date) -> dt.date:
    """The day the forward-looking part hangs on: ``today``, or the real date when seeding as of a past day.

    A plan, a live stream's start and a hand placement must lie in the future (the services
    refuse the past), so a demo seeded "as of" an earlier day still plans from the real today.
    """
    return max(today, demo_today())


def _md(day: dt.date) -> str:
    return f"{day.month} 月 {day.day} 日"


def _span(start: dt.date, end: dt.date) -> str:
    if start.month == end.month:
        return f"{start.month} 月 {start.day} 日至 {end.day} 日"
    return f"{_md(start)}至{_md(end)}"


def _festival_name(item: Any) -> str:
    """A festival's or commerce day's Chinese name as the team writes it in titles and hashtags."""
    kind, code, _year = item.key.split(":")
    festival = FESTIVALS_BY_KEY[(kind, code)]
    return SHORT_NAMES.get(code, festival.name_zh)


def _festivals(workspace: Any, viewer: Any, anchor: dt.date, after: dt.date) -> tuple[Any, Any]:
    """The first festival or commerce day after the anchor, and the first one after ``after``
    (which the team is already preparing beyond the plan); either may be None."""
    choices = [
        c
        for c in calendar_link_choices(
            workspace=workspace,
            user=viewer,
            start=anchor + dt.timedelta(days=1),
            end=anchor + dt.timedelta(days=120),
        )
        if c.kind in ("festival", "commerce")
    ]
    first = choices[0] if choices else None
    later = next((c for c in choices if c.start > after and c is not first), None)
    return first, later


def _live_day(anchor: dt.date) -> dt.date:
    """The first Thursday or Saturday (the style rules' live nights) at least two days ahead."""
    day = anchor + dt.timedelta(days=2)
    while day.weekday() not in (3, 5):
        day += dt.timedelta(days=1)
    return day


# ---- seeding ------------------------------------------------------------------------------------


@dataclass
class DemoContent:
    """What the content part of the seed created, for the command and the tests."""

    anchor: dt.date
    plan_start: dt.date
    plan_end: dt.date
    themes: dict[str, Any]
    assets: dict[str, Any]
    items: dict[str, Any]
    variants: int
    festival: Any  # CalendarItem of the next festival or commerce day, or None
    later_festival: Any  # the one after the plan, already being prepared, or None
    hot_topic: Any
    brand_event: Any
    imports: dict[str, Any]
    plan_run: Any
    placements: int
    manual: Any
    locked: Any


_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _fill(text: str, context: dict[str, str]) -> str:
    """Replace {name} placeholders (only known names: other braces stay as written)."""
    return _PLACEHOLDER.sub(lambda m: context.get(m.group(1), m.group(0)), text)


def _seed_themes(workspace: Any, accounts: dict[str, Any]) -> dict[str, Any]:
    created = themes_create_defaults(workspace=workspace, actor=None)
    themes = dict(zip(THEME_KEYS, created, strict=True))
    for key, theme in themes.items():
        themes[key] = theme_update(
            workspace=workspace, actor=None, theme=theme, description=THEME_DESCRIPTIONS[key]
        )
    for account_key, shares in THEME_TARGETS.items():
        theme_targets_set(
            workspace=workspace,
            actor=None,
            account=accounts[account_key],
            shares={themes[key].pk: share for key, share in shares.items()},
        )
    return themes


def _seed_rules(workspace: Any, users: dict[str, Any], accounts: dict[str, Any]) -> None:
    for key, rule in CADENCE.items():
        cadence_rule_set(
            workspace=workspace, actor=None, account=accounts[key], holiday_mode="weekend", **rule
        )
    capacity_set(workspace=workspace, actor=None, items_per_week=WORKSPACE_CAPACITY)
    capacity_set(workspace=workspace, actor=None, owner=users["operator"], items_per_week=OPERATOR_CAPACITY)


def _seed_media(workspace: Any) -> dict[str, Any]:
    assets: dict[str, Any] = {}
    for key, (name, card) in IMAGES.items():
        assets[key] = media_asset_upload(
            workspace=workspace, actor=None, file_name=name, content=media.card_png(card)
        ).asset
    for key, (name, card) in VIDEOS.items():
        assets[key] = media_asset_upload(
            workspace=workspace, actor=None, file_name=name, content=media.clip_mp4(card)
        ).asset
    return assets


def _seed_history(workspace: Any, accounts: dict[str, Any], calendar: DemoCalendar) -> dict[str, Any]:
    imports: dict[str, Any] = {}
    for spec in OUR_ACCOUNTS:
        if spec.key not in EXPORTS:
            continue
        export = post_export(spec, calendar)
        mapping = column_mapping_create(
            workspace=workspace,
            actor=None,
            name=export.mapping_name,
            columns=export.columns,
            options=export.options,
        )
        imports[spec.key] = posts_import(
            workspace=workspace,
            actor=None,
            account=accounts[spec.key],
            mapping=mapping,
            file_name=export.file_name,
            content=export.content,
        )
    return imports


def _seed_items(
    workspace: Any,
    users: dict[str, Any],
    accounts: dict[str, Any],
    themes: dict[str, Any],
    assets: dict[str, Any],
    context: dict[str, str],
    dates: dict[str, dt.date],
    links: dict[str, str],
    lives: dict[str, dt.datetime],
) -> tuple[dict[str, Any], int]:
    anchor = dates["anchor"]
    items: dict[str, Any] = {}
    variants = 0
    for spec in ITEMS:
        if isinstance(spec.due, str):
            deadline: dt.date | None = dates[spec.due]
        elif spec.due is not None:
            deadline = anchor + dt.timedelta(days=spec.due)
        else:
            deadline = None
        link = links.get(spec.link) if spec.link else None
        item = content_item_create(
            workspace=workspace,
            actor=None,
            title=_fill(spec.title, context),
            form=spec.form,
            theme=themes[spec.theme],
            owner=users[spec.owner],
            importance=spec.importance,
            deadline=deadline,
            evergreen=deadline is None,
            accounts=[accounts[key] for key in spec.accounts],
            calendar_links=[link] if link else [],
            digest=_fill(spec.digest, context),
            body=_fill(spec.body, context),
            cover=assets[spec.cover] if spec.cover else None,
            images=[assets[key] for key in spec.images],
            video=assets[spec.video] if spec.video else None,
            live_starts_at=lives[spec.live] if spec.live else None,
            live_host=spec.live_host,
            live_outline=spec.live_outline,
        )
        for variant in spec.variants:
            variant_create(
                workspace=workspace,
                actor=None,
                item=item,
                account=accounts[variant.account],
                title=_fill(variant.title, context),
                body=_fill(variant.body, context),
                digest=_fill(variant.digest, context),
                author=variant.author,
                hashtags=[_fill(tag, context) for tag in variant.hashtags],
                link_url=variant.link_url,
                media=[assets[key] for key in variant.media],
                extra=dict(variant.extra),
            )
            variants += 1
        items[spec.key] = item
    return items, variants


def _seed_entries(workspace: Any, anchor: dt.date) -> dict[str, Any]:
    """The hot topic and the brand event on the marketing calendar, dated from the anchor."""
    entries: dict[str, Any] = {}
    for kind, (first, last) in ENTRY_DAYS.items():
        entries[kind] = calendar_entry_create(
            workspace=workspace,
            actor=None,
            kind=kind,
            name=_CONTENT[kind]["name"],
            start_date=anchor + dt.timedelta(days=first),
            end_date=anchor + dt.timedelta(days=last),
            description=_CONTENT[kind]["description"],
        )
    return entries


def _seed_plan(
    workspace: Any,
    accounts: dict[str, Any],
    items: dict[str, Any],
    hot_topic: Any,
    plan_start: dt.date,
    plan_end: dt.date,
) -> tuple[Any, Any, Any]:
    """A hand placement, the generated plan and one locked placement: (manual, plan run, locked)."""
    # The expert's answer to the hot topic goes out on 公众号 at 7:30 (the style rules' push time;
    # the generator plans on the hour), placed by hand on the topic's first workday. When the
    # topic falls on days off, on its last day, leaving the first ones' single slot to a festival.
    days = calendar_days_for_system(workspace=workspace, start=hot_topic.start_date, end=hot_topic.end_date)
    day = next((d.date for d in days if d.workday), hot_topic.end_date)
    manual = placement_create(
        workspace=workspace,
        actor=None,
        item=items["blood_pressure"],
        account=accounts["wechat"],
        starts_at=dt.datetime.combine(day, dt.time(7, 30)),
    )
    ours = [accounts[key] for key in OUR_KEYS]
    run = plan_generate(workspace=workspace, actor=None, start=plan_start, end=plan_end, accounts=ours)
    # The metro test video is the week's lead on 抖音: locked so regeneration leaves it where it is.
    planned = Placement.objects.filter(workspace=workspace, source=PlacementSource.GENERATOR).order_by(
        "starts_at", "pk"
    )
    target = planned.filter(item=items["anc_video"], account=accounts["douyin"]).first() or planned.first()
    locked = placement_lock(workspace=workspace, actor=None, placement=target) if target is not None else None
    return manual, run, locked


def seed_content(
    workspace: Any, users: dict[str, Any], accounts: dict[str, Any], calendar: DemoCalendar
) -> DemoContent:
    """Seed the content operation (call inside demo_seed's transaction, after accounts and metrics)."""
    anchor = content_anchor(calendar.today)
    plan_start, plan_end = anchor + dt.timedelta(days=1), anchor + dt.timedelta(days=PLAN_DAYS)

    themes = _seed_themes(workspace, accounts)
    _seed_rules(workspace, users, accounts)
    assets = _seed_media(workspace)
    imports = _seed_history(workspace, accounts, calendar)

    # The second festival's lead window opens after the plan ends: its items wait in the backlog.
    festival, festival2 = _festivals(
        workspace, users["admin"], anchor, plan_end + dt.timedelta(days=LINK_LEAD_DAYS)
    )
    entries = _seed_entries(workspace, anchor)
    hot_topic, brand_event = entries["hot_topic"], entries["brand_event"]
    live1 = dt.datetime.combine(_live_day(anchor), dt.time(20, 0))
    live2 = dt.datetime.combine(brand_event.start_date, dt.time(20, 0))
    festival_day = festival.start if festival is not None else anchor + dt.timedelta(days=20)
    festival2_day = festival2.start if festival2 is not None else anchor + dt.timedelta(days=40)
    dates = {
        "anchor": anchor,
        "festival": festival_day,
        "festival2": festival2_day,
        "hot_end": hot_topic.end_date,
        "event_start": brand_event.start_date,
        "event_end": brand_event.end_date,
        "live1": live1.date(),
        "live2": live2.date(),
    }
    links = {"hot": f"entry:{hot_topic.pk}", "event": f"entry:{brand_event.pk}"}
    if festival is not None:
        links["festival"] = festival.key
    if festival2 is not None:
        links["festival2"] = festival2.key
    context = {
        "festival": _festival_name(festival) if festival is not None else "节日",
        "festival_date": _md(festival_day),
        "festival2": _festival_name(festival2) if festival2 is not None else "年末",
        "festival2_date": _md(festival2_day),
        "event_dates": _span(brand_event.start_date, brand_event.end_date),
        **{f"img_{key}": str(asset.pk) for key, asset in assets.items()},
    }
    items, variants = _seed_items(
        workspace, users, accounts, themes, assets, context, dates, links, {"live1": live1, "live2": live2}
    )

    manual, run, locked = _seed_plan(workspace, accounts, items, hot_topic, plan_start, plan_end)
    return DemoContent(
        anchor=anchor,
        plan_start=plan_start,
        plan_end=plan_end,
        themes=themes,
        assets=assets,
        items=items,
        variants=variants,
        festival=festival,
        later_festival=festival2,
        hot_topic=hot_topic,
        brand_event=brand_event,
        imports=imports,
        plan_run=run,
        placements=Placement.objects.filter(workspace=workspace).count(),
        manual=manual,
        locked=locked,
    )
