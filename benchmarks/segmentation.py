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
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

import scale_data  # noqa: E402  (the shared generator, next to this file)

DB_URL = "postgres://postgres@127.0.0.1:5432/bench_scale"
KINDS = scale_data.KINDS


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
        scale_data.copy_frame(c.cursor, "fans_interaction", inter)
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
        scale_data.copy_frame(c.cursor, "fans_orderline", lines)
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
            f"SELECT person_id, {epoch.format('occurred_at')}, (kind <> 'unfollow')::int FROM fans_interaction "
            "WHERE workspace_id = %s",
            ["person_id", "at", "active"],
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
    # An unfollow is not activity (as interaction_record keeps last_active_at).
    last_active = inter[inter["active"] == 1].groupby("person_id")["at"].max()
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
        "--database-url", "--db-url", dest="db_url", default=os.environ.get("DATABASE_URL", DB_URL),
        help="a PostgreSQL database (migrated first)",
    )  # fmt: skip
    parser.add_argument(
        "--scale", type=float, default=1.0, help="fraction of 1M people / 20M interactions / 2M lines"
    )
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument(
        "--keep", action="store_true",
        help="keep the generated data set (analytics.py and the next run reuse it)",
    )  # fmt: skip
    parser.add_argument(
        "--generate-only", action="store_true", help="generate the data set and stop (implies --keep)"
    )
    parser.add_argument(
        "--check-warm", choices=("auto", "yes", "no"), default="auto",
        help="also compare the warm refresh's tiers with pandas (auto: at --scale 0.1 and below)",
    )  # fmt: skip
    args = parser.parse_args()
    if not args.db_url.startswith("postgres"):
        parser.error("this benchmark needs PostgreSQL (COPY, UPDATE … FROM at scale)")
    scale_data.setup_django(args.db_url)

    from django.db import connection

    from socialops.fans.models import Person, Segment, SegmentKind
    from socialops.fans.services import segments as svc

    workspace, accounts, now, generated = scale_data.dataset(args.scale, args.seed)
    keep = args.keep or args.generate_only or not generated
    try:
        if not generated:
            started = time.perf_counter()
            reset(workspace, now)
            print(f"reused {workspace.slug}: reset to cold in {time.perf_counter() - started:.1f} s")

        def vacuum(*tables: str) -> None:  # what autovacuum would have done before the nightly run
            with connection.cursor() as c:
                for table in tables:
                    c.execute(f"VACUUM ANALYZE {table}")

        started = time.perf_counter()
        vacuum("fans_person", "fans_fan", "fans_interaction", "fans_orderline",
               "fans_segmentmembership", "fans_segmentevent", "accounts_socialaccount")  # fmt: skip
        print(f"VACUUM ANALYZE {time.perf_counter() - started:.1f} s (not timed)")
        if args.generate_only:
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
            scale_data.cleanup(workspace)
        else:
            print(f"kept the data set in workspace {workspace.slug} (the next run reuses it)")


if __name__ == "__main__":
    main()
