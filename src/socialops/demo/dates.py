"""The dates the demo hangs on: its history window, its latest shopping campaign and a public holiday.

Everything is dated relative to ``today`` in the demo's time zone, so the demo always looks current
and two seeds on the same day hold identical figures. The festivals and holidays are in
data/calendar.toml.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.utils import timezone

from .specs import DEMO_TIMEZONE, load

HISTORY_DAYS = 180
CAMPAIGN_DAYS = 14
# The campaign ends this many days before today, so the goals' forecasts (fitted to the last 8
# weeks, see goals/forecast.py) judge the team's ordinary pace, not a two-week sale.
CAMPAIGN_CLEARANCE = 64
# Shopping festivals a consumer-electronics brand pushes for two weeks (month, day of the last day).
# 4·20 is the (fictional) brand's own anniversary sale, 星曜品牌日.
CAMPAIGNS: tuple[tuple[str, int, int], ...] = tuple(
    (row["name"], row["month"], row["day"]) for row in load("calendar")["campaigns"]
)
# Public holidays by a fixed rule (the golden week first); enough for a dip in the demo.
HOLIDAYS: tuple[tuple[str, int, int, int], ...] = tuple(
    (row["name"], row["month"], row["first_day"], row["last_day"]) for row in load("calendar")["holidays"]
)


def demo_today() -> dt.date:
    """Today's date in the demo workspace's time zone."""
    return timezone.now().astimezone(zoneinfo.ZoneInfo(DEMO_TIMEZONE)).date()


@dataclass(frozen=True)
class Period:
    """A named stretch of days, both ends included."""

    name: str
    start: dt.date
    end: dt.date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.start <= day <= self.end


@dataclass(frozen=True)
class DemoCalendar:
    """The dates everything in the demo hangs on, all relative to ``today``."""

    today: dt.date
    start: dt.date  # first day with metrics
    end: dt.date  # last day with metrics (yesterday)
    campaign: Period
    holiday: Period

    @property
    def days(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=i) for i in range((self.end - self.start).days + 1)]


def demo_calendar(today: dt.date) -> DemoCalendar:
    """The history window ending yesterday, its latest complete campaign and its holiday."""
    start = today - dt.timedelta(days=HISTORY_DAYS)
    end = today - dt.timedelta(days=1)
    latest_end = today - dt.timedelta(days=CAMPAIGN_CLEARANCE)
    campaigns: list[Period] = []
    for year in (today.year - 1, today.year):
        for name, month, day in CAMPAIGNS:
            last = dt.date(year, month, day)
            first = last - dt.timedelta(days=CAMPAIGN_DAYS - 1)
            # Two clean weeks before it, for the strategy's before/after comparison.
            if first >= start + dt.timedelta(days=14) and last <= latest_end:
                campaigns.append(Period(f"{year} {name}", first, last))
    # There is always one: the allowed ends span 90 days and the festivals are at most 76 apart.
    campaign = max(campaigns, key=lambda p: p.end)
    holidays: list[Period] = []
    for name, month, first_day, last_day in HOLIDAYS:
        for year in (today.year, today.year - 1):
            period = Period(f"{year} {name}", dt.date(year, month, first_day), dt.date(year, month, last_day))
            if start <= period.start and period.end <= end:
                holidays.append(period)
                break
    # The rule order prefers the golden week; the window always holds one of the three.
    holiday = holidays[0]
    return DemoCalendar(today=today, start=start, end=end, campaign=campaign, holiday=holiday)
