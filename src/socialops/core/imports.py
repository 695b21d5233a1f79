"""The import pipeline every file import shares: reading CSV/XLSX, row errors, the rejected-file report.

An app's import (metrics in goals, posts in analytics, the holiday schedule in content) reads
the file with ``read_rows``, checks its own columns and cells, collects ``RowError``s and, when
any was found, raises ``ImportRejected`` with all of them: nothing is written. The API answers
such a file with ``rejected_report`` in the ``ImportRejectedOut`` shape. Messages are translated
at call time, so a report reads in the language of whoever runs the import.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, Generic, TypeVar

import openpyxl
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from ninja import Field, Schema
from pydantic import BeforeValidator
from pydantic import Field as PydanticField
from pydantic_core import ErrorDetails, PydanticCustomError

MAX_IMPORT_BYTES = 20 * 1024 * 1024
MAX_IMPORT_ROWS = 100_000
# A file that is wrong in every cell would otherwise produce a report nobody can read.
MAX_REPORTED_ERRORS = 1000

# Upper bounds are the database columns' own (PositiveIntegerField / PositiveBigIntegerField), so a
# value that passes here can always be stored.
INT32_MAX = 2_147_483_647
INT64_MAX = 9_223_372_036_854_775_807


@dataclass(frozen=True)
class RowError:
    """One problem in a file: the line as numbered in the file (header = 1; None for the whole file)."""

    line: int | None
    field: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "field": self.field, "message": self.message}

    def __str__(self) -> str:
        """One line of a report, e.g. "line 7, new_followers: must be ≥ 0"."""
        if self.line is None:
            return _("whole file: %(message)s") % {"message": self.message}
        if not self.field:
            return _("line %(line)s: %(message)s") % {"line": self.line, "message": self.message}
        return _("line %(line)s, %(field)s: %(message)s") % {
            "line": self.line,
            "field": self.field,
            "message": self.message,
        }


class FileUnreadable(Exception):
    """The file as a whole cannot be read (wrong format, truncated, empty)."""


class ImportRejected(Exception):
    """A file had problems; nothing was written. ``errors`` lists every one of them."""

    def __init__(self, errors: Sequence[RowError]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(str(e) for e in self.errors))


T = TypeVar("T")
Progress = Callable[[int, int], None]


@dataclass
class ParsedRows(Generic[T]):
    """The outcome of reading a file: valid rows, or the errors that reject it (then no rows)."""

    rows: list[T] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def finish(self) -> None:
        """Close the report once every row was read: at most MAX_REPORTED_ERRORS, and no rows if any error."""
        cap_errors(self.errors)
        if self.errors:
            self.rows = []


def report_progress(progress: Progress | None, done: int, total: int) -> None:
    """Tell ``progress`` how far validation got, every 200 rows and at the last one."""
    if progress is not None and (done % 200 == 0 or done == total):
        progress(done, total)


class TwoPassProgress:
    """An import's progress over its two passes of the rows: validating them, then writing them.

    Validation reports ``(done, total)`` against the rows read; writing reports ``done`` against the
    rows kept; ``progress`` sees both as one run of twice as many steps.
    """

    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress
        self.rows = 0

    def validating(self, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(done, 2 * total)

    def writing(self, done: int) -> None:
        if self.progress is not None:
            self.progress(self.rows + done, 2 * self.rows)


def import_record_fields(content: bytes, counts: dict[str, int]) -> dict[str, Any]:
    """The file digest and counts every import run's record keeps (MetricImport, PostImport)."""
    return {
        "sha256": hashlib.sha256(content).hexdigest(),
        "rows": counts["rows"],
        "created": counts["created"],
        "updated": counts["updated"],
        "unchanged": counts["unchanged"],
    }


def file_too_large() -> RowError:
    """The error for an upload over MAX_IMPORT_BYTES, given before the upload is read."""
    mb = MAX_IMPORT_BYTES // 1024 // 1024
    return RowError(
        None, "file", _("The file is larger than %(mb)s MB; split it into smaller files.") % {"mb": mb}
    )


def cap_errors(errors: list[RowError]) -> None:
    """Cut ``errors`` to MAX_REPORTED_ERRORS in place, ending with how many were left out."""
    if len(errors) > MAX_REPORTED_ERRORS:
        hidden = len(errors) - MAX_REPORTED_ERRORS
        del errors[MAX_REPORTED_ERRORS:]
        errors.append(RowError(None, "file", _("%(n)s more errors not shown") % {"n": hidden}))


