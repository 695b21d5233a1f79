"""The demo's poll in Chromium: the admin watches live results with charts; a fan answers on a phone."""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from socialops.demo.polls import seed_polls
from socialops.demo.seed import demo_seed
from socialops.demo.specs import demo_password
from socialops.engagement.models.polls import PollResponse
from socialops.workspaces.models import Workspace
from tests.e2e.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)

SCREENSHOTS = os.environ.get("SOCIALOPS_SCREENSHOTS", "")


def _shot(page: Any, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


def test_results_and_the_public_page(page: Any, browser: Any) -> None:
    cache.clear()
    result = demo_seed()
    poll = seed_polls(Workspace.objects.get(slug="demo"), result.calendar.today)
    before = PollResponse.objects.filter(poll=poll).count()

    login(page, "admin", demo_password())
    page.set_viewport_size({"width": 1440, "height": 1000})
    page.goto(f"{page.base}/w/demo/polls/")
    page.click(f"text={poll.title}")
    page.wait_for_selector("[data-testid=poll-results-charts] canvas")
    assert int(page.locator("[data-figure=responses]").inner_text()) == before
    assert page.locator("[data-testid=text-answers] li").count() > 10
    _shot(page, "poll-detail-1440")

    phone = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    fan = phone.new_page()
    fan.goto(f"{page.base}/p/polls/{poll.token}/")
    assert "新品你最想要哪个颜色" in fan.content()
    _shot(fan, "poll-public-390")
    fan.click("text=湖光蓝")
    fan.click("text=音质")
    scale = poll.questions.get(kind="scale")
    fan.click(f"label[for='q{scale.pk}-4']")
    fan.fill("textarea", "希望早点上市")
    fan.wait_for_timeout(2100)  # the form token must be 2 seconds old
    fan.click("button[type=submit]")
    fan.wait_for_selector("[data-testid=poll-thanks]")
    _shot(fan, "poll-public-thanks-390")
    phone.close()
    assert PollResponse.objects.filter(poll=poll).count() == before + 1

    # The results panel refreshes by itself.
    expect(page.locator("[data-figure=responses]")).to_have_text(str(before + 1), timeout=15000)
    assert not [p for p in page.problems if "Content Security Policy" in p], page.problems
    page.set_viewport_size({"width": 390, "height": 844})
    _shot(page, "poll-detail-390")
