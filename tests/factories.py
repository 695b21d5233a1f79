"""The one place that builds test data (issue 9): every test module takes its rows from here.

Two kinds of builders:

* factory-boy factories (``*Factory``) for plain rows whose creation has no side effects worth
  exercising: accounts written directly, metric snapshots, imported post records. Use them where a
  test wants a row without the audit entry or checks a service would add.
* ``make_*`` functions (and a few named builders) that go through the product's services (audit,
  checks, revisions), for rows whose side effects the tests rely on: users, workspaces, members,
  the review team, accounts, personas, themes, items, short posts, backlogs, approved items,
  calendar entries, check-list terms, imported posts, goals, strategies, platform connections,
  sandbox accounts, publications.

Files a test uploads (images, MP4s) and CSV bytes are built here too. Defaults are the data most
tests want ("acme_official" on Weibo, an evergreen article, …); a test passes what it relies on.
Service modules that the issue-9 split moves are imported once, below.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import struct
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory
from PIL import Image

from socialops.accounts import services as account_services
from socialops.accounts.models import Persona, Platform, SocialAccount
from socialops.analytics.models import ColumnMapping, PostRecord
from socialops.analytics.services import column_mapping_create, posts_import
from socialops.content.models import ContentItem, MediaAsset, Theme
from socialops.content.services import calendar as calendar_services
from socialops.content.services import media as media_services

# The content services were split by sub-entity (issue 9); these two lines are the only imports
# of them in the tests' builders.
from socialops.content.services.items import content_item_create
from socialops.content.services.themes import theme_create
from socialops.fans.models import Fan, Interaction, InteractionKind, InteractionSource, OrderLine, Person
from socialops.goals.models import Goal, MetricSnapshot, Strategy
from socialops.goals.services import goals as goal_services
from socialops.platforms import credentials as creds
from socialops.platforms.models import PlatformConnection
from socialops.platforms.services.connections import connection_save
from socialops.platforms.services.sandbox import sandbox_connect
from socialops.publishing import services as publishing_services
from socialops.publishing.models import Publication
from socialops.review.services import terms as term_services
from socialops.workspaces import services as ws_services
from socialops.workspaces.models import Membership, Workspace
from socialops.workspaces.roles import Role

PASSWORD = "s3cret-pass-word"
WEBHOOK_SECRET = "whsec_0123456789abcdef"
MASTODON_TOKEN = "tok_mastodon_SECRET_value_1234"
ITEM_BODY = "# 标题\n\n正文"
CLEAN_BODY = "今天发布新品，欢迎体验。"


def _title(handle: str) -> str:
    return handle.replace("_", " ").title()


# ---- plain rows (factory-boy) -----------------------------------------------------------------


class SocialAccountFactory(DjangoModelFactory):
    """An account row written directly (no audit): for tests of apps other than accounts."""

    class Meta:
        model = SocialAccount

    platform = Platform.WEIBO
    handle = factory.Sequence(lambda n: f"account{n}")
    display_name = factory.LazyAttribute(lambda o: _title(o.handle))


class MetricSnapshotFactory(DjangoModelFactory):
    """One day's figures of an account (pass the figures as keyword arguments)."""

    class Meta:
        model = MetricSnapshot

    account = factory.SubFactory(SocialAccountFactory)
    workspace = factory.LazyAttribute(lambda o: o.account.workspace)
    date = dt.date(2024, 3, 1)


class PostRecordFactory(DjangoModelFactory):
    """A post as an analytics import would have written it."""

    class Meta:
        model = PostRecord

    account = factory.SubFactory(SocialAccountFactory)
    workspace = factory.LazyAttribute(lambda o: o.account.workspace)
    external_id = factory.Sequence(lambda n: f"p{n}")
    weekday = 0
    hour = 9


