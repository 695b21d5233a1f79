"""Seed a workspace for the load test (deploy/smoke.sh) and, later, measure what was published.

    python deploy/load_seed.py seed --sandbox URL --out seed.json [--accounts 20 --posts 1000 --users 10]
    python deploy/load_seed.py due --seed seed.json [--start-in 30 --spread 540]
    python deploy/load_seed.py verify --sandbox URL --seed seed.json [--wait 120] > verify.json
    python deploy/load_seed.py report --csv locust_stats.csv --verify verify.json

`seed` (settings from the environment, as every socialops process reads them): a workspace
`load` with editors, reviewers and viewers (password in the JSON), API tokens, accounts connected
to the sandbox platform, 180 days of metrics per account, a library of items (a part of them in
review for the reviewers), and POSTS publications. Writes the JSON the locustfile reads.

`due` (once the web server and the workers run) makes those publications fall due evenly from
START-IN seconds on over SPREAD seconds, each queued exactly as the scheduling service queues it.

`verify` waits until none of those publications is open (or WAIT seconds), then compares them
with the posts the sandbox received: duplicates (posts beyond one per publication) and lost
(publications not published, or published without their post on the platform), and lateness
(published at − due at). Prints one JSON line; exit 1 when a post is duplicated or lost.

`report` prints the table: per route requests, errors, p50/p95/p99 against the targets (pages
p95 < 500 ms, API < 300 ms), then publishing; exit 1 on any error, duplicate or lost post.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

PASSWORD = "load-test-password-8841"
SLUG = "load"


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialops.config.settings")
    import django

    django.setup()


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def seed(args: argparse.Namespace) -> dict[str, Any]:
    """The workspace, people, accounts, library and the publications due during the load."""
    _setup_django()
    from django.utils import timezone

    from socialops.accounts import services as account_services
    from socialops.content.models import ContentItem
    from socialops.content.services import items as item_services
    from socialops.content.services import themes as theme_services
    from socialops.goals.models import MetricSnapshot
    from socialops.platforms.services import sandbox as sandbox_services
    from socialops.publishing.models import Publication
    from socialops.review.services import rounds as round_services
    from socialops.workspaces import services as ws_services
    from socialops.workspaces.roles import Role

    rng = random.Random(7)
    ws = ws_services.workspace_create(actor=None, name="Load test", slug=SLUG)
    people: dict[str, list[str]] = {"editor": [], "reviewer": [], "viewer": []}
    users: dict[str, Any] = {}
    for kind, role in (("editor", Role.OPERATOR), ("reviewer", Role.REVIEWER), ("viewer", Role.OPERATOR)):
        for i in range(args.users):
            name = f"{kind}{i:02d}"
            user = ws_services.user_create(actor=None, username=name, password=PASSWORD)
            ws_services.membership_add(workspace=ws, actor=None, user=user, role=role)
            people[kind].append(name)
            users[name] = user
    tokens = [ws_services.api_token_create(user=users[n], name="load")[1] for n in people["editor"]]

    themes = [
        theme_services.theme_create(workspace=ws, actor=None, name=n)
        for n in ("新品", "教程", "活动", "品牌故事")
    ]
    accounts = []
    for i in range(args.accounts):
        account = account_services.account_create(
            workspace=ws, actor=None, platform="mastodon", handle=f"load{i:03d}", display_name=f"负载账号 {i}"
        )
        sandbox_services.sandbox_connect(workspace=ws, actor=None, account=account, base_url=args.sandbox)
        accounts.append(account)
    # Half a year of daily metrics, so the dashboard draws real charts.
    today = timezone.localdate()
    snapshots = []
    for account in accounts:
        followers = rng.randint(2_000, 50_000)
        for d in range(180, 0, -1):
            gained = rng.randint(0, 120)
            followers += gained - rng.randint(0, 40)
            snapshots.append(
                MetricSnapshot(
                    workspace=ws,
                    account=account,
                    date=today - dt.timedelta(days=d),
                    followers_total=max(0, followers),
                    new_followers=gained,
                    impressions=rng.randint(1_000, 90_000),
                    likes=rng.randint(10, 3_000),
                    comments=rng.randint(0, 300),
                    shares=rng.randint(0, 200),
                    posts=rng.randint(0, 3),
                )
            )
    MetricSnapshot.objects.bulk_create(snapshots, batch_size=2000)

    # The library: items made through the service (revisions, checks, audit as in real use).
    library = []
    for i in range(args.items):
        editor = users[people["editor"][i % len(people["editor"])]]
        item = item_services.content_item_create(
            workspace=ws,
            actor=editor,
            title=f"内容 {i:04d}：{rng.choice(['春季上新', '使用教程', '会员日', '门店故事'])}",
            form="short_post",
            theme=themes[i % len(themes)],
            evergreen=True,
            accounts=[accounts[i % len(accounts)]],
            body=f"第 {i} 条内容。欢迎来店里看看新品，周末会员有礼。#{i}",
        )
        library.append(item)
    for item in library[: args.items // 3]:
        round_services.item_submit(workspace=ws, actor=users[people["editor"][0]], item=item)

    # The posts that fall due during the load: rows in bulk (the set-up is not what is measured;
    # the scheduling service audits each row). `due` gives them their times and queues them once
    # the processes run, so the set-up's duration does not eat into the load.
    placeholder = timezone.now() + dt.timedelta(days=365)
    items = ContentItem.objects.bulk_create(
        [
            ContentItem(
                workspace=ws,
                theme=themes[i % len(themes)],
                title=f"到点发布 {i:05d}",
                form="short_post",
                body=f"load post {i:05d} {rng.getrandbits(40):010x}",
                evergreen=True,
                status="scheduled",
            )
            for i in range(args.posts)
        ],
        batch_size=500,
    )
    pubs = Publication.objects.bulk_create(
        [
            Publication(workspace=ws, item=item, account=accounts[i % len(accounts)], due_at=placeholder)
            for i, item in enumerate(items)
        ],
        batch_size=500,
    )
    out = {
        "slug": SLUG,
        "password": PASSWORD,
        "people": people,
        "tokens": tokens,
        "themes": [t.pk for t in themes],
        "accounts": [a.pk for a in accounts],
        "items": [i.pk for i in library],
        "publications": [p.pk for p in pubs],
    }
    Path(args.out).write_text(json.dumps(out))
    print(
        f"seeded workspace {SLUG}: {len(accounts)} accounts, {len(library)} items, {len(pubs)} posts to fall due",
        file=sys.stderr,
    )
    return out


def due(args: argparse.Namespace) -> None:
    """Give the seeded publications due times from START-IN seconds on, evenly over SPREAD
    seconds, and queue each one with the task and eta the scheduling service uses."""
    _setup_django()
    from django.utils import timezone

    from socialops.publishing.models import Publication
    from socialops.publishing.tasks import publish_publication

    ids = json.loads(Path(args.seed).read_text())["publications"]
    start = timezone.now() + dt.timedelta(seconds=args.start_in)
    step = args.spread / max(1, len(ids))
    pubs = list(Publication.objects.filter(pk__in=ids).order_by("pk"))
    for i, pub in enumerate(pubs):
        pub.due_at = start + dt.timedelta(seconds=i * step)
    Publication.objects.bulk_update(pubs, ["due_at"], batch_size=500)
    for pub in pubs:
        publish_publication.schedule(args=(pub.pk, pub.version), eta=pub.due_at)
    print(f"{len(pubs)} posts due from {start:%H:%M:%S} over {args.spread:.0f} s", file=sys.stderr)


PAGE_P95_MS = 500
API_P95_MS = 300
LATENESS_P99_S = 30


def report(args: argparse.Namespace) -> int:
    """The table: each route's count, errors and p50/p95/p99 against its target; then publishing."""
    import csv

    rows = list(csv.DictReader(open(args.csv, encoding="utf-8")))  # noqa: SIM115
    checked = json.loads(Path(args.verify).read_text() or "{}") if Path(args.verify).exists() else {}
    lines = [
        f"load: {args.users} users for {args.duration} s; load average at the end {args.loadavg}",
        f"{'route':<36} {'requests':>8} {'errors':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}  target",
    ]
    failed = False
    errors_total = 0
    for row in rows:
        name = row["Name"]
        count, errors = int(row["Request Count"]), int(row["Failure Count"])
        p50, p95, p99 = (row.get(k, "") for k in ("50%", "95%", "99%"))
        if name == "Aggregated":
            lines.append(f"{'all routes':<36} {count:>8} {errors:>6} {p50:>7} {p95:>7} {p99:>7}")
            continue
        errors_total += errors
        limit = API_P95_MS if name.startswith("api:") else PAGE_P95_MS
        met = p95 not in ("", "N/A") and float(p95) < limit
        lines.append(
            f"{name[:36]:<36} {count:>8} {errors:>6} {p50:>7} {p95:>7} {p99:>7}  p95 < {limit}"
            f" {'ok' if met else 'MISSED'}"
        )
    lat = checked.get("lateness_p99_s")
    lines.append(
        f"publishing: {checked.get('posts', '?')} due, {checked.get('published', '?')} published, "
        f"{checked.get('duplicates', '?')} duplicates, {checked.get('lost', '?')} lost; lateness "
        f"p50 {checked.get('lateness_p50_s')} s, p95 {checked.get('lateness_p95_s')} s, p99 {lat} s "
        f"(target < {LATENESS_P99_S} s: {'ok' if lat is not None and lat < LATENESS_P99_S else 'MISSED'})"
    )
    if errors_total or checked.get("duplicates", 1) or checked.get("lost", 1):
        failed = True
    lines.append("RESULT: " + ("FAILED (errors, duplicates or lost posts)" if failed else "ok"))
    print("\n".join(lines))
    return 1 if failed else 0


