"""The demo's fans: 5,000 platform identities of our four accounts, a year of what they did, their orders and what the team does for them.

What 星曜科技's team would have in the fans part of the product after a year of use:

- people and fans, written in bulk: nicknames drawn from syllable lists, some people with two or
  three identities (one WeChat unionid or one shop customer id), follows spread over the year,
  the 公众号's follower tags;
- interactions with a realistic skew (a few core fans very active, many dormant), their texts the
  short reviews of the shared Chinese corpora (``../shared/data/zh/``, or a built-in list when it
  is missing) and a few product questions, comments pointing at the imported posts;
- orders: the shared shop file (``online_retail_sample_20k.csv``) with its customers mapped onto
  the demo's people and its dates moved so its last day is yesterday, amounts in yuan at a fixed
  rate (data/fans.toml); a small generated history when the file is missing;
- then, through the fans services: the default tier ladder and two saved segments, a refresh as
  of five to six weeks ago, the coupon 「满299减30」 handed out by the core-fan playbook, its redemptions
  over the last weeks, the value model, interests, today's refresh, a scheduled playbook for
  dormant fans, and 90 days of tier sizes for the ladder chart.

The redemptions feed the 公众号's conversion figures (fans.services.conversions rewrites the
account-days it touches). The demo plans them from the 公众号's generated figures (metrics.py)
so that each rewritten day holds exactly the generated numbers: the day's coupon redemptions
are this campaign's, and the day's other orders are written as order lines credited to the
account. The conversion goal therefore counts the redemptions and the metrics checksum holds.

Like the rest of the demo, everything is drawn from the fixed seed and dated relative to
``today``: two seeds on the same day hold the same people, interactions, orders and tiers.
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import hashlib
import importlib
import math
import os
import random
import time
import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from socialops.analytics.models import PostRecord
from socialops.fans.models import (
    Coupon,
    CouponCampaign,
    Fan,
    Interaction,
    InteractionKind,
    InteractionSource,
    OrderLine,
    Person,
    PlaybookAction,
    PlaybookRun,
    PlaybookTrigger,
    Redemption,
    RedemptionSource,
    Segment,
    SegmentDailySize,
    SegmentKind,
)
from socialops.fans.services.coupons import campaign_create, coupon_redeem
from socialops.fans.services.playbooks import playbook_create, playbook_run
from socialops.fans.services.segments import default_ladder_ensure, segment_create, segments_refresh
from socialops.fans.services.value import value_model_fit

from .dates import DemoCalendar, demo_today
from .metrics import generate_metrics, noise
from .specs import DEMO_TIMEZONE, OUR_ACCOUNTS, SEED, STRATEGIES, load

TZ = zoneinfo.ZoneInfo(DEMO_TIMEZONE)
DATA = load("fans")
# The shared data sets beside the checkout (as CI lays them out), or where $SOCIALOPS_SHARED_DATA says.
SHARED_DATA_ENV = "SOCIALOPS_SHARED_DATA"
RETAIL_FILE = "online_retail_sample_20k.csv"
REVIEW_FILES = ("zh/waimai_10k.csv", "zh/ChnSentiCorp_htl_all.csv")
GBP_TO_CNY = Decimal(DATA["gbp_to_cny"])
CENT = Decimal("0.01")
YEAR_DAYS = 365
BATCH = 2000

# When people comment, message and follow (local hour → weight): lunch and the evening.
HOUR_WEIGHTS = {
    0: 2, 1: 1, 7: 3, 8: 4, 9: 3, 10: 3, 11: 3, 12: 6, 13: 5, 14: 3, 15: 3, 16: 3,
    17: 4, 18: 5, 19: 7, 20: 9, 21: 10, 22: 8, 23: 4,
}  # fmt: skip
HOURS, HOUR_W = list(HOUR_WEIGHTS), list(HOUR_WEIGHTS.values())


def shared_data_dir() -> Path:
    """Where the shared data sets are: $SOCIALOPS_SHARED_DATA, else ``shared/data`` beside the checkout."""
    env = os.environ.get(SHARED_DATA_ENV)
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[4] / "shared" / "data"


# ---- texts and names --------------------------------------------------------------------------------


@cache
def _corpus_texts(folder: str) -> tuple[str, ...]:
    """Short product-neutral reviews of the shared corpora (none when the files are missing), sorted."""
    texts: set[str] = set()
    cfg = DATA["texts"]
    for name in REVIEW_FILES:
        path = Path(folder) / name
        if not path.exists():
            continue
        with path.open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                text = (row.get("review") or "").strip()
                if not 4 <= len(text) <= cfg["max_length"]:
                    continue
                if any(w in text for w in cfg["off_topic"]) or not any(w in text for w in cfg["on_topic"]):
                    continue
                texts.add(text)
    return tuple(sorted(texts))


def comment_texts() -> tuple[str, ...]:
    """What people write under posts: the corpora's short reviews and the built-in phrases."""
    return _corpus_texts(str(shared_data_dir())) + tuple(DATA["texts"]["fallback"])


