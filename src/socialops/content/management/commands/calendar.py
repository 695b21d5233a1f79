"""`socialops calendar --workspace W --from DATE --to DATE [--json]`: the marketing calendar's days."""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _

from socialops.content import holidays
from socialops.content.selectors.calendar import calendar_days_for_system, day_as_dict
from socialops.workspaces.models import Workspace


def _date(value: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            _("%(option)s: “%(value)s” is not a date in the form YYYY-MM-DD.")
            % {"option": option, "value": value}
        ) from None


class Command(BaseCommand):
    help = (
        "Print each date's workday status, public holiday, 调休 make-up workday, whether official data "
        "covers it, and the festivals, commerce days and entries of that day."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--workspace", required=True, help="the workspace's slug")
        parser.add_argument("--from", dest="date_from", required=True, help="first date, YYYY-MM-DD")
        parser.add_argument("--to", dest="date_to", required=True, help="last date (inclusive), YYYY-MM-DD")
        parser.add_argument("--json", action="store_true", help="print one JSON object per date")

    def handle(self, *args: Any, **opts: Any) -> None:
        workspace = Workspace.objects.filter(slug=opts["workspace"]).first()
        if workspace is None:
            raise CommandError(_("No workspace with the slug “%(slug)s”.") % {"slug": opts["workspace"]})
        start = _date(opts["date_from"], "--from")
        end = _date(opts["date_to"], "--to")
        if end < start:
            raise CommandError(_("--to must not be before --from."))
        try:
            days = calendar_days_for_system(workspace=workspace, start=start, end=end)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        rows = [day_as_dict(day) for day in days]
        if opts["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return

        table = [[_("Date"), _("Day"), _("Status"), _("Public holiday"), _("Calendar entries")]]
        for day, row in zip(days, rows, strict=True):
            if row["makeup_workday"]:
                status = _("make-up workday")
            elif row["workday"]:
                status = _("workday")
            elif row["holiday"]:
                status = _("day off")
            else:
                status = _("weekend")
            if not row["covered"]:
                status += " (?)"
            table.append(
                [
                    row["date"],
                    str(WEEKDAYS_ABBR[day.date.weekday()]),
                    status,
                    row["holiday"] or "",
                    "、".join(item["name"] for item in row["entries"]),
                ]
            )
        widths = [max(_width(line[i]) for line in table) for i in range(len(table[0]))]
        for line in table:
            self.stdout.write("  ".join(_pad(cell, widths[i]) for i, cell in enumerate(line)).rstrip())
        uncovered = sorted({day.date.year for day in days if not day.covered})
        for year in uncovered:
            self.stdout.write("(?) " + holidays.uncovered_message(year))


def _width(text: str) -> int:
    # Chinese characters take two columns in a terminal; count them so the table stays aligned.
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
