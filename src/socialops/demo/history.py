"""The demo's post history: the 公众号 and 抖音 exports the team downloads, and the mappings that read them.

The posts match the accounts' daily figures (the days and the number of posts are those of the
metrics) and their readers' hours (data/history.toml), so importing them teaches the product
the best hours to post.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from dataclasses import dataclass
from typing import Any

from .dates import DemoCalendar
from .metrics import generate_metrics, noise
from .specs import SEED, AccountSpec, load

ENGAGEMENT_FIELDS = ("likes", "comments", "shares", "saves")
# One export format per account key that has one (the others' history is not imported).
EXPORTS: dict[str, dict[str, Any]] = load("history")["exports"]
# How far back each export reaches.
EXPORT_DAYS = {key: export["export_days"] for key, export in EXPORTS.items()}


@dataclass(frozen=True)
class PostExport:
    """A platform export as the team downloads it, and the mapping that reads it."""

    mapping_name: str
    file_name: str
    columns: dict[str, str]
    options: dict[str, Any]
    content: bytes
    rows: int


def _hours(rng: random.Random, table: dict[int, int], count: int, gap: int = 3) -> list[int]:
    """``count`` posting hours drawn from the table, at least ``gap`` hours apart."""
    hours: list[int] = []
    choices, weights = list(table), list(table.values())
    for _attempt in range(50):
        if len(hours) == count:
            break
        hour = rng.choices(choices, weights)[0]
        if all(abs(hour - h) >= gap for h in hours):
            hours.append(hour)
    return sorted(hours)


def _by_hour(table: dict[str, Any]) -> dict[int, Any]:
    # TOML keys are strings; the hours are numbers.
    return {int(hour): value for hour, value in table.items()}


def post_history(spec: AccountSpec, calendar: DemoCalendar) -> list[dict[str, Any]]:
    """An account's posts over its export window, matching its daily figures and its readers' hours.

    Each post takes a share of its day's reach, and its day's interactions per reach, scaled by
    how well its hour does; the days and the number of posts are those of the daily metrics.
    """
    export = EXPORTS[spec.key]
    rng = random.Random(f"{SEED}:posts:{spec.key}")
    first = calendar.today - dt.timedelta(days=export["export_days"])
    weekday_hours, weekend_hours = (_by_hour(export["post_hours"][k]) for k in ("weekday", "weekend"))
    rates = _by_hour(export["hour_rate"])
    # The 公众号 export lists the lead article of each push only.
    lead_only = spec.key == "wechat"
    posts: list[dict[str, Any]] = []
    for day, figures in generate_metrics(spec, calendar):
        if day < first or not figures["posts"] or not figures["reach"]:
            continue
        count = 1 if lead_only else figures["posts"]
        table = weekend_hours if day.weekday() >= 5 else weekday_hours
        for hour in _hours(rng, table, count):
            minute = 30 if lead_only and hour == 7 else rng.choice((0, 0, 5, 15, 30, 45))
            rate = rates[hour]
            reach = max(
                30,
                round(
                    figures["reach"] * export["day_share"] / count * (1 + (rate - 1) * 0.5) * noise(rng, 0.15)
                ),
            )
            lift = rate * noise(rng, 0.12)
            post: dict[str, Any] = {
                "at": dt.datetime.combine(day, dt.time(hour, minute)),
                "reach": reach,
                **{
                    name: round(reach * figures[name] / figures["reach"] * lift) for name in ENGAGEMENT_FIELDS
                },
            }
            posts.append(post)
    return posts


def _csv(header: list[str], rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    # Chinese platform exports open in Excel, hence the byte-order mark.
    return out.getvalue().encode("utf-8-sig")


def _cell(field: str, n: int, post: dict[str, Any], export: dict[str, Any], rng: random.Random) -> Any:
    """One cell of the export: what the column ``field`` holds for the ``n``-th post."""
    if field == "title":
        return export["titles"][n % len(export["titles"])]
    if field == "published_at":
        return f"{post['at']:{export['time_format']}}"
    if field == "external_id":
        return str(7_300_000_000_000_000_000 + rng.randrange(10**17))
    if field == "post_type":
        types = export["post_types"]
        # A single type needs no draw (the 公众号 export lists articles only).
        if len(types) == 1:
            return types[0][0]
        draw = rng.random()
        return next(name for name, below in types if draw < below)
    return post[field]


def post_export(spec: AccountSpec, calendar: DemoCalendar) -> PostExport:
    """The 公众号 or 抖音 export file of an account's post history, with the mapping that reads it."""
    export = EXPORTS[spec.key]
    posts = post_history(spec, calendar)
    start, end = calendar.today - dt.timedelta(days=export["export_days"]), calendar.end
    rng = random.Random(f"{SEED}:ids:{spec.key}")
    header = [name for name, _field in export["columns"]]
    rows = [
        [_cell(field, n, post, export, rng) for _name, field in export["columns"]]
        for n, post in enumerate(posts)
    ]
    return PostExport(
        mapping_name=export["mapping_name"],
        file_name=export["file_name"].format(stamp=f"{start:%Y%m%d}-{end:%Y%m%d}"),
        # The saved mapping reads every column but the title, as the team set it up.
        columns={field: name for name, field in export["columns"] if field != "title"},
        options={"delimiter": ",", "type_to_form": export["type_to_form"], "engagements_from": "sum"},
        content=_csv(header, rows),
        rows=len(rows),
    )
