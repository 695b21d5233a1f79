"""Growth and retention: follower flows from snapshots and events, cohorts on a constructed history,
the API's four cases, the page for admin and analyst, and the downloads."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from openpyxl import load_workbook

from socialops.fans.models import InteractionKind
from socialops.insights.selectors import growth as sel
from tests.access import assert_four_cases
from tests.factories import make_account, make_fan, make_interaction, snapshot

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 3, 26)  # a Wednesday; weeks start on Mondays 3, 10, 17 and 24 March
SH = ZoneInfo("Asia/Shanghai")
BASE = "/api/v1/workspaces/acme/insights"


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=SH)


@pytest.fixture
def history(workspace: Any) -> dict[str, Any]:
    account = make_account(workspace, "acme_weibo")
    # Cohort of 3 March: four fans. b unfollows in week 1, c in week 2 and follows back in week 3.
    fans = {name: make_fan(account, f"fan-{name}") for name in "abcdef"}
    for name in "abcd":
        make_interaction(fans[name], InteractionKind.FOLLOW, when=at("2025-03-04"))
    make_interaction(fans["b"], InteractionKind.UNFOLLOW, when=at("2025-03-12"))
    make_interaction(fans["c"], InteractionKind.UNFOLLOW, when=at("2025-03-18"))
    make_interaction(fans["c"], InteractionKind.FOLLOW, when=at("2025-03-25"))
    # Cohort of 17 March: two fans, one unfollows the same week. The 23:30 local follow on Sunday
    # 16 March stays in the week of 10 March although it is Sunday 15:30 UTC.
    make_interaction(fans["e"], InteractionKind.FOLLOW, when=at("2025-03-17"))
    make_interaction(fans["f"], InteractionKind.FOLLOW, when=at("2025-03-17"))
    make_interaction(fans["f"], InteractionKind.UNFOLLOW, when=at("2025-03-19"))
    late = make_fan(account, "fan-late")
    make_interaction(late, InteractionKind.FOLLOW, when=at("2025-03-16", 23))
    snapshot(workspace, account, "2025-03-04", new_followers=10, lost_followers=2)
    snapshot(workspace, account, "2025-03-05", new_followers=5, lost_followers=1)
    snapshot(workspace, account, "2025-03-18", new_followers=7)  # lost unknown
    return {"account": account}


def test_cohorts_on_a_constructed_history(history: dict[str, Any], admin: Any, workspace: Any) -> None:
    data = sel.follower_cohorts(workspace=workspace, user=admin, weeks=4, today=TODAY)
    rows = {r["week"]: r for r in data["cohorts"]}
    march3 = rows[dt.date(2025, 3, 3)]
    assert march3["size"] == 4
    # End of weeks 0..2 (9, 16, 23 March) have ended; week 3 (ends 30 March) has not.
    assert march3["retention"] == [1.0, 0.75, 0.5]
    assert rows[dt.date(2025, 3, 10)]["size"] == 1
    march17 = rows[dt.date(2025, 3, 17)]
    assert march17["size"] == 2 and march17["retention"] == [0.5]
    # The running week's own cohort shows retention so far.
    assert dt.date(2025, 3, 24) not in rows


def test_flows_from_snapshots_and_events(history: dict[str, Any], admin: Any, workspace: Any) -> None:
    data = sel.follower_flows(workspace=workspace, user=admin, weeks=4, today=TODAY)
    rows = {r["period"]: r for r in data["rows"]}
    first = rows[dt.date(2025, 3, 3)]
    assert (first["new"], first["lost"], first["net"]) == (15, 3, 12)
    assert (first["follows"], first["unfollows"]) == (4, 0)
    third = rows[dt.date(2025, 3, 17)]
    assert third["new"] == 7 and third["lost"] is None and third["net"] is None
    assert (third["follows"], third["unfollows"], third["net_events"]) == (2, 2, 0)
    assert data["totals"]["follows"] == 8


@time_machine.travel(dt.datetime(2025, 3, 26, 12, tzinfo=SH), tick=False)
def test_api_pages_and_export(
    history: dict[str, Any], admin: Any, analyst: Any, api: Any, web: Any, member: Any, other_workspace: Any
) -> None:
    member("analyst", ws=other_workspace, username="stranger")
    for path in ("/growth?weeks=8", "/cohorts?weeks=8"):
        assert_four_cases(
            api,
            "GET",
            f"{BASE}{path}",
            f"/api/v1/workspaces/other/insights{path}",
            permitted=admin,
            denied=None,
        )
    data = api(analyst).get(f"{BASE}/growth?weeks=8").json()
    for user in (admin, analyst):
        html = web(user).get("/w/acme/insights/growth/?weeks=8").content.decode()
        assert 'data-echarts="chart-cohorts"' in html and 'data-echarts="chart-flows"' in html
    response = web(analyst).get("/w/acme/insights/growth/flows.xlsx?weeks=8")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))[1:]
    assert sum(r[5] for r in rows) == data["totals"]["follows"]
    assert sum(r[2] or 0 for r in rows) == data["totals"]["new"]