def nickname(rng: random.Random) -> str:
    """A plausible Chinese platform nickname."""
    names = DATA["names"]
    draw = rng.random()
    if draw < 0.4:
        return rng.choice(names["adjectives"]) + rng.choice(names["nouns"])
    if draw < 0.6:
        return (
            rng.choice(("小", "阿", "大")) + rng.choice(names["syllables"]) + rng.choice(("", "", "呀", "酱"))
        )
    if draw < 0.8:
        return rng.choice(names["nouns"]) + str(rng.randrange(1, 9999))
    if draw < 0.9:
        s = rng.choice(names["syllables"])
        return s + s + rng.choice(("", "子", "不吃香菜"))
    return rng.choice(names["latin"]) + rng.choice(("", "_", "·")) + rng.choice(names["syllables"])


def _token(rng: random.Random, length: int, alphabet: str) -> str:
    return "".join(rng.choice(alphabet) for _ in range(length))


B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
HEX = "0123456789abcdef"


def platform_user_id(rng: random.Random, key: str) -> str:
    """A platform's id for a follower, in that platform's shape (openid, uid, open_id, user id)."""
    if key == "wechat":
        return "o" + _token(rng, 27, B64)
    if key == "weibo":
        return str(rng.randrange(1_000_000_000, 7_999_999_999))
    if key == "douyin":
        return "_000" + _token(rng, 32, B64)
    return _token(rng, 24, HEX)


# ---- the plan: people, fans, interactions (no database) ---------------------------------------------


@dataclass
class FanPlan:
    """One platform identity of a planned person."""

    account: str
    external_id: str
    handle: str
    display_name: str
    union_id: str = ""
    tags: list[str] = field(default_factory=list)
    followed_at: dt.datetime | None = None
    unfollowed_at: dt.datetime | None = None
    last_seen_at: dt.datetime | None = None


@dataclass
class InteractionPlan:
    """One thing a planned person did."""

    fan: int  # index into the person's fans
    kind: str
    at: dt.datetime
    text: str = ""
    external_id: str = ""
    post: str = ""
    source: str = InteractionSource.PULL


@dataclass
class PersonPlan:
    """A planned person, their identities and what they did."""

    name: str
    kind: str  # the activity class of data/fans.toml
    fans: list[FanPlan] = field(default_factory=list)
    union_id: str = ""
    customer_id: str = ""
    interactions: list[InteractionPlan] = field(default_factory=list)
    wants_orders: bool = False


@dataclass
class LinePlan:
    """One order line before it is written (person by plan index, or anonymous)."""

    order_id: str
    line_key: str
    person: int | None
    customer_id: str
    at: dt.datetime
    quantity: Decimal
    unit_price: Decimal | None
    amount: Decimal
    product: str
    category: str = ""
    is_cancellation: bool = False


def local(day: dt.date, hour: int, minute: int = 0, second: int = 0) -> dt.datetime:
    """A local time of the demo's time zone."""
    return dt.datetime.combine(day, dt.time(hour, minute, second), tzinfo=TZ)


def _moment(rng: random.Random, day: dt.date) -> dt.datetime:
    return local(day, rng.choices(HOURS, HOUR_W)[0], rng.randrange(60), rng.randrange(60))


def _poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _weighted(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), list(weights.values()))[0]


