"""HTTP API of the marketing calendar: days, holidays and overrides, schedule import, coverage, entries, feed."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from socialops.content.models import CalendarEntry, HolidayOverride, OfficialScheduleYear
from socialops.content.services import calendar as svc
from socialops.workspaces.roles import Role
from tests.access import assert_four_cases
from tests.factories import make_calendar_entry

from .test_calendar import SCHEDULE_2027

pytestmark = pytest.mark.django_db

BASE = "/api/v1/workspaces/acme/calendar"
OTHER = "/api/v1/workspaces/other/calendar"


@pytest.fixture
def entry(workspace: Any) -> CalendarEntry:
    return make_calendar_entry(workspace, "高考", dt.date(2026, 6, 7), dt.date(2026, 6, 9))


@pytest.fixture
def foreign_entry(other_workspace: Any) -> CalendarEntry:
    return make_calendar_entry(other_workspace, "theirs", dt.date(2026, 6, 7), kind="brand_event")


# ---- days ------------------------------------------------------------------------------------


def test_days_four_cases_and_spring_festival(
    workspace: Any, other_workspace: Any, member: Any, api: Any
) -> None:
    analyst = member(Role.ANALYST)
    query = "?from=2026-02-13&to=2026-03-01&limit=100"
    response = assert_four_cases(api, "GET", BASE + query, OTHER + query, permitted=analyst, denied=None)
    body = response.json()
    assert body["count"] == 17
    days = {d["date"]: d for d in body["items"]}
    for i in range(9):
        day = days[(dt.date(2026, 2, 15) + dt.timedelta(days=i)).isoformat()]
        assert (day["workday"], day["holiday"], day["makeup_workday"], day["covered"]) == (
            False, "Spring Festival", False, True,
        )  # fmt: skip
    for makeup in ("2026-02-14", "2026-02-28"):
        assert days[makeup]["workday"] is True and days[makeup]["makeup_workday"] is True
    assert days["2026-02-17"]["entries"] == [
        {"key": "festival:spring_festival:2026", "kind": "festival", "kind_label": "Festival",
         "name": "Spring Festival", "start": "2026-02-17", "end": "2026-02-17"},
    ]  # fmt: skip


def test_days_bad_ranges_are_400_or_422(workspace: Any, admin: Any, api: Any) -> None:
    client = api(admin)
    assert client.get(f"{BASE}?from=2026-03-01&to=2026-02-01").status_code == 400
    too_long = client.get(f"{BASE}?from=2026-01-01&to=2027-06-01")
    assert too_long.status_code == 400 and "400 days" in too_long.json()["message"]
    assert client.get(f"{BASE}?from=2026-02-30").status_code == 422
    assert client.get(f"{BASE}?from=0001-01-01").status_code == 400
    assert client.get(f"{BASE}?from=9999-12-31").status_code == 400
    # Defaults: 31 days from today.
    assert client.get(BASE).json()["count"] == 31


def test_uncovered_year_says_so_until_imported(workspace: Any, admin: Any, api: Any) -> None:
    client = api(admin)
    day = client.get(f"{BASE}?from=2027-02-08&to=2027-02-08").json()["items"][0]
    assert (day["covered"], day["holiday"], day["workday"]) == (False, None, True)
    assert day["note"] == "no official holiday data for 2027"
    zh = client.get(f"{BASE}?from=2027-02-08&to=2027-02-08", HTTP_ACCEPT_LANGUAGE="zh-hans").json()["items"][
        0
    ]
    assert zh["note"] == "2027 年暂无官方节假日数据"

    upload = SimpleUploadedFile("2027.csv", SCHEDULE_2027.encode(), content_type="text/csv")
    response = client.post(
        f"{BASE}/schedule-import", data={"year": "2027", "file": upload, "source": "国务院通知"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["created"] == 11 and response.json()["newly_covered"] is True
    day = client.get(f"{BASE}?from=2027-02-08&to=2027-02-08").json()["items"][0]
    assert (day["covered"], day["holiday"], day["workday"], day["note"]) == (True, "春节", False, None)


# ---- official schedule -----------------------------------------------------------------------


def test_holiday_get_put_delete_four_cases(
    workspace: Any, other_workspace: Any, admin: Any, member: Any, api: Any
) -> None:
    operator = member(Role.OPERATOR)
    url, foreign = f"{BASE}/holidays/2026-02-23", f"{OTHER}/holidays/2026-02-23"
    got = assert_four_cases(api, "GET", url, foreign, permitted=operator, denied=None)
    assert got.json() | {"kind_label": "", "source_label": ""} == {
        "date": "2026-02-23", "kind": "holiday", "kind_label": "", "name": "Spring Festival", "source": "library",
        "source_label": "", "covered": True, "note": None, "override": None,
    }  # fmt: skip

    put = assert_four_cases(
        api, "PUT", url, foreign,
        permitted=admin, denied=operator, data={"kind": "workday", "name": "照常上班"},
    )  # fmt: skip
    assert put.json()["kind"] == "workday" and put.json()["source"] == "override"
    assert put.json()["override"] == {"kind": "workday", "kind_label": "Ordinary workday", "name": "照常上班"}
    days = api(admin).get(f"{BASE}?from=2026-02-23&to=2026-02-23").json()["items"]
    assert days[0]["workday"] is True and days[0]["holiday"] is None

    bad = api(admin).put(
        f"{BASE}/holidays/2026-02-25",
        data=json.dumps({"kind": "makeup_workday"}),
        content_type="application/json",
    )
    assert bad.status_code == 400 and "kind" in bad.json()["errors"]
    assert (
        api(admin).put(f"{BASE}/holidays/2026-02-25", data="{}", content_type="application/json").status_code
        == 422
    )

    assert_four_cases(api, "DELETE", url, foreign, permitted=admin, denied=operator, ok=(204,))
    assert not HolidayOverride.objects.exists()
    assert api(admin).delete(url).status_code == 404
    assert api(admin).get(f"{BASE}/holidays/2026-02-30").status_code == 422
    assert api(admin).get(f"{BASE}/holidays/1900-01-01").status_code == 400


def test_holiday_list_and_covered_years(
    workspace: Any, other_workspace: Any, admin: Any, member: Any, api: Any
) -> None:
    analyst = member(Role.ANALYST)
    listed = assert_four_cases(
        api, "GET", f"{BASE}/holidays?year=2026&limit=500", f"{OTHER}/holidays?year=2026",
        permitted=analyst, denied=None,
    )  # fmt: skip
    rows = {r["date"]: r for r in listed.json()["items"]}
    assert rows["2026-02-14"]["kind"] == "makeup_workday" and rows["2026-02-14"]["source"] == "library"
    assert rows["2026-02-15"]["kind"] == "holiday"
    assert api(analyst).get(f"{BASE}/holidays?year=1999").status_code == 422

    svc.official_schedule_import(
        workspace=workspace, actor=None, year=2027, content=SCHEDULE_2027, source="通知"
    )
    years = assert_four_cases(
        api, "GET", f"{BASE}/covered-years?limit=500", f"{OTHER}/covered-years",
        permitted=analyst, denied=None,
    )  # fmt: skip
    by_year = {y["year"]: y for y in years.json()["items"]}
    assert by_year[2026]["status"] == "library" and by_year[2004]["covered"] is True
    assert by_year[2027] | {"status_label": ""} == {
        "year": 2027, "status": "admin", "status_label": "", "covered": True, "source": "通知", "days": 11, "note": None,
    }  # fmt: skip


def _multipart_four_cases(
    api: Any, url: str, foreign: str, permitted: Any, denied: Any, data: dict[str, Any]
) -> Any:
    """The four cases for a multipart upload (tests.access sends JSON)."""
    assert api(None).post(url, data=data).status_code == 401
    assert api(denied).post(url, data=data).status_code == 403
    assert api(permitted).post(foreign, data=data).status_code == 404
    return api(permitted).post(url, data=data)


def test_schedule_import_four_cases_errors_and_idempotence(
    workspace: Any, other_workspace: Any, admin: Any, member: Any, api: Any
) -> None:
    operator = member(Role.OPERATOR)
    url, foreign = f"{BASE}/schedule-import", f"{OTHER}/schedule-import"
    bad = "2027-02-06,放假,春节\n2027-02-31,放假,春节\n2027-02-10,补班,调休\n"
    rejected = _multipart_four_cases(api, url, foreign, admin, operator, {"year": "2027", "text": bad})
    assert rejected.status_code == 400
    body = rejected.json()
    assert body["message"].startswith("The schedule was not imported: 2 problems found")
    assert [(e["line"], e["field"]) for e in body["errors"]] == [(2, "date"), (3, "kind")]
    assert not HolidayOverride.objects.exists() and not OfficialScheduleYear.objects.exists()

    client = api(admin)
    first = client.post(url, data={"year": "2027", "text": SCHEDULE_2027})
    assert first.status_code == 200 and first.json()["changed"] is True
    second = client.post(url, data={"year": "2027", "text": SCHEDULE_2027})
    assert second.json()["changed"] is False and second.json()["unchanged"] == 11
    assert "nothing changed" in second.json()["message"]

    built_in = client.post(url, data={"year": "2026", "text": "2026-10-01,放假,国庆"})
    assert built_in.status_code == 400 and built_in.json()["errors"][0]["field"] == "year"
    assert client.post(url, data={"year": "2027"}).status_code == 400
    assert client.post(url, data={"year": "3000", "text": "x"}).status_code == 422
    assert client.post(url, data={"text": "x"}).status_code == 422


# ---- entries ---------------------------------------------------------------------------------


def test_entry_list_and_create_four_cases(
    workspace: Any, other_workspace: Any, member: Any, entry: Any, api: Any
) -> None:
    operator, analyst = member(Role.OPERATOR), member(Role.ANALYST)
    listed = assert_four_cases(
        api, "GET", f"{BASE}/entries", f"{OTHER}/entries", permitted=analyst, denied=None
    )
    assert [e["name"] for e in listed.json()["items"]] == ["高考"]
    assert listed.json()["items"][0]["key"] == f"entry:{entry.pk}"
    assert api(analyst).get(f"{BASE}/entries?from=2026-06-10").json()["count"] == 0
    assert api(analyst).get(f"{BASE}/entries?to=2026-06-07&kind=hot_topic").json()["count"] == 1

    data = {"kind": "brand_event", "name": "品牌日", "start_date": "2026-08-08", "end_date": "2026-08-10"}
    created = assert_four_cases(
        api, "POST", f"{BASE}/entries", f"{OTHER}/entries",
        permitted=operator, denied=analyst, data=data, ok=(201,),
    )  # fmt: skip
    assert created.json()["kind_label"] == "Brand event" and created.json()["created_by"] == operator.username
    too_long = api(operator).post(
        f"{BASE}/entries",
        data=json.dumps({**data, "end_date": "2026-12-31"}),
        content_type="application/json",
    )
    assert too_long.status_code == 400 and "end_date" in too_long.json()["errors"]
    assert CalendarEntry.objects.filter(workspace=workspace).count() == 2


def test_entry_detail_patch_delete_four_cases(
    workspace: Any, other_workspace: Any, member: Any, entry: Any, foreign_entry: Any, api: Any
) -> None:
    operator, analyst = member(Role.OPERATOR), member(Role.ANALYST)
    url, foreign = f"{BASE}/entries/{entry.pk}", f"{BASE}/entries/{foreign_entry.pk}"
    assert_four_cases(api, "GET", url, foreign, permitted=analyst, denied=None)
    patched = assert_four_cases(
        api, "PATCH", url, foreign,
        permitted=operator, denied=analyst, data={"name": "高考季", "end_date": "2026-06-10"},
    )  # fmt: skip
    assert patched.json()["name"] == "高考季" and patched.json()["end_date"] == "2026-06-10"
    assert api(operator).get(f"{BASE}/entries/99999999999").status_code == 422
    assert_four_cases(api, "DELETE", url, foreign, permitted=operator, denied=analyst, ok=(204,))
    assert not CalendarEntry.objects.filter(workspace=workspace).exists()
    assert CalendarEntry.objects.filter(pk=foreign_entry.pk).exists()


# ---- feed ------------------------------------------------------------------------------------


def test_feed_four_cases_and_fullcalendar_shape(
    workspace: Any, other_workspace: Any, member: Any, entry: Any, api: Any
) -> None:
    analyst = member(Role.ANALYST)
    # What FullCalendar sends for February 2026 in month view (Asia/Shanghai), end exclusive.
    query = "?start=2026-01-26T00%3A00%3A00%2B08%3A00&end=2026-03-09T00%3A00%3A00%2B08%3A00&timeZone=local"
    response = assert_four_cases(
        api, "GET", f"{BASE}/feed{query}", f"{OTHER}/feed{query}", permitted=analyst, denied=None
    )
    events = {e["id"]: e for e in response.json()}
    spring = events["holiday:2026-02-15"]
    # One band for the nine days off, ending (exclusively) the day after 2026-02-23.
    assert spring == {
        "id": "holiday:2026-02-15", "title": "Spring Festival", "start": "2026-02-15", "end": "2026-02-24",
        "allDay": True, "display": "background", "classNames": ["cal-holiday"],
        "extendedProps": {"kind": "holiday", "key": "holiday:2026-02-15"},
    }  # fmt: skip
    assert events["makeup:2026-02-14"]["display"] == "background"
    assert events["makeup:2026-02-14"]["end"] == "2026-02-15"
    assert events["makeup:2026-02-28"]["classNames"] == ["cal-makeup"]
    festival = events["festival:spring_festival:2026"]
    assert (festival["start"], festival["end"], festival["display"]) == ("2026-02-17", "2026-02-18", None)
    assert festival["extendedProps"] == {"kind": "festival", "key": "festival:spring_festival:2026"}
    assert "festival:lantern:2026" in events  # 2026-03-03 is inside the visible range
    assert not any(e["extendedProps"]["kind"] == "uncovered" for e in events.values())

    feed = api(analyst).get(f"{BASE}/feed?start=2026-06-01&end=2026-06-08").json()
    stored = next(e for e in feed if e["id"] == f"entry:{entry.pk}")
    # The entry runs 7–9 June: exclusive end 10 June, though the range ends on the 7th.
    assert (stored["start"], stored["end"]) == ("2026-06-07", "2026-06-10")
    assert stored["classNames"] == ["cal-entry", "cal-entry-hot_topic"]
    assert not any(e["start"] == "2026-06-08" for e in feed)  # the end date itself is not included


def test_feed_warns_about_uncovered_years_and_rejects_bad_bounds(
    workspace: Any, admin: Any, api: Any
) -> None:
    client = api(admin)
    feed = client.get(f"{BASE}/feed?start=2026-12-28&end=2027-02-08").json()
    warnings = [e for e in feed if e["extendedProps"]["kind"] == "uncovered"]
    assert warnings == [
        {
            "id": "uncovered:2027", "title": "no official holiday data for 2027", "start": "2027-01-01",
            "end": "2027-02-08", "allDay": True, "display": "background", "classNames": ["cal-uncovered"],
            "extendedProps": {"kind": "uncovered", "key": "uncovered:2027"},
        }
    ]  # fmt: skip
    assert not any(e["extendedProps"]["kind"] == "holiday" and e["start"] >= "2027" for e in feed)
    assert client.get(f"{BASE}/feed?start=2026-12-28Z&end=2027-01-01").status_code == 400
    assert client.get(f"{BASE}/feed?start=2026-12-28T00:00:00Z&end=2026-12-29T00:00:00Z").status_code == 200
    assert client.get(f"{BASE}/feed?start=2026-12-28&end=2026-12-28").status_code == 400
    assert client.get(f"{BASE}/feed?start=2026-01-01&end=2027-06-01").status_code == 400
    assert client.get(f"{BASE}/feed?start=2026-01-01").status_code == 422
