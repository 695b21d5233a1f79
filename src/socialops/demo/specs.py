"""What the demo is made of: the workspace's constants, and the accounts, goals and strategies read from data/.

The data files under demo/data/ are TOML (read with the standard library's tomllib); each one
says at its top what its fields mean. This module turns them into frozen dataclasses once, at
import, so the seed and the tests read the same values. The texts are the demo team's own
Chinese; they are shown as typed, not translated (like any workspace's content).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from socialops.workspaces.roles import Role

DATA_DIR = Path(__file__).resolve().parent / "data"

DEMO_SLUG = "demo"
DEMO_NAME = "星曜科技"
DEMO_TIMEZONE = "Asia/Shanghai"
DEMO_LOCALE = "zh-hans"
DEFAULT_PASSWORD = "socialops-demo"
PASSWORD_ENV = "SOCIALOPS_DEMO_PASSWORD"
# Changing the seed changes every figure of the demo; tests pin the data through a checksum.
SEED = "xingyao-2024"
METRICS_SOURCE = "demo"

# (username, role, subject expert)
DEMO_USERS: tuple[tuple[str, str, bool], ...] = (
    ("admin", Role.ADMIN, False),
    ("operator", Role.OPERATOR, False),
    ("reviewer", Role.REVIEWER, True),
    # A second reviewer: the default chain wants a different person for each step (编辑审核, 法务审核).
    ("legal", Role.REVIEWER, False),
    ("community", Role.COMMUNITY, False),
    ("analyst", Role.ANALYST, False),
)

ON_TRACK, AT_RISK, OFF_TRACK = "on_track", "at_risk", "off_track"


@cache
def load(name: str) -> dict[str, Any]:
    """The parsed TOML file ``demo/data/<name>.toml``."""
    with (DATA_DIR / f"{name}.toml").open("rb") as f:
        return tomllib.load(f)


def demo_password() -> str:
    """The demo users' password: $SOCIALOPS_DEMO_PASSWORD, else ``socialops-demo``."""
    return os.environ.get(PASSWORD_ENV) or DEFAULT_PASSWORD


def demo_user_labels() -> list[tuple[str, str]]:
    """Each demo login with its role as people read it (for the command's closing message)."""
    labels: list[tuple[str, str]] = []
    for username, role, expert in DEMO_USERS:
        label = str(Role(role).label)
        if expert:
            label = _("%(role)s, subject expert") % {"role": label}
        labels.append((username, label))
    return labels


# ---- the accounts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonaSpec:
    """A target-audience persona as the team wrote it down."""

    name: str
    age_band: str
    female_share: int
    city_tiers: tuple[str, ...]
    interests: tuple[str, ...]
    active_hours: tuple[int, ...]
    description: str


@dataclass(frozen=True)
class Profile:
    """The shape of an account's daily figures: size, rhythm, rates and funnel."""

    followers: int  # followers at the end of the history, roughly
    new_per_day: float  # new followers a day at the start of the history
    churn: float  # lost followers as a share of new ones
    growth: float  # how much daily activity grows over the history (the trend)
    weekly: tuple[float, float, float, float, float, float, float]  # Monday … Sunday
    posts: tuple[int, int]  # posts on a weekday, on a weekend day
    impressions_per_follower: float
    reach_share: float  # reach as a share of impressions
    likes: float  # per impression
    comments: float
    shares: float
    saves: float
    campaign_lift: float  # how much harder the campaign pushes this account's activity
    holiday_factor: float  # activity during the golden week, relative to normal
    # The funnel; competitors' funnels are not public, so theirs stay at zero.
    clicks: float = 0.0  # link clicks per impression
    leads: float = 0.0  # per link click
    orders: float = 0.0  # per link click
    coupons: float = 0.0  # coupon redemptions per order
    order_value: float = 0.0  # average order value in CNY
    # How the interaction rates drift over the history: 小红书 notes are getting better, while
    # 公众号 readers, like everyone's, interact a little less each month.
    rate_drift: float = 0.0


@dataclass(frozen=True)
class AccountSpec:
    """One account of the demo: its profile text, personas and metric shape."""

    key: str
    platform: str
    handle: str
    display_name: str
    positioning: str
    brand_traits: tuple[str, ...]
    market_position: str
    style_rules: str
    tone: str
    profile: Profile
    notes: str = ""
    is_competitor: bool = False
    personas: tuple[PersonaSpec, ...] = field(default_factory=tuple)


def tuples(row: dict[str, Any]) -> dict[str, Any]:
    """A data row with its arrays as tuples (TOML has arrays only; the specs are frozen and hashable)."""
    return {k: tuple(v) if isinstance(v, list) else v for k, v in row.items()}


def _account(row: dict[str, Any], *, brand: dict[str, Any] | None) -> AccountSpec:
    """An account row of accounts.toml; ours (``brand`` given) share the brand's traits and position."""
    row = dict(row)
    profile = row.pop("profile")
    personas = tuple(PersonaSpec(**tuples(p)) for p in row.pop("personas", ()))
    if brand is not None:
        row["brand_traits"] = brand["brand_traits"]
        row["market_position"] = brand["market_position"] + row.pop("market_position_more")
    # Competitors publish no style rules or tone of ours to follow.
    row.setdefault("style_rules", "")
    row.setdefault("tone", "")
    return AccountSpec(
        **tuples(row),
        is_competitor=brand is None,
        personas=personas,
        profile=Profile(**tuples(profile)),
    )


def _accounts() -> tuple[tuple[AccountSpec, ...], tuple[AccountSpec, ...]]:
    data = load("accounts")
    ours = tuple(_account(row, brand=data) for row in data["accounts"])
    # Fictional brands; their figures are the public counts a team can copy off the profile page.
    rivals = tuple(_account(row, brand=None) for row in data["competitors"])
    return ours, rivals


OUR_ACCOUNTS, COMPETITORS = _accounts()
ALL_ACCOUNTS: tuple[AccountSpec, ...] = OUR_ACCOUNTS + COMPETITORS
OUR_KEYS = tuple(spec.key for spec in OUR_ACCOUNTS)


# ---- goals and strategies -------------------------------------------------------------------------


@dataclass(frozen=True)
class GoalSpec:
    """A goal of the demo and the status it is tuned to show on the day of seeding."""

    key: str
    kind: str
    name: str
    metric: str
    accounts: tuple[str, ...]
    owner: str
    status: str
    description: str


@dataclass(frozen=True)
class StrategySpec:
    """A strategy of the demo; its dates are an anchor day (see goals.toml) plus a number of days."""

    key: str
    kind: str
    name: str
    goals: tuple[str, ...]
    start: str
    end: str
    owner: str
    description: str
    start_days: int = 0
    end_days: int = 0


GOALS: tuple[GoalSpec, ...] = tuple(GoalSpec(**tuples(row)) for row in load("goals")["goals"])
STRATEGIES: tuple[StrategySpec, ...] = tuple(
    StrategySpec(**tuples(row)) for row in load("goals")["strategies"]
)
BASELINE_NOTE: str = load("goals")["baseline_note"]
