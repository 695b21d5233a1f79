"""Lucky draws in Chromium: the staff page of a drawn draw, and the public verification page on a phone."""

from __future__ import annotations

import os
from typing import Any

import pytest

from socialops.engagement.services import draws as svc
from socialops.workspaces.roles import Role
from tests import factories
from tests.e2e.conftest import login
from tests.engagement.draw_helpers import keyword_draw

pytestmark = pytest.mark.django_db(transaction=True)

SCREENSHOTS = os.environ.get("SOCIALOPS_SCREENSHOTS", "")


def _shot(page: Any, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


def test_the_draw_pages_in_the_browser(page: Any) -> None:
    workspace = factories.make_workspace("星曜科技", "xy")
    user = factories.make_user("olivia")
    factories.add_member(workspace, user, Role.OPERATOR)
    draw, _fans = keyword_draw(workspace, entrants=12, winners_count=3, staff_identities="@xy_staff")
    svc.draw_freeze(workspace=workspace, actor=None, draw=draw)
    svc.draw_run(workspace=workspace, actor=None, draw=draw)

    page.set_default_timeout(120_000)
    login(page, "olivia", factories.PASSWORD)
    page.goto(f"{page.base}/w/xy/draws/{draw.pk}/")
    assert page.locator("[data-testid=draw-winner]").count() == 3
    assert "已开奖" in page.locator("[data-testid=draw-status]").inner_text()
    page.set_viewport_size({"width": 1440, "height": 1000})
    _shot(page, "draw-detail-1440")
    page.set_viewport_size({"width": 390, "height": 844})
    _shot(page, "draw-detail-390")

    page.goto(f"{page.base}/p/draws/{draw.public_token}/")
    assert "✓" in page.locator("[data-testid=public-verdict]").inner_text()
    assert page.locator("[data-testid=public-winners] li").count() == 3
    # The same check again in the visitor's browser (Web Crypto), not taking our server's word.
    page.wait_for_selector("[data-testid=browser-verdict].alert-success")
    # Phone first: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    _shot(page, "draw-public-390")
    page.set_viewport_size({"width": 1440, "height": 1000})
    _shot(page, "draw-public-1440")
    page.goto(f"{page.base}/w/xy/draws/")
    _shot(page, "draw-list-1440")
    assert not page.problems, page.problems
