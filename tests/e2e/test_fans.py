"""The demo's fans in Chromium: list → profile with timeline and chart, tier ladder chart, coupon funnel, pseudonyms."""

from __future__ import annotations

import os
import re
from typing import Any

import pytest

from socialops.demo.seed import demo_seed
from socialops.demo.specs import demo_password
from tests.e2e.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)

SCREENSHOTS = os.environ.get("SOCIALOPS_SCREENSHOTS", "")


def _charts(page: Any) -> int:
    return int(page.evaluate("document.querySelectorAll('[data-echarts] canvas').length"))


def _shot(page: Any, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


def test_operator_goes_from_the_fan_list_to_a_profile_the_tiers_and_the_coupon_funnel(page: Any) -> None:
    demo_seed()
    login(page, "operator", demo_password())
    page.click("[data-testid=nav-fans]")
    page.click("text=粉丝与客户")
    page.wait_for_load_state("networkidle")
    assert "核心粉丝" in page.locator("main").inner_text()
    # The list is sorted by predicted value: the first person is a customer with orders.
    page.locator("main a[href*='/fans/people/']").first.click()
    page.wait_for_selector("[data-echarts] canvas")
    profile = page.locator("main").inner_text()
    assert "时间线" in profile and "预测 90 天价值" in profile
    assert re.search(r"¥[\d,]+\.\d\d", profile)
    _shot(page, "fans-profile")

    page.click("[data-testid=nav-fans]")
    page.click("text=分层与人群")
    page.wait_for_selector("[data-echarts] canvas")
    ladder = page.locator("main").inner_text()
    for tier in ("核心粉丝", "活跃粉丝", "普通粉丝", "沉睡粉丝", "潜在客户"):
        assert tier in ladder
    _shot(page, "fans-tiers")

    page.click("[data-testid=nav-fans]")
    page.click("text=优惠券")
    page.click("text=满299减30")
    page.wait_for_selector("[data-echarts] canvas")
    assert _charts(page) >= 1
    assert "已核销" in page.locator("main").inner_text()
    assert not [p for p in page.problems if "Content Security Policy" in p], page.problems
    _shot(page, "fans-coupon")


def test_analyst_sees_pseudonyms_not_names(page: Any) -> None:
    result = demo_seed()
    login(page, "analyst", demo_password())
    page.goto(page.base + "/w/demo/fans/")
    text = page.locator("main").inner_text()
    names = [p.display_name for p in result.workspace.people.exclude(display_name="")[:50]]
    assert names and not [n for n in names if n in text]
    assert re.search(r"#\d{6}", text)