def batches(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    """``items`` in slices of ``size``: imports write in bulk, but SQLite caps the parameters per query."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def import_summary(record: Any) -> str:
    """What an import run changed, in a sentence (a MetricImport or PostImport: file_name, rows, counts)."""
    return _(
        "Imported %(file)s: %(rows)s rows — %(created)s new, %(updated)s updated, %(unchanged)s unchanged."
    ) % {
        "file": record.file_name,
        "rows": record.rows,
        "created": record.created,
        "updated": record.updated,
        "unchanged": record.unchanged,
    }


# ---------------------------------------------------------------------------------------------
# The API's answer to a rejected file (metrics, posts and the holiday schedule share it)


class RowErrorOut(Schema):
    line: int | None = Field(None, description="line in the file (header = 1); null for the whole file")
    field: str
    message: str


class ImportRejectedOut(Schema):
    message: str
    errors: list[RowErrorOut]


def rejected_report(errors: Sequence[RowError], message: str | None = None) -> dict[str, Any]:
    """The 400 body for a rejected file; ``message`` replaces the usual "the file was not imported"."""
    if message is None:
        message = ngettext(
            "The file was not imported: %(n)s problem found; nothing was changed.",
            "The file was not imported: %(n)s problems found; nothing was changed.",
            len(errors),
        ) % {"n": len(errors)}
    return {"message": message, "errors": [e.as_dict() for e in errors]}


# ---------------------------------------------------------------------------------------------
# Cell values every import reads the same way


def _reject_bool(value: Any) -> None:
    if isinstance(value, bool):
        raise PydanticCustomError("whole_number", "must be a whole number")


_THOUSANDS = re.compile(r"^[+-]?\d{1,3}([,\u00a0 ]\d{3})+(\.\d+)?$")


def clean_number_text(value: str) -> str:
    """A number as typed, without the thousands separators of 12,345 (and only in thousands places)."""
    text = value.strip()
    if _THOUSANDS.match(text):
        # Chinese platform exports write 12,345; only strip separators that sit in thousands places.
        text = re.sub(r"[,\u00a0 ]", "", text)
    return text


def count_before(value: Any) -> Any:
    """A count cell before pydantic checks it: blank is None (unknown), "12,345" and "12.0" are 12345 and 12."""
    _reject_bool(value)
    if value is None:
        return None
    if isinstance(value, str):
        text = clean_number_text(value)
        if text == "":
            return None
        if re.fullmatch(r"[+-]?\d+\.0*", text):
            text = text.split(".")[0]
        return text
    return value


# Constraints sit on the inner type so that None (unknown) passes them untouched.
Count = Annotated[Annotated[int, PydanticField(ge=0, le=INT32_MAX)] | None, BeforeValidator(count_before)]
BigCount = Annotated[Annotated[int, PydanticField(ge=0, le=INT64_MAX)] | None, BeforeValidator(count_before)]


def error_message(error: ErrorDetails) -> str:
    """A translated, user-facing message for one pydantic error of a cell."""
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "greater_than_equal":
        return _("must be ≥ 0")
    if kind in ("less_than_equal", "decimal_max_digits", "decimal_whole_digits"):
        limit = ctx.get("le")
        if limit is not None:
            return _("is too large (at most %(max)s)") % {"max": limit}
        return _("is too large")
    if kind in ("int_parsing", "int_from_float", "int_type", "whole_number", "int_parsing_size"):
        return _("must be a whole number")
    if kind in ("decimal_parsing", "decimal_type", "finite_number"):
        return _("must be a number")
    if kind == "decimal_max_places":
        return _("must have at most 2 decimal places")
    if kind == "date_format":
        return _("must be a date written YYYY-MM-DD or YYYY/MM/DD")
    if kind == "date_invalid":
        return _("is not a real calendar date")
    if kind == "missing":
        return _("is required")
    if kind == "extra_forbidden":
        return _("is not a metric")
    return _("is not valid")


# ---------------------------------------------------------------------------------------------
# Reading files


@dataclass
class Table:
    """A sheet as rows of cells, each with its line number in the file."""

    headers: list[str]
    header_line: int
    rows: list[tuple[int, list[Any]]]


def cell_text(value: Any) -> str:
    """A cell as text: blank for None, 12 for the float 12.0 that Excel stores, stripped."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def is_blank(cells: Iterable[Any]) -> bool:
    """True when every cell is empty."""
    return all(cell_text(c) == "" for c in cells)


def _decode(content: bytes) -> str:
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8", errors="strict")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        # Excel on Chinese Windows saves "CSV" in the ANSI code page (GBK); GB18030 is its superset.
        return content.decode("gb18030")
    except UnicodeDecodeError:
        raise FileUnreadable(
            _("The file is not text in UTF-8 or GB18030; save it as CSV UTF-8 or as XLSX.")
        ) from None


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _read_csv(content: bytes, delimiter: str | None = None) -> Table:
    try:
        text = _decode(content)
    except UnicodeDecodeError:
        raise FileUnreadable(_("The file is not valid UTF-8 text.")) from None
    if "\x00" in text:
        raise FileUnreadable(_("This does not look like a CSV file; upload CSV or XLSX."))
    delimiter = delimiter or _delimiter(text.split("\n", 1)[0])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[Any]]] = []
    line = 1
    try:
        for record in reader:
            rows.append((line, record))
            line = reader.line_num + 1
            if len(rows) > MAX_IMPORT_ROWS + 50:
                break
    except csv.Error as exc:
        raise FileUnreadable(
            _("Line %(line)s cannot be read as CSV: %(detail)s") % {"line": line, "detail": exc}
        ) from None
    return _table(rows)


