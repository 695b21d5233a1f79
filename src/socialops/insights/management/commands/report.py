"""`socialops report run --workspace W --template weekly [--from D --to D] --out DIR`: a report's PDF
and Excel workbook written to a folder (nothing is stored or sent), their paths printed.

The figures are read as the workspace's first administrator; the period defaults to the last whole
week (the last whole month for the monthly review) in the workspace's time zone.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from socialops.core.time import local_today
from socialops.workspaces.models import Workspace

from ...models import ReportTemplate
from ...reports.build import build_report
from ...reports.pdf import render_pdf
from ...reports.periods import default_period
from ...reports.xlsx import render_xlsx
from ...services.reports import file_stem, report_reader


class Command(BaseCommand):
    help = "Reports: write a report's PDF and Excel workbook to a folder."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("run", help="make one report now and write its files")
        run.add_argument("--workspace", required=True, help="the workspace's slug")
        run.add_argument("--template", required=True, choices=ReportTemplate.values)
        run.add_argument(
            "--from", dest="period_from", type=dt.date.fromisoformat, help="first day (YYYY-MM-DD)"
        )
        run.add_argument("--to", dest="period_to", type=dt.date.fromisoformat, help="last day (YYYY-MM-DD)")
        run.add_argument("--out", required=True, type=Path, help="folder to write the files to")

    def _step(self, text: str) -> None:
        # Progress on stderr, so stdout carries only the paths (scripts read them).
        self.stderr.write(f"… {text}")

    def handle(self, *args: Any, **opts: Any) -> None:
        workspace = Workspace.objects.filter(slug=opts["workspace"]).first()
        if workspace is None:
            raise CommandError(_("No workspace with the slug “%(slug)s”.") % {"slug": opts["workspace"]})
        template = opts["template"]
        start, end = opts["period_from"], opts["period_to"]
        if (start is None) != (end is None):
            raise CommandError(_("Give both --from and --to, or neither."))
        if start is None:
            start, end = default_period(template, local_today(workspace))
        if end < start:
            raise CommandError(_("The period ends before it starts."))
        out: Path = opts["out"]
        out.mkdir(parents=True, exist_ok=True)
        try:
            user = report_reader(workspace)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        with translation.override(workspace.locale):
            self._step(_("reading the figures (%(from)s – %(to)s)") % {"from": start, "to": end})
            report = build_report(
                workspace=workspace, user=user, template=template, period_from=start, period_to=end
            )
            stem = file_stem(report)
            self._step(_("drawing the PDF"))
            pdf_path = out / f"{stem}.pdf"
            pdf_path.write_bytes(render_pdf(report))
            self._step(_("writing the Excel workbook"))
            xlsx_path = out / f"{stem}.xlsx"
            xlsx_path.write_bytes(render_xlsx(report))
        self.stdout.write(str(pdf_path.resolve()))
        self.stdout.write(str(xlsx_path.resolve()))