def plan_people(today: dt.date, posts: dict[str, list[tuple[dt.datetime, str]]]) -> list[PersonPlan]:
    """The fans' people and everything they did over the year before ``today`` (deterministic).

    ``posts`` are our published posts per account key (time, platform id), for comments to point at.
    """
    rng = random.Random(f"{SEED}:fans:{today.isoformat()}")
    year_start = today - dt.timedelta(days=YEAR_DAYS)
    yesterday = today - dt.timedelta(days=1)
    classes = {c["key"]: c for c in DATA["classes"]}
    class_weights = {k: c["share"] for k, c in classes.items()}
    identities = [(n, w) for n, w in DATA["identities"]]
    kinds = dict(DATA["kinds"])
    texts = comment_texts()
    cfg_texts = DATA["texts"]
    tags_cfg = DATA["wechat_tags"]
    post_times = {k: [t for t, _ in v] for k, v in posts.items()}
    counters: dict[str, int] = defaultdict(int)

    people: list[PersonPlan] = []
    remaining = DATA["fans"]
    while remaining > 0:
        count = min(remaining, rng.choices([n for n, _ in identities], [w for _, w in identities])[0])
        remaining -= count
        keys: list[str] = []
        while len(keys) < count:
            key = _weighted(rng, DATA["account_weights"])
            if key not in keys:
                keys.append(key)
        kind = _weighted(rng, class_weights)
        name = nickname(rng)
        person = PersonPlan(name=name, kind=kind)
        cls = classes[kind]
        # When their activity ends (days before today) and how often they act while active.
        end_day = yesterday - dt.timedelta(days=rng.randint(*cls["ends"]))
        per_week = rng.uniform(*cls["per_week"])
        before = rng.random() < (0.7 if kind == "silent" else DATA["followed_before_share"])
        for key in keys:
            handle = name if rng.random() < 0.7 else nickname(rng)
            fan = FanPlan(
                account=key, external_id=platform_user_id(rng, key), handle=handle, display_name=handle
            )
            if before:
                fan.followed_at = _moment(rng, year_start - dt.timedelta(days=rng.randint(1, 900)))
            else:
                latest = max(year_start, end_day - dt.timedelta(days=7))
                span = max(0, (latest - year_start).days)
                fan.followed_at = _moment(rng, year_start + dt.timedelta(days=rng.randint(0, span)))
            if key == "wechat":
                if rng.random() < DATA["unionid_share"]:
                    fan.union_id = "o" + _token(rng, 27, B64)
                    person.union_id = fan.union_id
                fan.handle = ""  # the 公众号 knows its followers by openid only
                n_tags = rng.randint(*tags_cfg["per_fan"])
                fan.tags = sorted(rng.sample(tags_cfg["tags"], n_tags))
            person.fans.append(fan)
        # Multi-platform people are the ones the shop knows (that is how they were matched).
        person.wants_orders = rng.random() < (0.8 if count > 1 else cls["customer"])

        # Follows: one interaction for those who followed within the year; some unfollow later.
        for i, fan in enumerate(person.fans):
            assert fan.followed_at is not None
            if fan.followed_at.date() >= year_start:
                person.interactions.append(InteractionPlan(i, InteractionKind.FOLLOW, fan.followed_at))
            if kind in ("lapsed", "silent", "casual") and rng.random() < DATA["unfollow_share"] * 2:
                start = max(fan.followed_at.date(), year_start) + dt.timedelta(days=1)
                if start < yesterday:
                    fan.unfollowed_at = _moment(
                        rng, start + dt.timedelta(days=rng.randint(0, (yesterday - start).days))
                    )
                    person.interactions.append(
                        InteractionPlan(i, InteractionKind.UNFOLLOW, fan.unfollowed_at)
                    )

        # The rest: comments, replies, messages and mentions while they were active.
        first_fan = min(f.followed_at for f in person.fans if f.followed_at is not None)
        start = max(year_start, first_fan.date(), today - dt.timedelta(days=rng.randint(*cls["starts"])))
        if per_week > 0 and start <= end_day:
            days = (end_day - start).days + 1
            n = _poisson(rng, per_week * days / 7)
            for _ in range(n):
                i = rng.randrange(len(person.fans))
                fan = person.fans[i]
                key = fan.account
                day = start + dt.timedelta(days=rng.randrange(days))
                at = _moment(rng, day)
                if fan.unfollowed_at is not None and at > fan.unfollowed_at:
                    continue
                weights = dict(kinds)
                if key == "wechat":
                    weights.pop("mention")
                k = _weighted(rng, weights)
                item = InteractionPlan(i, k, at)
                asks = rng.random() < cfg_texts["question_share"] * (3 if k == "message" else 1)
                if k == "reply":
                    item.text = rng.choice(cfg_texts["replies"])
                elif asks:
                    item.text = rng.choice(cfg_texts["questions"])
                else:
                    item.text = rng.choice(texts)
                counters[key] += 1
                item.external_id = f"{k[:1]}{counters[key]:09d}"
                # WeChat pushes messages to our server; the rest is fetched.
                if key == "wechat" and k == "message":
                    item.source = InteractionSource.PUSH
                if k in ("comment", "reply") and post_times.get(key):
                    j = bisect.bisect_right(post_times[key], at) - 1
                    if j >= 0:
                        item.post = posts[key][max(0, j - rng.randrange(3))][1]
                person.interactions.append(item)
        for i, fan in enumerate(person.fans):
            seen = [x.at for x in person.interactions if x.fan == i]
            fan.last_seen_at = max(seen) if seen else None
        people.append(person)
    return people


# ---- orders ------------------------------------------------------------------------------------------


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _line_key(*cells: Any) -> str:
    return hashlib.sha256("|".join(str(c) for c in cells).encode()).hexdigest()


def read_retail(path: Path, today: dt.date) -> tuple[list[dict[str, Any]], list[str]]:
    """The shop file's lines of known customers, dates moved so its last day is yesterday; and the customer ids."""
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    stamps = [dt.datetime.strptime(r["InvoiceDate"], "%Y-%m-%d %H:%M:%S") for r in rows]
    shift = (today - dt.timedelta(days=1)) - max(stamps).date()
    lines: list[dict[str, Any]] = []
    customers: list[str] = []
    seen: set[str] = set()
    occurrences: dict[str, int] = defaultdict(int)
    for row, stamp in zip(rows, stamps, strict=True):
        cid = row["CustomerID"].strip()
        cid = "" if cid in ("", "NA") else cid.removesuffix(".0")
        if not cid:
            continue  # anonymous sales name nobody: the fans part has no use for them
        if cid not in seen:
            seen.add(cid)
            customers.append(cid)
        quantity = Decimal(row["Quantity"])
        price = Decimal(row["UnitPrice"]) * GBP_TO_CNY
        cells = (
            row["InvoiceNo"],
            row["StockCode"],
            row["Description"],
            row["Quantity"],
            row["InvoiceDate"],
            row["UnitPrice"],
            cid,
        )
        occurrences[repr(cells)] += 1
        lines.append(
            {
                "order_id": row["InvoiceNo"],
                "line_key": _line_key(*cells, occurrences[repr(cells)]),
                "customer_id": cid,
                "at": (stamp + dt.timedelta(days=shift.days)).replace(tzinfo=TZ),
                "quantity": quantity,
                "unit_price": price.quantize(Decimal("0.0001")),
                "amount": _money(quantity * price),
                "product": (row["Description"] or "").strip()[:200],
                "is_cancellation": row["InvoiceNo"].startswith("C"),
            }
        )
    return lines, customers


