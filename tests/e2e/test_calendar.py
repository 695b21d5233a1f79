"""The publishing calendar in Chromium: FullCalendar renders the plan, explains a post, and a drag persists."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import pytest

from socialops.content.models import Placement, PlacementSource
from socialops.content.selectors.plan import to_local
from socialops.content.services import plan as plan_services
from socialops.workspaces import services
from socialops.workspaces.roles import Role
from tests.e2e.conftest import login
from tests.factories import make_account, make_backlog, make_themes

pytestmark = pytest.mark.django_db(transaction=True)

SCREENSHOTS = os.environ.get("SOCIALOPS_SCREENSHOTS", "")
PASSWORD = "pa55-word-ok"


def _planned_week() -> tuple[Any, dt.date]:
    """A workspace with a plan for Monday–Wednesday of the week after next (real dates: the browser's
    clock is not frozen)."""
    user = services.user_create(actor=None, username="lin", password=PASSWORD)
    workspace = services.workspace_create(actor=None, name="星曜科技", slug="xy")
    services.membership_add(workspace=workspace, actor=None, user=user, role=Role.OPERATOR)
    account = make_account(workspace, "xy_weibo", display_name="星曜微博")
    make_backlog(workspace, make_themes(workspace), per_theme=2)
    today = dt.date.today()
    monday = today + dt.timedelta(days=14 - today.weekday())
    plan_services.plan_generate(
        workspace=workspace, actor=user, start=monday, end=monday + dt.timedelta(days=2), accounts=[account]
    )
    return workspace, monday


def test_calendar_renders_explains_and_a_drag_persists(page: Any) -> None:
    workspace, monday = _planned_week()
    login(page, "lin", PASSWORD)
    page.goto(f"{page.base}/w/xy/calendar/?date={monday.isoformat()}")
    page.wait_for_selector("#plan-calendar .fc-event.plan-event")
    events = page.locator("#plan-calendar .fc-daygrid-event.plan-event")
    planned = Placement.objects.filter(workspace=workspace).count()
    assert planned >= 6 and events.count() == planned
    # Title: item · account, coloured by the item's theme.
    assert "星曜微博" in events.first.inner_text()
    colour = events.first.evaluate("el => getComputedStyle(el).backgroundColor")
    assert colour not in ("", "rgba(0, 0, 0, 0)")
    # Chinese UI and FullCalendar in zh-cn.
    assert "发布日历" in page.locator("h1").inner_text()
    assert page.locator(".fc-dayGridMonth-button").inner_text() == "月"

    # Click: the explanation, in Chinese.
    events.first.click()
    detail = page.locator("#placement-detail")
    detail.wait_for(state="visible")
    reasons = detail.locator("[data-detail=explanation] li")
    assert reasons.count() >= 2
    assert "目标" in reasons.first.inner_text()

    # Drag the first post of Monday to Friday of the same week (no posts there): it persists.
    first = Placement.objects.filter(workspace=workspace).order_by("starts_at").first()
    assert first is not None
    before = to_local(workspace, first.starts_at)
    friday = (monday + dt.timedelta(days=4)).isoformat()
    source = page.locator("#plan-calendar .fc-daygrid-event.plan-event >> nth=0")
    target = page.locator(f'#plan-calendar td.fc-daygrid-day[data-date="{friday}"] .fc-daygrid-day-frame')
    src_box, dst_box = source.bounding_box(), target.bounding_box()
    page.mouse.move(src_box["x"] + 10, src_box["y"] + src_box["height"] / 2)
    page.mouse.down()
    for step in range(1, 16):
        page.mouse.move(
            src_box["x"] + 10 + (dst_box["x"] + 20 - src_box["x"] - 10) * step / 15,
            src_box["y"] + (dst_box["y"] + 30 - src_box["y"]) * step / 15,
        )
    page.mouse.up()
    page.wait_for_selector("#planner-alert.alert-success")
    first.refresh_from_db()
    after = to_local(workspace, first.starts_at)
    assert after.date().isoformat() == friday and after.time() == before.time()
    assert first.source == PlacementSource.MANUAL

    # A move that breaks a rule (quiet hours) goes through the page's own API path and is refused.
    result = page.evaluate(
        "([id, at]) => document.getElementById('plan-calendar').plannerMove(id, at)",
        [first.pk, f"{friday}T23:30:00"],
    )
    assert result["status"] == 400 and "免打扰" in result["data"]["message"]
    first.refresh_from_db()
    assert to_local(workspace, first.starts_at) == after
    assert not [p for p in page.problems if "Content Security Policy" in p], page.problems
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, "calendar.png"), full_page=True)