def account_row(
    workspace: Workspace, handle: str, platform: str = Platform.WEIBO, **extra: Any
) -> SocialAccount:
    """An account written directly (no audit); the accounts app's services have their own tests."""
    return SocialAccountFactory(workspace=workspace, handle=handle, platform=platform, **extra)


def snapshot(
    workspace: Workspace, account: SocialAccount, day: dt.date | str, **figures: Any
) -> MetricSnapshot:
    """One MetricSnapshot row; ``day`` may be an ISO date string."""
    date = dt.date.fromisoformat(day) if isinstance(day, str) else day
    return MetricSnapshotFactory(workspace=workspace, account=account, date=date, **figures)


def days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def fill(
    account: SocialAccount, start: dt.date, end: dt.date, values: Callable[[dt.date], dict[str, Any]]
) -> None:
    """One snapshot per day of [start, end] with the figures values(day) returns."""
    MetricSnapshot.objects.bulk_create(
        [
            MetricSnapshotFactory.build(
                workspace_id=account.workspace_id, account=account, date=d, **values(d)
            )
            for d in days(start, end)
        ]
    )


def post_records(account: SocialAccount, rows: Iterable[tuple[int, int, int | None, int | None]]) -> None:
    """(weekday, hour, engagements, reach) rows written directly, as p0, p1, … ."""
    PostRecord.objects.bulk_create(
        PostRecordFactory.build(
            workspace=account.workspace,
            account=account,
            external_id=f"p{n}",
            weekday=w,
            hour=h,
            engagements=e,
            reach=r,
        )
        for n, (w, h, e, r) in enumerate(rows)
    )


def csv_bytes(rows: list[dict[str, str]]) -> bytes:
    """A UTF-8 CSV with the first row's keys as its header."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def import_posts(workspace: Workspace, account: SocialAccount, posts: list[tuple[str, str, str]]) -> Any:
    """Import (id, published at, text) rows through a saved mapping, as a user's export would come in."""
    name = f"texts-{account.handle}"
    existing = ColumnMapping.objects.filter(workspace=workspace, name=name).first()
    mapping = existing or column_mapping_create(
        workspace=workspace,
        actor=None,
        name=name,
        columns={"external_id": "id", "published_at": "发布时间", "text": "正文", "likes": "点赞"},
        options={"delimiter": ",", "engagements_from": "sum"},
    )
    content = csv_bytes([{"id": i, "发布时间": when, "正文": text, "点赞": "3"} for i, when, text in posts])
    return import_post_file(workspace, account, mapping, content)


def import_post_file(
    workspace: Workspace,
    account: SocialAccount,
    mapping: ColumnMapping,
    content: bytes,
    file_name: str = "posts.csv",
) -> Any:
    """Import a posts export file (e.g. the Facebook data set) through the analytics services."""
    return posts_import(
        workspace=workspace,
        actor=None,
        account=account,
        mapping=mapping,
        file_name=file_name,
        content=content,
    )


# ---- people and workspaces (services) ---------------------------------------------------------


def make_user(username: str, password: str = PASSWORD) -> Any:
    return ws_services.user_create(actor=None, username=username, password=password)


def make_workspace(name: str = "Acme 科技", slug: str = "acme") -> Workspace:
    return ws_services.workspace_create(actor=None, name=name, slug=slug)


def add_member(workspace: Workspace, user: Any, role: str = Role.ADMIN) -> Membership:
    return ws_services.membership_add(workspace=workspace, actor=None, user=user, role=role)


@dataclass
class Team:
    """A workspace's people: a writer, three reviewers (one a subject expert), an admin, an analyst."""

    writer: Any
    editor: Any
    legal: Any
    expert: Any
    admin: Any
    analyst: Any


