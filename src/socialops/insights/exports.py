"""CSV and XLSX downloads of an analysis's table: the same rows the API gives, in a spreadsheet."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

from django.http import HttpResponse
from openpyxl import Workbook

FORMATS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cell(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        # Spreadsheets have no time zones: the local wall time is what people expect to see.
        return value.replace(tzinfo=None)
    return value


def table_response(fmt: str, name: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> HttpResponse:
    """A download of header + rows as CSV (UTF-8 with BOM, so Excel reads Chinese) or XLSX."""
    if fmt == "xlsx":
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.title = name[:31]
        sheet.append(list(header))
        for row in rows:
            sheet.append([_cell(v) for v in row])
        buffer = io.BytesIO()
        book.save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    else:
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow(header)
        writer.writerows([["" if v is None else _cell(v) for v in row] for row in rows])
        response = HttpResponse(
            ("\ufeff" + text.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
