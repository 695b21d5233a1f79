"""The report as an Excel workbook: a summary sheet, one sheet per table with real number formats,
and a native Excel chart beside a table where the report has a chart (same series as the PDF's)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from .build import Report, Section, Table

NUMBER_FORMATS = {
    "int": "#,##0",
    "num": "#,##0.00",
    "pct": "0.00%",
    "p": "0.000",
    "date": "yyyy-mm-dd",
}
HEAD_FILL = PatternFill("solid", fgColor="E9ECEF")


def _value(value: Any, tz: dt.tzinfo) -> Any:
    if isinstance(value, dt.datetime):
        # Excel has no time zones: the workspace's local wall time is what people expect.
        return (value.astimezone(tz) if value.tzinfo else value).replace(tzinfo=None)
    return value


def _sheet_title(book: Workbook, title: str) -> str:
    # Excel: at most 31 characters, none of []:*?/\ and unique in the workbook.
    clean = "".join(" " if c in "[]:*?/\\" else c for c in title)[:28].strip() or "Sheet"
    name, n = clean, 2
    while name in book.sheetnames:
        name, n = f"{clean[:26]} {n}", n + 1
    return name


def _write_table(sheet: Worksheet, table: Table, tz: dt.tzinfo, first_row: int = 1) -> int:
    for col, head in enumerate(table.header, start=1):
        cell = sheet.cell(row=first_row, column=col, value=head)
        cell.font = Font(bold=True)
        cell.fill = HEAD_FILL
    for r, row in enumerate(table.rows, start=first_row + 1):
        for c, value in enumerate(row):
            cell = sheet.cell(row=r, column=c + 1, value=_value(value, tz))
            fmt = table.formats.get(c)
            if fmt and isinstance(value, int | float | dt.date) and not isinstance(value, bool):
                cell.number_format = NUMBER_FORMATS[fmt]
    for c, head in enumerate(table.header, start=1):
        sheet.column_dimensions[get_column_letter(c)].width = min(max(len(str(head)) * 1.6, 10), 40)
    sheet.freeze_panes = f"A{first_row + 1}"
    return first_row + len(table.rows)


def _chart(sheet: Worksheet, section: Section, column: int) -> None:
    """The section's chart data (categories and bar/line series) to the right of the table, and a chart of it."""
    option = section.chart
    x_axis, y_axis = option.get("xAxis") or {}, option.get("yAxis") or {}
    horizontal = y_axis.get("type") == "category"
    categories = list((y_axis if horizontal else x_axis).get("data") or [])
    series = [s for s in option.get("series") or [] if s.get("type") in ("bar", "line")]
    if not categories or not series:
        return
    percent = "%" in str(((x_axis if horizontal else y_axis).get("axisLabel") or {}).get("formatter", ""))
    sheet.cell(row=1, column=column, value=section.title).font = Font(bold=True)
    for s_index, s in enumerate(series, start=1):
        sheet.cell(row=1, column=column + s_index, value=str(s.get("name") or section.title)).font = Font(
            bold=True
        )
    for i, category in enumerate(categories, start=2):
        sheet.cell(row=i, column=column, value=str(category))
        for s_index, s in enumerate(series, start=1):
            data = s.get("data") or []
            raw = data[i - 2] if i - 2 < len(data) else None
            value = raw.get("value") if isinstance(raw, dict) else raw
            cell = sheet.cell(row=i, column=column + s_index, value=value)
            cell.number_format = "0.00" if percent else "#,##0"
    last = len(categories) + 1
    kind = "line" if all(s.get("type") == "line" for s in series) else "bar"
    chart: BarChart | LineChart = LineChart() if kind == "line" else BarChart()
    if isinstance(chart, BarChart):
        chart.type = "bar" if horizontal else "col"
        if any(s.get("stack") for s in series):
            chart.grouping, chart.overlap = "stacked", 100
    chart.title = section.title
    chart.height, chart.width = 8, 18
    bar_series = [i for i, s in enumerate(series, start=1) if s.get("type") == kind or kind == "line"]
    for s_index in bar_series:
        ref = Reference(sheet, min_col=column + s_index, min_row=1, max_row=last)
        chart.add_data(ref, titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=column, min_row=2, max_row=last))
    if kind == "bar" and len(bar_series) < len(series):
        # Bars with a line on top (e.g. new and lost followers with the net change).
        line = LineChart()
        for s_index, s in enumerate(series, start=1):
            if s.get("type") == "line":
                line.add_data(
                    Reference(sheet, min_col=column + s_index, min_row=1, max_row=last), titles_from_data=True
                )
        chart += line
    sheet.add_chart(chart, f"{get_column_letter(column)}{last + 2}")


def render_xlsx(report: Report) -> bytes:
    """The workbook as bytes."""
    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = _sheet_title(book, _("Summary"))
    summary.append([report.workspace.name])
    summary.append([report.title])
    summary.append([_("From"), report.period_from])
    summary.append([_("To"), report.period_to])
    summary["B3"].number_format = summary["B4"].number_format = NUMBER_FORMATS["date"]
    summary["A1"].font = summary["A2"].font = Font(bold=True, size=14)
    summary.append([])
    summary.append([_("Figure"), _("Value"), _("Key")])
    for cell in summary[6]:
        cell.font, cell.fill = Font(bold=True), HEAD_FILL
    for kpi in report.kpis:
        summary.append([kpi.label, kpi.value, kpi.key])
        summary.cell(row=summary.max_row, column=2).number_format = NUMBER_FORMATS[kpi.fmt]
    summary.column_dimensions["A"].width = 28
    summary.column_dimensions["B"].width = 16
    for section in report.sections:
        for index, table in enumerate(section.tables):
            sheet = book.create_sheet(_sheet_title(book, table.title))
            _write_table(sheet, table, report.workspace.tz)
            if index == 0 and section.chart:
                _chart(sheet, section, len(table.header) + 2)
        if not section.tables and section.lines:
            sheet = book.create_sheet(_sheet_title(book, section.title))
            for line in section.lines:
                sheet.append([line])
            sheet.column_dimensions["A"].width = 120
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
