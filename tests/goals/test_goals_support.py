"""Helpers shared by the goal, strategy and dashboard tests: a weekly pattern of new followers."""

from __future__ import annotations

import datetime as dt
from typing import Any

WEEKEND, WEEKDAY = 170, 72  # new followers per day: a week sums to 700, i.e. 100 a day


def weekly_new_followers(day: dt.date) -> dict[str, Any]:
    return {"new_followers": WEEKEND if day.weekday() >= 5 else WEEKDAY}
