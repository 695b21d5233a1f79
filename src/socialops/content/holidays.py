"""China's official holiday schedule and the festivals and commerce days of any year (R2.3).

Pure functions, no database: the official days (放假 and 调休 make-up workdays) come from the
chinese-calendar package, festivals are computed every year with lunar_python (a maintained
lunar-calendar library) instead of a hand-typed date table. Workspace overrides and covered
years live in the database and are merged in by the calendar selectors.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass

import chinese_calendar
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from lunar_python import Lunar

from .calendar_types import CalendarItem

DAY = dt.timedelta(days=1)
HOLIDAY = "holiday"
MAKEUP_WORKDAY = "makeup_workday"
FESTIVAL = "festival"
COMMERCE = "commerce"

# Years whose festivals are computed; far enough for planning, and keeps date arithmetic safe.
FIRST_YEAR = 1901
LAST_YEAR = 2100


# ---- the official schedule (chinese-calendar) ------------------------------------------------

# chinese-calendar names holidays in English; these are the same names, translatable.
_LIBRARY_NAMES: dict[str, Promise] = {
    "New Year's Day": gettext_lazy("New Year's Day"),
    "Spring Festival": gettext_lazy("Spring Festival"),
    "Tomb-sweeping Day": gettext_lazy("Tomb-sweeping Day"),
    "Labour Day": gettext_lazy("Labour Day"),
    "Dragon Boat Festival": gettext_lazy("Dragon Boat Festival"),
    "National Day": gettext_lazy("National Day"),
    "Mid-autumn Festival": gettext_lazy("Mid-Autumn Festival"),
    "Anti-Fascist 70th Day": gettext_lazy("Victory Day (70th anniversary)"),
}


def _library_has(year: int) -> bool:
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


@functools.lru_cache(maxsize=1)
def library_years() -> tuple[int, int] | None:
    """The first and last year chinese-calendar has official data for (None if it has none).

    Found by asking the library, which raises NotImplementedError beyond its data, so a newer
    release of the package extends the covered range without a code change.
    """
    year = min(max(dt.date.today().year, FIRST_YEAR), LAST_YEAR)
    while year >= FIRST_YEAR and not _library_has(year):
        year -= 1
    if year < FIRST_YEAR:
        return None
    first = last = year
    while first > FIRST_YEAR and _library_has(first - 1):
        first -= 1
    while last < LAST_YEAR and _library_has(last + 1):
        last += 1
    return first, last


def library_covers(year: int) -> bool:
    """True when chinese-calendar has the official schedule of ``year``."""
    years = library_years()
    return years is not None and years[0] <= year <= years[1]


def holiday_display_name(library_name: str | None) -> str:
    """A chinese-calendar holiday name in the active language."""
    if not library_name:
        return _("Public holiday")
    label = _LIBRARY_NAMES.get(library_name)
    return str(label) if label is not None else library_name


@dataclass(frozen=True)
class OfficialDay:
    """What the official schedule says about one date: a day off or a make-up workday."""

    date: dt.date
    kind: str  # HOLIDAY | MAKEUP_WORKDAY
    name: str


def library_day(day: dt.date) -> OfficialDay | None:
    """The library's holiday or make-up workday on ``day``; None for ordinary days and uncovered years."""
    if not library_covers(day.year):
        return None
    # The package's own tables (public names of the package) avoid its per-call range check.
    name = chinese_calendar.holidays.get(day)
    if name is not None:
        return OfficialDay(day, HOLIDAY, holiday_display_name(name))
    if day in chinese_calendar.workdays and day.weekday() >= 5:
        return OfficialDay(day, MAKEUP_WORKDAY, holiday_display_name(chinese_calendar.workdays[day]))
    return None


def library_year_days(year: int) -> list[OfficialDay]:
    """Every official day off and make-up workday of ``year`` in the library, by date."""
    if not library_covers(year):
        return []
    start = dt.date(year, 1, 1)
    days = (start + DAY * i for i in range((dt.date(year, 12, 31) - start).days + 1))
    return [d for d in (library_day(day) for day in days) if d is not None]


def uncovered_message(year: int) -> str:
    """What is said instead of guessing when a year's official schedule is unknown."""
    # Lower-case on purpose: it is read inside sentences and table cells (pages apply capfirst).
    return _("no official holiday data for %(year)s") % {"year": year}


# ---- festivals and commerce days (lunar_python) ----------------------------------------------


def _lunar(month: int, day: int) -> Callable[[int], dt.date]:
    def rule(year: int) -> dt.date:
        solar = Lunar.fromYmd(year, month, day).getSolar()
        return dt.date(solar.getYear(), solar.getMonth(), solar.getDay())

    return rule


def _solar(month: int, day: int) -> Callable[[int], dt.date]:
    return lambda year: dt.date(year, month, day)