def make_team(workspace: Workspace, member: Callable[..., Any]) -> Team:
    """The review team, made with the ``member`` fixture; "expert" is the subject expert."""
    admin = member(Role.ADMIN, username="boss")
    team = Team(
        writer=member(Role.OPERATOR, username="writer"),
        editor=member(Role.REVIEWER, username="editor"),
        legal=member(Role.REVIEWER, username="legal"),
        expert=member(Role.REVIEWER, username="expert"),
        admin=admin,
        analyst=member(Role.ANALYST, username="analyst"),
    )
    membership = Membership.objects.get(workspace=workspace, user=team.expert)
    ws_services.membership_update(
        workspace=workspace, actor=admin, membership=membership, role=Role.REVIEWER, is_subject_expert=True
    )
    return team


# ---- accounts (services) ----------------------------------------------------------------------


def make_account(
    workspace: Workspace,
    handle: str = "acme_official",
    platform: str = Platform.WEIBO,
    *,
    competitor: bool = False,
    **kwargs: Any,
) -> SocialAccount:
    """An account through accounts.services (audited); display name "Acme Official" from the handle."""
    kwargs.setdefault("display_name", _title(handle))
    kwargs.setdefault("is_competitor", competitor)
    return account_services.account_create(
        workspace=workspace, actor=None, handle=handle, platform=platform, **kwargs
    )


def make_persona(
    workspace: Workspace, account: SocialAccount, name: str = "白领妈妈", **kwargs: Any
) -> Persona:
    kwargs.setdefault("age_band", "25-30")
    return account_services.persona_create(
        workspace=workspace, actor=None, account=account, name=name, **kwargs
    )


# ---- content (services) -----------------------------------------------------------------------

THEMES = ("行业动态", "产品介绍", "用户故事", "专家观点", "实用技巧")
THEME_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd")


def make_theme(workspace: Workspace, name: str = "行业动态", *, expert: bool = False, **kwargs: Any) -> Theme:
    kwargs.setdefault("needs_expert_review", expert)
    return theme_create(workspace=workspace, actor=None, name=name, **kwargs)


def make_themes(workspace: Workspace, names: tuple[str, ...] = THEMES) -> list[Theme]:
    """One theme per name, coloured in turn."""
    return [make_theme(workspace, n, color=THEME_COLOURS[i % 5]) for i, n in enumerate(names)]


def make_item(
    workspace: Workspace,
    theme: Theme | None = None,
    title: str = "新品发布",
    *,
    actor: Any = None,
    **kwargs: Any,
) -> ContentItem:
    """An evergreen article through the content services (checks run, a revision is recorded).

    Without a theme, a new theme "产品介绍" is made; a deadline makes the item not evergreen.
    """
    if theme is None:
        theme = make_theme(workspace, "产品介绍")
    fields: dict[str, Any] = {"form": "article", "body": ITEM_BODY, "evergreen": "deadline" not in kwargs}
    fields.update(kwargs)
    return content_item_create(workspace=workspace, actor=actor, title=title, theme=theme, **fields)


def make_post(
    workspace: Workspace, author: Any, theme: Theme, body: str = CLEAN_BODY, title: str = "新品发布"
) -> ContentItem:
    """A short post written by ``author`` (the review workflow's unit of work)."""
    return make_item(workspace, theme, title, actor=author, form="short_post", body=body)


def make_backlog(
    workspace: Workspace, themes: list[Theme], per_theme: int, accounts: Any = ()
) -> list[ContentItem]:
    """per_theme evergreen items of each theme, forms alternating, meant for ``accounts``."""
    forms = ("article", "short_post", "qa")
    return [
        make_item(
            workspace,
            theme,
            f"{theme.name} {n + 1}",
            body="正文",
            form=forms[(n + t) % 3],
            accounts=list(accounts),
        )
        for t, theme in enumerate(themes)
        for n in range(per_theme)
    ]


def approved_item(workspace: Workspace, title: str, body: str | None = None) -> ContentItem:
    """An item already approved (the review workflow's own tests cover approval)."""
    theme = make_theme(workspace, name=f"主题{ContentItem.objects.count()}")
    item = make_item(workspace, theme, title=title, body=body or f"{title} 的正文", digest="")
    ContentItem.objects.filter(pk=item.pk).update(status="approved")
    item.refresh_from_db()
    return item


