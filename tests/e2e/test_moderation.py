"""Group moderation in Chromium: a moderator tries a disguised contact, then tightens the flood limit."""

from __future__ import annotations

import os
from typing import Any

import pytest

from socialops.community.selectors.moderation import policy_for
from socialops.workspaces.roles import Role
from tests import factories
from tests.e2e.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)

SCREENSHOTS = os.environ.get("SOCIALOPS_SCREENSHOTS", "")


def _shot(page: Any, name: str) -> None:
    if SCREENSHOTS:
        for width in (1440, 390):
            page.set_viewport_size({"width": width, "height": 1000})
            page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}-{width}.png"), full_page=True)


def test_a_moderator_tries_a_message_and_saves_the_settings(page: Any) -> None:
    workspace = factories.make_workspace("星河智能", "xinghe")
    user = factories.make_user("mona")
    factories.add_member(workspace, user, Role.COMMUNITY)
    login(page, "mona", factories.PASSWORD)
    page.goto(page.base + "/w/xinghe/community/moderation/")
    page.fill("[data-testid=moderation-try] textarea[name=text]", "有需要的加 V ❤：abc_12345，日结兼职")
    page.click("[data-testid=moderation-try] button[type=submit]")
    verdict = page.locator("[data-testid=moderation-verdict]").inner_text()
    assert "会被处理" in verdict and "微信" in verdict
    _shot(page, "moderation-try")
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.fill("input[name=flood_per_minute]", "5")
    page.click("[data-testid=moderation-settings] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "群管理设置已保存" in page.content()
    assert policy_for(workspace).flood_per_minute == 5
    assert not page.problems
