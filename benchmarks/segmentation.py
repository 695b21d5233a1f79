"""Segmentation at scale: the full refresh (scores, RFM, tiers, segments) against a pandas baseline.

    .venv/bin/python benchmarks/segmentation.py                 # 1,000,000 people, 20M interactions, 2M order lines
    .venv/bin/python benchmarks/segmentation.py --scale 0.01    # 10,000 people: a quick check
    .venv/bin/python benchmarks/segmentation.py --generate-only # keep the rows, print the slug
    .venv/bin/python benchmarks/segmentation.py --workspace bench-seg-xxxxxx   # reuse them
    DATABASE_URL=postgres://user@host:5432/db .venv/bin/python benchmarks/segmentation.py

In a PostgreSQL database (DATABASE_URL, as the other benchmarks; by default the local `test`
database on 127.0.0.1:5432, migrated first) a fresh workspace gets people, one fan each (a tenth
with a second fan on another account), interactions over the last year (a few very active people,
many quiet ones) and order lines (a third of the people buy; some orders are cancelled), all
written with COPY. Then it times:

- the full refresh `segments_refresh` (default ladder + five saved segments): cold (every person
  gets a tier), again with no change (the second run writes no event), and warm — the next day,
  after a day of new interactions and orders from 1% of the people (written outside the timing);
- the value-model fit (`socialops.fans.services.value.value_model_fit`) when that module exists;
- the baseline: the same scores, RFM quintiles and tiers computed in pandas from the same tables
  (loading the tables is timed apart from the computation).

It prints both times and each tier's size from both, which must be equal. The workspace and its
rows are deleted at the end unless --keep; --generate-only keeps them and stops, and
--workspace SLUG resets a kept workspace to cold and times it again (generating 20M
interactions into the indexed tables takes most of an hour on a small machine).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

DB_URL = "postgres://root@127.0.0.1:5432/test"
ACCOUNTS = ("weibo", "wechat_mp", "douyin", "xiaohongshu")
KINDS = ("comment", "reply", "message", "vote", "mention")


def _setup_django(db_url: str) -> None:
    os.environ["DATABASE_URL"] = db_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialops.config.settings")
    import django

    django.setup()


def _copy(cursor: Any, table: str, columns: list[str], frame: Any) -> None:
    """COPY a DataFrame into a table in chunks (CSV; NULL written as \\N so "" stays an empty string)."""
    chunk = 500_000
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
    with cursor.copy(sql) as copy:
        for start in range(0, len(frame), chunk):
            buffer = io.StringIO()
            frame.iloc[start : start + chunk].to_csv(buffer, header=False, index=False, na_rep="\\N")
            copy.write(buffer.getvalue().encode())


def _next_ids(cursor: Any, table: str, n: int) -> int:
    """Reserve n ids of a table's sequence; returns the first."""
    cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")
    first = int(cursor.fetchone()[0])
    cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), %s)", [first + n])
    return first


