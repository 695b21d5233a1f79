"""Pages of the plan: the four permission cases for each page and form, and what a user sees."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine

from socialops.content.models import CadenceRule, CapacityRule, Placement, PlanRun
from socialops.content.services import plan as svc
from socialops.workspaces.roles import Role
from tests.access import assert_four_cases
from tests.factories import make_account, make_backlog, make_item, make_themes

from .test_plan_support import at

pytestmark = pytest.mark.django_db

W = "/w/acme/calendar"
OTHER = "/w/other/calendar"


@pytest.fixture(autouse=True)
def frozen() -> Any:
    with time_machine.travel(at(2026, 2, 2, 8, 0), tick=False):
        yield


@pytest.fixture
def setup(workspace: Any, other_workspace: Any, member: Any) -> dict[str, Any]:
    account = make_account(workspace, "acme_weibo")
    themes = make_themes(workspace)
    make_backlog(workspace, themes[:2], per_theme=3)
    run = svc.plan_generate(
        workspace=workspace,
        actor=None,
        start=dt.date(2026, 3, 2),
        end=dt.date(2026, 3, 8),
        accounts=[account],
    )
    theirs = make_account(other_workspace, "theirs")
    their_run = svc.plan_generate(
        workspace=other_workspace,
        actor=None,
        start=dt.date(2026, 3, 2),
        end=dt.date(2026, 3, 3),
        accounts=[theirs],
    )
    return {
        "account": account,
        "themes": themes,
        "run": run,
        "theirs": theirs,
        "their_run": their_run,
        "analyst": member(Role.ANALYST),
    }


def _no_inline_script(html: str) -> None:
    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert " style=" not in html and "onclick" not in html


def test_calendar_page(setup: dict[str, Any], admin: Any, web: Any) -> None:
    response = assert_four_cases(web, "GET", f"{W}/", f"{OTHER}/", permitted=admin, denied=None)
    html = response.content.decode()
    _no_inline_script(html)
    assert 'data-feed-url="/api/v1/workspaces/acme/placements/feed"' in html
    assert 'data-background-url="/api/v1/workspaces/acme/calendar/feed"' in html
    assert 'id="planner-messages"' in html and "vendor/fullcalendar/fullcalendar.min.js" in html
    assert '<meta name="csp-nonce"' in html
    nonce = re.search(r'<meta name="csp-nonce" content="([^"]+)"', html)
    assert nonce and f"'nonce-{nonce.group(1)}'" in response["Content-Security-Policy"]
    # The last run's warnings are shown above the calendar: 6 items cannot fill 12 slots.
    assert "Last plan: 2026-03-02 to 2026-03-08" in html and "slots stay empty" in html
    assert "用户故事" in html  # a short theme
    assert 'action="/w/acme/calendar/generate/"' in html
    # Members who may not edit see no editing controls.
    analyst_html = web(setup["analyst"]).get(f"{W}/").content.decode()
    assert 'data-can-edit="0"' in analyst_html and "generate-form" not in analyst_html


def test_generate_form(setup: dict[str, Any], admin: Any, web: Any) -> None:
    data = {"start": "2026-03-09", "end": "2026-03-15", "accounts": [setup["account"].pk]}
    response = assert_four_cases(
        web, "POST", f"{W}/generate/", f"{OTHER}/generate/",
        permitted=admin, denied=setup["analyst"], data=data, ok=(302,),
    )  # fmt: skip
    assert response["Location"] == "/w/acme/calendar/?date=2026-03-09"
    assert PlanRun.objects.filter(workspace__slug="acme").count() == 2
    bad = web(admin).post(f"{W}/generate/", data={**data, "end": "2026-03-01"})
    assert bad.status_code == 400 and "cannot be before the start date" in bad.content.decode()


def test_runs_pages(setup: dict[str, Any], admin: Any, web: Any) -> None:
    listed = assert_four_cases(web, "GET", f"{W}/runs/", f"{OTHER}/runs/", permitted=admin, denied=None)
    assert "Generated plan" in listed.content.decode()
    run, theirs = setup["run"], setup["their_run"]
    detail = assert_four_cases(
        web, "GET", f"{W}/runs/{run.pk}/", f"{W}/runs/{theirs.pk}/", permitted=admin, denied=None
    )
    html = detail.content.decode()
    assert 'data-testid="short-themes"' in html and 'data-testid="run-placements"' in html
    assert "under its target share" in html


def test_cadence_pages(setup: dict[str, Any], admin: Any, web: Any) -> None:
    account, theirs = setup["account"], setup["theirs"]
    listed = assert_four_cases(web, "GET", f"{W}/cadence/", f"{OTHER}/cadence/", permitted=admin, denied=None)
    assert "default" in listed.content.decode()
    assert_four_cases(
        web, "GET", f"{W}/cadence/{account.pk}/", f"{W}/cadence/{theirs.pk}/",
        permitted=admin, denied=setup["analyst"],
    )  # fmt: skip
    data = {f"d{n}_min": 1 for n in range(1, 8)} | {f"d{n}_max": 2 for n in range(1, 8)}
    data |= {
        "holiday_mode": "workday",
        "min_gap_minutes": 90,
        "quiet_start": "22:00",
        "quiet_end": "08:00",
        "limit_live": 1,
        "limit_video": 3,
    }
    saved = assert_four_cases(
        web, "POST", f"{W}/cadence/{account.pk}/", f"{W}/cadence/{theirs.pk}/",
        permitted=admin, denied=setup["analyst"], data=data, ok=(302,),
    )  # fmt: skip
    assert saved["Location"] == f"{W}/cadence/"
    rule = CadenceRule.objects.get(account=account)
    assert rule.holiday_mode == "workday" and rule.form_limits == {"live": 1, "video": 3}
    assert rule.posts_per_weekday["3"] == [1, 2] and rule.quiet_start == dt.time(22)
    bad = web(admin).post(f"{W}/cadence/{account.pk}/", data={**data, "d1_min": 3})
    assert bad.status_code == 200 and "minimum ≤ maximum" in bad.content.decode()


def test_capacity_pages(setup: dict[str, Any], admin: Any, other_workspace: Any, web: Any) -> None:
    assert_four_cases(web, "GET", f"{W}/capacity/", f"{OTHER}/capacity/", permitted=admin, denied=None)
    assert_four_cases(
        web, "POST", f"{W}/capacity/set/", f"{OTHER}/capacity/set/",
        permitted=admin, denied=setup["analyst"], data={"owner": "", "items_per_week": 9}, ok=(302,),
    )  # fmt: skip
    rule = CapacityRule.objects.get(workspace__slug="acme")
    assert rule.items_per_week == 9 and rule.owner is None
    assert "The whole team" in web(admin).get(f"{W}/capacity/").content.decode()
    theirs = CapacityRule.objects.create(workspace=other_workspace, items_per_week=1)
    assert_four_cases(
        web, "POST", f"{W}/capacity/{rule.pk}/delete/", f"{W}/capacity/{theirs.pk}/delete/",
        permitted=admin, denied=setup["analyst"], ok=(302,),
    )  # fmt: skip
    assert not CapacityRule.objects.filter(pk=rule.pk).exists()


def test_place_by_hand_page(setup: dict[str, Any], admin: Any, web: Any) -> None:
    assert_four_cases(web, "GET", f"{W}/place/", f"{OTHER}/place/", permitted=admin, denied=setup["analyst"])
    item = make_item(setup["account"].workspace, setup["themes"][2], "手动")
    data = {"item": item.pk, "account": setup["account"].pk, "starts_at": "2026-03-10T10:30"}
    done = assert_four_cases(
        web, "POST", f"{W}/place/", f"{OTHER}/place/",
        permitted=admin, denied=setup["analyst"], data=data, ok=(302,),
    )  # fmt: skip
    assert done["Location"] == f"{W}/?date=2026-03-10"
    assert Placement.objects.get(item=item).starts_at == at(2026, 3, 10, 10, 30)
    other = make_item(setup["account"].workspace, setup["themes"][2], "深夜")
    bad = web(admin).post(f"{W}/place/", data={**data, "item": other.pk, "starts_at": "2026-03-10T23:30"})
    assert bad.status_code == 400 and "quiet hours" in bad.content.decode()


def test_urgent_page(setup: dict[str, Any], admin: Any, web: Any) -> None:
    assert_four_cases(
        web, "GET", f"{W}/urgent/", f"{OTHER}/urgent/", permitted=admin, denied=setup["analyst"]
    )
    item = make_item(
        setup["account"].workspace,
        setup["themes"][3],
        "突发",
        importance="urgent",
        deadline=dt.date(2026, 3, 4),
    )
    with time_machine.travel(at(2026, 3, 2, 7, 0), tick=False):
        done = assert_four_cases(
            web, "POST", f"{W}/urgent/", f"{OTHER}/urgent/", permitted=admin, denied=setup["analyst"],
            data={"item": item.pk, "account": setup["account"].pk, "at": ""}, ok=(302,),
        )  # fmt: skip
    run = PlanRun.objects.get(report__kind="urgent")
    assert done["Location"] == f"{W}/runs/{run.pk}/"
    page = web(admin).get(done["Location"]).content.decode()
    assert "Urgent insertion of “突发”" in page
    assert ('data-testid="moves"' in page) == bool(run.report["moves"])


def test_pages_in_chinese_by_default(setup: dict[str, Any], admin: Any, web: Any) -> None:
    client = web(admin)
    client.cookies["django_language"] = "zh-hans"
    html = client.get(f"{W}/").content.decode()
    assert "发布日历" in html and "生成发布计划" in html and "个时段空着" in html
    assert 'data-locale="zh-cn"' in html
    run = client.get(f"{W}/runs/{setup['run'].pk}/").content.decode()
    assert "未达目标的主题" in run and "为什么排在这里" in run
    assert "的占比比目标" in run
    cadence = client.get(f"{W}/cadence/").content.decode()
    assert "按周末" in cadence and "星期一"[:2] in cadence
