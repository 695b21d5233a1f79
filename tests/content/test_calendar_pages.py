"""Pages 节假日与调休 and 热点与品牌活动, and `socialops calendar` (R2.3)."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from socialops.cli import main as socialops_main
from socialops.content.models import CalendarEntry, HolidayOverride, OfficialScheduleYear
from socialops.content.services import calendar as svc
from socialops.workspaces.roles import Role
from tests.access import assert_four_cases
from tests.factories import make_calendar_entry

from .test_calendar import SCHEDULE_2027

pytestmark = pytest.mark.django_db

HOLIDAYS = "/w/acme/calendar/holidays/"
EVENTS = "/w/acme/calendar/events/"
NOW = dt.datetime(2026, 8, 20, 10, 0, tzinfo=dt.UTC)  # 2026-08-20 in Shanghai


@pytest.fixture(autouse=True)
def _today() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


# ---- 节假日与调休 -------------------------------------------------------------------------------


def test_schedule_page_four_cases_and_the_2026_days(
    workspace: Any, other_workspace: Any, member: Any, web: Any
) -> None:
    analyst = member(Role.ANALYST)
    response = assert_four_cases(
        web, "GET", HOLIDAYS + "?year=2026", "/w/other/calendar/holidays/", permitted=analyst, denied=None
    )
    html = response.content.decode()
    assert "Holidays and make-up workdays" in html
    assert "2026-02-15" in html and "2026-02-23" in html and "2026-02-14" in html and "2026-02-28" in html
    assert "State Council General Office notice (built in)" in html
    assert "Covered by the built-in official data" in html and "Not covered" in html  # 2026 and 2027
    assert "Import a year" not in html and "Enter or correct one day" not in html  # not for analysts


def test_schedule_page_in_chinese_by_default(workspace: Any, admin: Any, web: Any) -> None:
    client = web(admin)
    del client.cookies["django_language"]
    html = client.get(HOLIDAYS + "?year=2027").content.decode()
    assert "节假日与调休" in html and "2027 年暂无官方节假日数据" in html and "导入某年的官方安排" in html


def test_uncovered_year_page_says_so_and_the_import_form_defaults_to_it(
    workspace: Any, admin: Any, web: Any
) -> None:
    html = web(admin).get(HOLIDAYS + "?year=2027").content.decode()
    assert "No official holiday data for 2027" in html
    assert 'name="year" value="2027"' in html  # the import form proposes the next uncovered year
    assert "Import a year" in html and "Enter or correct one day" in html


def test_import_page_four_cases_rejection_table_then_success(
    workspace: Any, other_workspace: Any, admin: Any, member: Any, web: Any
) -> None:
    operator = member(Role.OPERATOR)
    url = "/w/acme/calendar/holidays/import/"
    bad = {"year": "2027", "text": "2027-02-06,放假,春节\n2027-02-06,放假,春节\nhello\n"}
    response = assert_four_cases(
        web, "POST", url, "/w/other/calendar/holidays/import/", permitted=admin, denied=operator, data=bad
    )
    html = response.content.decode()
    assert 'data-testid="import-report"' in html and "2 problems found" in html
    assert "2027-02-06 is already on line 1." in html and '<td class="text-nowrap">3</td>' in html
    assert not HolidayOverride.objects.exists() and not OfficialScheduleYear.objects.exists()

    client = web(admin)
    upload = SimpleUploadedFile("2027.csv", SCHEDULE_2027.encode("gb18030"), content_type="text/csv")
    done = client.post(url, data={"year": "2027", "file": upload, "source": "国务院通知"}, follow=True)
    html = done.content.decode()
    assert "Imported the 2027 schedule: 11 days" in html and "Entered by an admin" in html
    assert HolidayOverride.objects.filter(workspace=workspace).count() == 11
    again = client.post(url, data={"year": "2027", "text": SCHEDULE_2027}, follow=True).content.decode()
    assert "already up to date" in again
    empty = client.post(url, data={"year": "2027"}).content.decode()
    assert "Upload a file or paste the schedule." in empty


def test_override_pages_four_cases(
    workspace: Any, other_workspace: Any, admin: Any, member: Any, web: Any
) -> None:
    operator = member(Role.OPERATOR)
    response = assert_four_cases(
        web, "POST", "/w/acme/calendar/holidays/override/", "/w/other/calendar/holidays/override/",
        permitted=admin, denied=operator, data={"date": "2026-02-23", "kind": "workday", "name": "照常上班"},
        ok=(302,),
    )  # fmt: skip
    assert response["Location"].endswith("?year=2026")
    html = web(admin).get(HOLIDAYS + "?year=2026").content.decode()
    assert "照常上班" in html and "replaces the built-in data" in html and "Entered by an admin" in html

    invalid = web(admin).post(
        "/w/acme/calendar/holidays/override/", data={"date": "2026-02-25", "kind": "makeup_workday"}
    )
    assert invalid.status_code == 200 and "Saturday or Sunday" in invalid.content.decode()

    assert_four_cases(
        web, "POST", "/w/acme/calendar/holidays/override/2026-02-23/delete/",
        "/w/other/calendar/holidays/override/2026-02-23/delete/", permitted=admin, denied=operator, ok=(302,),
    )  # fmt: skip
    assert not HolidayOverride.objects.exists()
    assert web(admin).post("/w/acme/calendar/holidays/override/2026-02-23/delete/").status_code == 404
    assert web(admin).post("/w/acme/calendar/holidays/override/nope/delete/").status_code == 404


# ---- 热点与品牌活动 -----------------------------------------------------------------------------


def test_events_page_four_cases_lists_festivals_and_entries(
    workspace: Any, other_workspace: Any, member: Any, web: Any
) -> None:
    make_calendar_entry(
        workspace,
        "周年庆",
        dt.date(2026, 9, 1),
        dt.date(2026, 9, 3),
        kind="brand_event",
        description="十周年",
    )
    analyst = member(Role.ANALYST)
    response = assert_four_cases(
        web, "GET", EVENTS, "/w/other/calendar/events/", permitted=analyst, denied=None
    )
    html = response.content.decode()
    assert "Hot topics and brand events" in html
    # Three months from 2026-08-20: 七夕 is over, 中秋, 国庆, 重阳, 双11 are ahead; 双12 is beyond.
    for name in (
        "周年庆",
        "Mid-Autumn Festival",
        "2026-09-25",
        "National Day",
        "Double Ninth Festival",
        "Double 11",
    ):
        assert name in html, name
    assert "Qixi" not in html and "Double 12" not in html
    assert "Add a hot topic or brand event" not in html and "Edit" not in html  # analysts read only
    wider = web(analyst).get(EVENTS + "?months=6").content.decode()
    assert "Double 12" in wider and "No official holiday data for 2027" in wider


def test_entry_create_edit_delete_pages_four_cases(
    workspace: Any, other_workspace: Any, member: Any, web: Any
) -> None:
    operator, analyst = member(Role.OPERATOR), member(Role.ANALYST)
    data = {"kind": "hot_topic", "name": "开学季", "start_date": "2026-09-01", "end_date": "2026-09-10"}
    assert_four_cases(
        web, "POST", "/w/acme/calendar/events/new/", "/w/other/calendar/events/new/",
        permitted=operator, denied=analyst, data=data, ok=(302,),
    )  # fmt: skip
    entry = CalendarEntry.objects.get(workspace=workspace, name="开学季")
    html = web(operator).get(EVENTS).content.decode()
    assert "开学季" in html and f"/w/acme/calendar/events/{entry.pk}/edit/" in html

    invalid = web(operator).post("/w/acme/calendar/events/new/", data={**data, "end_date": "2026-12-31"})
    assert invalid.status_code == 200 and "at most 60 days" in invalid.content.decode()

    foreign = make_calendar_entry(other_workspace, "theirs", dt.date(2026, 9, 1))
    edit_url, foreign_edit = (
        f"/w/acme/calendar/events/{entry.pk}/edit/",
        f"/w/acme/calendar/events/{foreign.pk}/edit/",
    )
    page = assert_four_cases(web, "GET", edit_url, foreign_edit, permitted=operator, denied=analyst)
    assert 'value="开学季"' in page.content.decode()
    assert_four_cases(
        web, "POST", edit_url, foreign_edit,
        permitted=operator, denied=analyst, data={**data, "name": "开学季热点"}, ok=(302,),
    )  # fmt: skip
    entry.refresh_from_db()
    assert entry.name == "开学季热点"
    assert_four_cases(
        web, "POST", f"/w/acme/calendar/events/{entry.pk}/delete/",
        f"/w/acme/calendar/events/{foreign.pk}/delete/", permitted=operator, denied=analyst, ok=(302,),
    )  # fmt: skip
    assert not CalendarEntry.objects.filter(workspace=workspace).exists()
    assert CalendarEntry.objects.filter(pk=foreign.pk).exists()


# ---- socialops calendar ----------------------------------------------------------------------


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("calendar", *args, stdout=out)
    return out.getvalue()


def test_cli_json_spring_festival_2026(workspace: Any, capsys: Any, keep_db_connection: None) -> None:
    socialops_main(
        ["calendar", "--workspace", "acme", "--from", "2026-02-13", "--to", "2026-03-01", "--json"]
    )
    days = {d["date"]: d for d in json.loads(capsys.readouterr().out)}
    assert len(days) == 17
    for i in range(9):
        day = days[(dt.date(2026, 2, 15) + dt.timedelta(days=i)).isoformat()]
        assert (
            day["workday"] is False
            and day["holiday"]
            and day["makeup_workday"] is False
            and day["covered"] is True
        )
    for makeup in ("2026-02-14", "2026-02-28"):
        assert days[makeup]["workday"] is True and days[makeup]["makeup_workday"] is True
        assert days[makeup]["holiday"] is None
    assert days["2026-02-24"] | {"entries": []} == {
        "date": "2026-02-24", "workday": True, "holiday": None, "makeup_workday": False, "covered": True,
        "note": None, "entries": [],
    }  # fmt: skip
    assert [e["key"] for e in days["2026-02-16"]["entries"]] == ["festival:chuxi:2026"]
    assert set(days["2026-02-16"]["entries"][0]) >= {"key", "kind", "name", "start", "end"}


def test_cli_2027_not_covered_until_imported(workspace: Any, admin: Any) -> None:
    day = json.loads(_run("--workspace", "acme", "--from", "2027-02-08", "--to", "2027-02-08", "--json"))[0]
    assert day["covered"] is False and day["holiday"] is None and day["workday"] is True
    table = _run("--workspace", "acme", "--from", "2027-02-07", "--to", "2027-02-08")
    assert "no official holiday data for 2027" in table
    svc.official_schedule_import(workspace=workspace, actor=admin, year=2027, content=SCHEDULE_2027)
    day = json.loads(_run("--workspace", "acme", "--from", "2027-02-08", "--to", "2027-02-08", "--json"))[0]
    assert day["covered"] is True and day["holiday"] == "春节" and day["workday"] is False
    assert "no official holiday data" not in _run(
        "--workspace", "acme", "--from", "2027-02-07", "--to", "2027-02-08"
    )


def test_cli_table_and_entries(workspace: Any) -> None:
    make_calendar_entry(workspace, "春运", dt.date(2026, 2, 1), dt.date(2026, 2, 20))
    lines = _run("--workspace", "acme", "--from", "2026-02-13", "--to", "2026-02-17").splitlines()
    assert len(lines) == 6  # header + 5 days
    assert lines[2].startswith("2026-02-14") and "make-up workday" in lines[2]
    assert "day off" in lines[5] and "Spring Festival" in lines[5] and "春运" in lines[5]
    entries = json.loads(_run("--workspace", "acme", "--from", "2026-02-17", "--to", "2026-02-17", "--json"))[
        0
    ]["entries"]
    assert [(e["kind"], e["name"], e["start"], e["end"]) for e in entries] == [
        ("festival", "Spring Festival", "2026-02-17", "2026-02-17"), ("hot_topic", "春运", "2026-02-01", "2026-02-20"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    "args",
    [
        ("--workspace", "acme", "--from", "2026-02-30", "--to", "2026-03-01"),
        ("--workspace", "acme", "--from", "yesterday", "--to", "2026-03-01"),
        ("--workspace", "acme", "--from", "2026-03-02", "--to", "2026-03-01"),
        ("--workspace", "acme", "--from", "2026-01-01", "--to", "2027-12-31"),
        ("--workspace", "nope", "--from", "2026-01-01", "--to", "2026-01-02"),
    ],
)
def test_cli_bad_input_is_a_command_error(workspace: Any, args: tuple[str, ...]) -> None:
    with pytest.raises(CommandError):
        _run(*args)
