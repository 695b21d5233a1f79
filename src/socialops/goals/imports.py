"""Reading and validating metrics files (CSV, XLSX) and metric values, before anything is written.

Nothing here writes to the database: the services in services/metrics.py call these functions,
and only write when every row passed. Messages are translated at call time, so a report reads
in the language of whoever runs the import.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Annotated, Any

from django.utils.translation import gettext as _
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, TypeAdapter
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import PydanticCustomError

from socialops.accounts.models import SocialAccount
from socialops.accounts.selectors import workspace_today
from socialops.core.imports import (
    BigCount,
    Count,
    ParsedRows,
    Progress,
    RowError,
    Table,
    cell_text,
    clean_number_text,
    error_message,
    overflow_error,
    read_rows,
    report_progress,
)
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

REVENUE_MAX_DIGITS = 14  # MetricSnapshot.revenue

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


@dataclass
class ParsedRow:
    """One valid row of a file, ready to be upserted."""

    line: int
    account: SocialAccount
    date: dt.date
    values: dict[str, Any]


class ParsedFile(ParsedRows[ParsedRow]):
    """The outcome of reading a metrics file: valid rows, or the errors that reject it."""


# ---------------------------------------------------------------------------------------------
# Value validation (shared by imports, the page form, the API and the seed)


def _money_before(value: Any) -> Any:
    if isinstance(value, bool):
        raise PydanticCustomError("whole_number", "must be a whole number")
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
        text = clean_number_text(value.strip().lstrip("¥￥"))
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
        text = cell_text(ref)
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
# The whole file


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
    progress: Progress | None = None,
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
        overflow = overflow_error(line, cells, width)
        row_errors: list[RowError] = [overflow] if overflow else []

        account: SocialAccount | None = default_account
        account_ref = raw.pop("account", None)
        if cell_text(account_ref):
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
        report_progress(progress, done, total)

    result.finish()
    return result
