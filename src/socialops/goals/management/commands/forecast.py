"""`socialops forecast --horizon N [--kind cumulative|level] [--coverage 80] [--json] < series.csv`.

Reads a daily series as CSV (date,value; a header line is allowed; a date without a row is a day
without figures) on stdin and prints, for each of the next N days, the forecast with its range —
through the same function the goals use (``forecast_calibrated``, docs/forecast.md), so anyone can
backtest it from outside.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from socialops.content import holidays
from socialops.goals import forecast as fc


def read_series(lines: Any) -> tuple[list[int], list[float]]:
    """(ordinals, values) of CSV date,value rows; a CommandError names the first bad line."""
    values: dict[int, float] = {}
    for lineno, row in enumerate(csv.reader(lines), start=1):
        if not row or not "".join(row).strip():
            continue
        if len(row) < 2:
            raise CommandError(f"line {lineno}: expected date,value, got {','.join(row)!r}")
        date_text, value_text = row[0].strip(), row[1].strip()
        try:
            day = dt.date.fromisoformat(date_text)
        except ValueError:
            if lineno == 1 and not value_text.replace(".", "", 1).lstrip("-").isdigit():
                continue  # the header
            raise CommandError(f"line {lineno}: {date_text!r} is not a date (YYYY-MM-DD)") from None
        try:
            value = float(value_text)
        except ValueError:
            raise CommandError(f"line {lineno}: {value_text!r} is not a number") from None
        if not math.isfinite(value):
            raise CommandError(f"line {lineno}: {value_text!r} is not a finite number")
        if day.toordinal() in values:
            raise CommandError(f"line {lineno}: {day} appears twice")
        values[day.toordinal()] = value
    days = sorted(values)
    return days, [values[d] for d in days]


def official_days(first: int, last: int) -> dict[int, str]:
    """Ordinal → name of China's official holidays and 调休 make-up workdays (chinese-calendar)."""
    out = {}
    for o in range(first, last + 1):
        day = holidays.library_day(dt.date.fromordinal(o))
        if day is not None:
            out[o] = str(day.name) if day.kind == holidays.HOLIDAY else "调休"
    return out


class Command(BaseCommand):
    help = "Forecast a daily series read as CSV date,value on stdin: point, low, high for each future day."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--horizon", type=int, required=True, help="days to forecast after the last date")
        parser.add_argument("--kind", choices=fc.KINDS, default=fc.CUMULATIVE,
                            help="cumulative: running total of the future days; level: each day's value")  # fmt: skip
        parser.add_argument(
            "--coverage", type=float, default=fc.LEVEL * 100, help="the range's probability, in %%"
        )
        parser.add_argument("--calendar", choices=("none", "cn"), default="none",
                            help="cn: treat China's official holidays and 调休 as special days (as the goals do)")  # fmt: skip
        parser.add_argument("--nonnegative", action="store_true", help="counts: nothing below zero")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **opts: Any) -> None:
        horizon, coverage = opts["horizon"], opts["coverage"]
        if not 1 <= horizon <= 366:
            raise CommandError("--horizon must be between 1 and 366 days")
        if not 0 < coverage < 100:
            raise CommandError("--coverage must be between 0 and 100 (exclusive)")
        days, values = read_series(sys.stdin)
        if not days:
            raise CommandError("no rows on stdin: expected CSV date,value")
        future = list(range(days[-1] + 1, days[-1] + 1 + horizon))
        special = official_days(days[0], future[-1]) if opts["calendar"] == "cn" else {}
        try:
            result = fc.forecast_calibrated(
                days, values, future, kind=opts["kind"], level=coverage / 100,
                nonnegative=opts["nonnegative"], special=special,
            )  # fmt: skip
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        band = result.band
        rows = [
            {
                "date": dt.date.fromordinal(d).isoformat(),
                "point": float(p),
                "low": float(lo),
                "high": float(hi),
            }
            for d, p, lo, hi in zip(future, band.point, band.low, band.high, strict=True)
        ]
        if opts["json"]:
            meta = {
                "kind": opts["kind"], "coverage": coverage, "scale": result.scale,
                "calibrated_on": result.calibrated_on,
                "track_record": {"cutoffs": result.track.cutoffs, "hits": result.track.hits},
                "unseen_special_days": list(result.unseen), "known_special_days": list(result.known),
            }  # fmt: skip
            self.stdout.write(json.dumps({**meta, "forecast": rows}, ensure_ascii=False))
            return
        for r in rows:
            self.stdout.write(f"{r['date']}  {r['point']:.2f}  [{r['low']:.2f}, {r['high']:.2f}]")
