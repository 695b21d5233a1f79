"""Time helpers for the plan tests (the builders are in tests/factories.py). Holds no tests."""

from __future__ import annotations

import datetime as dt
import zoneinfo

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    """A Shanghai wall-clock time, aware."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)
