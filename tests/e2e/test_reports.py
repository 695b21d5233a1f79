"""Reports in Chromium: an administrator reaches the reports page from the insights menu on a phone."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import pytest

from socialops.insights.services import reports as svc
from socialops.workspaces.roles import Role
from tests import factories
from tests.e2e.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)

SCREENSHOTS = os.environ.get("SOCIALOPS_SCREENSHOTS", "")


def test_the_reports_page_on_a_phone(page: Any) -> None:
    workspace = factories.make_workspace("星曜科技", "xy")
    user = factories.make_user("olivia")
    factories.add_member(workspace, user, Role.ADMIN)
    svc.schedule_create(
        workspace=workspace, actor=None, name="运营周报", template="weekly", weekday=1, time=dt.time(9, 0),
        recipients=["ops@example.com"], robots=[{"kind": "wecom", "url": "https://qyapi.weixin.qq.com/x?key=k"}],
    )  # fmt: skip
    page.set_default_timeout(120_000)
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "olivia", factories.PASSWORD)
    page.goto(f"{page.base}/w/xy/insights/reports/")
    assert "运营周报" in page.locator("[data-testid=schedules]").inner_text()
    assert page.locator("[data-testid=run-now]").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, "reports-390.png"), full_page=True)
    assert not page.problems
