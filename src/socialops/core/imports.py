"""The import pipeline every file import shares: reading CSV/XLSX, row errors, the rejected-file report.

An app's import (metrics in goals, posts in analytics, the holiday schedule in content) reads
the file with ``read_rows``, checks its own columns and cells, collects ``RowError``s and, when
any was found, raises ``ImportRejected`` with all of them: nothing is written. The API answers
such a file with ``rejected_report`` in the ``ImportRejectedOut`` shape. Messages are translated
at call time, so a report reads in the language of whoever runs the import.

Imports read through a saved column mapping (posts in analytics, orders in fans) also share the
mapping's plumbing here: finding, naming and saving a mapping, locating its columns in a file
(``read_mapped``), reporting a row's cell errors by the file's column, keying rows without an id
(``RowKeys``), and the API's answer to such an upload (``mapped_upload_import``).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, Generic, TypeVar

import openpyxl
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from ninja import Field, Schema, Status, UploadedFile
from pydantic import BeforeValidator
from pydantic import Field as PydanticField
from pydantic import ValidationError as PydanticValidationError
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


M = TypeVar("M")


def mapped_upload_import(
    file: UploadedFile, *, mapping: Callable[[], M], run: Callable[[M, str, bytes], Any]
) -> Status:
    """The API's answer to an upload read through a saved mapping (posts, orders).

    ``mapping()`` finds the mapping (a ValidationError names what is wrong with it); ``run(mapping,
    file_name, content)`` imports the file and returns the import's record. A file over
    MAX_IMPORT_BYTES is refused before it is read; every refusal is a 400 in the ImportRejectedOut shape.
    """
    if file.size is not None and file.size > MAX_IMPORT_BYTES:
        return Status(400, rejected_report([file_too_large()]))
    try:
        chosen = mapping()
    except ValidationError as exc:
        return Status(400, rejected_report([RowError(None, "mapping", m) for m in exc.messages]))
    try:
        record = run(chosen, file.name or "upload", file.read())
    except ImportRejected as exc:
        return Status(400, rejected_report(exc.errors))
    return Status(200, record)


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


def text_before(limit: int) -> Callable[[Any], str]:
    """A text cell before pydantic stores it: as ``cell_text`` reads it, without NULs, at most ``limit`` characters."""

    def before(value: Any) -> str:
        text = cell_text(value).replace("\x00", "")
        if len(text) > limit:
            raise PydanticCustomError("too_long", "has more than {limit} characters", {"limit": limit})
        return text

    return before


# A date written year first, with a time and a zone or without: 2024-05-31, 2024/5/31 20:30,
# 2024-05-31T20:30:00.5+08:00. Groups: year, month, day, hour, minute, second, zone.
DATETIME_TEXT = re.compile(
    r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"
    r"(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?$"
)


def zone_offset(zone: str) -> dt.tzinfo:
    """The zone of a DATETIME_TEXT ("Z", "+08:00", "-0500"); an offset of a day or more is a "datetime_format" error."""
    if zone == "Z":
        return dt.UTC
    digits = zone.replace(":", "")
    sign = -1 if digits[0] == "-" else 1
    offset = sign * dt.timedelta(hours=int(digits[1:3]), minutes=int(digits[3:5]))
    if abs(offset) >= dt.timedelta(hours=24):
        raise PydanticCustomError("datetime_format", "must be a date and time like 2024-05-31 20:30")
    return dt.timezone(offset)


def error_message(error: ErrorDetails) -> str:
    """A translated, user-facing message for one pydantic error of a cell."""
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "too_long":
        return _("has more than %(n)s characters") % {"n": ctx.get("limit")}
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


def overflow_error(line: int, cells: list[Any], width: int) -> RowError | None:
    """The error of a row with values past the header's ``width`` columns; None for a row that fits."""
    if is_blank(cells[width:]):
        return None
    return RowError(line, "", _("the row has more values than the header has columns"))


