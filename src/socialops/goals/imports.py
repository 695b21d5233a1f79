"""Reading and validating metrics files (CSV, XLSX) and metric values, before anything is written.

Nothing here writes to the database: the services in services/metrics.py call these functions,
and only write when every row passed. Messages are translated at call time, so a report reads
in the language of whoever runs the import.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Annotated, Any

from django.utils.translation import gettext as _
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, TypeAdapter
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import ErrorDetails, PydanticCustomError

from socialops.accounts.models import SocialAccount
from socialops.accounts.selectors import workspace_today
from socialops.workspaces.models import Workspace

# Every figure a snapshot holds, in the order pages and files show them.
METRIC_FIELDS: tuple[str, ...] = (
    "followers_total",
    "new_followers",
    "lost_followers",
    "impressions",
    "reach",
    "likes",
    "comments",
    "shares",
    "saves",
    "link_clicks",
    "leads",
    "coupon_redemptions",
    "orders",
    "revenue",
    "posts",
)

# Upper bounds are the database columns' own (PositiveIntegerField / PositiveBigIntegerField), so a
# value that passes here can always be stored.
INT32_MAX = 2_147_483_647
INT64_MAX = 9_223_372_036_854_775_807
REVENUE_MAX_DIGITS = 14

MAX_IMPORT_BYTES = 20 * 1024 * 1024
MAX_IMPORT_ROWS = 100_000
# A file that is wrong in every cell would otherwise produce a report nobody can read.
MAX_REPORTED_ERRORS = 1000

# One alias table for every header a team's file might use, English or Chinese.
# Headers are compared after _normalize_header (case, spaces, a trailing unit such as "(元)").
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "date": ("date", "day", "日期", "统计日期"),
    "account": ("account", "account_id", "handle", "账号", "帐号", "账号id"),
    "followers_total": ("followers_total", "followers", "total_followers", "粉丝总数", "粉丝数", "总粉丝数"),
    "new_followers": ("new_followers", "新增粉丝", "新增粉丝数", "新增关注"),
    "lost_followers": ("lost_followers", "unfollows", "取关粉丝", "取关粉丝数", "取消关注"),
    "impressions": ("impressions", "曝光量", "展示量", "曝光"),
    "reach": ("reach", "阅读", "触达", "阅读量", "阅读数", "触达人数"),
    "likes": ("likes", "点赞", "点赞数"),
    "comments": ("comments", "评论", "评论数"),
    "shares": ("shares", "转发", "分享", "转发数", "分享数"),
    "saves": ("saves", "收藏", "收藏数"),
    "link_clicks": ("link_clicks", "clicks", "链接点击", "链接点击数"),
    "leads": ("leads", "线索", "线索数"),
    "coupon_redemptions": ("coupon_redemptions", "优惠券核销", "核销", "优惠券核销数"),
    "orders": ("orders", "订单", "订单数"),
    "revenue": ("revenue", "sales", "销售额", "收入"),
    "posts": ("posts", "发文数", "发文量", "发文"),
}


def _normalize_header(text: str) -> str:
    text = text.replace("\ufeff", "").strip().casefold()
    text = re.sub(r"\s*[（(][^）)]*[）)]\s*$", "", text)  # "销售额（元）", "Revenue (CNY)"
    return re.sub(r"[\s\-]+", "_", text)


ALIAS_TO_COLUMN: dict[str, str] = {
    _normalize_header(alias): column for column, aliases in COLUMN_ALIASES.items() for alias in aliases
}


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


@dataclass
class ParsedRow:
    """One valid row of a file, ready to be upserted."""

    line: int
    account: SocialAccount
    date: dt.date
    values: dict[str, Any]


@dataclass
class ParsedFile:
    """The outcome of reading a file: valid rows, or the errors that reject it."""

    rows: list[ParsedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


class FileUnreadable(Exception):
    """The file as a whole cannot be read (wrong format, truncated, empty)."""


# ---------------------------------------------------------------------------------------------
# Value validation (shared by imports, the page form, the API and the seed)


def _reject_bool(value: Any) -> None:
    if isinstance(value, bool):
        raise PydanticCustomError("whole_number", "must be a whole number")


_THOUSANDS = re.compile(r"^[+-]?\d{1,3}([,\u00a0 ]\d{3})+(\.\d+)?$")


def _clean_number_text(value: str) -> str:
    text = value.strip()
    if _THOUSANDS.match(text):
        # Chinese platform exports write 12,345; only strip separators that sit in thousands places.
        text = re.sub(r"[,\u00a0 ]", "", text)
    return text


def _count_before(value: Any) -> Any:
    _reject_bool(value)
    if value is None:
        return None
    if isinstance(value, str):
        text = _clean_number_text(value)
        if text == "":
            return None
        if re.fullmatch(r"[+-]?\d+\.0*", text):
            text = text.split(".")[0]
        return text
    return value


def _money_before(value: Any) -> Any:
    _reject_bool(value)
    if value is None:
        return None
    if isinstance(value, float):
        # Excel stores money as binary floats (0.1 + 0.2 = 0.30000000000000004); cents are what was meant.
        exact = Decimal(repr(value))
        if not exact.is_finite():
            return exact
        try:
            cents = exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        except InvalidOperation:  # too many digits to hold cents: the field's own check reports it
            return exact
        return cents if abs(exact - cents) < Decimal("0.000001") else exact
    if isinstance(value, str):
        text = _clean_number_text(value.strip().lstrip("¥￥"))
        return None if text == "" else text
    return value


_DATE_TEXT = re.compile(r"^(\d{4})([-/])(\d{1,2})\2(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")


def _date_before(value: Any) -> Any:
    if isinstance(value, dt.datetime):  # an Excel date cell
        return value.date()
    if isinstance(value, dt.date):
        return value
    if value is None or (isinstance(value, str) and not value.strip()):
        raise PydanticCustomError("missing", "is required")
    if isinstance(value, str):
        match = _DATE_TEXT.match(value.strip())
        if match:
            try:
                return dt.date(int(match.group(1)), int(match.group(3)), int(match.group(4)))
            except ValueError:
                raise PydanticCustomError("date_invalid", "is not a real calendar date") from None
    raise PydanticCustomError("date_format", "must be a date like 2024-05-31")


# Constraints sit on the inner type so that None (unknown) passes them untouched.
Count = Annotated[Annotated[int, Field(ge=0, le=INT32_MAX)] | None, BeforeValidator(_count_before)]
BigCount = Annotated[Annotated[int, Field(ge=0, le=INT64_MAX)] | None, BeforeValidator(_count_before)]
Money = Annotated[
    Annotated[Decimal, Field(ge=0, max_digits=REVENUE_MAX_DIGITS, decimal_places=2)] | None,
    BeforeValidator(_money_before),
]


class MetricValues(BaseModel):
    """A day's figures; each one optional (None = unknown), counts whole and ≥ 0, revenue in cents."""

    model_config = ConfigDict(extra="forbid")

    followers_total: Count = None
    new_followers: Count = None
    lost_followers: Count = None
    impressions: BigCount = None
    reach: BigCount = None
    likes: Count = None
    comments: Count = None
    shares: Count = None
    saves: Count = None
    link_clicks: Count = None
    leads: Count = None
    coupon_redemptions: Count = None
    orders: Count = None
    revenue: Money = None
    posts: Count = None


