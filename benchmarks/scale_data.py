"""One generated data set for the scale benchmarks (segmentation.py, analytics.py), written with COPY.

At ``scale`` 1 one workspace gets:

- 100 platform accounts (a tenth of them competitors'), 3 years of daily metric snapshots for
  each (109,600 rows) and 200,000 post records (ours with a theme, a form and text);
- 1,000,000 people, one fan each on one of our accounts (a tenth with a second fan on the next
  account), 20,000,000 interactions over the last year (a few very active people, many quiet
  ones; every fan's follow, an unfollow for those who left) and 2,000,000 order lines (a third of
  the people buy; 3% of orders are cancelled in full).

Everything is written with ``COPY … FROM STDIN`` (psycopg), not the ORM. As ``pg_restore`` does
for a bulk load, the per-row foreign-key triggers are skipped while loading (the rows refer only
to rows generated here; needs a superuser, else they run) and the secondary indexes of the big
tables are dropped before the load and built again after it (one sort per index instead of
twenty million random inserts). Generation is deterministic for a given scale and seed, and a
generated workspace is found again by its slug (``dataset_slug``), so both benchmarks can run on
the same rows without generating them twice (``--keep`` on the first run).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))

PLATFORMS = ("weibo", "wechat_mp", "douyin", "xiaohongshu")
KINDS = ("comment", "reply", "message", "vote", "mention")
THEMES = ("专家观点", "行业动态", "产品故事", "用户案例", "活动预告", "节日祝福")
FORMS = ("article", "image", "video", "short_video")
YEAR = 365 * 86400


def setup_django(db_url: str) -> None:
    """Point Django at the benchmark database and set it up (before any model import)."""
    os.environ["DATABASE_URL"] = db_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialops.config.settings")
    os.environ.setdefault("SOCIALOPS_DATA_DIR", "/tmp/socialops-bench")
    import django

    django.setup()


def progress(iterable: Any = None, **kwargs: Any) -> Any:
    """tqdm when installed, else the iterable itself (the benchmarks run without it too)."""
    try:
        from tqdm import tqdm
    except ImportError:  # pragma: no cover - tqdm is a dev dependency

        class _Null:
            def __init__(self, it: Any) -> None:
                self.it = it

            def __iter__(self) -> Any:
                return iter(self.it)

            def update(self, n: int = 1) -> None:
                pass

            def set_postfix_str(self, s: str) -> None:
                pass

            def close(self) -> None:
                pass

        return _Null(iterable if iterable is not None else [])
    return tqdm(iterable, **kwargs)


def sizes(scale: float) -> dict[str, int]:
    """The row counts at a scale (1.0 = the full data set)."""
    return {
        "accounts": max(4, round(100 * scale)),
        "people": max(100, int(1_000_000 * scale)),
        "interactions": max(1000, int(20_000_000 * scale)),
        "order_lines": max(200, int(2_000_000 * scale)),
        "posts": max(200, int(200_000 * scale)),
        "snapshot_days": 3 * 365 + 1,
    }


def dataset_slug(scale: float, seed: int) -> str:
    """The slug of the workspace that holds the data set of this scale and seed."""
    return f"bench-scale-{str(scale).replace('.', 'p')}-{seed}"


def stamps(now: dt.datetime, seconds_ago: Any) -> Any:
    """ISO 8601 UTC strings for now − seconds_ago (vectorised; PostgreSQL reads them as timestamptz)."""
    import numpy as np

    base = np.datetime64(now.replace(tzinfo=None), "s")
    return np.datetime_as_string(base - np.asarray(seconds_ago).astype("timedelta64[s]"), unit="s") + "Z"


def copy_frame(cursor: Any, table: str, frame: Any, bar: Any = None) -> None:
    """COPY a DataFrame into a table in chunks (CSV; NULL written as \\N so "" stays an empty string)."""
    chunk = 500_000
    columns = list(frame.columns)
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
    with cursor.copy(sql) as copy:
        for start in range(0, len(frame), chunk):
            buffer = io.StringIO()
            frame.iloc[start : start + chunk].to_csv(buffer, header=False, index=False, na_rep="\\N")
            copy.write(buffer.getvalue().encode())
            if bar is not None:
                bar.update(min(chunk, len(frame) - start))


def next_ids(cursor: Any, table: str, n: int) -> int:
    """Reserve n ids of a table's sequence; returns the first."""
    cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")
    first = int(cursor.fetchone()[0])
    cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), %s)", [first + n])
    return first


