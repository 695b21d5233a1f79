"""The calendar and wording around the calibrated goal forecasts (issue 17, docs/forecast.md)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from socialops.content import holidays
from socialops.content.models import CalendarEntry, HolidayOverride, HolidayOverrideKind
from socialops.workspaces.models import Workspace

from .. import forecast as fc

#: Days of history read for a forecast: the fit window plus enough past cutoffs to calibrate the
#: range and to have seen last year's holidays.
HISTORY_DAYS = 400
# Calendar entries that change what a day's figures look like (campaigns, shopping days).
CAMPAIGN_KINDS = {"brand_event", "commerce"}


def special_days(workspace: Workspace, start: dt.date, end: dt.date) -> dict[int, str]:
    """Ordinal → name of the days that are not ordinary: official holidays and 调休 make-up
    workdays (an admin's override wins over chinese-calendar), commerce days (双11) and the
    workspace's brand-event and commerce calendar entries — kept out of the fit, forecast as effects.

    Two queries, remembered on the workspace object for the request: the dashboard asks for every
    goal, mostly with the same span.
    """
    cache: dict[tuple[dt.date, dt.date], dict[int, str]] = workspace.__dict__.setdefault("_special_days", {})
    if (start, end) in cache:
        return cache[(start, end)]
    out: dict[int, str] = {}
    for item in holidays.festivals_between(start, end):
        if item.kind in CAMPAIGN_KINDS:
            out[item.start.toordinal()] = str(item.name)
    entries = CalendarEntry.objects.filter(
        workspace=workspace, kind__in=CAMPAIGN_KINDS, start_date__lte=end, end_date__gte=start
    )
    for entry in entries:
        for o in range(max(entry.start_date, start).toordinal(), min(entry.end_date, end).toordinal() + 1):
            out[o] = entry.name
    overrides = {
        o.date: o for o in HolidayOverride.objects.filter(workspace=workspace, date__gte=start, date__lte=end)
    }
    makeup = _("Make-up workday (调休)")
    for o in range(start.toordinal(), end.toordinal() + 1):
        day = dt.date.fromordinal(o)
        override = overrides.get(day)
        if override is not None:
            if override.kind == HolidayOverrideKind.HOLIDAY:
                out[o] = override.name or str(_("Public holiday"))
            elif day.weekday() >= 5:
                out[o] = makeup
            continue
        official = holidays.library_day(day)
        if official is not None:
            out[o] = str(official.name) if official.kind == holidays.HOLIDAY else makeup
    cache[(start, end)] = out
    return out


def calibrated_text(result: fc.Forecast, via: str = "") -> str:
    """How the forecast was made, in one or two sentences."""
    obs = result.obs
    fitted = ngettext(
        "Weekly pattern of %(n)d day of figures in the last 8 weeks",
        "Weekly pattern of %(n)d days of figures in the last 8 weeks",
        obs,
    ) % {"n": obs}
    if via:
        fitted = f"{fitted}; {via}"
    if result.calibrated_on:
        width = _(
            "the range's width is set by how far this series' own past forecasts missed (%(n)d weekly cutoffs)."
        ) % {"n": result.calibrated_on}
    else:
        width = _(
            "too little history to judge this series' own past forecasts, so the range uses a general width."
        )
    return f"{fitted}; {width}"


def calendar_note(result: fc.Forecast) -> str:
    """What the forecast knows and does not know about the special days ahead."""
    parts = []
    if result.known:
        parts.append(
            _("Ahead: %(names)s — the effect seen in the history is applied.")
            % {"names": "、".join(result.known)}
        )
    if result.unseen:
        parts.append(
            _(
                "Ahead: %(names)s, which the history never saw — its effect is unknown, so the range "
                "is widened by those whole days."
            )
            % {"names": "、".join(result.unseen)}
        )
    return " ".join(parts)
