"""The demo accounts' daily figures: 180 days of followers, reach, interactions and the sales funnel.

Generated from a fixed random seed per account and shaped by its profile (data/accounts.toml),
the weekly rhythm, the latest campaign and the holiday, so the same ``today`` gives the same figures.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from .dates import DemoCalendar, Period, demo_calendar
from .specs import ALL_ACCOUNTS, SEED, AccountSpec

# Competitors' figures are only what their public profile shows; the rest is unknown (None).
COMPETITOR_FIELDS = ("followers_total", "likes", "comments", "shares", "posts")


def noise(rng: random.Random, spread: float) -> float:
    """A multiplicative wobble around 1, clipped so a bad draw never flips a figure's sign."""
    return min(max(rng.gauss(1.0, spread), 1.0 - 3 * spread), 1.0 + 3 * spread)


def _count(value: float) -> int:
    return max(0, round(value))


def generate_metrics(spec: AccountSpec, calendar: DemoCalendar) -> list[tuple[dt.date, dict[str, Any]]]:
    """One account's daily figures over the history window, deterministic for a given ``today``."""
    p = spec.profile
    rng = random.Random(f"{SEED}:{spec.key}")
    days = calendar.days
    n = len(days)
    campaign = calendar.campaign
    after_campaign = Period("", campaign.end + dt.timedelta(days=1), campaign.end + dt.timedelta(days=7))
    holiday = calendar.holiday

    rows: list[dict[str, Any]] = []
    for i, day in enumerate(days):
        trend = 1.0 + p.growth * i / (n - 1)
        weekday = p.weekly[day.weekday()]
        weekend = day.weekday() >= 5
        lift = 1.0
        if day in campaign:
            # The push builds up to the last day (the festival itself), like real presales.
            progress = (day - campaign.start).days / max(1, (campaign.end - campaign.start).days)
            lift = 1.0 + (p.campaign_lift - 1.0) * (0.6 + 0.8 * progress)
        seasonal = p.holiday_factor if day in holiday else 1.0
        activity = trend * weekday * lift * seasonal

        new = _count(p.new_per_day * activity * noise(rng, 0.12))
        if day in holiday:
            # Unfollows take no holiday: the usual number leave while far fewer arrive.
            lost = _count(p.new_per_day * trend * p.churn * noise(rng, 0.15))
        else:
            churn = p.churn * (1.6 if day in after_campaign else 1.0)  # deal hunters leave after the push
            lost = _count(new * churn * noise(rng, 0.15))

        posts = p.posts[1] if weekend else p.posts[0]
        if day in campaign:
            posts += 1
        if spec.platform == "wechat_mp" and weekend and day not in campaign:
            posts = 1 if rng.random() < 0.15 else 0
        engage = 1.0 + p.rate_drift * i / (n - 1)
        rows.append(
            {"new": new, "lost": lost, "activity": activity, "lift": lift, "posts": posts, "engage": engage}
        )

    # Work backwards from the size the account should have now, so the totals are always plausible.
    net = sum(r["new"] - r["lost"] for r in rows)
    followers = round(p.followers * rng.uniform(0.97, 1.03)) - net

    result: list[tuple[dt.date, dict[str, Any]]] = []
    for day, r in zip(days, rows, strict=True):
        followers += r["new"] - r["lost"]
        impressions = followers * p.impressions_per_follower * r["activity"] * noise(rng, 0.15)
        if r["posts"] == 0:
            impressions *= 0.35  # older posts keep being read, far less
        clicks = impressions * p.clicks * (1.0 + (r["lift"] - 1.0) * 1.5) * noise(rng, 0.18)
        orders = clicks * p.orders * (1.0 + (r["lift"] - 1.0) * 1.2) * noise(rng, 0.2)
        order_count = _count(orders)
        figures: dict[str, Any] = {
            "followers_total": followers,
            "new_followers": r["new"],
            "lost_followers": r["lost"],
            "impressions": _count(impressions),
            "reach": _count(impressions * p.reach_share * noise(rng, 0.04)),
            "likes": _count(impressions * p.likes * r["engage"] * noise(rng, 0.15)),
            "comments": _count(impressions * p.comments * r["engage"] * noise(rng, 0.2)),
            "shares": _count(impressions * p.shares * r["engage"] * noise(rng, 0.2)),
            "saves": _count(impressions * p.saves * r["engage"] * noise(rng, 0.2)),
            "link_clicks": _count(clicks),
            "leads": _count(clicks * p.leads * noise(rng, 0.25)),
            "coupon_redemptions": _count(
                order_count * p.coupons * (1.4 if r["lift"] > 1 else 1.0) * noise(rng, 0.2)
            ),
            "orders": order_count,
            "revenue": Decimal(f"{order_count * p.order_value * noise(rng, 0.08):.2f}"),
            "posts": r["posts"],
        }
        if spec.is_competitor:
            figures = {k: (v if k in COMPETITOR_FIELDS else None) for k, v in figures.items()}
        result.append((day, figures))
    return result


def generate_all(today: dt.date) -> dict[str, list[tuple[dt.date, dict[str, Any]]]]:
    """Every demo account's figures, keyed by the account's spec key."""
    calendar = demo_calendar(today)
    return {spec.key: generate_metrics(spec, calendar) for spec in ALL_ACCOUNTS}