def make_calendar_entry(
    workspace: Workspace,
    name: str,
    start: dt.date,
    end: dt.date | None = None,
    kind: str = "hot_topic",
    **kwargs: Any,
) -> Any:
    """A marketing-calendar entry (hot topic unless ``kind`` says otherwise) from start to end (or one day)."""
    return calendar_services.calendar_entry_create(
        workspace=workspace,
        actor=None,
        kind=kind,
        name=name,
        start_date=start,
        end_date=end or start,
        **kwargs,
    )


def image_bytes(
    width: int = 400,
    height: int = 300,
    fmt: str = "PNG",
    color: tuple[int, ...] = (200, 30, 30),
    mode: str = "RGB",
) -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height), color).save(out, fmt)
    return out.getvalue()


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def _mvhd(timescale: int, duration: int, version: int = 0) -> bytes:
    if version == 1:
        head = struct.pack(">B3xQQIQ", 1, 0, 0, timescale, duration)
    else:
        head = struct.pack(">B3xIIII", 0, 0, 0, timescale, duration)
    # rate, volume, reserved, matrix, pre-defined, next track id: the fixed rest of the box.
    rest = struct.pack(">IH10x", 0x00010000, 0x0100) + b"\x00" * 36 + b"\x00" * 24 + struct.pack(">I", 2)
    return _box(b"mvhd", head + rest)


def _tkhd(width: int, height: int) -> bytes:
    payload = struct.pack(">B3xIIII", 0, 0, 0, 1, 0)  # version/flags, created, modified, track id, reserved
    payload += struct.pack(">I8xHHHH", 0, 0, 0, 0, 0)  # duration, reserved, layer, group, volume, reserved
    payload += b"\x00" * 36  # matrix
    payload += struct.pack(">II", width << 16, height << 16)
    return _box(b"tkhd", payload)


def _trak(handler: bytes, width: int, height: int) -> bytes:
    hdlr = _box(b"hdlr", struct.pack(">I4s4s12x", 0, b"\x00\x00\x00\x00", handler) + b"\x00")
    return _box(b"trak", _tkhd(width, height) + _box(b"mdia", hdlr))


def mp4_bytes(
    *,
    seconds: float = 12.5,
    timescale: int = 1000,
    width: int = 1280,
    height: int = 720,
    brand: bytes = b"isom",
    mvhd_version: int = 0,
    with_audio: bool = True,
    moov: bool = True,
    mdat_size: int = 64,
) -> bytes:
    """A small but well-formed MP4: ftyp, moov (mvhd + an audio and a video track), mdat."""
    ftyp = _box(b"ftyp", brand + struct.pack(">I", 0x200) + brand + b"mp41")
    tracks = (_trak(b"soun", 0, 0) if with_audio else b"") + _trak(b"vide", width, height)
    moov_box = (
        _box(b"moov", _mvhd(timescale, int(seconds * timescale), mvhd_version) + tracks) if moov else b""
    )
    mdat = _box(b"mdat", b"\x00" * mdat_size)
    return ftyp + moov_box + mdat


def upload(workspace: Workspace, content: bytes, name: str = "photo.png", actor: Any = None) -> MediaAsset:
    return media_services.media_asset_upload(
        workspace=workspace, actor=actor, file_name=name, content=content
    ).asset


def tomorrow() -> dt.date:
    return dt.date.today() + dt.timedelta(days=1)