def generate(
    workspace: Any, accounts: list[Any], scale: float, now: dt.datetime, seed: int
) -> dict[str, int]:
    """Write people, fans, interactions and order lines with COPY; returns the row counts."""
    import numpy as np
    import pandas as pd
    from django.db import connection

    rng = np.random.default_rng(seed)
    n_people = max(100, int(1_000_000 * scale))
    n_inter = max(1000, int(20_000_000 * scale))
    n_lines = max(200, int(2_000_000 * scale))
    ws = workspace.pk
    stamp = now.isoformat()
    year = 365 * 86400
    with connection.cursor() as c:
        raw = c.cursor  # the psycopg cursor, for COPY
        # A bulk load, as pg_restore --disable-triggers does it: the generated rows refer only to
        # rows generated here, so the per-row foreign-key triggers are skipped while loading
        # (superuser only; otherwise they run, and 20M interactions take most of an hour).
        c.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if c.fetchone()[0]:
            c.execute("SET session_replication_role = replica")
        first = _next_ids(c, "fans_person", n_people)
        ids = np.arange(first, first + n_people)
        # Activity is very uneven: a person's weight is lognormal, recent days are busier. Drawn
        # first so that each person's first/last activity can be written with the person, as
        # fans.services.people.interaction_record maintains them for every interaction.
        weight = rng.lognormal(0, 1.5, n_people)
        who = rng.choice(n_people, size=n_inter, p=weight / weight.sum())
        ago = (rng.power(0.6, n_inter) * year).astype(np.int64) + 60
        # Rows arrive in time order in the product (pulls and pushes of recent activity).
        order = np.argsort(-ago, kind="stable")
        who, ago = who[order], ago[order]
        newest = np.full(n_people, -1, dtype=np.int64)
        oldest = np.full(n_people, -1, dtype=np.int64)
        np.maximum.at(oldest, who, ago)
        newest_ago = pd.Series(ago).groupby(who).min()
        newest[newest_ago.index.to_numpy()] = newest_ago.to_numpy()

        def stamps(seconds_ago: Any) -> Any:
            return (now - pd.to_timedelta(seconds_ago, unit="s")).strftime("%Y-%m-%d %H:%M:%S+00")

        people = pd.DataFrame(
            {
                "id": ids, "workspace_id": ws, "display_name": [f"p{i}" for i in range(n_people)],
                "union_id": "", "customer_id": "", "phone_hash": "", "contact_encrypted": "",
                "created_at": stamp, "updated_at": stamp, "interactions_30d": 0, "interactions_90d": 0,
                "orders_count": 0, "total_spend": 0,
                "first_seen_at": np.where(oldest >= 0, stamps(np.maximum(oldest, 0)), "\\N"),
                "last_active_at": np.where(newest >= 0, stamps(np.maximum(newest, 0)), "\\N"),
            }
        )  # fmt: skip
        _copy(raw, "fans_person", list(people.columns), people)

        # One fan per person on a random account, a tenth with a second fan on the next account.
        account_ids = np.array([a.pk for a in accounts])
        first_account = rng.integers(0, len(accounts), n_people)
        second = rng.random(n_people) < 0.1
        fan_person = np.concatenate([ids, ids[second]])
        fan_account = np.concatenate([first_account, (first_account[second] + 1) % len(accounts)])
        followed = now - pd.to_timedelta(rng.integers(0, 2 * year, len(fan_person)), unit="s")
        fan_first = _next_ids(c, "fans_fan", len(fan_person))
        fans = pd.DataFrame(
            {
                "id": np.arange(fan_first, fan_first + len(fan_person)), "workspace_id": ws,
                "account_id": account_ids[fan_account], "person_id": fan_person,
                "external_id": [f"x{i}" for i in range(len(fan_person))], "union_id": "", "handle": "",
                "display_name": "", "platform_tags": "[]", "is_following": rng.random(len(fan_person)) < 0.9,
                "followed_at": followed.strftime("%Y-%m-%d %H:%M:%S+00"), "created_at": stamp, "updated_at": stamp,
            }
        )  # fmt: skip
        _copy(raw, "fans_fan", list(fans.columns), fans)
        fan_of_person = pd.Series(fans["id"].to_numpy()[:n_people], index=ids)

        inter = pd.DataFrame(
            {
                "workspace_id": ws, "person_id": ids[who], "fan_id": fan_of_person.to_numpy()[who],
                "account_id": account_ids[first_account[who]],
                "kind": np.array(KINDS)[rng.integers(0, len(KINDS), n_inter)],
                "occurred_at": stamps(ago),
                "text": "", "external_id": "", "post_external_id": "", "source": "pull", "meta": "{}",
                "recorded_at": stamp,
            }
        )  # fmt: skip
        _copy(raw, "fans_interaction", list(inter.columns), inter)

        # A third of the people buy; orders have 1–3 lines; 3% of orders are cancelled in full.
        buyers = ids[rng.random(n_people) < 0.33]
        n_orders = n_lines // 2
        order_buyer = rng.choice(buyers, size=n_orders)
        order_ago = rng.integers(3600, 2 * year, n_orders)
        per_order = rng.integers(1, 4, n_orders)
        line_order = np.repeat(np.arange(n_orders), per_order)[:n_lines]
        amounts = np.round(rng.lognormal(4.5, 0.8, len(line_order)), 2)
        cancelled = rng.random(n_orders) < 0.03
        lines = pd.DataFrame(
            {
                "workspace_id": ws, "order_id": [f"o{k}" for k in line_order],
                "line_key": [f"l{i}" for i in range(len(line_order))], "person_id": order_buyer[line_order],
                "customer_id": "",
                "ordered_at": (now - pd.to_timedelta(order_ago[line_order], unit="s")).strftime("%Y-%m-%d %H:%M:%S+00"),
                "quantity": 1, "amount": amounts, "currency": "CNY", "product": "", "category": "",
                "is_cancellation": False, "coupon_code": "",
            }
        )  # fmt: skip
        cancel = lines[cancelled[line_order]].copy()
        cancel["line_key"] = cancel["line_key"] + "c"
        cancel["amount"] = -cancel["amount"]
        cancel["is_cancellation"] = True
        lines = pd.concat([lines, cancel], ignore_index=True)
        _copy(raw, "fans_orderline", list(lines.columns), lines)
        c.execute("RESET session_replication_role")
    return {"people": n_people, "fans": len(fan_person), "interactions": n_inter, "order_lines": len(lines)}