def _chuxi(year: int) -> dt.date:
    # The eve is the day before the new year, whether the 12th lunar month has 29 or 30 days.
    return _lunar(1, 1)(year) - DAY


@dataclass(frozen=True)
class FestivalDef:
    """A yearly festival or commerce day: its code, names and how its date is found."""

    code: str
    kind: str  # FESTIVAL | COMMERCE
    name_en: Promise  # English source, translated in the UI
    name_zh: str
    rule: Callable[[int], dt.date]
    lunar: bool = False

    @property
    def name(self) -> str:
        """The name in the active language."""
        return str(self.name_en)

    def key(self, year: int) -> str:
        return f"{self.kind}:{self.code}:{year}"


FESTIVALS: tuple[FestivalDef, ...] = (
    FestivalDef("new_year", FESTIVAL, gettext_lazy("New Year's Day"), "元旦", _solar(1, 1)),
    FestivalDef("chuxi", FESTIVAL, gettext_lazy("Chinese New Year's Eve"), "除夕", _chuxi, lunar=True),
    FestivalDef("spring_festival", FESTIVAL, gettext_lazy("Spring Festival"), "春节", _lunar(1, 1), lunar=True),
    FestivalDef("lantern", FESTIVAL, gettext_lazy("Lantern Festival"), "元宵节", _lunar(1, 15), lunar=True),
    FestivalDef("womens_day", FESTIVAL, gettext_lazy("International Women's Day"), "妇女节", _solar(3, 8)),
    FestivalDef("labour_day", FESTIVAL, gettext_lazy("Labour Day"), "劳动节", _solar(5, 1)),
    FestivalDef("dragon_boat", FESTIVAL, gettext_lazy("Dragon Boat Festival"), "端午节", _lunar(5, 5), lunar=True),
    FestivalDef("qixi", FESTIVAL, gettext_lazy("Qixi Festival"), "七夕节", _lunar(7, 7), lunar=True),
    FestivalDef("mid_autumn", FESTIVAL, gettext_lazy("Mid-Autumn Festival"), "中秋节", _lunar(8, 15), lunar=True),
    FestivalDef("double_ninth", FESTIVAL, gettext_lazy("Double Ninth Festival"), "重阳节", _lunar(9, 9), lunar=True),
    FestivalDef("national_day", FESTIVAL, gettext_lazy("National Day"), "国庆节", _solar(10, 1)),
    FestivalDef("christmas", FESTIVAL, gettext_lazy("Christmas"), "圣诞节", _solar(12, 25)),
    FestivalDef("520", COMMERCE, gettext_lazy("520 online Valentine's Day"), "520 网络情人节", _solar(5, 20)),
    FestivalDef("618", COMMERCE, gettext_lazy("618 mid-year shopping festival"), "618 年中大促", _solar(6, 18)),
    FestivalDef("double11", COMMERCE, gettext_lazy("Double 11 shopping festival"), "双11 购物节", _solar(11, 11)),
    FestivalDef("double12", COMMERCE, gettext_lazy("Double 12 shopping festival"), "双12 购物节", _solar(12, 12)),
)  # fmt: skip
FESTIVALS_BY_KEY: dict[tuple[str, str], FestivalDef] = {(f.kind, f.code): f for f in FESTIVALS}


@functools.lru_cache(maxsize=256)
def festival_dates(year: int) -> tuple[tuple[FestivalDef, dt.date], ...]:
    """Each festival and commerce day of ``year`` with its date (cached: lunar maths is the slow part)."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return ()
    return tuple((f, f.rule(year)) for f in FESTIVALS)


def _item(festival: FestivalDef, year: int, day: dt.date) -> CalendarItem:
    return CalendarItem(key=festival.key(year), kind=festival.kind, name=festival.name, start=day, end=day)


def festivals_between(start: dt.date, end: dt.date) -> list[CalendarItem]:
    """Festivals and commerce days from ``start`` to ``end`` (inclusive), by date, names translated."""
    items = [
        _item(f, year, day)
        for year in range(start.year, end.year + 1)
        for f, day in festival_dates(year)
        if start <= day <= end
    ]
    return sorted(items, key=lambda i: (i.start, i.kind != FESTIVAL, i.key))


def festival_resolve(key: str) -> CalendarItem | None:
    """The festival or commerce day a "festival:<code>:<year>" / "commerce:<code>:<year>" key names."""
    parts = key.split(":") if isinstance(key, str) else []
    if len(parts) != 3 or not parts[2].isdigit() or len(parts[2]) != 4:
        return None
    festival = FESTIVALS_BY_KEY.get((parts[0], parts[1]))
    year = int(parts[2])
    if festival is None or not FIRST_YEAR <= year <= LAST_YEAR:
        return None
    return next(_item(f, year, day) for f, day in festival_dates(year) if f is festival)