def check_objects(workspace: Workspace, other_workspace: Workspace) -> dict[str, Any]:
    """One object of each check list kind (ad-law entry, sensitive list and term, brand term, banned
    term) and an item, in ``workspace`` and (keys prefixed "foreign_") in ``other_workspace``."""
    out: dict[str, Any] = {}
    for ws, prefix in ((workspace, ""), (other_workspace, "foreign_")):
        out[prefix + "entry"] = term_services.adlaw_entry_create(
            workspace=ws, actor=None, kind="extra", term="神品"
        )
        lst = term_services.sensitive_list_create(workspace=ws, actor=None, name="竞品", severity="warn")
        out[prefix + "list"] = lst
        out[prefix + "term"] = term_services.sensitive_term_create(
            workspace=ws, actor=None, sensitive_list=lst, term="某品牌"
        )
        out[prefix + "brand"] = term_services.brand_term_create(
            workspace=ws, actor=None, preferred="星曜 X1 Pro"
        )
        out[prefix + "banned"] = term_services.banned_term_create(workspace=ws, actor=None, term="绝绝子")
        out[prefix + "item"] = make_item(ws, body="全网最低价！")
    return out


# ---- goals (services) -------------------------------------------------------------------------


def make_goal(workspace: Workspace, **overrides: Any) -> Goal:
    """3,100 new followers in March 2024 unless overridden."""
    fields: dict[str, Any] = {
        "kind": "growth",
        "name": "3,100 new followers in March",
        "metric": "new_followers",
        "baseline": 0,
        "target": 3100,
        "period_start": dt.date(2024, 3, 1),
        "period_end": dt.date(2024, 3, 31),
    }
    fields.update(overrides)
    return goal_services.goal_create(workspace=workspace, actor=None, **fields)


def make_strategy(workspace: Workspace, goals: list[Goal], **overrides: Any) -> Strategy:
    """A Weibo lucky draw from 1 to 20 March 2024 unless overridden."""
    fields: dict[str, Any] = {
        "kind": "interactive",
        "name": "Weibo lucky draw",
        "start_date": dt.date(2024, 3, 1),
        "end_date": dt.date(2024, 3, 20),
    }
    fields.update(overrides)
    return goal_services.strategy_create(workspace=workspace, actor=None, goals=goals, **fields)


# ---- platform connections (services) ----------------------------------------------------------


def connect(account: SocialAccount, kind: str = "manual", **kwargs: Any) -> PlatformConnection:
    """Connect ``account`` through the platforms services, with working defaults per kind."""
    defaults: dict[str, Any] = {}
    if kind == "webhook":
        defaults = {"base_url": "https://hooks.example.com/socialops", "signing_secret": WEBHOOK_SECRET}
    elif kind in ("mastodon", "sandbox"):
        defaults = {"base_url": "https://mastodon.example", "access_token": MASTODON_TOKEN}
    defaults.update(kwargs)
    return connection_save(workspace=account.workspace, actor=None, account=account, kind=kind, **defaults)


def wechat_push_connection(
    workspace: Workspace, handle: str, *, token: str, aes_key: str, app_id: str
) -> PlatformConnection:
    """A 公众号 connection holding the push token and AES key (row written directly)."""
    account = make_account(workspace, handle, "wechat_mp", display_name=handle.title())
    credentials = creds.Credentials(client_id=app_id, signing_secret=token, encoding_aes_key=aes_key)
    return PlatformConnection.objects.create(
        workspace=account.workspace, account=account, kind="wechat_mp", credentials=creds.encrypt(credentials)
    )


def sandbox_connection(
    workspace: Workspace, sandbox: Any, handle: str = "acme", actor: Any = None
) -> PlatformConnection:
    """A Mastodon account ``handle`` connected to the running sandbox; returns the connection."""
    account = make_account(workspace, handle, "mastodon")
    return sandbox_connect(workspace=workspace, actor=actor, account=account, base_url=sandbox.url)


def sandbox_account(workspace: Workspace, sandbox: Any, handle: str) -> SocialAccount:
    """A Mastodon account connected to the running sandbox."""
    account = sandbox_connection(workspace, sandbox, handle).account
    account.refresh_from_db()
    return account


