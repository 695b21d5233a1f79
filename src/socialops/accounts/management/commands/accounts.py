"""`socialops accounts --workspace SLUG [--json] [--competitors | --ours]`: list a workspace's accounts."""

from __future__ import annotations

import json
import unicodedata
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from socialops.accounts.selectors import accounts_for_system
from socialops.workspaces.models import Workspace


class Command(BaseCommand):
    help = "List a workspace's social accounts (ours first, then competitors') with id, handle and platform."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--workspace", required=True, help="the workspace's slug")
        parser.add_argument("--json", action="store_true", help="print a JSON list instead of a table")
        side = parser.add_mutually_exclusive_group()
        side.add_argument("--competitors", action="store_true", help="only competitors' accounts")
        side.add_argument("--ours", action="store_true", help="only our own accounts")

    def handle(self, *args: Any, **opts: Any) -> None:
        workspace = Workspace.objects.filter(slug=opts["workspace"]).first()
        if workspace is None:
            raise CommandError(_("No workspace with the slug “%(slug)s”.") % {"slug": opts["workspace"]})
        is_competitor = True if opts["competitors"] else False if opts["ours"] else None
        rows = [
            {
                "id": a.pk,
                "handle": a.handle,
                "platform": a.platform,
                "display_name": a.display_name,
                "is_competitor": a.is_competitor,
            }
            for a in accounts_for_system(workspace=workspace, is_competitor=is_competitor)
        ]
        if opts["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        if not rows:
            self.stdout.write(_("No accounts in this workspace."))
            return
        header = {
            "id": _("ID"),
            "handle": _("Handle"),
            "platform": _("Platform"),
            "display_name": _("Display name"),
            "is_competitor": _("Competitor"),
        }
        table = [header] + [{**r, "is_competitor": _("yes") if r["is_competitor"] else ""} for r in rows]
        columns = list(header)
        widths = {c: max(_width(str(line[c])) for line in table) for c in columns}
        for line in table:
            cells = [_pad(str(line[c]), widths[c], right=c == "id") for c in columns]
            self.stdout.write("  ".join(cells).rstrip())


def _width(text: str) -> int:
    # Chinese characters take two columns in a terminal; count them so the table stays aligned.
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, *, right: bool = False) -> str:
    fill = " " * (width - _width(text))
    return fill + text if right else text + fill
