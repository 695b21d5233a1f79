"""Coupon redemptions in the accounts' conversion metrics: goals and strategies read them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from socialops.fans.services import conversions
from socialops.fans.services import coupons as svc
from socialops.goals.models import MetricSnapshot
from socialops.goals.selectors.goals import goal_progress
from socialops.goals.selectors.strategies import strategy_effect
from tests.factories import make_account, make_goal, make_order_line, make_strategy
from tests.fans.test_coupons import issued, make_campaign

pytestmark = pytest.mark.django_db


def test_order_lines_credited_to_the_account_count_once_per_order(workspace: Any) -> None:
    account = make_account(workspace, "acme_mp", "wechat_mp")
    campaign = make_campaign(workspace, account)
    coupon = issued(workspace, campaign)

    make_order_line(workspace, coupon.person, "60.00", order_id="M1", line_key="a")
    make_order_line(workspace, coupon.person, "40.00", order_id="M1", line_key="b")
    svc.coupon_redeem(workspace=workspace, actor=None, code=coupon.code, order_id="M1", source="api")
    today = timezone.localtime(timezone.now(), workspace.tz).date()
    snap = MetricSnapshot.objects.get(account=account, date=today)
    assert (snap.coupon_redemptions, snap.orders, snap.revenue) == (1, 1, Decimal("100.00"))


def test_redemptions_feed_a_conversion_goal(workspace: Any, admin: Any) -> None:
    account = make_account(workspace, "acme_mp", "wechat_mp")
    campaign = make_campaign(workspace, account)
    today = timezone.localtime(timezone.now(), workspace.tz).date()
    goal = make_goal(
        workspace, kind="conversion", name="核销 10 张", metric="coupon_redemptions", target=10,
        period_start=today - dt.timedelta(days=5), period_end=today + dt.timedelta(days=20), accounts=[account],
    )  # fmt: skip
    for i in range(3):
        coupon = issued(workspace, campaign, f"顾客{i}")
        svc.coupon_redeem(
            workspace=workspace,
            actor=None,
            code=coupon.code,
            order_id=f"G{i}",
            order_amount="40",
            source="api",
        )
    snap = MetricSnapshot.objects.get(account=account, date=today)
    assert (snap.coupon_redemptions, snap.orders, snap.revenue, snap.source) == (
        3,
        3,
        Decimal("120.00"),
        "coupons",
    )
    progress = goal_progress(workspace=workspace, user=admin, goal=goal)
    assert progress.actual == 3


def test_recompute_rewrites_the_same_figures(workspace: Any) -> None:
    account = make_account(workspace, "acme_mp", "wechat_mp")
    campaign = make_campaign(workspace, account)
    coupon = issued(workspace, campaign)
    svc.coupon_redeem(workspace=workspace, actor=None, code=coupon.code, order_amount="10", source="api")
    MetricSnapshot.objects.update(coupon_redemptions=None, orders=None, revenue=None)
    counts = conversions.conversions_recompute(workspace=workspace, actor=None)
    assert counts["updated"] == 1
    snap = MetricSnapshot.objects.get(account=account)
    assert (snap.coupon_redemptions, snap.orders, snap.revenue) == (1, 1, Decimal("10.00"))


def test_a_linked_strategy_shows_its_measured_effect(workspace: Any, admin: Any) -> None:
    account = make_account(workspace, "acme_mp", "wechat_mp")
    today = timezone.localtime(timezone.now(), workspace.tz).date()
    goal = make_goal(
        workspace, kind="conversion", name="核销", metric="coupon_redemptions", target=50,
        period_start=today - dt.timedelta(days=20), period_end=today + dt.timedelta(days=20), accounts=[account],
    )  # fmt: skip
    strategy = make_strategy(
        workspace, [goal], name="会员券", start_date=today, end_date=today + dt.timedelta(days=10)
    )
    # The days before: imported figures with no redemptions.
    for n in range(1, 3):
        MetricSnapshot.objects.create(
            workspace=workspace, account=account, date=today - dt.timedelta(days=n), coupon_redemptions=0
        )
    campaign = make_campaign(workspace, account, strategy=strategy)
    for i in range(2):
        coupon = issued(workspace, campaign, f"顾客{i}")
        svc.coupon_redeem(workspace=workspace, actor=None, code=coupon.code, source="api")
    effect = strategy_effect(workspace=workspace, user=admin, strategy=strategy)
    row = effect.rows[0]
    assert (row.before, row.during) == (0, 2)