def synthetic_orders(
    rng: random.Random, today: dt.date, n_customers: int
) -> tuple[list[dict[str, Any]], list[str]]:
    """A small order history for when the shop file is missing: 1–8 orders per customer over the year."""
    products = DATA["coupon"]["products"]
    customers = [f"C{100000 + i}" for i in range(n_customers)]
    lines: list[dict[str, Any]] = []
    n = 0
    for cid in customers:
        for _ in range(min(8, 1 + _poisson(rng, 1.2))):
            n += 1
            day = today - dt.timedelta(days=rng.randint(1, YEAR_DAYS))
            at = _moment(rng, day)
            for j in range(rng.randint(1, 3)):
                name, category, price = rng.choice(products)
                qty = Decimal(rng.choice((1, 1, 1, 2)))
                lines.append(
                    {
                        "order_id": f"S{n:07d}", "line_key": _line_key(n, j), "customer_id": cid, "at": at,
                        "quantity": qty, "unit_price": Decimal(price), "amount": _money(qty * Decimal(price)),
                        "product": name, "category": category, "is_cancellation": False,
                    }
                )  # fmt: skip
    return lines, customers


def assign_customers(
    rng: random.Random, people: list[PersonPlan], customers: list[str], spend: dict[str, Decimal]
) -> int:
    """Give the shop's customers to planned people; the rest become order-only people. Returns how many got one.

    The most active people tend to get the biggest spenders (a noisy match), so the tiers hold
    together: core fans spend, dormant ones bought long ago or not at all.
    """
    order = ["core", "active", "casual", "lapsed", "silent"]
    keep = round(len(customers) * (1 - DATA["crm_only_share"]))
    wanting = [i for i, p in enumerate(people) if p.wants_orders]
    wanting.sort(key=lambda i: (order.index(people[i].kind), rng.random()))
    wanting = wanting[:keep]
    ranked = sorted(
        customers, key=lambda c: float(spend.get(c, 0)) * rng.lognormvariate(0, 0.6), reverse=True
    )
    for i, cid in zip(wanting, ranked, strict=False):
        people[i].customer_id = cid
    taken = {people[i].customer_id for i in wanting}
    for cid in customers:
        if cid not in taken:
            people.append(PersonPlan(name=nickname(rng), kind="crm", customer_id=cid))
    return min(len(wanting), len(customers))


# ---- the coupon's figures ----------------------------------------------------------------------------


@dataclass
class DayOrders:
    """The 公众号's conversion figures of one day, as the coupons will write them."""

    day: dt.date
    redemptions: int
    orders: int
    revenue: Decimal


def wechat_conversions(calendar: DemoCalendar) -> dict[dt.date, DayOrders]:
    """The 公众号's generated redemptions, orders and revenue per day (metrics.py, same seed)."""
    spec = next(s for s in OUR_ACCOUNTS if s.key == DATA["coupon"]["account"])
    return {
        day: DayOrders(
            day, int(f["coupon_redemptions"] or 0), int(f["orders"] or 0), Decimal(f["revenue"] or 0)
        )
        for day, f in generate_metrics(spec, calendar)
    }


def redemption_days(
    figures: dict[dt.date, DayOrders], first: dt.date, last: dt.date, issued: int
) -> list[DayOrders]:
    """The last days (ending ``last``, from ``first`` at the earliest) whose redemptions make the target share of ``issued``."""
    target = DATA["coupon"]["redeemed_share"] * issued
    days: list[DayOrders] = []
    total = 0
    day = last
    while day >= first and total < target:
        row = figures[day]
        if total + row.redemptions > issued * 0.4 and total >= issued * 0.3:
            break
        days.append(row)
        total += row.redemptions
        day -= dt.timedelta(days=1)
    return sorted(days, key=lambda r: r.day)


