"""The official schedule from chinese-calendar and festivals from lunar_python (content/holidays.py)."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import pytest
from django.utils import translation

from socialops.content import holidays as h

D = dt.date


def test_library_years_are_detected_from_the_library_not_hard_coded() -> None:
    first, last = h.library_years() or (0, 0)
    assert first == 2004
    # The last year is whatever the installed package knows: it answers for it and refuses the next.
    chinese_calendar.is_workday(D(last, 12, 31))
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(D(last + 1, 1, 1))
    assert h.library_covers(last) and not h.library_covers(last + 1) and not h.library_covers(first - 1)


def test_spring_festival_2026_days_off_and_makeup_workdays() -> None:
    for day in range(15, 24):
        official = h.library_day(D(2026, 2, day))
        assert official is not None and official.kind == h.HOLIDAY, day
        assert official.name == "Spring Festival"
    for makeup in (D(2026, 2, 14), D(2026, 2, 28)):
        official = h.library_day(makeup)
        assert official is not None and official.kind == h.MAKEUP_WORKDAY
    assert h.library_day(D(2026, 2, 24)) is None  # an ordinary Tuesday
    assert h.library_day(D(2026, 3, 1)) is None  # an ordinary Sunday
    assert h.library_day(D(2027, 1, 1)) is None  # no data, no guess


def test_holiday_names_are_translated() -> None:
    with translation.override("zh-hans"):
        assert h.library_day(D(2026, 2, 16)).name == "春节"  # type: ignore[union-attr]
        assert h.library_day(D(2026, 10, 1)).name == "国庆节"  # type: ignore[union-attr]
        assert h.uncovered_message(2027) == "2027 年暂无官方节假日数据"
    assert h.uncovered_message(2027) == "no official holiday data for 2027"


def test_year_days_list_every_official_day_of_2026() -> None:
    days = h.library_year_days(2026)
    holidays = [d.date for d in days if d.kind == h.HOLIDAY]
    makeups = [d.date for d in days if d.kind == h.MAKEUP_WORKDAY]
    assert {D(2026, 2, 15) + dt.timedelta(days=i) for i in range(9)} <= set(holidays)
    assert {D(2026, 2, 14), D(2026, 2, 28)} <= set(makeups)
    assert all(d.weekday() >= 5 for d in makeups)
    assert h.library_year_days(2100) == []


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("festival:mid_autumn:2026", D(2026, 9, 25)),
        ("festival:spring_festival:2026", D(2026, 2, 17)),
        ("festival:dragon_boat:2026", D(2026, 6, 19)),
        ("festival:chuxi:2026", D(2026, 2, 16)),
        ("festival:lantern:2026", D(2026, 3, 3)),
        ("festival:qixi:2026", D(2026, 8, 19)),
        ("festival:double_ninth:2026", D(2026, 10, 18)),
        ("festival:womens_day:2026", D(2026, 3, 8)),
        ("commerce:618:2026", D(2026, 6, 18)),
        ("commerce:double11:2027", D(2027, 11, 11)),
    ],
)
def test_festival_dates(key: str, expected: dt.date) -> None:
    item = h.festival_resolve(key)
    assert item is not None and item.start == item.end == expected and item.key == key


def _named_period(year: int, *names: str) -> tuple[dt.date, dt.date] | None:
    days = [d for d, n in chinese_calendar.holidays.items() if d.year == year and n in names]
    return (min(days), max(days)) if days else None


def _within(day: dt.date, period: tuple[dt.date, dt.date] | None) -> bool:
    return period is not None and period[0] <= day <= period[1]


def test_festival_dates_agree_with_the_official_holidays_every_covered_year() -> None:
    """An independent source: each covered year's official holiday of that name spans the computed date."""
    first, last = h.library_years() or (0, 0)
    for year in range(first, last + 1):
        dates = {f.code: day for f, day in h.festival_dates(year)}
        assert _within(dates["spring_festival"], _named_period(year, "Spring Festival")), year
        if year >= 2008:  # 端午 and 中秋 became public holidays in 2008
            assert _within(dates["dragon_boat"], _named_period(year, "Dragon Boat Festival")), year
            # When 中秋 falls in the National Day week (2020) the library names the whole week.
            assert _within(dates["mid_autumn"], _named_period(year, "Mid-autumn Festival")) or _within(
                dates["mid_autumn"], _named_period(year, "National Day")
            ), year
        # 除夕 is the day before 春节, whether the 12th lunar month has 29 or 30 days.
        assert dates["chuxi"] == dates["spring_festival"] - dt.timedelta(days=1)
    # The four dates of the 2026 schedule, named by the library on the computed day itself.
    assert chinese_calendar.holidays[D(2026, 2, 17)] == "Spring Festival"
    assert chinese_calendar.holidays[D(2026, 2, 16)] == "Spring Festival"
    assert chinese_calendar.holidays[D(2026, 6, 19)] == "Dragon Boat Festival"
    assert chinese_calendar.holidays[D(2026, 9, 25)] == "Mid-autumn Festival"


def test_chuxi_after_a_29_day_twelfth_month() -> None:
    from lunar_python import Solar

    # 2026-02-16 is 腊月廿九: the twelfth month of 2025 has 29 days, so 除夕 is the 29th.
    lunar = Solar.fromYmd(2026, 2, 16).getLunar()
    assert lunar.getDay() == 29 and "除夕" in lunar.getFestivals()
    assert h.festival_resolve("festival:chuxi:2026").start == D(2026, 2, 16)  # type: ignore[union-attr]


def test_festivals_between_is_ordered_and_keyed() -> None:
    items = h.festivals_between(D(2026, 1, 1), D(2026, 12, 31))
    assert [i.start for i in items] == sorted(i.start for i in items)
    assert len(items) == len(h.FESTIVALS)
    assert {i.kind for i in items} == {"festival", "commerce"}
    assert all(i.key.endswith(":2026") for i in items)
    spanning = h.festivals_between(D(2026, 12, 20), D(2027, 1, 10))
    assert [i.key for i in spanning] == ["festival:christmas:2026", "festival:new_year:2027"]


def test_every_festival_has_a_code_chinese_and_english_name_and_the_chinese_ui_uses_the_chinese_name() -> (
    None
):
    codes = [f.code for f in h.FESTIVALS]
    assert len(codes) == len(set(codes))
    assert {"520", "618", "double11", "double12"} == {f.code for f in h.FESTIVALS if f.kind == h.COMMERCE}
    for festival in h.FESTIVALS:
        with translation.override("en"):
            english = festival.name
        with translation.override("zh-hans"):
            chinese = festival.name
        assert english and english != chinese
        assert chinese == festival.name_zh, festival.code


@pytest.mark.parametrize(
    "key",
    ["", "festival", "festival:mid_autumn", "festival:nope:2026", "festival:mid_autumn:26", "commerce:618:9999",
     "festival:mid_autumn:2026:x", "entry:1", "commerce:mid_autumn:2026"],
)  # fmt: skip
def test_bad_keys_resolve_to_nothing(key: str) -> None:
    assert h.festival_resolve(key) is None