def make_publication(
    workspace: Workspace, item: ContentItem, account: SocialAccount, due_at: dt.datetime | None = None
) -> Publication:
    """``item`` scheduled on ``account`` through the publishing services, due now unless ``due_at``."""
    return publishing_services.publication_schedule(
        workspace=workspace, actor=None, item=item, account=account, due_at=due_at or timezone.now()
    )


# --- fans (issue 11): people, fans, interactions and order lines written directly -----------


def make_person(workspace: Workspace, name: str = "小王", **fields: Any) -> Person:
    """A person with no fans yet (fields override the scores and keys)."""
    return Person.objects.create(workspace=workspace, display_name=name, **fields)


def make_fan(
    account: SocialAccount, external_id: str = "openid-1", *, person: Person | None = None, **fields: Any
) -> Fan:
    """A fan of ``account``; a new person is made for it unless one is given."""
    if person is None:
        person = make_person(account.workspace, fields.get("display_name", "") or external_id)
    return Fan.objects.create(
        workspace=account.workspace, account=account, person=person, external_id=external_id, **fields
    )


def make_interaction(
    fan: Fan,
    kind: str = InteractionKind.COMMENT,
    *,
    when: dt.datetime | None = None,
    text: str = "",
    **fields: Any,
) -> Interaction:
    """An interaction of a fan on its account (source: a platform pull)."""
    return Interaction.objects.create(
        workspace=fan.workspace,
        person=fan.person,
        fan=fan,
        account=fan.account,
        kind=kind,
        occurred_at=when or timezone.now(),
        text=text,
        source=fields.pop("source", InteractionSource.PULL),
        **fields,
    )


def make_order_line(
    workspace: Workspace,
    person: Person | None,
    amount: str | float = "100.00",
    *,
    when: dt.datetime | None = None,
    order_id: str = "",
    **fields: Any,
) -> OrderLine:
    """One order line of ``person`` (None: an anonymous sale)."""
    seq = OrderLine.objects.filter(workspace=workspace).count() + 1
    return OrderLine.objects.create(
        workspace=workspace,
        person=person,
        customer_id=person.customer_id if person else "",
        order_id=order_id or f"O{seq:06d}",
        line_key=fields.pop("line_key", f"line-{seq}"),
        ordered_at=when or timezone.now(),
        amount=Decimal(str(amount)),
        **fields,
    )


# --- groups ---

GROUP_BOT_TOKEN = "7100200300:AAGroupSandboxBotToken_x1"


def telegram_group(
    workspace: Workspace,
    sandbox: Any,
    *,
    title: str = "Acme 官方交流群",
    members: int = 6,
    handle: str = "acme_group",
) -> Any:
    """A Telegram supergroup on the running sandbox, its account connected with the bot, and our Group."""
    from socialops.community.services.groups import group_create
    from socialops.platforms.sandbox import SandboxAdmin

    with SandboxAdmin(sandbox.url) as admin:
        chat_id = admin.telegram_group(bot_token=GROUP_BOT_TOKEN, title=title, members=members)
    account = make_account(workspace, handle, Platform.TELEGRAM, display_name=title)
    connection = connect(account, "telegram", access_token=GROUP_BOT_TOKEN, client_id=str(chat_id))
    # The connection form has no URL for Telegram; the sandbox plays api.telegram.org here.
    PlatformConnection.objects.filter(pk=connection.pk).update(base_url=sandbox.url)
    account.refresh_from_db()
    return group_create(workspace=workspace, actor=None, kind="telegram", name=title, account=account)


# --- draws ---


def make_draw(workspace: Workspace, name: str = "新品抽奖", **fields: Any) -> Any:
    """An open lucky draw (keyword 抽奖 unless other rules are given), closing in a day."""
    from socialops.engagement.services.draws import draw_create

    rules = {"keyword", "require_follow", "poll_id", "segment"}
    defaults: dict[str, Any] = {
        "prize": "星曜耳机一副",
        "winners_count": 2,
        "closes_at": timezone.now() + dt.timedelta(days=1),
    }
    if not rules & set(fields):
        defaults["keyword"] = "抽奖"
    return draw_create(workspace=workspace, actor=None, name=name, **{**defaults, **fields})