def split_day(rng: random.Random, row: DayOrders, min_spend: Decimal) -> tuple[list[Decimal], list[Decimal]]:
    """The day's coupon order amounts and other order amounts, adding up to its orders and revenue exactly.

    Each coupon order reaches the minimum spend; the other orders share what is left. (The
    generated figures always allow it: an order averages well above the minimum spend.)
    """
    n_other = max(0, row.orders - row.redemptions)
    mean = row.revenue / row.orders if row.orders else min_spend
    coupon = [
        max(min_spend + Decimal(rng.randint(0, 60)), _money(mean * Decimal(str(rng.uniform(0.85, 1.2)))))
        for _ in range(row.redemptions)
    ]
    rest = row.revenue - sum(coupon, Decimal(0))
    if n_other and rest < CENT * n_other * 50:
        # The draws took too much of the day: coupon orders at the day's mean leave the others theirs.
        coupon = [max(min_spend, _money(mean)) for _ in coupon]
        rest = row.revenue - sum(coupon, Decimal(0))
    if n_other == 0:
        if coupon and coupon[-1] + rest >= min_spend:
            coupon[-1] += rest  # no other orders that day: the coupon orders carry the revenue
        return coupon, []
    weights = [rng.uniform(0.5, 1.5) for _ in range(n_other)]
    total_w = sum(weights)
    other = [max(CENT, _money(rest * Decimal(str(w / total_w)))) for w in weights[:-1]]
    other.append(rest - sum(other, Decimal(0)))
    return coupon, other


def _product_for(amount: Decimal, rng: random.Random) -> tuple[str, str]:
    """The product an order of this amount most plausibly was (the dearest one it covers)."""
    products = sorted(DATA["coupon"]["products"], key=lambda p: Decimal(p[2]))
    fitting = [p for p in products if Decimal(p[2]) <= amount] or products[:1]
    name, category, _price = fitting[-1] if rng.random() < 0.7 else rng.choice(fitting)
    return name, category


# ---- writing -----------------------------------------------------------------------------------------


@dataclass
class DemoFans:
    """What the fans part of the seed created."""

    people: int = 0
    fans: int = 0
    interactions: int = 0
    order_lines: int = 0
    orders_source: str = ""  # "file" or "generated"
    texts_source: str = ""  # "corpora" or "built-in"
    tiers: list[Any] = field(default_factory=list)
    segments: dict[str, Any] = field(default_factory=dict)
    campaign: Any = None
    playbooks: dict[str, Any] = field(default_factory=dict)
    coupons_issued: int = 0
    redemptions: int = 0
    value_fit: Any = None
    # Services that were not there to call (the demo seeds what it can without them).
    skipped: list[str] = field(default_factory=list)
    # Seconds per step, for keeping the seed fast.
    timings: dict[str, float] = field(default_factory=dict)

    def lap(self, step: str, started: float) -> float:
        """Record a step's duration; returns the time now for the next step."""
        now = time.monotonic()
        self.timings[step] = round(now - started, 2)
        return now


def _posts(workspace: Any, accounts: dict[str, Any]) -> dict[str, list[tuple[dt.datetime, str]]]:
    """Our imported posts per account key, oldest first."""
    by_pk = {a.pk: key for key, a in accounts.items()}
    out: dict[str, list[tuple[dt.datetime, str]]] = defaultdict(list)
    rows = (
        PostRecord.objects.filter(workspace=workspace, account_id__in=by_pk, published_at__isnull=False)
        .order_by("published_at", "pk")
        .values_list("account_id", "published_at", "external_id")
    )
    for account_id, at, external_id in rows:
        if at is not None:
            out[by_pk[account_id]].append((at, external_id))
    return dict(out)


def _bulk(model: Any, rows: Iterable[Any]) -> list[Any]:
    rows = list(rows)
    for start in range(0, len(rows), BATCH):
        model.objects.bulk_create(rows[start : start + BATCH])
    return rows


def _analyze(*models: Any) -> None:
    """Refresh the planner's statistics of freshly bulk-loaded tables.

    Without them SQLite picks the (workspace, time) index for an order-id lookup ordered by
    time and scans every order line: redeeming a coupon took 60 ms instead of 1 ms.
    """
    with connection.cursor() as c:
        for model in models:
            c.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _write_people(
    workspace: Any, accounts: dict[str, Any], plan: list[PersonPlan], first_order: dict[str, dt.datetime]
) -> tuple[list[Person], int, int]:
    """People, fans and interactions in bulk; returns the people (in plan order) and the counts."""
    people = []
    for p in plan:
        times = [f.followed_at for f in p.fans if f.followed_at] + [x.at for x in p.interactions]
        if p.customer_id in first_order:
            times.append(first_order[p.customer_id])
        acted = [x.at for x in p.interactions]
        people.append(
            Person(
                workspace=workspace, display_name=p.name, union_id=p.union_id, customer_id=p.customer_id,
                first_seen_at=min(times) if times else None, last_active_at=max(acted) if acted else None,
            )
        )  # fmt: skip
    # bulk_create sets primary keys on PostgreSQL and SQLite (RETURNING), which the fans need.
    _bulk(Person, people)
    fans: list[list[Fan]] = []
    for p, person in zip(plan, people, strict=True):
        fans.append(
            [
                Fan(
                    workspace=workspace, account=accounts[f.account], person=person, external_id=f.external_id,
                    union_id=f.union_id, handle=f.handle, display_name=f.display_name, platform_tags=f.tags,
                    is_following=f.unfollowed_at is None, followed_at=f.followed_at,
                    unfollowed_at=f.unfollowed_at, last_seen_at=f.last_seen_at,
                )
                for f in p.fans
            ]
        )  # fmt: skip
    n_fans = len(_bulk(Fan, [f for row in fans for f in row]))
    when, meta, recorded = _adapt_time, _adapt(Interaction, "meta", {}), _adapt_time(timezone.now())
    interactions = [
        (
            workspace.pk, person.pk, fans[n][x.fan].pk, fans[n][x.fan].account_id, x.kind, when(x.at), x.text,
            x.external_id, x.post, x.source, meta, recorded,
        )
        for n, (p, person) in enumerate(zip(plan, people, strict=True))
        for x in p.interactions
    ]  # fmt: skip
    n_interactions = _insert(Interaction, INTERACTION_COLUMNS, interactions)
    return people, n_fans, n_interactions