@contextmanager
def bulk_load(cursor: Any, tables: tuple[str, ...]) -> Iterator[None]:
    """Load as pg_restore does: FK triggers off, secondary indexes dropped and rebuilt after.

    Only indexes that back no constraint are dropped (primary keys and unique constraints stay);
    their definitions are read from pg_indexes and run again, so the schema ends unchanged.
    """
    cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    superuser = bool(cursor.fetchone()[0])
    if superuser:
        cursor.execute("SET session_replication_role = replica")
    cursor.execute("SET synchronous_commit = off")
    cursor.execute("SET maintenance_work_mem = '512MB'")
    cursor.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
        [list(tables)],
    )
    indexes = cursor.fetchall()
    for name, _definition in indexes:
        cursor.execute(f"DROP INDEX {name}")
    try:
        yield
    finally:
        for _name, definition in progress(indexes, desc="rebuilding indexes", unit="index"):
            cursor.execute(definition)
        if superuser:
            cursor.execute("RESET session_replication_role")


def _accounts(workspace: Any, n: int) -> list[Any]:
    from socialops.accounts import services as account_services

    competitors = max(1, n // 10)
    return [
        account_services.account_create(
            workspace=workspace,
            actor=None,
            handle=f"{'rival' if i >= n - competitors else 'acme'}-{i:03d}",
            platform=PLATFORMS[i % len(PLATFORMS)],
            display_name=f"{'Rival' if i >= n - competitors else 'Acme'} {PLATFORMS[i % len(PLATFORMS)]} {i}",
            is_competitor=i >= n - competitors,
        )
        for i in range(n)
    ]


def generate_fans(
    cursor: Any, workspace: Any, ours: list[Any], scale: float, now: dt.datetime, rng: Any
) -> dict[str, int]:
    """People, fans, interactions and order lines of the workspace (see the module docstring)."""
    import numpy as np
    import pandas as pd

    n = sizes(scale)
    n_people, n_inter, n_lines = n["people"], n["interactions"], n["order_lines"]
    ws = workspace.pk
    stamp = now.isoformat()
    first = next_ids(cursor, "fans_person", n_people)
    ids = np.arange(first, first + n_people)

    # One fan per person on a random account of ours, a tenth with a second fan on the next one.
    account_ids = np.array([a.pk for a in ours])
    first_account = rng.integers(0, len(ours), n_people)
    second = rng.random(n_people) < 0.1
    fan_person_ix = np.concatenate([np.arange(n_people), np.flatnonzero(second)])
    fan_account = np.concatenate([first_account, (first_account[second] + 1) % len(ours)])
    n_fans = len(fan_person_ix)
    followed_ago = rng.integers(0, 2 * YEAR, n_fans)
    following = rng.random(n_fans) < 0.9
    # Those who left did so some time after following.
    unfollowed_ago = (followed_ago * rng.random(n_fans)).astype(np.int64)
    fan_first = next_ids(cursor, "fans_fan", n_fans)
    fan_ids = np.arange(fan_first, fan_first + n_fans)

    # Activity is very uneven: a person's weight is lognormal, recent days are busier. The
    # follows and unfollows are interactions too (the growth and cohort analyses read them).
    leavers = np.flatnonzero(~following)
    n_other = max(0, n_inter - n_fans - len(leavers))
    weight = rng.lognormal(0, 1.5, n_people)
    who = rng.choice(n_people, size=n_other, p=weight / weight.sum())
    ago = (rng.power(0.6, n_other) * YEAR).astype(np.int64) + 60
    kind = rng.integers(0, len(KINDS), n_other)
    all_kinds = np.array((*KINDS, "follow", "unfollow"))
    fan_of = np.concatenate([np.zeros(n_other, dtype=np.int64) - 1, np.arange(n_fans), leavers])
    who = np.concatenate([who, fan_person_ix, fan_person_ix[leavers]])
    ago = np.concatenate([ago, followed_ago, unfollowed_ago[leavers]])
    kind = np.concatenate([kind, np.full(n_fans, len(KINDS)), np.full(len(leavers), len(KINDS) + 1)])
    # Rows arrive in time order in the product (pulls and pushes of recent activity).
    order = np.argsort(-ago, kind="stable")
    who, ago, kind, fan_of = who[order], ago[order], kind[order], fan_of[order]
    # first_seen_at / last_active_at as interaction_record keeps them (an unfollow is not activity).
    active = kind != len(KINDS) + 1
    newest = np.full(n_people, np.iinfo(np.int64).max)
    oldest = np.full(n_people, -1, dtype=np.int64)
    np.minimum.at(newest, who[active], ago[active])
    np.maximum.at(oldest, who[active], ago[active])

    people = pd.DataFrame(
        {
            "id": ids, "workspace_id": ws, "display_name": np.char.add("p", np.arange(n_people).astype(str)),
            "union_id": "", "customer_id": "", "phone_hash": "", "contact_encrypted": "",
            "created_at": stamp, "updated_at": stamp, "interactions_30d": 0, "interactions_90d": 0,
            "orders_count": 0, "total_spend": 0,
            "first_seen_at": np.where(oldest >= 0, stamps(now, np.maximum(oldest, 0)), "\\N"),
            "last_active_at": np.where(oldest >= 0, stamps(now, np.where(oldest >= 0, newest, 0)), "\\N"),
        }
    )  # fmt: skip
    copy_frame(cursor, "fans_person", people)
    fans = pd.DataFrame(
        {
            "id": fan_ids, "workspace_id": ws, "account_id": account_ids[fan_account],
            "person_id": ids[fan_person_ix], "external_id": np.char.add("x", np.arange(n_fans).astype(str)),
            "union_id": "", "handle": "", "display_name": "", "platform_tags": "[]", "is_following": following,
            "followed_at": stamps(now, followed_ago),
            "unfollowed_at": np.where(following, "\\N", stamps(now, unfollowed_ago)),
            "created_at": stamp, "updated_at": stamp,
        }
    )  # fmt: skip
    copy_frame(cursor, "fans_fan", fans)
    del people, fans

    # A person's other interactions come through their first fan.
    fan_ix = np.where(fan_of >= 0, fan_of, who)
    bar = progress(total=len(who), desc="interactions", unit="row", unit_scale=True)
    chunk = 2_000_000
    for start in range(0, len(who), chunk):
        part = slice(start, start + chunk)
        inter = pd.DataFrame(
            {
                "workspace_id": ws, "person_id": ids[who[part]], "fan_id": fan_ids[fan_ix[part]],
                "account_id": account_ids[fan_account[fan_ix[part]]], "kind": all_kinds[kind[part]],
                "occurred_at": stamps(now, ago[part]),
                "text": "", "external_id": "", "post_external_id": "", "source": "pull", "meta": "{}",
                "recorded_at": stamp,
            }
        )  # fmt: skip
        copy_frame(cursor, "fans_interaction", inter, bar)
    bar.close()

    # A third of the people buy; orders have 1–3 lines; 3% of orders are cancelled in full.
    buyers = ids[rng.random(n_people) < 0.33]
    n_orders = n_lines // 2
    order_buyer = rng.choice(buyers, size=n_orders)
    order_ago = rng.integers(3600, 2 * YEAR, n_orders)
    per_order = rng.integers(1, 4, n_orders)
    line_order = np.repeat(np.arange(n_orders), per_order)[:n_lines]
    amounts = np.round(rng.lognormal(4.5, 0.8, len(line_order)), 2)
    cancelled = rng.random(n_orders) < 0.03
    lines = pd.DataFrame(
        {
            "workspace_id": ws, "order_id": np.char.add("o", line_order.astype(str)),
            "line_key": np.char.add("l", np.arange(len(line_order)).astype(str)),
            "person_id": order_buyer[line_order], "customer_id": "",
            "ordered_at": stamps(now, order_ago[line_order]),
            "quantity": 1, "amount": amounts, "currency": "CNY", "product": "", "category": "",
            "is_cancellation": False, "coupon_code": "",
        }
    )  # fmt: skip
    cancel = lines[cancelled[line_order]].copy()
    cancel["line_key"] = cancel["line_key"] + "c"
    cancel["amount"] = -cancel["amount"]
    cancel["is_cancellation"] = True
    lines = pd.concat([lines, cancel], ignore_index=True)
    copy_frame(cursor, "fans_orderline", lines)
    return {"people": n_people, "fans": n_fans, "interactions": len(who), "order_lines": len(lines)}


def generate_history(
    cursor: Any, workspace: Any, accounts: list[Any], scale: float, now: dt.datetime, rng: Any
) -> dict[str, int]:
    """Themes, 3 years of daily metric snapshots per account, and post records."""
    import numpy as np
    import pandas as pd

    from socialops.content.models import Theme

    n = sizes(scale)
    ws = workspace.pk
    themes = [
        Theme.objects.get_or_create(workspace=workspace, name=name, defaults={"position": i})[0]
        for i, name in enumerate(THEMES)
    ]
    theme_ids = np.array([t.pk for t in themes])
    account_ids = np.array([a.pk for a in accounts])
    competitor = np.array([a.is_competitor for a in accounts])
    stamp = now.isoformat()

    # Daily snapshots: a follower count that drifts up, weekly seasonality, the odd spike.
    days = n["snapshot_days"]
    today = now.date()
    dates = np.array([today - dt.timedelta(days=d) for d in range(days, 0, -1)])
    acc = np.repeat(np.arange(len(accounts)), days)
    day = np.tile(np.arange(days), len(accounts))
    size = rng.lognormal(9, 1, len(accounts))
    weekly = 1 + 0.25 * np.sin(2 * np.pi * (day % 7) / 7)
    spike = np.where(rng.random(len(day)) < 0.01, rng.uniform(3, 8, len(day)), 1.0)
    new = rng.poisson(size[acc] / 300 * weekly * spike)
    lost = rng.poisson(size[acc] / 600 * weekly)
    followers = size[acc].astype(np.int64) + (pd.Series(new - lost).groupby(acc).cumsum().to_numpy())
    impressions = rng.poisson(size[acc] * 2 * weekly * spike)
    likes = rng.binomial(impressions, 0.03)
    comments = rng.binomial(impressions, 0.004)
    shares = rng.binomial(impressions, 0.002)
    saves = rng.binomial(impressions, 0.003)
    clicks = rng.binomial(impressions, 0.01)
    leads = rng.binomial(clicks, 0.05)
    orders = rng.binomial(clicks, 0.03)
    ours = ~competitor[acc]

    def own(values: Any) -> Any:  # competitors' exports have no conversion figures
        return np.where(ours, values.astype(str), "\\N")

    snaps = pd.DataFrame(
        {
            "workspace_id": ws, "account_id": account_ids[acc], "date": dates[day],
            "followers_total": np.maximum(followers, 0), "new_followers": new, "lost_followers": lost,
            "impressions": impressions, "reach": (impressions * 0.6).astype(np.int64), "likes": likes,
            "comments": comments, "shares": shares, "saves": saves, "link_clicks": own(clicks),
            "leads": own(leads), "coupon_redemptions": own(rng.binomial(orders, 0.2)), "orders": own(orders),
            "revenue": own(np.round(orders * rng.uniform(80, 200, len(day)), 2)),
            "posts": rng.poisson(0.8, len(day)), "source": "import", "updated_at": stamp,
        }
    )  # fmt: skip
    copy_frame(cursor, "goals_metricsnapshot", snaps)

    # Post records over the same 3 years; ours carry a theme (some themes do better).
    n_posts = n["posts"]
    post_acc = rng.integers(0, len(accounts), n_posts)
    post_ago = rng.integers(3600, days * 86400, n_posts)
    published = pd.to_datetime(stamps(now, post_ago)).tz_convert(workspace.tz)
    theme = rng.integers(0, len(themes), n_posts)
    is_ours = ~competitor[post_acc]
    boost = np.where(is_ours, 1 + 0.3 * (theme == 0) - 0.15 * (theme == 1), 1.0)
    impr = rng.lognormal(8, 1.2, n_posts).astype(np.int64) + 1
    rate = np.clip(rng.lognormal(np.log(0.03), 0.6, n_posts) * boost, 0, 0.9)
    eng = rng.binomial(impr, rate)
    text_len = rng.choice([60, 300, 900, 2500], n_posts, p=[0.4, 0.35, 0.2, 0.05])
    posts = pd.DataFrame(
        {
            "workspace_id": ws, "account_id": account_ids[post_acc],
            "external_id": np.char.add("post", np.arange(n_posts).astype(str)),
            "published_at": stamps(now, post_ago), "month": published.month, "weekday": published.weekday + 1,
            "hour": published.hour, "post_type": "", "form": np.array(FORMS)[rng.integers(0, len(FORMS), n_posts)],
            "theme_id": np.where(is_ours, theme_ids[theme].astype(str), "\\N"),
            "text": np.array(["x" * k for k in (60, 300, 900, 2500)])[np.searchsorted([60, 300, 900, 2500], text_len)],
            "reach": (impr * 0.7).astype(np.int64), "impressions": impr,
            "likes": (eng * 0.7).astype(np.int64), "comments": (eng * 0.15).astype(np.int64),
            "shares": (eng * 0.1).astype(np.int64), "saves": (eng * 0.05).astype(np.int64),
            "clicks": rng.binomial(impr, 0.005), "engagements": eng, "source": "import", "updated_at": stamp,
        }
    )  # fmt: skip
    copy_frame(cursor, "analytics_postrecord", posts)
    return {"accounts": len(accounts), "snapshots": len(snaps), "posts": n_posts, "themes": len(themes)}


def dataset(scale: float, seed: int, *, fresh: bool = False) -> tuple[Any, list[Any], dt.datetime, bool]:
    """The workspace holding the data set of this scale and seed, generated if it is not there.

    Returns (workspace, accounts, the generation time ``now``, whether it was generated now).
    ``fresh`` generates into a new workspace even when one exists (a unique slug).
    """
    import uuid

    import numpy as np
    from django.core.management import call_command
    from django.db import connection, transaction

    from socialops.accounts.models import SocialAccount
    from socialops.fans.models import Person
    from socialops.workspaces import services as workspace_services
    from socialops.workspaces.models import Workspace

    call_command("migrate", verbosity=0)
    slug = dataset_slug(scale, seed) + (f"-{uuid.uuid4().hex[:6]}" if fresh else "")
    workspace = Workspace.objects.filter(slug=slug).first()
    if workspace is not None and Person.objects.filter(workspace=workspace).exists():
        accounts = list(SocialAccount.objects.filter(workspace=workspace).order_by("pk"))
        now = (
            Person.objects.filter(workspace=workspace).order_by("pk").values_list("created_at", flat=True)[0]
        )
        return workspace, accounts, now, False
    if workspace is not None:  # a generation that did not finish
        cleanup(workspace)
    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    with transaction.atomic():
        workspace = workspace_services.workspace_create(actor=None, name="Scale benchmark", slug=slug)
        accounts = _accounts(workspace, sizes(scale)["accounts"])
    ours = [a for a in accounts if not a.is_competitor]
    with connection.cursor() as c:
        raw = c.cursor  # the psycopg cursor, for COPY
        tables = ("fans_person", "fans_fan", "fans_interaction", "fans_orderline", "analytics_postrecord")
        with bulk_load(raw, tables):
            counts = generate_fans(raw, workspace, ours, scale, now, rng)
            counts |= generate_history(raw, workspace, accounts, scale, now, rng)
        for table in progress(
            (*tables, "goals_metricsnapshot", "accounts_socialaccount"), desc="VACUUM ANALYZE", unit="table"
        ):
            c.execute(f"VACUUM ANALYZE {table}")
    print(f"generated {counts} in {time.perf_counter() - started:.1f} s (workspace {workspace.slug})")
    return workspace, accounts, now, True


def cleanup(workspace: Any) -> None:
    """Delete a generated workspace table by table (a cascade through the ORM would take minutes)."""
    from django.db import connection

    with connection.cursor() as c:
        c.execute("UPDATE fans_person SET tier_id = NULL WHERE workspace_id = %s", [workspace.pk])
        for table in (
            "fans_segmentevent", "fans_segmentmembership", "fans_segmentdailysize", "fans_interaction",
            "fans_orderline", "fans_personinterest", "fans_fan", "fans_person", "analytics_postrecord",
            "goals_metricsnapshot",
        ):  # fmt: skip
            c.execute(f"DELETE FROM {table} WHERE workspace_id = %s", [workspace.pk])
    try:
        workspace.delete()
    except Exception as exc:  # a model added since the last migration: its table is missing here
        print(f"(the workspace row stays: {exc.__class__.__name__})")
