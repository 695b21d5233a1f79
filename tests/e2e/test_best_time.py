"""The best-time heatmap in Chromium: drawn, in Chinese, and the metric toggle works (no CSP errors)."""

from __future__ import annotations

from typing import Any

import pytest

from socialops.analytics.services import column_mapping_preset
from socialops.workspaces.roles import Role
from tests.analytics.conftest import FACEBOOK_CSV
from tests.e2e.conftest import login
from tests.factories import account_row, import_post_file

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def facebook_bytes() -> bytes:
    return FACEBOOK_CSV.read_bytes()


def test_heatmap_draws_and_toggles_between_engagement_and_rate(
    page: Any,
    workspace: Any,
    member: Any,
    facebook_bytes: bytes,
) -> None:
    member(Role.ANALYST, username="viewer", password="view-pass-word-1")
    account = account_row(workspace, "acme_fb", "other")
    mapping = column_mapping_preset(workspace=workspace, actor=None, preset="facebook-page-export")
    import_post_file(workspace, account, mapping, facebook_bytes, "dataset_Facebook.csv")
    login(page, "viewer", "view-pass-word-1")
    page.goto(f"{page.base}/w/acme/analytics/accounts/{account.pk}/best-time/")
    page.wait_for_selector("[data-besttime] canvas")
    main = page.locator("main").inner_text()
    assert "基于 500 篇历史发文学习" in main and "最佳时段" in main
    heatmap = page.locator("[data-besttime]")
    assert heatmap.get_attribute("data-metric") == "engagement"

    page.click("[data-besttime-metric=rate]")
    assert heatmap.get_attribute("data-metric") == "rate"
    assert page.locator("[data-besttime-metric=rate]").get_attribute("aria-pressed") == "true"
    assert page.locator("[data-besttime-metric=engagement]").get_attribute("aria-pressed") == "false"

    # Hovering a cell shows how many posts stand behind it: Monday 03:00 has 13 in the file.
    box = heatmap.bounding_box()
    assert box is not None
    grid_width, grid_height = box["width"] - 50 - 20, box["height"] - 10 - 80  # besttime.js's grid
    page.mouse.move(box["x"] + 50 + grid_width * 3.5 / 24, box["y"] + 10 + grid_height * 0.5 / 7)
    page.wait_for_timeout(1000)
    page.screenshot(path="/tmp/bt.png")
    print("TEXT", repr(heatmap.inner_text()), box, page.problems)
    heatmap.get_by_text("13 篇").first.wait_for(timeout=5000)
    assert "周一 03:00 · 13 篇" in heatmap.inner_text()
    assert not page.problems, page.problems
