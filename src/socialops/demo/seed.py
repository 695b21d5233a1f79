"""The demo workspace 「星曜科技」: `socialops demo` seeds it, with five logins and everything a team would have.

The parts, in the order they are seeded: accounts and personas (specs.py, data/accounts.toml),
180 days of metrics (metrics.py), goals and strategies (goals.py), and the content operation
(content.py: themes, media drawn by media.py, the backlog, post history from history.py and the
publishing plan), the fans (fans.py: people, interactions, orders, tiers, a coupon and playbooks),
the inbox (inbox.py: saved replies, auto-reply rules, the last days' fan messages in threads),
campaigns (campaigns.py: a running campaign with its topic and ideas; polls.py: a poll with its
responses; draws.py: a finished, verifiable lucky draw), the community (moderation.py: settings;
groups.py: a group with a month of messages, moderation actions and a sharing plan; events.py:
events with registrations and check-ins, member tickets) and the analyses' proposals (insights.py).

Everything is generated from a fixed random seed and dated relative to ``today`` (Asia/Shanghai),
so the demo always looks current and two seeds on the same day hold identical figures. Rows are
written only through the apps' services with ``actor=None`` (the system), so every write is
validated and audited like a person's would be — except the fans' bulk history (people, fans,
interactions and order lines, thousands of rows an import or a platform sync would bring), which
fans.py writes with bulk_create before it calls the fans services, and the team's past inbox
replies, which inbox.py writes as sent history.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, fields
from typing import Any

from django.db import transaction

from socialops.accounts.services import account_create, persona_create
from socialops.goals.services.metrics import snapshots_upsert_many
from socialops.workspaces.models import Workspace
from socialops.workspaces.services import membership_add, user_create, workspace_create, workspace_delete

from .campaigns import seed_campaigns
from .content import DemoContent, seed_content
from .dates import DemoCalendar, demo_calendar, demo_today
from .draws import seed_draws
from .events import seed_events
from .fans import DemoFans, seed_fans
from .goals import seed_goals
from .groups import seed_groups
from .inbox import seed_inbox
from .insights import seed_insights
from .metrics import generate_metrics
from .moderation import seed_moderation
from .polls import seed_polls
from .specs import (
    ALL_ACCOUNTS,
    DEMO_LOCALE,
    DEMO_NAME,
    DEMO_SLUG,
    DEMO_TIMEZONE,
    DEMO_USERS,
    METRICS_SOURCE,
    demo_password,
)


@dataclass
class DemoResult:
    """What a seed created, for the command to print and the tests to check."""

    workspace: Any
    users: dict[str, Any]
    accounts: dict[str, Any]
    goals: dict[str, Any]
    strategies: dict[str, Any]
    snapshots: int
    password: str
    calendar: DemoCalendar
    content: DemoContent
    fans: DemoFans
    threads: int


def demo_workspace() -> Workspace | None:
    """The demo workspace, or None when it has not been seeded."""
    return Workspace.objects.filter(slug=DEMO_SLUG).first()


@transaction.atomic
def demo_delete() -> bool:
    """Delete the demo workspace with everything in it, and the demo users who belong nowhere else."""
    workspace = demo_workspace()
    if workspace is None:
        return False
    workspace_delete(workspace=workspace, actor=None, delete_lone_users=True)
    return True


def _seed_users(workspace: Any, password: str) -> dict[str, Any]:
    users: dict[str, Any] = {}
    for username, role, expert in DEMO_USERS:
        user = user_create(
            actor=None, username=username, password=password, email=f"{username}@xingyao-tech.example"
        )
        membership_add(workspace=workspace, actor=None, user=user, role=role, is_subject_expert=expert)
        users[username] = user
    return users


# The fields of an account spec that are the demo's own, not the account's profile.
_DEMO_ONLY_FIELDS = {"key", "profile", "personas"}


def _seed_accounts(workspace: Any) -> dict[str, Any]:
    accounts: dict[str, Any] = {}
    for spec in ALL_ACCOUNTS:
        profile = {f.name: getattr(spec, f.name) for f in fields(spec) if f.name not in _DEMO_ONLY_FIELDS}
        account = account_create(workspace=workspace, actor=None, **profile)
        for persona in spec.personas:
            # A persona spec holds exactly the persona's fields.
            persona_create(workspace=workspace, actor=None, account=account, **asdict(persona))
        accounts[spec.key] = account
    return accounts


def _seed_metrics(workspace: Any, accounts: dict[str, Any], calendar: DemoCalendar) -> int:
    rows: list[tuple[Any, dt.date, dict[str, Any]]] = []
    for spec in ALL_ACCOUNTS:
        for day, figures in generate_metrics(spec, calendar):
            rows.append((accounts[spec.key], day, figures))
    snapshots_upsert_many(workspace=workspace, actor=None, rows=rows, source=METRICS_SOURCE)
    return len(rows)


@transaction.atomic
def demo_seed(
    *, today: dt.date | None = None, password: str | None = None, extras: bool = False
) -> DemoResult:
    """Create the demo workspace from scratch (the caller makes sure it does not exist yet).

    ``extras`` adds the second half (campaigns, poll, draw, community, the analyses' proposals);
    `socialops demo` always does, while the core seed alone stays deterministic to the row.
    """
    today = today or demo_today()
    password = password or demo_password()
    calendar = demo_calendar(today)
    workspace = workspace_create(
        actor=None, name=DEMO_NAME, slug=DEMO_SLUG, timezone=DEMO_TIMEZONE, locale=DEMO_LOCALE
    )
    users = _seed_users(workspace, password)
    accounts = _seed_accounts(workspace)
    snapshots = _seed_metrics(workspace, accounts, calendar)
    goals, strategies = seed_goals(workspace, users, accounts, calendar)
    content = seed_content(workspace, users, accounts, calendar)
    fans = seed_fans(workspace, users, accounts, strategies, calendar)
    threads = seed_inbox(workspace, users, calendar)
    if extras:
        seed_extras(workspace, users, calendar)
    return DemoResult(
        workspace=workspace,
        users=users,
        accounts=accounts,
        goals=goals,
        strategies=strategies,
        snapshots=snapshots,
        password=password,
        calendar=calendar,
        content=content,
        fans=fans,
        threads=threads,
    )


def seed_extras(workspace: Any, users: dict[str, Any], calendar: DemoCalendar) -> None:
    """The second half of the plan: campaigns (topic, poll, a finished draw), the community (group,
    moderation, events and tickets) and what the analyses propose."""
    seed_campaigns(workspace, calendar.today)
    seed_polls(workspace, calendar.today)
    seed_draws(workspace, calendar.today)
    seed_moderation(workspace, users)
    seed_groups(workspace, calendar.today)
    seed_events(workspace, calendar.today)
    seed_insights(workspace, calendar.today)