# The columns the demo writes, in the order of its rows (see _insert).
INTERACTION_COLUMNS = (
    "workspace", "person", "fan", "account", "kind", "occurred_at", "text", "external_id",
    "post_external_id", "source", "meta", "recorded_at",
)  # fmt: skip
ORDER_COLUMNS = (
    "workspace", "order_id", "line_key", "person", "customer_id", "ordered_at", "quantity", "unit_price",
    "amount", "currency", "product", "category", "is_cancellation", "account", "coupon_code",
)  # fmt: skip


def _adapt(model: Any, name: str, value: Any) -> Any:
    """A value as the database takes it for one field (done once for a value shared by every row)."""
    return model._meta.get_field(name).get_db_prep_save(value, connection)


def _adapt_time(value: dt.datetime | None) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def _adapt_money(value: Decimal | None, places: int = 2) -> Any:
    return None if value is None else connection.ops.adapt_decimalfield_value(value, 14, places)


def _insert(model: Any, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> int:
    """Insert already-adapted rows with executemany.

    Interactions and order lines are the bulk of the demo (about 40,000 rows): bulk_create
    prepares every value of every row through the field machinery and took most of the
    seed's time; these rows are plain values adapted once per column type.
    """
    qn = connection.ops.quote_name
    names = ", ".join(qn(model._meta.get_field(c).column) for c in columns)
    sql = f"INSERT INTO {qn(model._meta.db_table)} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"
    with connection.cursor() as c:
        for start in range(0, len(rows), BATCH):
            c.executemany(sql, rows[start : start + BATCH])
    return len(rows)


def _order_rows(
    workspace: Any, lines: list[dict[str, Any]], person_of: dict[str, int]
) -> list[tuple[Any, ...]]:
    """Order lines as rows of ORDER_COLUMNS; the person by customer id, or the line's own ``person_id``."""
    return [
        (
            workspace.pk, line["order_id"], line["line_key"],
            line["person_id"] if "person_id" in line else person_of.get(line["customer_id"]),
            line["customer_id"], _adapt_time(line["at"]), _adapt_money(line["quantity"], 3),
            _adapt_money(line["unit_price"], 4), _adapt_money(line["amount"]), "CNY", line["product"],
            line.get("category", ""), line["is_cancellation"], line.get("account_id"), "",
        )
        for line in lines
    ]  # fmt: skip


def _optional(module: str, name: str, skipped: list[str]) -> Callable[..., Any] | None:
    """A fans service that may not exist yet in this checkout (the demo seeds what it can without it)."""
    try:
        return getattr(importlib.import_module(module), name)  # type: ignore[no-any-return]
    except (ImportError, AttributeError):
        skipped.append(f"{module}.{name}")
        return None


def _coupon_strategy(strategies: dict[str, Any], issued_on: dt.date, today: dt.date) -> Any:
    """The strategy the coupon carries out: the one named in fans.toml, else a conversion strategy running then."""
    key = DATA["coupon"].get("strategy", "")
    if key in strategies:
        return strategies[key]
    for spec in STRATEGIES:
        strategy = strategies.get(spec.key)
        if (
            strategy is not None
            and "conversion" in spec.goals
            and strategy.start_date <= issued_on <= strategy.end_date
        ):
            return strategy
    return None


def seed_fans(
    workspace: Any,
    users: dict[str, Any],
    accounts: dict[str, Any],
    strategies: dict[str, Any],
    calendar: DemoCalendar,
) -> DemoFans:
    """Seed the fans part (call inside demo_seed's transaction, after goals and content)."""
    result = DemoFans()
    started = time.monotonic()
    today = calendar.today
    rng = random.Random(f"{SEED}:fans-orders:{today.isoformat()}")
    ours = {spec.key: accounts[spec.key] for spec in OUR_ACCOUNTS}
    plan = plan_people(today, _posts(workspace, ours))
    result.texts_source = "corpora" if _corpus_texts(str(shared_data_dir())) else "built-in"

    # Orders: the shop file when it is there, else a generated history of about as many customers.
    retail = shared_data_dir() / RETAIL_FILE
    if retail.exists():
        lines, customers = read_retail(retail, today)
        result.orders_source = "file"
    else:
        lines, customers = synthetic_orders(rng, today, 1500)
        result.orders_source = "generated"
    spend: dict[str, Decimal] = defaultdict(Decimal)
    first_order: dict[str, dt.datetime] = {}
    for line in lines:
        if line["customer_id"]:
            spend[line["customer_id"]] += line["amount"]
            first_order[line["customer_id"]] = min(
                first_order.get(line["customer_id"], line["at"]), line["at"]
            )
    assign_customers(rng, plan, customers, spend)
    started = result.lap("plan", started)

    people, result.fans, result.interactions = _write_people(workspace, ours, plan, first_order)
    result.people = len(people)
    person_of = {p.customer_id: p.pk for p in people if p.customer_id}
    result.order_lines = _insert(OrderLine, ORDER_COLUMNS, _order_rows(workspace, lines, person_of))
    _analyze(Person, Fan, Interaction, OrderLine)
    started = result.lap("bulk rows", started)

    # Tiers, segments, the coupon campaign and the playbooks.
    tiers = default_ladder_ensure(workspace, actor=None)
    result.tiers = tiers
    for spec in DATA["segments"]:
        result.segments[spec["name"]] = segment_create(
            workspace=workspace, actor=None, name=spec["name"], rules=spec["rules"],
            description=spec["description"], color=spec["color"],
        )  # fmt: skip
    coupon = DATA["coupon"]
    issued_on = today - dt.timedelta(days=coupon["issued_days_ago"])
    issue_at = local(issued_on, 10)
    # Valid for a while after today; seeding a past day still leaves the campaign open to issue.
    until_day = max(today, demo_today()) + dt.timedelta(days=60)
    campaign = campaign_create(
        workspace=workspace, actor=None, name=coupon["name"], account=accounts[coupon["account"]],
        value=Decimal(coupon["value"]), min_spend=Decimal(coupon["min_spend"]),
        valid_from=local(issued_on, 0), valid_until=local(until_day, 0), budget_count=coupon["budget"],
        code_prefix=coupon["code_prefix"], strategy=_coupon_strategy(strategies, issued_on, today),
    )  # fmt: skip
    result.campaign = campaign
    for spec in DATA["playbooks"]:
        tier = next(t for t in tiers if t.rank == spec["tier_rank"])
        actions = [
            {"type": "coupon", "campaign": campaign.pk}
            if a == "coupon"
            else {"type": "assign", "user": users[spec["assignee"]].pk}
            for a in spec["actions"]
        ]
        extra = {k: spec[k] for k in ("every_days", "at_hour") if k in spec}
        result.playbooks[spec["key"]] = playbook_create(
            workspace=workspace, actor=None, name=spec["name"], segment=tier, actions=actions,
            trigger=PlaybookTrigger.ON_ENTER if spec["trigger"] == "enter" else PlaybookTrigger.SCHEDULE,
            cap_per_person=spec["cap_per_person"], cap_days=spec["cap_days"], **extra,
        )  # fmt: skip

    # Some weeks ago (within the goals' period): a refresh, and the core-fan playbook handing out the coupon.
    started = result.lap("setup", started)
    segments_refresh(workspace=workspace, actor=None, now=local(issued_on, 9))
    started = result.lap("refresh then", started)
    playbook = result.playbooks["core_coupon"]
    run = playbook_run(workspace=workspace, actor=None, playbook=playbook, now=issue_at)
    # The run happened then: its rows carry that time (the services stamp the real clock).
    PlaybookRun.objects.filter(pk=run.pk).update(
        created_at=issue_at, finished_at=issue_at + dt.timedelta(minutes=2)
    )
    PlaybookAction.objects.filter(run=run).update(at=issue_at)
    Coupon.objects.filter(issued_by_run=run).update(issued_at=issue_at)
    holders = list(
        Coupon.objects.filter(campaign=campaign, person__isnull=False)
        .order_by("pk")
        .values_list("code", "person_id")
    )
    result.coupons_issued = len(holders)
    started = result.lap("playbook run", started)

    # The redemptions, planned from the 公众号's generated figures (see the module docstring).
    figures = wechat_conversions(calendar)
    days = redemption_days(figures, issued_on + dt.timedelta(days=1), calendar.end, len(holders))
    wechat_people = [
        p.pk
        for p, plan_p in zip(people, plan, strict=True)
        if any(f.account == "wechat" for f in plan_p.fans)
    ]
    rng.shuffle(holders)
    min_spend = Decimal(coupon["min_spend"])
    credited: list[dict[str, Any]] = []
    redeem: list[tuple[str, str, dt.datetime]] = []
    customer_of = {p.pk: p.customer_id for p in people}
    n = 0
    now = timezone.now()
    for row in days:
        coupon_amounts, other_amounts = split_day(rng, row, min_spend)
        for amount in coupon_amounts:
            if not holders:
                break
            code, person_id = holders.pop()
            at = _moment(rng, row.day)
            if at > now:
                continue
            n += 1
            order_id = f"XY{row.day:%Y%m%d}{n:05d}"
            product, category = _product_for(amount, rng)
            credited.append(
                {"order_id": order_id, "line_key": _line_key(order_id, 1), "customer_id": customer_of.get(person_id, ""),
                 "person_id": person_id, "at": at, "quantity": Decimal(1), "unit_price": None, "amount": amount,
                 "product": product, "category": category, "is_cancellation": False}
            )  # fmt: skip
            redeem.append((code, order_id, at))
        for amount in other_amounts:
            n += 1
            order_id = f"XY{row.day:%Y%m%d}{n:05d}"
            buyer = rng.choice(wechat_people) if wechat_people else None
            product, category = _product_for(amount, rng)
            credited.append(
                {"order_id": order_id, "line_key": _line_key(order_id, 1), "customer_id": customer_of.get(buyer, "") if buyer else "",
                 "person_id": buyer, "at": _moment(rng, row.day), "quantity": Decimal(1), "unit_price": None,
                 "amount": amount, "product": product, "category": category, "is_cancellation": False,
                 "account_id": accounts[coupon["account"]].pk}
            )  # fmt: skip
    result.order_lines += _insert(OrderLine, ORDER_COLUMNS, _order_rows(workspace, credited, {}))
    _analyze(OrderLine)
    started = result.lap("coupon orders", started)
    for code, order_id, at in redeem:
        coupon_redeem(
            workspace=workspace,
            actor=None,
            code=code,
            order_id=order_id,
            redeemed_at=at,
            source=RedemptionSource.API,
        )
    result.redemptions = len(redeem)
    started = result.lap("redemptions", started)

    # The value model, interests and today's refresh (as of the start of the day: the same all day).
    try:
        result.value_fit = value_model_fit(workspace=workspace, actor=None, until=today)
    except ValidationError as exc:  # too few repeat customers: the demo stays usable without predictions
        result.skipped.append(f"value_model_fit: {' '.join(exc.messages)}")
    started = result.lap("value model", started)
    interests = _optional("socialops.fans.interests", "interests_refresh", result.skipped)
    if interests is not None:
        interests(workspace=workspace, actor=None)
    started = result.lap("interests", started)
    segments_refresh(workspace=workspace, actor=None, now=local(today, 0))
    started = result.lap("refresh today", started)
    tier_history(workspace, tiers, today, people)
    result.lap("history", started)
    return result


def tier_history(workspace: Any, tiers: list[Segment], today: dt.date, people: list[Person]) -> int:
    """About 90 days of daily tier sizes before today's refresh, for the tier-ladder chart.

    The people then are those first seen by that day; each tier's share moves from its share
    then (data/fans.toml) to today's, with a little day-to-day noise.
    """
    rng = random.Random(f"{SEED}:fans-history:{today.isoformat()}")
    history = DATA["history"]
    days = history["days"]
    tiers = sorted(tiers, key=lambda t: t.rank)
    sizes = {t.pk: Segment.objects.get(pk=t.pk).size for t in tiers}
    total_now = sum(sizes.values()) or 1
    shares_now = [sizes[t.pk] / total_now for t in tiers]
    then = list(history["share_then"]) + [1.0] * max(0, len(tiers) - len(history["share_then"]))
    seen = sorted(p.first_seen_at for p in people if p.first_seen_at is not None)
    never = sum(1 for p in people if p.first_seen_at is None)
    existing = set(SegmentDailySize.objects.filter(segment__in=tiers).values_list("segment_id", "date"))
    rows: list[SegmentDailySize] = []
    for back in range(days - 1, 0, -1):
        day = today - dt.timedelta(days=back)
        end = local(day + dt.timedelta(days=1), 0)
        total = bisect.bisect_left(seen, end) + never
        progress = back / (days - 1)  # 1 = the first day of the history, 0 = today
        raw = [
            s * (1 + (f - 1) * progress) * noise(rng, 0.015) for s, f in zip(shares_now, then, strict=False)
        ]
        norm = sum(raw) or 1
        counts = [round(total * r / norm) for r in raw]
        counts[-1] = max(0, total - sum(counts[:-1]))
        for tier, count in zip(tiers, counts, strict=True):
            if (tier.pk, day) not in existing:
                rows.append(SegmentDailySize(workspace=workspace, segment=tier, date=day, size=count))
    _bulk(SegmentDailySize, rows)
    return len(rows)


def fans_summary(workspace: Any) -> dict[str, Any]:
    """The figures a person sees of the demo's fans (tests compare two seeds with it)."""
    tiers = Segment.objects.filter(workspace=workspace).order_by("kind", "rank", "name")
    campaign = CouponCampaign.objects.filter(workspace=workspace).first()
    return {
        "people": Person.objects.filter(workspace=workspace).count(),
        "fans": Fan.objects.filter(workspace=workspace).count(),
        "interactions": Interaction.objects.filter(workspace=workspace).count(),
        "order_lines": OrderLine.objects.filter(workspace=workspace).count(),
        "segments": [(s.kind, s.rank, s.name, s.size) for s in tiers],
        "coupons": Coupon.objects.filter(workspace=workspace, person__isnull=False).count(),
        "redemptions": Redemption.objects.filter(workspace=workspace).count(),
        "campaign": campaign.name if campaign else None,
        "sizes": list(
            SegmentDailySize.objects.filter(workspace=workspace, segment__kind=SegmentKind.TIER)
            .order_by("segment__rank", "date")
            .values_list("segment__rank", "date", "size")
        ),
    }
