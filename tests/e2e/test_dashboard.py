"""The demo workspace's dashboard in Chromium: Chinese text, goal cards and rendered charts."""

from __future__ import annotations

import os
from typing import Any

import pytest

from socialops.demo.seed import demo_seed
from socialops.demo.specs import demo_password
from socialops.goals.models import Goal
from tests.e2e.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)

SCREENSHOTS = os.environ.get("SOCIALOPS_SCREENSHOTS", "")


def _rendered_charts(page: Any) -> int:
    """Charts ECharts has drawn (a canvas inside each chart container)."""
    return int(page.evaluate("document.querySelectorAll('[data-echarts] canvas').length"))


def test_dashboard_shows_goals_and_charts_in_chinese(page: Any) -> None:
    demo_seed()
    login(page, "admin", demo_password())
    assert page.url.endswith("/w/demo/")
    page.wait_for_selector("[data-echarts] canvas")
    nav = page.locator("nav").inner_text()
    assert "数据看板" in nav and "星曜科技" in nav
    body = page.locator("main").inner_text()
    for goal in Goal.objects.filter(workspace__slug="demo"):
        assert goal.name in body
    # Status words of the three demo states, in Chinese.
    assert _rendered_charts(page) >= Goal.objects.filter(workspace__slug="demo").count()
    bars = page.locator(".progress-bar")
    assert bars.count() >= 3
    assert bars.first.evaluate("el => el.style.width") not in ("", "0%")
    assert not [p for p in page.problems if "Content Security Policy" in p], page.problems
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, "dashboard.png"), full_page=True)


def test_competitor_page_draws_side_by_side_charts(page: Any) -> None:
    demo_seed()
    login(page, "analyst", demo_password())
    page.goto(page.base + "/w/demo/competitors/")
    page.wait_for_selector("[data-echarts] canvas")
    assert _rendered_charts(page) >= 3
    text = page.locator("main").inner_text()
    assert "澜岳数码" in text
    assert not [p for p in page.problems if "Content Security Policy" in p], page.problems
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, "competitors.png"), full_page=True)