def verify(args: argparse.Namespace) -> int:
    """Compare the seeded publications with the sandbox's posts; print the figures as JSON."""
    _setup_django()
    from socialops.platforms.sandbox import SandboxAdmin
    from socialops.publishing.models import Publication

    data = json.loads(Path(args.seed).read_text())
    ids = data["publications"]
    deadline = time.monotonic() + args.wait
    open_states = ["scheduled", "publishing", "unknown"]
    while time.monotonic() < deadline:
        if not Publication.objects.filter(pk__in=ids, state__in=open_states).exists():
            break
        time.sleep(1)
    rows = list(
        Publication.objects.filter(pk__in=ids).values("state", "due_at", "published_at", "idempotency_key")
    )
    with SandboxAdmin(args.sandbox, timeout=30.0) as admin:
        posts = admin.posts()
    on_platform: dict[str, int] = {}
    for post in posts["posts"]:
        key = post.get("idempotency_key") or ""
        on_platform[key] = on_platform.get(key, 0) + 1
    ours = {r["idempotency_key"] for r in rows}
    duplicates = sum(n - 1 for k, n in on_platform.items() if k in ours and n > 1)
    duplicates += int(posts.get("duplicate_texts", 0))
    published = [r for r in rows if r["state"] == "published"]
    lost = (len(rows) - len(published)) + sum(1 for r in published if r["idempotency_key"] not in on_platform)
    lateness = [(r["published_at"] - r["due_at"]).total_seconds() for r in published]
    states: dict[str, int] = {}
    for r in rows:
        states[r["state"]] = states.get(r["state"], 0) + 1
    result = {
        "posts": len(rows),
        "published": len(published),
        "states": states,
        "on_platform": sum(on_platform.get(k, 0) for k in ours),
        "duplicates": duplicates,
        "lost": lost,
        "lateness_p50_s": _pct(lateness, 0.5),
        "lateness_p95_s": _pct(lateness, 0.95),
        "lateness_p99_s": _pct(lateness, 0.99),
        "lateness_max_s": max(lateness) if lateness else None,
    }
    print(json.dumps(result))
    return 0 if duplicates == 0 and lost == 0 else 1


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="action", required=True)
    s = sub.add_parser("seed")
    s.add_argument("--sandbox", required=True)
    s.add_argument("--out", required=True)
    s.add_argument("--accounts", type=int, default=20)
    s.add_argument("--posts", type=int, default=1000)
    s.add_argument("--items", type=int, default=120)
    s.add_argument("--users", type=int, default=10, help="editors, reviewers and viewers, each")
    d = sub.add_parser("due")
    d.add_argument("--seed", required=True)
    d.add_argument("--start-in", type=float, default=30.0)
    d.add_argument("--spread", type=float, default=540.0)
    r = sub.add_parser("report")
    r.add_argument("--csv", required=True)
    r.add_argument("--verify", required=True)
    r.add_argument("--loadavg", default="")
    r.add_argument("--users", default="")
    r.add_argument("--duration", default="")
    v = sub.add_parser("verify")
    v.add_argument("--sandbox", required=True)
    v.add_argument("--seed", required=True)
    v.add_argument("--wait", type=float, default=120.0)
    args = parser.parse_args()
    if args.action == "seed":
        seed(args)
        return 0
    if args.action == "due":
        due(args)
        return 0
    if args.action == "report":
        return report(args)
    return verify(args)


if __name__ == "__main__":
    sys.exit(main())
