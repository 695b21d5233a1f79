"""Rules shared by the generator and the services (drag, place by hand): when an account may post."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from .types import DEFAULT_HOUR_ORDER, BestHours, Cadence, entry, iso_minutes, week_of


def time_violations(
    cadence: Cadence,
    starts_at: dt.datetime,
    *,
    others: Iterable[dt.datetime] = (),
    now: dt.datetime | None = None,
    deadline: dt.date | None = None,
) -> list[dict[str, Any]]:
    """Why an account may not post at this time: past, quiet hours, too close to another post, late."""
    problems = []
    if now is not None and starts_at < now:
        problems.append(entry("past", at=iso_minutes(starts_at)))
    if cadence.is_quiet(starts_at.time()):
        problems.append(
            entry(
                "quiet_hours",
                at=starts_at.strftime("%H:%M"),
                start=cadence.quiet_start.strftime("%H:%M"),
                end=cadence.quiet_end.strftime("%H:%M"),
            )
        )
    gap = dt.timedelta(minutes=cadence.min_gap_minutes)
    close = sorted((abs(o - starts_at), o) for o in others if abs(o - starts_at) < gap)
    if close:
        problems.append(entry("gap", minutes=cadence.min_gap_minutes, other=iso_minutes(close[0][1])))
    if deadline is not None and starts_at.date() > deadline:
        problems.append(entry("after_deadline", deadline=deadline.isoformat()))
    return problems


def form_limit_violation(
    cadence: Cadence, form: str, starts_at: dt.datetime, others: Iterable[tuple[dt.datetime, str]]
) -> dict[str, Any] | None:
    """The weekly limit of the item's form, if one more of that form in this week would break it."""
    limit = cadence.form_limits.get(form)
    if limit is None:
        return None
    week = week_of(starts_at.date())
    used = sum(1 for moment, f in others if f == form and week_of(moment.date()) == week)
    if used + 1 > limit:
        return entry("form_limit", form=form, limit=int(limit))
    return None


def hour_order(best: BestHours, key: int) -> list[tuple[int, int | None]]:
    """Hours of an ISO weekday best first, with their rank in the best-time data (None = default order)."""
    known = [h for h in best.ranked_hours(key) if 0 <= h <= 23]
    ranked: list[tuple[int, int | None]] = [(h, i + 1) for i, h in enumerate(known)]
    seen = set(known)
    ranked.extend((h, None) for h in DEFAULT_HOUR_ORDER if h not in seen)
    return ranked