def _read_xlsx(content: bytes) -> Table:
    unreadable = _(
        "The file cannot be opened as an Excel workbook; it may be truncated or damaged. Save it again as XLSX."
    )
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except zipfile.BadZipFile:
        raise FileUnreadable(unreadable) from None
    except Exception:  # openpyxl raises a zoo of errors for damaged parts; all mean the same to a user
        raise FileUnreadable(unreadable) from None
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise FileUnreadable(_("The workbook has no sheet."))
        rows: list[tuple[int, list[Any]]] = []
        for line, record in enumerate(sheet.iter_rows(values_only=True), start=1):
            rows.append((line, list(record)))
            if len(rows) > MAX_IMPORT_ROWS + 50:
                break
    except FileUnreadable:
        raise
    except Exception:  # a part cut short is only noticed while reading the rows
        raise FileUnreadable(unreadable) from None
    finally:
        workbook.close()
    return _table(rows)


def _table(rows: list[tuple[int, list[Any]]]) -> Table:
    # The header is the first row with anything in it (exports sometimes start with a blank line).
    for index, (line, cells) in enumerate(rows):
        if not is_blank(cells):
            headers = [cell_text(c) for c in cells]
            body = [(n, c) for n, c in rows[index + 1 :] if not is_blank(c)]
            return Table(headers=headers, header_line=line, rows=body)
    raise FileUnreadable(_("The file is empty."))


def read_table(file_name: str, content: bytes, delimiter: str | None = None) -> Table:
    """The file's first sheet (XLSX) or its rows (CSV); raises FileUnreadable with a clear message.

    A CSV's delimiter is guessed from its first line unless ``delimiter`` is given.
    """
    if not content:
        raise FileUnreadable(_("The file is empty."))
    if len(content) > MAX_IMPORT_BYTES:
        raise FileUnreadable(
            _("The file is larger than %(mb)s MB; split it into smaller files.")
            % {"mb": MAX_IMPORT_BYTES // 1024 // 1024}
        )
    name = file_name.lower()
    if content.startswith(b"PK\x03\x04") or name.endswith((".xlsx", ".xlsm")):
        return _read_xlsx(content)
    if content.startswith(b"\xd0\xcf\x11\xe0") or name.endswith(".xls"):
        raise FileUnreadable(_("Old Excel files (.xls) are not supported; save the sheet as XLSX or CSV."))
    return _read_csv(content, delimiter)


def read_rows(
    file_name: str, content: bytes, errors: list[RowError], delimiter: str | None = None
) -> Table | None:
    """The file's table when it can be imported at all; else None, with the file-level error in ``errors``.

    Shared by every import: unreadable or truncated file, header without rows, too many rows.
    """
    try:
        table = read_table(file_name, content, delimiter=delimiter)
    except FileUnreadable as exc:
        errors.append(RowError(None, "file", str(exc)))
        return None
    if not table.rows:
        errors.append(RowError(None, "file", _("The file has a header but no rows.")))
        return None
    if len(table.rows) > MAX_IMPORT_ROWS:
        errors.append(
            RowError(
                None, "file", _("The file has more than %(max)s rows; split it.") % {"max": MAX_IMPORT_ROWS}
            )
        )
        return None
    return table
