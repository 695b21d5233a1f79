"""The report as a PDF: an HTML template rendered by WeasyPrint, charts as inline SVG, Noto CJK text.

WeasyPrint needs Pango (Debian: libpango-1.0-0, libpangoft2-1.0-0) and the CJK fonts
(fonts-noto-cjk); ``make system-deps`` installs them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from .build import Report, Table
from .svg import chart_svg


def _cell(value: Any, fmt: str | None, tz: dt.tzinfo | None = None) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "✓" if value else ""
    if isinstance(value, dt.datetime):
        return (value.astimezone(tz) if tz and value.tzinfo else value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int | float):
        if fmt == "pct":
            return f"{value * 100:.2f}%"
        if fmt == "p":
            return f"{value:.3f}"
        if fmt == "int" or (isinstance(value, int)):
            return f"{value:,.0f}"
        return f"{value:,.2f}"
    return str(value)


def kpi_text(value: Any, fmt: str) -> str:
    """A headline figure as people read it."""
    return _cell(value, fmt)


def _table(table: Table, tz: dt.tzinfo, limit: int = 40) -> dict[str, Any]:
    rows = [[_cell(v, table.formats.get(i), tz) for i, v in enumerate(row)] for row in table.rows[:limit]]
    numeric = {i for i, f in table.formats.items() if f != "date"}
    return {
        "title": table.title,
        "header": table.header,
        "rows": rows,
        "numeric": numeric,
        "more": max(len(table.rows) - limit, 0),
    }


def render_html(report: Report) -> str:
    """The report's HTML (what WeasyPrint lays out)."""
    sections = [
        {
            "title": s.title,
            "lines": s.lines,
            "svg": mark_safe(chart_svg(s.chart)),  # built from numbers and escaped labels only
            "tables": [_table(t, report.workspace.tz) for t in s.tables],
        }
        for s in report.sections
    ]
    return render_to_string(
        "insights/report_pdf.html",
        {
            "report": report,
            "kpis": [{"label": k.label, "value": kpi_text(k.value, k.fmt)} for k in report.kpis],
            "sections": sections,
            # The page counter is CSS; its word is given here (a CSS string, not HTML).
            "page_word": _("Page").replace('"', ""),
        },
    )


def render_pdf(report: Report) -> bytes:
    """The report as PDF bytes."""
    from weasyprint import HTML  # imported here: loading Pango is not free and most processes never need it

    return bytes(HTML(string=render_html(report)).write_pdf())