def read_headers(file_name: str, content: bytes, delimiter: str | None = None) -> list[str]:
    """The header row of a file (to build a mapping from); raises FileUnreadable."""
    table = read_table(file_name, content, delimiter=delimiter)
    return [h for h in table.headers if h]


# ---------------------------------------------------------------------------------------------
# Files read through a saved column mapping (posts in analytics, orders in fans): the mapping names,
# for each of the import's fields, the file's own column that holds it.

# The choices of a mapping's "delimiter" option ("auto": guessed from the file's first line).
DELIMITERS: dict[str, Any] = {
    "auto": gettext_lazy("Detect from the first line"),
    ",": gettext_lazy("Comma ( , )"),
    ";": gettext_lazy("Semicolon ( ; )"),
    "\t": gettext_lazy("Tab"),
    "|": gettext_lazy("Vertical bar ( | )"),
}


def has_control_chars(text: str) -> bool:
    """True for text with control characters (NUL and friends), which no column or mapping name
    needs and PostgreSQL cannot store in text or JSON."""
    return any(ord(ch) < 32 and ch != "\t" or ord(ch) == 127 for ch in text)


def normalize_header(text: Any) -> str:
    """How headers are compared: case, surrounding spaces, a BOM and runs of spaces do not matter."""
    return re.sub(r"\s+", " ", str(text or "").replace("\ufeff", "").strip()).casefold()


def clean_file_name(file_name: str, max_chars: int) -> str:
    """An upload's name as an import's record keeps it: no folders, no control characters, "upload" if none."""
    name = (file_name or "").replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(ch for ch in name if not has_control_chars(ch))[:max_chars] or "upload"


def clean_mapping_name(
    name: Any, *, saved: models.QuerySet[Any], max_chars: int, exclude_pk: int | None = None
) -> str:
    """A mapping's name as stored, unique (ignoring case) among the ``saved`` mappings; else ValidationError."""
    if not isinstance(name, str) or not name.strip():
        raise ValidationError({"name": [_("Give the mapping a name.")]})
    name = name.strip()
    if has_control_chars(name):
        raise ValidationError({"name": [_("The name contains control characters.")]})
    if len(name) > max_chars:
        raise ValidationError({"name": [_("At most %(n)s characters.") % {"n": max_chars}]})
    taken = saved.filter(name__iexact=name)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise ValidationError({"name": [_("A mapping named “%(name)s” already exists.") % {"name": name}]})
    return name


def save_mapping(mapping: models.Model, name: Any) -> None:
    """Save a mapping; one saved under the same ``name`` a moment ago (the unique constraint) is a ValidationError."""
    try:
        with transaction.atomic():
            mapping.save()
    except IntegrityError as exc:
        raise ValidationError(
            {"name": [_("A mapping named “%(name)s” already exists.") % {"name": name}]}
        ) from exc


SavedMapping = TypeVar("SavedMapping", bound=models.Model)


def mapping_find(mappings: models.QuerySet[SavedMapping], ref: Any) -> SavedMapping | None:
    """A mapping by name (case-insensitive) or id among ``mappings``, for code that already checked access; None if none."""
    text = str(ref or "").strip()[:100]
    if not text or "\x00" in text:  # PostgreSQL cannot compare with NUL; no name holds one
        return None
    by_name = mappings.filter(name__iexact=text).first()
    if by_name is not None:
        return by_name
    if text.isdigit() and len(text) < 19:
        return mappings.filter(pk=int(text)).first()
    return None


def mapping_errors_as_rows(mapping_errors: dict[str, list[str]]) -> list[RowError]:
    """What is wrong with a saved mapping (as ``clean_mapping`` finds it), as errors of the whole import."""
    return [
        RowError(None, "mapping", message) for messages in mapping_errors.values() for message in messages
    ]


