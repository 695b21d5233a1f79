"""`socialops analytics best-time --workspace SLUG --account ID_OR_HANDLE [--json]`.

Prints the weekday × hour table the best-time heatmap shows: for each cell the ISO weekday
(1 = Monday), the local hour, the number of posts and their mean engagement (and engagement
rate), so a reader can judge how much data stands behind each figure; plus where the planner's
hours come from ("learned" or "platform_default") and the account's total posts.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from socialops.analytics.besttime import best_time_table_for_system
from socialops.analytics.models import WEEKDAY_LABELS
from socialops.goals.imports import AccountResolver
from socialops.workspaces.models import Workspace


class Command(BaseCommand):
    help = "Analytics of post history. Sub-commands: best-time (engagement by weekday × hour)."

    def add_arguments(self, parser: Any) -> None:
        reports = parser.add_subparsers(dest="report", required=True, metavar="REPORT")
        best = reports.add_parser(
            "best-time",
            help="an account's engagement by weekday × hour, and where its best hours come from",
            description="Print the weekday × hour table of the best-time heatmap for one account.",
        )
        best.add_argument("--workspace", required=True, help="workspace slug")
        best.add_argument("--account", required=True, help="account id or handle")
        best.add_argument("--json", action="store_true", help="print JSON instead of a table")
        best.add_argument(
            "--all-cells",
            action="store_true",
            help="list all 7 × 24 cells in the table, not only those with posts",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["report"] == "best-time":
            self._best_time(opts)

    def _best_time(self, opts: dict[str, Any]) -> None:
        workspace = Workspace.objects.filter(slug=opts["workspace"]).first()
        if workspace is None:
            raise CommandError(_("No workspace with the slug “%(slug)s”.") % {"slug": opts["workspace"]})
        account, reason = AccountResolver(workspace).resolve(opts["account"])
        if account is None:
            raise CommandError(f"--account: {reason}")
        table = best_time_table_for_system(workspace=workspace, account=account)
        if opts["json"]:
            out = {
                "account": table["account"],
                "source": table["source"],
                "posts": table["posts"],
                "engaged_posts": table["engaged_posts"],
                "threshold": table["threshold"],
                "score_metric": table["score_metric"],
                "mean_engagement": table["mean_engagement"],
                "mean_engagement_rate": table["mean_engagement_rate"],
                "cells": [
                    {
                        "weekday": c["weekday"],
                        "hour": c["hour"],
                        "posts": c["posts"],
                        "mean_engagement": c["mean_engagement"],
                        "mean_engagement_rate": c["mean_engagement_rate"],
                        "score": c["score"],
                    }
                    for c in table["cells"]
                ],
                "top_hours": table["top_hours"],
            }
            self.stdout.write(json.dumps(out, ensure_ascii=False, indent=2))
            return

        self.stdout.write(
            _("%(account)s: best hours %(source)s; %(posts)s posts in the history.")
            % {"account": account.display_name, "source": table["source_label"], "posts": table["posts"]}
        )
        header = (_("Weekday"), _("Hour"), _("Posts"), _("Mean engagement"), _("Engagement rate"), _("Score"))
        self.stdout.write("  ".join(f"{h:>16}" for h in header))
        for c in table["cells"]:
            if not c["posts"] and not opts["all_cells"]:
                continue
            mean = "—" if c["mean_engagement"] is None else f"{c['mean_engagement']:.1f}"
            rate = "—" if c["mean_engagement_rate"] is None else f"{c['mean_engagement_rate'] * 100:.2f}%"
            score = "—" if c["score"] is None else f"{c['score']:.2f}"
            cells = (
                str(WEEKDAY_LABELS[c["weekday"] - 1]),
                f"{c['hour']:02d}:00",
                str(c["posts"]),
                mean,
                rate,
                score,
            )
            self.stdout.write("  ".join(f"{v:>16}" for v in cells))
        top = ", ".join(
            f"{WEEKDAY_LABELS[t['weekday'] - 1]} {t['hour']:02d}:00 ×{t['score']:.2f}"
            for t in table["top_hours"]
        )
        self.stdout.write(_("Top hours: %(hours)s") % {"hours": top or "—"})
