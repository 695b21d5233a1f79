"""Publishing engine: lateness, throughput, duplicates and losses for a crowd of posts due together.

    .venv/bin/python benchmarks/publishing.py                       # 10,000 posts, 1,000 accounts
    .venv/bin/python benchmarks/publishing.py --posts 1000 --accounts 100 --workers 1 2
    .venv/bin/python benchmarks/publishing.py --stores sqlite       # only SQLite + SqliteHuey

For each store (SQLite + SqliteHuey; PostgreSQL + RedisHuey when --pg-url / --redis-url answer)
and each number of worker processes, in a fresh database and a fresh sandbox platform (every
request delayed by --latency-ms): connect the accounts to the sandbox, plan the posts all due at
the same instant shortly after the set-up (or spread over --spread seconds), queue each one's
task with its due time (the task `publication_schedule` queues), start real `socialops worker`
processes and wait until every publication is done. Then print lateness (published at − due),
throughput, duplicates (posts on the platform beyond one per publication) and lost (publications
not published, or published without a post on the platform), with the platform's floor:
posts × latency ÷ concurrent requests.

Each configuration runs in its own Python process (``--one STORE WORKERS``), so its settings
come from the environment exactly as a deployment's would.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

PG_URL = "postgres://postgres@127.0.0.1:5432/postgres"
REDIS_URL = "redis://127.0.0.1:6379/14"


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


# ---- one configuration (runs in its own process) ----------------------------------------------


def _setup(args: argparse.Namespace, sandbox_url: str) -> tuple[list[int], dt.datetime]:
    """Workspace, accounts connected to the sandbox, approved items and their queued publications."""
    from django.core.management import call_command
    from django.utils import timezone

    from socialops.accounts import services as account_services
    from socialops.content.models import ContentItem
    from socialops.content.services import themes as theme_services
    from socialops.platforms.services import sandbox as platform_services
    from socialops.publishing.models import Publication
    from socialops.publishing.tasks import publish_publication
    from socialops.workspaces import services as workspace_services

    call_command("migrate", verbosity=0)
    ws = workspace_services.workspace_create(actor=None, name="Bench", slug="bench")
    theme = theme_services.theme_create(workspace=ws, actor=None, name="基准")
    accounts = []
    for i in range(args.accounts):
        account = account_services.account_create(
            workspace=ws, actor=None, handle=f"bench{i:04d}", platform="mastodon", display_name=f"Bench {i}"
        )
        platform_services.sandbox_connect(workspace=ws, actor=None, account=account, base_url=sandbox_url)
        accounts.append(account)
    # Rows in bulk: the set-up is not what is measured (the scheduling service audits every row
    # and would take minutes for 10,000); the queue gets exactly the task that service enqueues.
    items = ContentItem.objects.bulk_create(
        [
            ContentItem(
                workspace=ws,
                theme=theme,
                title=f"基准 {i:05d}",
                form="article",
                body=f"benchmark post {i:05d} {uuid.uuid4().hex[:8]}",
                evergreen=True,
                status="scheduled",
            )
            for i in range(args.posts)
        ],
        batch_size=500,
    )
    # All due at one instant (the default, the hardest case) or spread over --spread seconds,
    # starting once the set-up is surely over.
    start = timezone.now() + dt.timedelta(seconds=args.lead)
    step = args.spread / max(1, args.posts)
    pubs = Publication.objects.bulk_create(
        [
            Publication(
                workspace=ws,
                item=item,
                account=accounts[i % len(accounts)],
                due_at=start + dt.timedelta(seconds=i * step),
            )
            for i, item in enumerate(items)
        ],
        batch_size=500,
    )
    for pub in pubs:
        publish_publication.schedule(args=(pub.pk, pub.version), eta=pub.due_at)
    return [p.pk for p in pubs], start


def _worker_env(threads: int) -> dict[str, str]:
    return {**os.environ, "SOCIALOPS_WORKERS": str(threads), "PYTHONUNBUFFERED": "1"}


def run_one(args: argparse.Namespace) -> dict[str, Any]:
    """Run one configuration (the environment says which database and queue) and measure it."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialops.config.settings")
    django.setup()
    from django.conf import settings
    from django.utils import timezone

    from socialops.platforms.sandbox import Faults, SandboxAdmin, SandboxServer
    from socialops.publishing.models import Publication

    store, workers = args.one[0], int(args.one[1])
    cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    sandbox = SandboxServer(
        db_path=Path(settings.DATA_DIR) / "sandbox.sqlite3", faults=Faults(rate_limit=0)
    ).start()
    procs: list[subprocess.Popen[bytes]] = []
    try:
        t0 = time.monotonic()
        ids, start = _setup(args, sandbox.url)
        setup_s = time.monotonic() - t0
        with SandboxAdmin(sandbox.url) as admin:
            admin.set_faults(latency_ms=args.latency_ms)
            for _ in range(workers):
                procs.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "socialops.cli", "worker", "-v", "0"],
                        env=_worker_env(args.threads),
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                    )
                )
            deadline = time.monotonic() + args.lead + args.spread + args.timeout
            open_states = ["scheduled", "publishing", "unknown"]
            while time.monotonic() < deadline:
                if not Publication.objects.filter(pk__in=ids, state__in=open_states).exists():
                    break
                time.sleep(0.5)
            posts = admin.posts()
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
        sandbox.stop()
    cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    # The worker processes' CPU (they are this process's children, reaped above).
    cpu_s = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    rows: list[dict[str, Any]] = [
        dict(row)
        for row in Publication.objects.filter(pk__in=ids).values(
            "state", "due_at", "published_at", "idempotency_key", "external_id"
        )
    ]
    published = [r for r in rows if r["state"] == "published"]
    lateness = [(r["published_at"] - r["due_at"]).total_seconds() for r in published]
    keys_on_platform: dict[str, int] = {}
    for post in posts["posts"]:
        keys_on_platform[post["idempotency_key"]] = keys_on_platform.get(post["idempotency_key"], 0) + 1
    duplicates = posts["count"] - len(keys_on_platform) + int(posts["duplicate_texts"])
    lost = (len(rows) - len(published)) + sum(
        1 for r in published if r["idempotency_key"] not in keys_on_platform
    )
    times = [r["published_at"] for r in published]
    span = (max(times) - min(r["due_at"] for r in rows)).total_seconds() if times else float("nan")
    # Requests in flight at most: one per worker thread (legacy) or per send slot (batch), and
    # never more than one per account; each account's posts also go one after another.
    slots = args.threads
    if os.environ.get("SOCIALOPS_PUBLISHING_ENGINE") == "batch":
        slots = int(os.environ.get("SOCIALOPS_PUBLISHING_SEND_CONCURRENCY", "64"))
    concurrency = min(workers * slots, args.accounts)
    per_account = -(-len(rows) // max(1, args.accounts))
    return {
        "store": store,
        "engine": os.environ.get("SOCIALOPS_PUBLISHING_ENGINE", "legacy"),
        "cpu_ms_per_post": 1000 * cpu_s / max(1, len(rows)),
        "workers": workers,
        "threads": args.threads,
        "posts": len(rows),
        "accounts": args.accounts,
        "setup_s": round(setup_s, 1),
        "p50": _pct(lateness, 0.5),
        "p99": _pct(lateness, 0.99),
        "max": max(lateness) if lateness else float("nan"),
        "throughput": len(published) / span if span and span > 0 else float("nan"),
        "duplicates": duplicates,
        "lost": lost,
        "concurrency": concurrency,
        "floor_s": max(len(rows) / concurrency, per_account) * args.latency_ms / 1000,
        "started": start.isoformat(),
        "finished": timezone.now().isoformat(),
    }


# ---- the driver -------------------------------------------------------------------------------


def _pg_database(base_url: str) -> str | None:
    """A fresh database on the PostgreSQL server at base_url; None when it does not answer."""
    try:
        import psycopg
    except ImportError:
        return None
    name = f"bench_publishing_{uuid.uuid4().hex[:8]}"
    try:
        with psycopg.connect(base_url.replace("postgres://", "postgresql://"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error:
        return None
    return base_url.rsplit("/", 1)[0] + "/" + name


def _pg_drop(base_url: str, url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(base_url.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _redis_ok(url: str) -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_timeout=2).ping())
    except Exception:  # noqa: BLE001 — any failure means "not available"
        return False


def _line(r: dict[str, Any]) -> str:
    return (
        f"{r['store']:<22} {r['engine']:<6} {r['workers']:>2} proc × {r['threads']:>2} threads  "
        f"lateness p50 {r['p50']:6.2f} s  p99 {r['p99']:6.2f} s  max {r['max']:6.2f} s  "
        f"{r['throughput']:7.1f} posts/s  duplicates {r['duplicates']}  lost {r['lost']}  "
        f"CPU {r['cpu_ms_per_post']:.1f} ms/post  "
        f"[floor {r['floor_s']:.1f} s = {r['posts']} × {r.get('latency_ms', 0)} ms ÷ {r['concurrency']} in flight; "
        f"set-up {r['setup_s']} s]"
    )


def main(argv: list[str] | None = None) -> int:
    """Run every configuration and print one line each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--accounts", type=int, default=1_000)
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4], help="worker processes")
    parser.add_argument("--threads", type=int, default=8, help="threads per worker process")
    parser.add_argument(
        "--spread", type=float, default=0.0, help="seconds the due times spread over (default 0: all at once)"
    )
    parser.add_argument(
        "--engine",
        nargs="+",
        default=["batch", "legacy"],
        choices=["batch", "legacy"],
        help="publishing engines to measure (legacy: one task per post, the engine before batching)",
    )
    parser.add_argument("--stores", nargs="+", default=["sqlite", "postgres"], choices=["sqlite", "postgres"])
    parser.add_argument("--pg-url", default=PG_URL, help="a PostgreSQL server (a fresh database is made)")
    parser.add_argument("--redis-url", default=REDIS_URL)
    parser.add_argument(
        "--lead",
        type=float,
        default=0.0,
        help="seconds from the end of set-up to the first due (default: 10 + posts ÷ 500)",
    )
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds allowed after the last due")
    parser.add_argument("--one", nargs=2, metavar=("STORE", "WORKERS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.lead = args.lead or 10.0 + args.posts / 500
    if args.one:
        result = run_one(args)
        result["latency_ms"] = args.latency_ms
        print("RESULT " + json.dumps(result))
        return 0

    print(
        f"{args.posts} posts across {args.accounts} accounts due within {args.spread:g} s; sandbox latency "
        f"{args.latency_ms} ms; {args.threads} threads per worker process"
    )
    failures = 0
    configs = [(s, e, w) for s in args.stores for e in args.engine for w in args.workers]
    skipped: set[str] = set()
    for store, engine_name, workers in configs:
        if store in skipped:
            continue
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
        env["SOCIALOPS_PUBLISHING_ENGINE"] = engine_name
        # The sandbox platform listens on loopback, which the egress policy refuses by default.
        env.setdefault("SOCIALOPS_EGRESS_ALLOW", "127.0.0.0/8,::1/128")
        data_dir = tempfile.mkdtemp(prefix=f"bench-publishing-{store}-")
        env.update(SOCIALOPS_DATA_DIR=data_dir, DJANGO_SETTINGS_MODULE="socialops.config.settings")
        db_url = None
        if store == "postgres":
            db_url = _pg_database(args.pg_url)
            if db_url is None or not _redis_ok(args.redis_url):
                print(f"{store}: skipped (no PostgreSQL at {args.pg_url} or no Redis at {args.redis_url})")
                skipped.add(store)
                continue
            env.update(
                DATABASE_URL=db_url,
                REDIS_URL=args.redis_url,
                SOCIALOPS_HUEY_NAME=f"bench-{uuid.uuid4().hex[:8]}",
            )
        label = "SQLite + SqliteHuey" if store == "sqlite" else "PostgreSQL + RedisHuey"
        cmd = [
            sys.executable,
            __file__,
            "--one",
            label,
            str(workers),
            *("--posts", str(args.posts), "--accounts", str(args.accounts)),
            *("--latency-ms", str(args.latency_ms), "--threads", str(args.threads)),
            *("--lead", str(args.lead), "--timeout", str(args.timeout), "--spread", str(args.spread)),
        ]
        try:
            out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
        finally:
            if db_url:
                _pg_drop(args.pg_url, db_url)
        found = [line for line in out.stdout.splitlines() if line.startswith("RESULT ")]
        if not found:
            failures += 1
            print(f"{label} {workers} proc: failed\n{out.stderr[-3000:]}")
            continue
        result = json.loads(found[-1][len("RESULT ") :])
        failures += bool(result["duplicates"] or result["lost"])
        print(_line(result), flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