def locate_columns(
    table: Table, columns: dict[str, str], labels: dict[str, Any]
) -> tuple[dict[str, int], list[RowError]]:
    """Where each mapped column sits in the file; a mapped column missing from it is a file error.

    ``labels`` holds every field a mapping may fill, in the order errors name them, with its label.
    """
    positions: dict[str, list[int]] = {}
    for index, header in enumerate(table.headers):
        if header:
            positions.setdefault(normalize_header(header), []).append(index)
    found: dict[str, int] = {}
    errors: list[RowError] = []
    shown = ", ".join(f"“{h[:40]}”" for h in table.headers if h)[:400]
    # In our field order, not the stored JSON's (PostgreSQL's jsonb keeps its own key order).
    for target in (t for t in labels if t in columns):
        header = columns[target]
        where = positions.get(normalize_header(header), [])
        if not where:
            errors.append(
                RowError(
                    None,
                    target,
                    _(
                        "the mapping's column “%(column)s” for %(target)s is not in the file (its columns: %(columns)s)"
                    )
                    % {"column": header[:100], "target": labels[target], "columns": shown},
                )
            )
        elif len(where) > 1:
            errors.append(
                RowError(
                    table.header_line,
                    header[:100],
                    _("the file has %(n)s columns named “%(column)s”; the mapping cannot tell them apart")
                    % {"n": len(where), "column": header[:100]},
                )
            )
        else:
            found[target] = where[0]
    return found, errors


@dataclass
class MappedTable:
    """A file whose header holds every column of its mapping: where each field's column is, and its name."""

    table: Table
    where: dict[str, int]
    header_of: dict[str, str]

    def cells(self, cells: list[Any]) -> dict[str, Any]:
        """One row's cells of the mapped fields, by field (None where a short row ends early)."""
        return {target: cells[index] if index < len(cells) else None for target, index in self.where.items()}

    def cell_errors(
        self, line: int, exc: PydanticValidationError, message: Callable[[ErrorDetails], str]
    ) -> list[RowError]:
        """A row's cell errors: the first of each field, named by the file's column."""
        errors: list[RowError] = []
        reported: set[str] = set()
        for err in exc.errors():
            target = str(err["loc"][0]) if err["loc"] else ""
            if target not in reported:
                reported.add(target)
                errors.append(RowError(line, self.header_of.get(target, target), message(err)))
        return errors


def read_mapped(
    file_name: str,
    content: bytes,
    errors: list[RowError],
    *,
    columns: dict[str, str],
    labels: dict[str, Any],
    delimiter: str | None,
) -> MappedTable | None:
    """The file's rows and where its mapped columns are; else None, with why in ``errors``.

    ``delimiter`` is the mapping's option ("auto" or blank: guessed from the file).
    """
    table = read_rows(
        file_name, content, errors, delimiter=None if delimiter in (None, "", "auto") else delimiter
    )
    if table is None:
        return None
    where, header_errors = locate_columns(table, columns, labels)
    if header_errors:
        errors.extend(header_errors)
        return None
    return MappedTable(table, where, {target: table.headers[index] for target, index in where.items()})


class RowKeys:
    """Keys for the rows of a file that carry no id of their own, stable across re-imports.

    A key hashes the text of a row's mapped cells (not their parsed values, so that CSV and XLSX of
    one export hash alike) and which copy of those cells the row is in the file (so identical rows
    stay apart and match again on re-import).
    """

    def __init__(self) -> None:
        self.occurrences: dict[str, int] = {}

    def key(self, cells: dict[str, Any]) -> str:
        """The SHA-256 (hex) of ``cells`` (field → cell) and how often the same cells came before."""
        mapped_cells = json.dumps(sorted((t, cell_text(v)) for t, v in cells.items()), ensure_ascii=False)
        self.occurrences[mapped_cells] = self.occurrences.get(mapped_cells, 0) + 1
        return hashlib.sha256(f"{mapped_cells}#{self.occurrences[mapped_cells]}".encode()).hexdigest()