# --- campaigns ---


def make_campaign(workspace: Workspace, **overrides: Any) -> Any:
    """A campaign from 1 to 20 March 2024 through the campaign services (audited) unless overridden."""
    from socialops.engagement.services.campaigns import campaign_create

    fields: dict[str, Any] = {
        "name": "星曜新品周",
        "start_date": dt.date(2024, 3, 1),
        "end_date": dt.date(2024, 3, 20),
    }
    fields.update(overrides)
    return campaign_create(workspace=workspace, actor=None, **fields)


def make_topic(workspace: Workspace, **overrides: Any) -> Any:
    """A topic with a Weibo and a Mastodon tag through the campaign services unless overridden."""
    from socialops.engagement.services.campaigns import topic_create

    fields: dict[str, Any] = {"name": "星曜新品", "tags": {"weibo": "#星曜新品#", "mastodon": "#starlight"}}
    fields.update(overrides)
    return topic_create(workspace=workspace, actor=None, **fields)


# --- events ---


def make_event(workspace: Workspace, title: str = "用户交流会", *, capacity: int = 2, **fields: Any) -> Any:
    """A published offline event starting in three days (fields override)."""
    from socialops.community.services.events import event_create

    start = fields.pop("starts_at", timezone.now() + dt.timedelta(days=3))
    defaults: dict[str, Any] = {
        "kind": "offline",
        "venue": "上海市徐汇区 88 号",
        "starts_at": start,
        "ends_at": start + dt.timedelta(hours=2),
        "capacity": capacity,
    }
    return event_create(workspace=workspace, actor=None, title=title, **{**defaults, **fields})


def make_registration(event: Any, n: int = 1, *, email: str = "", name: str = "") -> Any:
    """Register the n-th made-up mobile number (1380013000n) for ``event``."""
    from socialops.community.services.events import registration_create

    row, _created = registration_create(
        event=event, name=name or f"报名者{n}", phone=f"1380013{n:04d}", email=email
    )
    return row


def make_ticket(workspace: Workspace, title: str = "积分没有到账", **fields: Any) -> Any:
    """A ticket entered by the system (fields: category, priority, now, …)."""
    from socialops.community.services.tickets import ticket_create

    return ticket_create(workspace=workspace, actor=None, title=title, **fields)


# --- polls ---


def make_poll(
    workspace: Workspace, *, title: str = "新品口味投票", open_it: bool = True, **fields: Any
) -> Any:
    """A poll with a single-choice question (keywords 1/2/3), a multiple-choice, a 1–5 scale and a free-text question."""
    from socialops.engagement.services import polls as poll_services

    poll = poll_services.poll_create(workspace=workspace, actor=None, title=title, **fields)
    poll_services.question_create(
        workspace=workspace,
        actor=None,
        poll=poll,
        kind="single",
        text="你最喜欢哪个口味？",
        choices=[("抹茶", "1"), ("草莓", "2"), ("芝士", "3")],
    )
    poll_services.question_create(
        workspace=workspace,
        actor=None,
        poll=poll,
        kind="multiple",
        text="你在哪里买？",
        required=False,
        choices=[("门店", ""), ("小程序", ""), ("外卖", "")],
    )
    poll_services.question_create(
        workspace=workspace, actor=None, poll=poll, kind="scale", text="整体满意度", scale_min=1, scale_max=5
    )
    poll_services.question_create(
        workspace=workspace, actor=None, poll=poll, kind="text", text="还有什么建议？", required=False
    )
    if open_it:
        poll = poll_services.poll_set_status(workspace=workspace, actor=None, poll=poll, status="open")
    return poll
