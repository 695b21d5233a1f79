"""The marketing calendar's days, coverage, overrides, the schedule import and entries (R2.3)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from socialops.content import holidays
from socialops.content.models import CalendarEntry, HolidayOverride, OfficialScheduleYear
from socialops.content.selectors import calendar as sel
from socialops.content.services import calendar as svc
from socialops.workspaces.models import AuditEntry
from socialops.workspaces.roles import Role
from tests.factories import make_calendar_entry

pytestmark = pytest.mark.django_db

D = dt.date
SCHEDULE_2027 = """# 国务院办公厅关于2027年部分节假日安排的通知（示例）
date,kind,name
2027-01-01,放假,元旦
2027-02-06,holiday,春节
2027-02-07,休,春节
2027-02-08,放假,春节
2027-02-09,放假,春节
2027-02-10,放假,春节
2027-02-11,放假,春节
2027-02-12,放假,春节
2027-02-13,放假,春节
2027-02-14,放假,春节
2027-02-20,补班,春节调休
"""


def _day(days: list[Any], date: dt.date) -> Any:
    return next(d for d in days if d.date == date)


# ---- the 2026 Spring Festival ----------------------------------------------------------------


def test_spring_festival_2026_through_calendar_days(workspace: Any, admin: Any) -> None:
    days = sel.calendar_days(workspace=workspace, user=admin, start=D(2026, 2, 13), end=D(2026, 3, 1))
    assert [d.date for d in days] == [D(2026, 2, 13) + dt.timedelta(days=i) for i in range(17)]
    for i in range(9):
        day = _day(days, D(2026, 2, 15) + dt.timedelta(days=i))
        assert day.holiday == "Spring Festival" and not day.workday and not day.makeup_workday and day.covered
    for makeup in (D(2026, 2, 14), D(2026, 2, 28)):
        day = _day(days, makeup)
        assert day.workday and day.makeup_workday and day.holiday is None
    assert _day(days, D(2026, 2, 24)).workday and _day(days, D(2026, 2, 24)).holiday is None
    sunday = _day(days, D(2026, 3, 1))
    assert not sunday.workday and sunday.holiday is None and not sunday.makeup_workday
    # Festivals are entries of their day.
    assert [i.key for i in _day(days, D(2026, 2, 16)).entries] == ["festival:chuxi:2026"]
    assert [i.key for i in _day(days, D(2026, 2, 17)).entries] == ["festival:spring_festival:2026"]


def test_holiday_names_follow_the_language(workspace: Any, admin: Any) -> None:
    with translation.override("zh-hans"):
        day = sel.calendar_days(workspace=workspace, user=admin, start=D(2026, 2, 17), end=D(2026, 2, 17))[0]
    assert day.holiday == "春节" and day.entries[0].name == "春节"


def test_calendar_days_needs_membership_and_bounded_ranges(
    workspace: Any, other_workspace: Any, member: Any
) -> None:
    outsider = member(Role.ADMIN, ws=other_workspace)
    with pytest.raises(Http404):
        sel.calendar_days(workspace=workspace, user=outsider, start=D(2026, 1, 1), end=D(2026, 1, 2))
    analyst = member(Role.ANALYST)
    assert (
        len(sel.calendar_days(workspace=workspace, user=analyst, start=D(2026, 1, 1), end=D(2027, 2, 4)))
        == 400
    )
    with pytest.raises(ValidationError) as exc:
        sel.calendar_days(workspace=workspace, user=analyst, start=D(2026, 1, 1), end=D(2027, 2, 5))
    assert "at most 400 days" in str(exc.value)
    with pytest.raises(ValidationError):
        sel.calendar_days(workspace=workspace, user=analyst, start=D(2026, 1, 2), end=D(2026, 1, 1))
    with pytest.raises(ValidationError):
        sel.calendar_days_for_system(workspace=workspace, start=D(1999, 12, 31), end=D(2000, 1, 1))


def test_a_400_day_range_is_three_queries(workspace: Any, django_assert_num_queries: Any) -> None:
    svc.holiday_override_set(
        workspace=workspace, actor=None, date=D(2026, 5, 6), kind="holiday", name="公司假日"
    )
    make_calendar_entry(workspace, "世界杯", D(2026, 6, 11), D(2026, 7, 19))
    with django_assert_num_queries(3):  # overrides, covered years, entries
        days = sel.calendar_days_for_system(workspace=workspace, start=D(2026, 1, 1), end=D(2027, 2, 4))
    assert len(days) == 400
    assert sum(1 for d in days if any(i.key.startswith("entry:") for i in d.entries)) == 39


# ---- coverage --------------------------------------------------------------------------------


def test_2027_is_not_covered_until_its_schedule_is_imported(workspace: Any, admin: Any) -> None:
    days = sel.calendar_days(workspace=workspace, user=admin, start=D(2027, 2, 5), end=D(2027, 2, 21))
    assert all(not d.covered for d in days)
    assert sel.day_note(days[0]) == "no official holiday data for 2027"
    # Without data: Monday–Friday are workdays, nothing is a holiday, nothing is guessed.
    assert all(
        d.workday == (d.date.weekday() < 5) and d.holiday is None and not d.makeup_workday for d in days
    )
    assert sel.uncovered_years(workspace=workspace, start=D(2026, 6, 1), end=D(2028, 1, 1)) == [2027, 2028]

    result = svc.official_schedule_import(
        workspace=workspace, actor=admin, year=2027, content=SCHEDULE_2027, source="国办发明电〔2026〕X号"
    )
    assert (result.days, result.created, result.updated, result.deleted, result.newly_covered) == (
        11,
        11,
        0,
        0,
        True,
    )

    days = sel.calendar_days(workspace=workspace, user=admin, start=D(2027, 2, 5), end=D(2027, 2, 21))
    assert all(d.covered for d in days) and sel.day_note(days[0]) is None
    for i in range(9):
        day = _day(days, D(2027, 2, 6) + dt.timedelta(days=i))
        assert day.holiday == "春节" and not day.workday
    makeup = _day(days, D(2027, 2, 20))
    assert makeup.workday and makeup.makeup_workday
    assert _day(days, D(2027, 2, 21)).workday is False  # an ordinary Sunday
    assert _day(days, D(2027, 2, 15)).workday is True  # an ordinary Monday
    assert sel.uncovered_years(workspace=workspace, start=D(2026, 6, 1), end=D(2028, 1, 1)) == [2028]
    # Each workspace has its own schedule.
    assert OfficialScheduleYear.objects.get(workspace=workspace).source == "国办发明电〔2026〕X号"


def test_year_coverage_lists_library_admin_and_uncovered_years(workspace: Any, admin: Any) -> None:
    first, last = holidays.library_years() or (0, 0)
    svc.official_schedule_import(
        workspace=workspace, actor=admin, year=last + 2, content="%s-10-01,放假,国庆" % (last + 2)
    )
    rows = {r.year: r for r in sel.year_coverage(workspace=workspace, user=admin, today=D(last, 3, 1))}
    assert min(rows) == first and max(rows) == last + 2
    assert rows[last].status == "library" and rows[last].covered
    assert (
        rows[last + 1].status == "not_covered"
        and rows[last + 1].note == f"no official holiday data for {last + 1}"
    )
    assert rows[last + 2].status == "admin" and rows[last + 2].days == 1


# ---- overrides -------------------------------------------------------------------------------


def test_overrides_win_over_the_library(workspace: Any, admin: Any) -> None:
    # A company that works on 2026-02-23 and gives 2026-02-24 off instead.
    svc.holiday_override_set(workspace=workspace, actor=admin, date=D(2026, 2, 23), kind="workday")
    svc.holiday_override_set(
        workspace=workspace, actor=admin, date=D(2026, 2, 24), kind="holiday", name="春节延长"
    )
    svc.holiday_override_set(
        workspace=workspace, actor=admin, date=D(2026, 2, 28), kind="holiday", name="春节"
    )
    days = sel.calendar_days(workspace=workspace, user=admin, start=D(2026, 2, 23), end=D(2026, 2, 28))
    assert _day(days, D(2026, 2, 23)).workday and _day(days, D(2026, 2, 23)).holiday is None
    assert _day(days, D(2026, 2, 24)).holiday == "春节延长" and not _day(days, D(2026, 2, 24)).workday
    assert _day(days, D(2026, 2, 28)).holiday == "春节" and not _day(days, D(2026, 2, 28)).makeup_workday

    status = sel.holiday_status(workspace=workspace, user=admin, date=D(2026, 2, 23))
    assert (status.kind, status.source) == ("workday", "override")
    schedule = {d.date: d for d in sel.official_schedule(workspace=workspace, user=admin, year=2026)}
    assert schedule[D(2026, 2, 23)].source == "override" and schedule[D(2026, 2, 23)].overridden == "holiday"
    assert schedule[D(2026, 2, 22)].source == "library"

    svc.holiday_override_delete(workspace=workspace, actor=admin, date=D(2026, 2, 23))
    day = sel.calendar_days(workspace=workspace, user=admin, start=D(2026, 2, 23), end=D(2026, 2, 23))[0]
    assert day.holiday == "Spring Festival"
    with pytest.raises(Http404):
        svc.holiday_override_delete(workspace=workspace, actor=admin, date=D(2026, 2, 23))


def test_override_in_an_uncovered_year_applies_but_the_year_stays_uncovered(
    workspace: Any, admin: Any
) -> None:
    svc.holiday_override_set(
        workspace=workspace, actor=admin, date=D(2027, 1, 1), kind="holiday", name="元旦"
    )
    day = sel.calendar_days(workspace=workspace, user=admin, start=D(2027, 1, 1), end=D(2027, 1, 1))[0]
    assert day.holiday == "元旦" and not day.workday and not day.covered


def test_override_validation_and_permissions(workspace: Any, admin: Any, member: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        svc.holiday_override_set(workspace=workspace, actor=admin, date=D(2026, 3, 4), kind="makeup_workday")
    assert "Saturday or Sunday" in str(exc.value)
    with pytest.raises(ValidationError):
        svc.holiday_override_set(workspace=workspace, actor=admin, date=D(2026, 3, 7), kind="workday")
    with pytest.raises(ValidationError):
        svc.holiday_override_set(workspace=workspace, actor=admin, date=D(2026, 3, 7), kind="nope")
    with pytest.raises(ValidationError):
        svc.holiday_override_set(
            workspace=workspace, actor=admin, date=D(2026, 3, 7), kind="holiday", name="x" * 51
        )
    with pytest.raises(PermissionDenied):
        svc.holiday_override_set(
            workspace=workspace, actor=member(Role.OPERATOR), date=D(2026, 3, 7), kind="holiday"
        )
    assert not HolidayOverride.objects.exists()

    svc.holiday_override_set(
        workspace=workspace, actor=admin, date=D(2026, 3, 7), kind="makeup_workday", name="调休"
    )
    svc.holiday_override_set(
        workspace=workspace, actor=admin, date=D(2026, 3, 7), kind="makeup_workday", name="调休"
    )
    svc.holiday_override_set(
        workspace=workspace, actor=admin, date=D(2026, 3, 7), kind="holiday", name="公司假日"
    )
    actions = list(
        AuditEntry.objects.filter(action__startswith="holiday_override")
        .values_list("action", flat=True)
        .order_by("pk")
    )
    assert actions == ["holiday_override.create", "holiday_override.update"]  # the repeat changed nothing


# ---- the schedule import ---------------------------------------------------------------------


def test_import_errors_are_line_numbered_and_change_nothing(workspace: Any, admin: Any) -> None:
    svc.official_schedule_import(
        workspace=workspace, actor=admin, year=2027, content="2027-10-01,放假,国庆节"
    )
    bad = "\n".join(
        [
            "date,kind,name",  # 1: header
            "2027-01-01,放假,元旦",  # 2: fine
            "2027-13-01,放假,元旦",  # 3: no such date
            "2028-01-01,放假,元旦",  # 4: wrong year
            "2027-01-02,请假,元旦",  # 5: unknown kind
            "",  # 6: blank
            "2027-01-01,放假,元旦",  # 7: duplicate of line 2
            "2027-02-10,补班,春节调休",  # 8: a Wednesday cannot be a make-up workday
            "2027-02-06",  # 9: one column
            "2027-02-06,放假,春节,x",  # 10: four columns
        ]
    )
    with pytest.raises(svc.ScheduleImportRejected) as exc:
        svc.official_schedule_import(workspace=workspace, actor=admin, year=2027, content=bad)
    errors = [(e.line, e.field) for e in exc.value.line_errors]
    assert errors == [(3, "date"), (4, "date"), (5, "kind"), (7, "date"), (8, "kind"), (9, ""), (10, "")]
    assert "line 7: 2027-01-01 is already on line 2." in exc.value.messages
    # Nothing changed: the earlier schedule is still the whole of 2027.
    assert list(HolidayOverride.objects.values_list("date", "name")) == [(D(2027, 10, 1), "国庆节")]
    assert AuditEntry.objects.filter(action="official_schedule.import").count() == 1


def test_import_is_idempotent_and_replaces_the_years_overrides(workspace: Any, admin: Any) -> None:
    first = svc.official_schedule_import(workspace=workspace, actor=admin, year=2027, content=SCHEDULE_2027)
    assert first.changed
    snapshot = list(HolidayOverride.objects.order_by("date").values_list("date", "kind", "name", "pk"))
    audits = AuditEntry.objects.count()

    again = svc.official_schedule_import(
        workspace=workspace, actor=admin, year=2027, content=SCHEDULE_2027.encode()
    )
    assert not again.changed and again.unchanged == 11
    assert (
        list(HolidayOverride.objects.order_by("date").values_list("date", "kind", "name", "pk")) == snapshot
    )
    assert AuditEntry.objects.count() == audits
    assert OfficialScheduleYear.objects.filter(workspace=workspace, year=2027).count() == 1

    # A corrected notice: 元旦 dropped, one name changed, one day added.
    corrected = SCHEDULE_2027.replace("2027-01-01,放假,元旦\n", "").replace(
        "2027-02-14,放假,春节", "2027-02-14,放假,春节假期"
    )
    corrected += "2027-02-15,放假,春节\n"
    result = svc.official_schedule_import(workspace=workspace, actor=admin, year=2027, content=corrected)
    assert (result.created, result.updated, result.deleted, result.newly_covered) == (1, 1, 1, False)
    assert not HolidayOverride.objects.filter(date=D(2027, 1, 1)).exists()
    # Overrides of other years are left alone.
    svc.holiday_override_set(workspace=workspace, actor=admin, date=D(2026, 5, 6), kind="holiday")
    svc.official_schedule_import(workspace=workspace, actor=admin, year=2027, content=SCHEDULE_2027)
    assert HolidayOverride.objects.filter(date=D(2026, 5, 6)).exists()


def test_import_accepts_gb18030_full_width_commas_and_quoted_names(workspace: Any, admin: Any) -> None:
    text = '日期,类型,名称\n2027-10-01，放假，国庆节\n"2027-10-02",holiday,"国庆, 中秋"\n2027-09-26,上班,国庆调休\n'
    result = svc.official_schedule_import(
        workspace=workspace, actor=admin, year=2027, content=text.encode("gb18030")
    )
    assert result.days == 3
    assert HolidayOverride.objects.get(date=D(2027, 10, 2)).name == "国庆, 中秋"
    assert HolidayOverride.objects.get(date=D(2027, 9, 26)).kind == "makeup_workday"


@pytest.mark.parametrize(
    ("year", "content", "field"),
    [
        (2026, "2026-10-01,放假,国庆", "year"),  # built in: correct single days instead
        (1999, "1999-10-01,放假,国庆", "year"),
        (2027, "", "content"),
        (2027, "# only a comment\n\n", "content"),
        (2027, b"\xff\xfe\x00\x00bad", "content"),
    ],
)
def test_import_rejects_bad_years_and_empty_or_unreadable_text(
    workspace: Any, admin: Any, year: int, content: Any, field: str
) -> None:
    with pytest.raises(ValidationError) as exc:
        svc.official_schedule_import(workspace=workspace, actor=admin, year=year, content=content)
    assert field in exc.value.message_dict
    assert not HolidayOverride.objects.exists() and not OfficialScheduleYear.objects.exists()


def test_import_is_for_admins_only(workspace: Any, member: Any) -> None:
    with pytest.raises(PermissionDenied):
        svc.official_schedule_import(
            workspace=workspace, actor=member(Role.OPERATOR), year=2027, content=SCHEDULE_2027
        )


# ---- entries ---------------------------------------------------------------------------------


def test_entries_create_update_delete_and_link(
    workspace: Any, other_workspace: Any, admin: Any, member: Any
) -> None:
    operator = member(Role.OPERATOR)
    entry = svc.calendar_entry_create(
        workspace=workspace,
        actor=operator,
        kind="brand_event",
        name=" 新品发布会 ",
        start_date=D(2026, 9, 24),
        end_date=D(2026, 9, 26),
    )
    assert entry.name == "新品发布会"
    key = f"entry:{entry.pk}"
    item = sel.resolve_calendar_link(workspace=workspace, key=key)
    assert item is not None and (item.kind, item.start, item.end) == (
        "brand_event",
        D(2026, 9, 24),
        D(2026, 9, 26),
    )
    assert sel.resolve_calendar_link(workspace=other_workspace, key=key) is None
    mid_autumn = sel.resolve_calendar_link(workspace=workspace, key="festival:mid_autumn:2026")
    assert mid_autumn is not None and mid_autumn.start == D(2026, 9, 25)
    for bad in ("entry:0", "entry:x", "entry:99999999999", "nonsense", "festival:x:2026"):
        assert sel.resolve_calendar_link(workspace=workspace, key=bad) is None

    days = sel.calendar_days(workspace=workspace, user=operator, start=D(2026, 9, 23), end=D(2026, 9, 27))
    assert [[i.key for i in d.entries] for d in days] == [
        [], [key], ["festival:mid_autumn:2026", key], [key], [],
    ]  # fmt: skip
    choices = sel.calendar_link_choices(
        workspace=workspace, user=operator, start=D(2026, 9, 1), end=D(2026, 10, 31)
    )
    assert [c.key for c in choices] == [
        key, "festival:mid_autumn:2026", "festival:national_day:2026", "festival:double_ninth:2026",
    ]  # fmt: skip

    svc.calendar_entry_update(workspace=workspace, actor=operator, entry=entry, end_date=D(2026, 9, 30))
    entry.refresh_from_db()
    assert entry.end_date == D(2026, 9, 30)
    with pytest.raises(ValidationError) as exc:
        svc.calendar_entry_update(workspace=workspace, actor=operator, entry=entry, end_date=D(2026, 9, 1))
    assert "end_date" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        svc.calendar_entry_update(workspace=workspace, actor=operator, entry=entry, end_date=D(2026, 11, 23))
    assert "60 days" in str(exc.value)
    svc.calendar_entry_update(
        workspace=workspace, actor=operator, entry=entry, end_date=D(2026, 11, 22)
    )  # 60 days
    with pytest.raises(PermissionDenied):
        svc.calendar_entry_delete(workspace=workspace, actor=member(Role.ANALYST), entry=entry)
    with pytest.raises(Http404):
        svc.calendar_entry_delete(workspace=other_workspace, actor=None, entry=entry)
    svc.calendar_entry_delete(workspace=workspace, actor=operator, entry=entry)
    assert not CalendarEntry.objects.exists()
    assert sel.resolve_calendar_link(workspace=workspace, key=key) is None
    actions = list(
        AuditEntry.objects.filter(action__startswith="calendar_entry")
        .values_list("action", flat=True)
        .order_by("pk")
    )
    assert actions == [
        "calendar_entry.create",
        "calendar_entry.update",
        "calendar_entry.update",
        "calendar_entry.delete",
    ]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "party"}, "kind"),
        ({"name": "  "}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"start_date": D(2026, 5, 2), "end_date": D(2026, 5, 1)}, "end_date"),
        ({"start_date": D(1999, 5, 2)}, "start_date"),
        ({"description": "x" * 5001}, "description"),
    ],
)
def test_entry_validation(workspace: Any, fields: dict[str, Any], field: str) -> None:
    data = {
        "kind": "hot_topic",
        "name": "热点",
        "start_date": D(2026, 5, 1),
        "end_date": D(2026, 5, 1),
        **fields,
    }
    with pytest.raises(ValidationError) as exc:
        svc.calendar_entry_create(workspace=workspace, actor=None, **data)
    assert field in exc.value.message_dict
    assert not CalendarEntry.objects.exists()


# ---- properties ------------------------------------------------------------------------------


@pytest.fixture
def busy_workspace(workspace: Any) -> Any:
    """Overrides of every kind, an imported 2027 and entries, so the property sees every branch."""
    svc.holiday_override_set(workspace=workspace, actor=None, date=D(2026, 2, 23), kind="workday")
    svc.holiday_override_set(workspace=workspace, actor=None, date=D(2026, 3, 4), kind="holiday")
    svc.holiday_override_set(workspace=workspace, actor=None, date=D(2026, 3, 7), kind="makeup_workday")
    svc.holiday_override_set(workspace=workspace, actor=None, date=D(2028, 1, 3), kind="holiday", name="元旦")
    svc.official_schedule_import(workspace=workspace, actor=None, year=2027, content=SCHEDULE_2027)
    make_calendar_entry(workspace, "热点", D(2026, 12, 20), D(2027, 1, 10))
    return workspace


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    start=st.dates(min_value=D(2003, 1, 1), max_value=D(2029, 12, 31)),
    length=st.integers(min_value=1, max_value=sel.MAX_DAYS),
)
def test_one_day_per_date_in_order_and_workday_xor_day_off(
    busy_workspace: Any, start: dt.date, length: int
) -> None:
    end = start + dt.timedelta(days=length - 1)
    days = sel.calendar_days_for_system(workspace=busy_workspace, start=start, end=end)
    assert [d.date for d in days] == [start + dt.timedelta(days=i) for i in range(length)]
    for day in days:
        weekend = day.date.weekday() >= 5
        assert day.workday != (day.holiday is not None or (weekend and not day.makeup_workday)), day
        assert not day.makeup_workday or (weekend and day.workday)
        assert day.covered == (holidays.library_covers(day.date.year) or day.date.year == 2027)
        if not day.covered and day.date != D(2028, 1, 3):
            assert day.workday == (not weekend) and day.holiday is None
        assert all(i.start <= day.date <= i.end for i in day.entries)