def add_day(workspace: Any, accounts: list[Any], scale: float, now: dt.datetime, seed: int) -> dict[str, int]:
    """A day's worth of new interactions and order lines in (now, now + 1 day], as the day's syncs
    and imports would write them (COPY here); each touched person's last_active_at moves forward
    as interaction_record would have moved it. Returns the row counts."""
    import numpy as np
    import pandas as pd
    from django.db import connection

    rng = np.random.default_rng(seed + 1)
    ws = workspace.pk
    with connection.cursor() as c:
        c.execute(
            "SELECT p.id, MIN(f.id), MIN(f.account_id) FROM fans_person p JOIN fans_fan f ON f.person_id = p.id "
            "WHERE p.workspace_id = %s GROUP BY p.id ORDER BY p.id",
            [ws],
        )
        rows = np.array(c.fetchall(), dtype=np.int64)
        n_people = len(rows)
        # A day of the year's volume (recent days are busier), from 1% of the people.
        n_inter = max(100, int(20_000_000 * scale / 365 * 2))
        movers = rng.choice(n_people, size=max(1, n_people // 100), replace=False)
        who = rng.choice(movers, size=n_inter)
        at = now + pd.to_timedelta(rng.integers(60, 86400, n_inter), unit="s")
        inter = pd.DataFrame(
            {
                "workspace_id": ws, "person_id": rows[who, 0], "fan_id": rows[who, 1], "account_id": rows[who, 2],
                "kind": np.array(KINDS)[rng.integers(0, len(KINDS), n_inter)],
                "occurred_at": at.strftime("%Y-%m-%d %H:%M:%S+00"),
                "text": "", "external_id": "", "post_external_id": "", "source": "push", "meta": "{}",
                "recorded_at": (now + dt.timedelta(days=1)).isoformat(),
            }
        )  # fmt: skip
        _copy(c.cursor, "fans_interaction", list(inter.columns), inter)
        n_lines = max(10, int(2_000_000 * scale / 365))
        buyer = rng.choice(movers, size=n_lines)
        lines = pd.DataFrame(
            {
                "workspace_id": ws, "order_id": [f"d{k}" for k in range(n_lines)],
                "line_key": [f"dl{k}" for k in range(n_lines)], "person_id": rows[buyer, 0], "customer_id": "",
                "ordered_at": (now + pd.to_timedelta(rng.integers(60, 86400, n_lines), unit="s")).strftime(
                    "%Y-%m-%d %H:%M:%S+00"
                ),
                "quantity": 1, "amount": np.round(rng.lognormal(4.5, 0.8, n_lines), 2), "currency": "CNY",
                "product": "", "category": "", "is_cancellation": False, "coupon_code": "",
            }
        )  # fmt: skip
        _copy(c.cursor, "fans_orderline", list(lines.columns), lines)
        # What interaction_record does for each new row (first_seen_at cannot move: they are older).
        c.execute(
            "UPDATE fans_person p SET last_active_at = i.at FROM ("
            " SELECT person_id, MAX(occurred_at) AS at FROM fans_interaction"
            " WHERE workspace_id = %s AND occurred_at > %s GROUP BY person_id) i"
            " WHERE p.id = i.person_id AND (p.last_active_at IS NULL OR p.last_active_at < i.at)",
            [ws, now],
        )
    return {"interactions": n_inter, "order_lines": n_lines, "people": len(movers)}


def reset(workspace: Any, now: dt.datetime) -> None:
    """Back to freshly generated data (for --workspace): the day added by a previous run and
    everything a refresh wrote are removed, so the next refresh is cold again."""
    from django.db import connection

    ws = workspace.pk
    with connection.cursor() as c:
        c.execute("DELETE FROM fans_interaction WHERE workspace_id = %s AND occurred_at > %s", [ws, now])
        c.execute("DELETE FROM fans_orderline WHERE workspace_id = %s AND ordered_at > %s", [ws, now])
        for table in ("fans_segmentevent", "fans_segmentmembership", "fans_segmentdailysize"):
            c.execute(f"DELETE FROM {table} WHERE workspace_id = %s", [ws])
        c.execute(
            "UPDATE fans_person p SET last_active_at = ("
            " SELECT MAX(occurred_at) FROM fans_interaction i WHERE i.workspace_id = p.workspace_id"
            " AND i.person_id = p.id) WHERE workspace_id = %s AND last_active_at > %s",
            [ws, now],
        )
        c.execute(
            "UPDATE fans_person SET tier_id = NULL, interactions_30d = 0, interactions_90d = 0, orders_count = 0,"
            " total_spend = 0, last_order_at = NULL, rfm_recency = NULL, rfm_frequency = NULL,"
            " rfm_monetary = NULL WHERE workspace_id = %s",
            [ws],
        )
        c.execute("UPDATE fans_segment SET size = 0, refreshed_at = NULL WHERE workspace_id = %s", [ws])


SEGMENTS = [
    ("Bought in 30 days", {"all": [{"field": "orders", "op": "gte", "value": 1, "days": 30}]}),
    (
        "Weibo followers",
        {
            "all": [
                {"field": "platform", "op": "eq", "value": "weibo"},
                {"field": "is_following", "op": "eq", "value": True},
            ]
        },
    ),
    (
        "Lapsed big spenders",
        {
            "all": [
                {"field": "total_spend", "op": "gte", "value": 500},
                {"field": "last_order_days", "op": "gte", "value": 180},
            ]
        },
    ),
    (
        "Commenters this week",
        {"all": [{"field": "interactions", "op": "gte", "value": 1, "days": 7, "kind": "comment"}]},
    ),
    (
        "Top RFM",
        {
            "all": [
                {"field": "rfm_recency", "op": "gte", "value": 4},
                {"field": "rfm_monetary", "op": "gte", "value": 5},
            ]
        },
    ),
]


def pandas_tiers(workspace: Any, now: dt.datetime) -> tuple[dict[int, int], float, float, Any]:
    """The default ladder computed in pandas from the same tables: (sizes by rank, load s, compute s, per person)."""
    import numpy as np
    import pandas as pd
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as c:

        def frame(sql: str, columns: list[str], times: tuple[str, ...] = ()) -> Any:
            """COPY (query) TO STDOUT as CSV into a DataFrame; times come as epoch microseconds."""
            buffer = io.BytesIO()
            query = sql.replace("%s", str(int(workspace.pk)))
            with c.cursor.copy(f"COPY ({query}) TO STDOUT WITH (FORMAT csv)") as copy:
                for block in copy:
                    buffer.write(block)
            buffer.seek(0)
            out = pd.read_csv(buffer, names=columns, header=None)
            for name in times:
                out[name] = pd.to_datetime(out[name], unit="us", utc=True)
            return out

        epoch = "(EXTRACT(EPOCH FROM {}) * 1000000)::bigint"
        people = frame("SELECT id FROM fans_person WHERE workspace_id = %s", ["id"])
        inter = frame(
            f"SELECT person_id, {epoch.format('occurred_at')} FROM fans_interaction WHERE workspace_id = %s",
            ["person_id", "at"],
            ("at",),
        )
        lines = frame(
            f"SELECT person_id, order_id, amount::float8, {epoch.format('ordered_at')} FROM fans_orderline "
            "WHERE workspace_id = %s AND person_id IS NOT NULL",
            ["person_id", "order_id", "amount", "at"],
            ("at",),
        )
    loaded = time.perf_counter()

    inter = inter[inter["at"] <= now]
    c30 = inter[inter["at"] >= now - dt.timedelta(days=30)].groupby("person_id").size()
    c90 = inter[inter["at"] >= now - dt.timedelta(days=90)].groupby("person_id").size()
    last_active = inter.groupby("person_id")["at"].max()
    orders = (
        lines[lines["at"] <= now]
        .groupby(["person_id", "order_id"])
        .agg(net=("amount", "sum"), at=("at", "max"))
    )
    # Round each order's net to the cent as the database's exact NUMERIC sum is: a fully cancelled
    # order sums to 1e-14 in floating point, which would count as a positive order.
    orders = orders.reset_index()
    orders["net"] = orders["net"].round(2)
    positive = orders[orders["net"] > 0]
    per = pd.DataFrame(
        {
            "n": positive.groupby("person_id").size(),
            "last_order": positive.groupby("person_id")["at"].max(),
        }
    )
    spend = orders.groupby("person_id")["net"].sum().round(2)
    p = people.set_index("id")
    p["c30"] = c30.reindex(p.index).fillna(0)
    p["c90"] = c90.reindex(p.index).fillna(0)
    p["last_active"] = last_active.reindex(p.index)
    p["n"] = per["n"].reindex(p.index).fillna(0)
    p["spend"] = spend.reindex(p.index).fillna(0)
    p["last_order"] = per["last_order"].reindex(p.index)

    def ntile(frame: Any, key: str) -> Any:
        ordered = frame.reset_index().sort_values([key, "id"], kind="mergesort")
        n = len(ordered)
        sizes = [n // 5 + (1 if i < n % 5 else 0) for i in range(5)]
        return pd.Series(np.repeat(np.arange(1, 6), sizes), index=ordered["id"].to_numpy())

    buyers = p[p["n"] > 0]
    r = ntile(buyers, "last_order").reindex(p.index)
    f = ntile(buyers, "n").reindex(p.index)
    m = ntile(buyers, "spend").reindex(p.index)

    core = ((p["c30"] >= 8) & (p["spend"] >= 500)) | ((r >= 4) & (f >= 4) & (m >= 4))
    active = p["c30"] >= 3
    ordinary = p["c90"] >= 1
    dormant = (p["last_active"] <= now - dt.timedelta(days=90)) | (p["n"] >= 1)
    tier = np.select([core, active, ordinary, dormant], [0, 1, 2, 3], default=4)
    sizes = {int(k): int(v) for k, v in zip(*np.unique(tier, return_counts=True), strict=True)}
    done = time.perf_counter()
    p["tier"], p["r"], p["f"], p["m"] = tier, r, f, m
    return {rank: sizes.get(rank, 0) for rank in range(5)}, loaded - started, done - loaded, p


def _show_differences(workspace: Any, tiers: list[Any], frame: Any) -> None:
    """A few people whose tier differs, with both sides' figures (to find which rule disagrees)."""
    from socialops.fans.models import Person

    rank_of = {t.pk: rank for rank, t in enumerate(tiers)}
    fields = ("id", "tier_id", "interactions_30d", "interactions_90d", "orders_count", "total_spend",
              "rfm_recency", "rfm_frequency", "rfm_monetary", "last_active_at")  # fmt: skip
    shown = 0
    for row in Person.objects.filter(workspace=workspace).values(*fields).iterator():
        theirs = frame.loc[row["id"]]
        if rank_of.get(row["tier_id"]) != theirs["tier"]:
            print("ours  ", {k: row[k] for k in fields})
            print("pandas", theirs.to_dict())
            shown += 1
            if shown == 5:
                return


def cleanup(workspace: Any) -> None:
    """Delete the benchmark's rows table by table (a cascade through the ORM would take minutes)."""
    from django.db import connection

    with connection.cursor() as c:
        c.execute("UPDATE fans_person SET tier_id = NULL WHERE workspace_id = %s", [workspace.pk])
        for table in (
            "fans_segmentevent", "fans_segmentmembership", "fans_segmentdailysize", "fans_interaction",
            "fans_orderline", "fans_personinterest", "fans_fan", "fans_person",
        ):  # fmt: skip
            c.execute(f"DELETE FROM {table} WHERE workspace_id = %s", [workspace.pk])
    try:
        workspace.delete()
    except Exception as exc:  # a model added since the last migration: its table is missing here
        print(f"(the workspace row stays: {exc.__class__.__name__})")


def _compare(title: str, results: list[dict[str, Any]], sizes: dict[int, int], tiers: list[Any]) -> bool:
    print(f"\n{title}\n{'tier':<24}{'socialops':>12}{'pandas':>12}")
    equal = True
    for rank, tier in enumerate(tiers):
        ours = next(r["size"] for r in results if r["id"] == tier.pk)
        equal &= ours == sizes[rank]
        print(f"{tier.name:<24}{ours:>12,}{sizes[rank]:>12,}")
    print("tier sizes equal: " + ("yes" if equal else "NO"))
    return equal


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--db-url", default=os.environ.get("DATABASE_URL", DB_URL), help="a PostgreSQL database"
    )
    parser.add_argument(
        "--scale", type=float, default=1.0, help="fraction of 1M people / 20M interactions / 2M lines"
    )
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--keep", action="store_true", help="keep the workspace and its rows")
    parser.add_argument(
        "--workspace",
        help="reuse the rows of a workspace kept by an earlier --keep run (reset to cold first)",
    )
    parser.add_argument(
        "--generate-only", action="store_true", help="generate, print the slug, stop (implies --keep)"
    )
    parser.add_argument(
        "--check-warm", choices=("auto", "yes", "no"), default="auto",
        help="also compare the warm refresh's tiers with pandas (auto: at --scale 0.1 and below)",
    )  # fmt: skip
    args = parser.parse_args()
    if not args.db_url.startswith("postgres"):
        parser.error("this benchmark needs PostgreSQL (COPY, UPDATE … FROM at scale)")
    _setup_django(args.db_url)

    from django.core.management import call_command
    from django.db import connection

    from socialops.accounts import services as account_services
    from socialops.accounts.models import SocialAccount
    from socialops.fans.models import Person, Segment, SegmentKind
    from socialops.fans.services import segments as svc
    from socialops.workspaces import services as workspace_services
    from socialops.workspaces.models import Workspace

    call_command("migrate", verbosity=0)
    keep = args.keep or args.generate_only
    if args.workspace:
        workspace = Workspace.objects.get(slug=args.workspace)
        accounts = list(SocialAccount.objects.filter(workspace=workspace).order_by("pk"))
        # The generation time, stamped on every generated person.
        now = (
            Person.objects.filter(workspace=workspace).order_by("pk").values_list("created_at", flat=True)[0]
        )
        started = time.perf_counter()
        reset(workspace, now)
        print(f"reused {args.workspace}: reset to cold in {time.perf_counter() - started:.1f} s")
    else:
        slug = f"bench-seg-{uuid.uuid4().hex[:6]}"
        workspace = workspace_services.workspace_create(actor=None, name="Segmentation bench", slug=slug)
    try:
        if not args.workspace:
            accounts = [
                account_services.account_create(
                    workspace=workspace, actor=None, handle=f"acme-{p}", platform=p, display_name=p
                )
                for p in ACCOUNTS
            ]
            now = dt.datetime.now(dt.UTC).replace(microsecond=0)
            started = time.perf_counter()
            counts = generate(workspace, accounts, args.scale, now, args.seed)
            print(f"generated {counts} in {time.perf_counter() - started:.1f} s (workspace {workspace.slug})")

        def vacuum(*tables: str) -> None:  # what autovacuum would have done before the nightly run
            with connection.cursor() as c:
                for table in tables:
                    c.execute(f"VACUUM ANALYZE {table}")

        started = time.perf_counter()
        vacuum("fans_person", "fans_fan", "fans_interaction", "fans_orderline",
               "fans_segmentmembership", "fans_segmentevent")  # fmt: skip
        print(f"VACUUM ANALYZE {time.perf_counter() - started:.1f} s (not timed)")
        if args.generate_only:
            print(f"kept: --workspace {workspace.slug}")
            return

        svc.default_ladder_ensure(workspace)
        existing = set(Segment.objects.filter(workspace=workspace).values_list("name", flat=True))
        for name, rules in SEGMENTS:
            if name not in existing:
                svc.segment_create(workspace=workspace, actor=None, name=name, rules=rules)

        timings: list[tuple[str, float]] = []

        def timed(label: str, at: dt.datetime) -> Any:
            started = time.perf_counter()
            steps: dict[str, float] = {}
            last: dict[str, Any] = {"label": "", "at": started}

            def progress(step: str, done: int, total: int) -> None:
                now_ = time.perf_counter()
                steps[last["label"] or "(set-up)"] = now_ - last["at"]
                last.update(label=step, at=now_)

            results = svc.segments_refresh(workspace=workspace, progress=progress, now=at)
            elapsed = time.perf_counter() - started
            steps["(audit and commit)"] = elapsed - (last["at"] - started)
            timings.append((label, elapsed))
            moved = sum(r["entered"] + r["left"] for r in results)
            print(f"\n{label}: {elapsed:.2f} s ({moved:,} entered/left events)")
            for step, seconds in steps.items():
                print(f"  {step:<28} {seconds:7.2f} s")
            return results

        cold = timed("refresh 1, cold (every person gets a tier)", now)
        again = timed("refresh 2, no new data", now)
        assert all(r["entered"] == 0 and r["left"] == 0 for r in again), "a second refresh wrote events"

        tiers = list(Segment.objects.filter(workspace=workspace, kind=SegmentKind.TIER).order_by("rank"))
        sizes, load_s, compute_s, frame = pandas_tiers(workspace, now)
        print(
            f"\npandas baseline: load {load_s:.2f} s + compute {compute_s:.2f} s = {load_s + compute_s:.2f} s"
        )
        equal = _compare("cold refresh against pandas", cold, sizes, tiers)
        if not equal:
            _show_differences(workspace, tiers, frame)

        # The next night: a day of new interactions and orders, autovacuum has run since.
        started = time.perf_counter()
        added = add_day(workspace, accounts, args.scale, now, args.seed)
        vacuum(
            "fans_person", "fans_interaction", "fans_orderline", "fans_segmentmembership", "fans_segmentevent"
        )
        print(f"\nadded a day {added} and vacuumed in {time.perf_counter() - started:.1f} s (not timed)")
        tomorrow = now + dt.timedelta(days=1)
        warm = timed("refresh 3, warm (the next day: a day of new data)", tomorrow)
        changed = Person.objects.filter(workspace=workspace).count()
        print(
            f"  people: {changed:,}; tier changes: {sum(r['entered'] for r in warm if r['kind'] == 'tier'):,}"
        )
        if args.check_warm == "yes" or (args.check_warm == "auto" and args.scale <= 0.1):
            sizes2, _l, _c, frame2 = pandas_tiers(workspace, tomorrow)
            if not _compare("warm refresh against pandas", warm, sizes2, tiers):
                _show_differences(workspace, tiers, frame2)
                equal = False

        try:
            from socialops.fans.services.value import value_model_fit
        except ImportError:
            print("\nvalue model: skipped (socialops.fans.services.value is not there yet)")
        else:
            started = time.perf_counter()
            try:
                fit = value_model_fit(workspace=workspace, actor=None, until=tomorrow.date())
                print(
                    f"\nvalue model fit: {time.perf_counter() - started:.2f} s ({fit.n_customers} customers)"
                )
            except Exception as exc:  # report and go on: the segmentation figures stand alone
                print(f"\nvalue model fit failed after {time.perf_counter() - started:.2f} s: {exc!r}")

        print(
            "\nsaved segments (cold): "
            + ", ".join(f"{r['name']} {r['size']:,}" for r in cold if r["kind"] == "segment")
        )
        print()
        for label, seconds in timings:
            print(f"{label}: {seconds:.2f} s")
        print(f"pandas baseline (cold data): load {load_s:.2f} s, compute {compute_s:.2f} s")
        if not equal:
            sys.exit(1)
    finally:
        if not keep:
            cleanup(workspace)
        else:
            print(f"kept: --workspace {workspace.slug}")


if __name__ == "__main__":
    main()