DateCell = Annotated[dt.date, BeforeValidator(_date_before)]
_DATE: TypeAdapter[dt.date] = TypeAdapter(DateCell)


def error_message(error: ErrorDetails) -> str:
    """A translated, user-facing message for one pydantic error."""
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


def _errors_by_field(exc: PydanticValidationError) -> dict[str, str]:
    found: dict[str, str] = {}
    for err in exc.errors():
        name = str(err["loc"][0]) if err["loc"] else "__all__"
        found.setdefault(name, error_message(err))
    return found


def validate_values(values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Check a dict of figures: (clean values for the keys given, {field: message} errors)."""
    try:
        model = MetricValues.model_validate(values)
    except PydanticValidationError as exc:
        return {}, _errors_by_field(exc)
    return {name: getattr(model, name) for name in values}, {}


# ---------------------------------------------------------------------------------------------
# Accounts named in a file


class AccountResolver:
    """Finds a workspace's account by id or handle, with one query for the whole file."""

    def __init__(self, workspace: Workspace) -> None:
        self.by_id: dict[str, SocialAccount] = {}
        self.by_handle: dict[str, list[SocialAccount]] = {}
        for account in SocialAccount.objects.filter(workspace=workspace):
            self.by_id[str(account.pk)] = account
            self.by_handle.setdefault(account.handle.casefold(), []).append(account)

    def resolve(self, ref: Any) -> tuple[SocialAccount | None, str | None]:
        """(account, None) or (None, a translated reason)."""
        text = _cell_text(ref)
        if not text:
            return None, _("is required")
        # Same rules as accounts.selectors.account_get_by_ref: an id wins over a handle made of the
        # same digits, and a handle used on several platforms is ambiguous rather than guessed.
        if text in self.by_id:
            return self.by_id[text], None
        matches = self.by_handle.get(text.removeprefix("@").casefold(), [])
        if len(matches) == 1:
            return matches[0], None
        if not matches:
            return None, _("unknown account “%(ref)s”") % {"ref": text[:100]}
        return None, _("“%(ref)s” matches several accounts; use the account id") % {"ref": text[:100]}


# ---------------------------------------------------------------------------------------------
# Reading files


@dataclass
class Table:
    """A sheet as rows of cells, each with its line number in the file."""

    headers: list[str]
    header_line: int
    rows: list[tuple[int, list[Any]]]


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _is_blank(cells: Iterable[Any]) -> bool:
    return all(_cell_text(c) == "" for c in cells)


# Public names for the post-level import (socialops.analytics.imports), which reads cells the same way.
cell_text = _cell_text
is_blank = _is_blank


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
    import zipfile

    import openpyxl

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
        if not _is_blank(cells):
            headers = [_cell_text(c) for c in cells]
            body = [(n, c) for n, c in rows[index + 1 :] if not _is_blank(c)]
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


# ---------------------------------------------------------------------------------------------
# The whole file


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


def _map_headers(table: Table, has_default_account: bool) -> tuple[dict[int, str], list[RowError]]:
    columns: dict[int, str] = {}
    errors: list[RowError] = []
    seen: dict[str, str] = {}
    for index, header in enumerate(table.headers):
        if not header:
            continue  # an unnamed column (Excel's trailing blanks) carries nothing we could store
        column = ALIAS_TO_COLUMN.get(_normalize_header(header))
        if column is None:
            errors.append(RowError(table.header_line, header[:100], _("unknown column")))
            continue
        if column in seen:
            errors.append(
                RowError(
                    table.header_line, header[:100], _("same column as “%(other)s”") % {"other": seen[column]}
                )
            )
            continue
        seen[column] = header
        columns[index] = column
    if "date" not in seen:
        errors.append(RowError(table.header_line, "date", _("the file needs a date column")))
    if "account" not in seen and not has_default_account:
        errors.append(
            RowError(
                table.header_line,
                "account",
                _("the file needs an account column, or choose an account for it"),
            )
        )
    if not set(seen) & set(METRIC_FIELDS):
        errors.append(RowError(table.header_line, "", _("the file has no metric columns")))
    return columns, errors


def parse_metrics_file(
    *,
    workspace: Workspace,
    file_name: str,
    content: bytes,
    default_account: SocialAccount | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ParsedFile:
    """Read and validate every row; the result holds either valid rows or all the errors found."""
    result = ParsedFile()
    table = read_rows(file_name, content, result.errors)
    if table is None:
        return result
    columns, header_errors = _map_headers(table, default_account is not None)
    if header_errors:
        result.errors.extend(header_errors)
        return result

    header_of = {column: table.headers[index] for index, column in columns.items()}
    resolver = AccountResolver(workspace)
    today = workspace_today(workspace)
    first_line: dict[tuple[int, dt.date], int] = {}
    errors = result.errors
    total = len(table.rows)
    width = len(table.headers)

    for done, (line, cells) in enumerate(table.rows, start=1):
        raw = {column: cells[index] if index < len(cells) else None for index, column in columns.items()}
        row_errors: list[RowError] = []
        if not _is_blank(cells[width:]):
            row_errors.append(RowError(line, "", _("the row has more values than the header has columns")))

        account: SocialAccount | None = default_account
        account_ref = raw.pop("account", None)
        if _cell_text(account_ref):
            account, reason = resolver.resolve(account_ref)
            if reason:
                row_errors.append(RowError(line, header_of["account"], reason))
        elif default_account is None:
            row_errors.append(RowError(line, header_of["account"], _("is required")))

        # The date is checked on its own so that a bad figure does not hide a duplicated day.
        day: dt.date | None = None
        try:
            day = _DATE.validate_python(raw.pop("date", None))
        except PydanticValidationError as exc:
            row_errors.append(RowError(line, header_of["date"], error_message(exc.errors()[0])))
        if day is not None:
            if day > today:
                row_errors.append(RowError(line, header_of["date"], _("is in the future")))
            elif account is not None:
                key = (account.pk, day)
                if key in first_line:
                    message = _("same account and day as line %(line)s") % {"line": first_line[key]}
                    row_errors.append(RowError(line, header_of["date"], message))
                else:
                    first_line[key] = line

        values, value_errors = validate_values(raw)
        for name, message in value_errors.items():
            row_errors.append(RowError(line, header_of.get(name, name), message))

        if row_errors:
            errors.extend(row_errors)
        elif day is not None and account is not None:
            result.rows.append(ParsedRow(line=line, account=account, date=day, values=values))
        if progress is not None and (done % 200 == 0 or done == total):
            progress(done, total)

    if len(errors) > MAX_REPORTED_ERRORS:
        hidden = len(errors) - MAX_REPORTED_ERRORS
        del errors[MAX_REPORTED_ERRORS:]
        errors.append(RowError(None, "file", _("%(n)s more errors not shown") % {"n": hidden}))
    if errors:
        result.rows = []
    return result
