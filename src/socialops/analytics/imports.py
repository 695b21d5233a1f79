"""Post-level export files read through a saved column mapping, validated before anything is written.

The file reading itself (CSV encoding and delimiter, XLSX, blank lines, line numbers) is the
shared import pipeline's (socialops.core.imports); this module adds what is particular to posts: the
mapping from a platform's own column names to our fields, how its weekdays are numbered, which
of its post types are which content form, and where engagement comes from.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal, get_args

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationInfo
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import ErrorDetails, PydanticCustomError

from socialops.content.models import ContentForm
from socialops.core.imports import (
    DATETIME_TEXT,
    DELIMITERS,
    BigCount,
    Count,
    MappedTable,
    ParsedRows,
    Progress,
    RowError,
    RowKeys,
    cell_text,
    error_message,
    has_control_chars,
    normalize_header,
    overflow_error,
    read_mapped,
    report_progress,
    text_before,
    zone_offset,
)
from socialops.workspaces.models import Workspace

# Every field a mapping may fill, in the order forms and files show them (the API's enum too).
TargetField = Literal[
    "external_id",
    "published_at",
    "month",
    "weekday",
    "hour",
    "post_type",
    "form",
    "text",
    "reach",
    "impressions",
    "likes",
    "comments",
    "shares",
    "saves",
    "clicks",
    "engagements",
    "paid",
]
TARGET_FIELDS: tuple[str, ...] = get_args(TargetField)
TARGET_LABELS: dict[str, Any] = {
    "external_id": gettext_lazy("Post ID"),
    "published_at": gettext_lazy("Published at (date and time)"),
    "month": gettext_lazy("Month"),
    "weekday": gettext_lazy("Weekday"),
    "hour": gettext_lazy("Hour"),
    "post_type": gettext_lazy("Post type"),
    "form": gettext_lazy("Content form"),
    "text": gettext_lazy("Post text"),
    "reach": gettext_lazy("Reach"),
    "impressions": gettext_lazy("Impressions"),
    "likes": gettext_lazy("Likes"),
    "comments": gettext_lazy("Comments"),
    "shares": gettext_lazy("Shares"),
    "saves": gettext_lazy("Saves"),
    "clicks": gettext_lazy("Clicks"),
    "engagements": gettext_lazy("Engagements"),
    "paid": gettext_lazy("Paid promotion"),
}
COUNT_FIELDS: tuple[str, ...] = ("reach", "impressions", "likes", "comments", "shares", "saves", "clicks")
# What "sum" adds up when a file has no engagement column of its own.
SUM_PARTS: tuple[str, ...] = ("likes", "comments", "shares", "saves")

WEEKDAY_NUMBERINGS: dict[str, Any] = {
    "iso": gettext_lazy("1 = Monday … 7 = Sunday (ISO)"),
    "sun1": gettext_lazy("1 = Sunday … 7 = Saturday"),
}
ENGAGEMENT_SOURCES: dict[str, Any] = {
    "column": gettext_lazy("The column mapped to Engagements"),
    "sum": gettext_lazy("Sum of likes, comments, shares and saves"),
}
OPTION_KEYS = ("delimiter", "weekday_numbering", "type_to_form", "engagements_from")
DEFAULT_OPTIONS: dict[str, Any] = {
    "delimiter": "auto",
    "weekday_numbering": "iso",
    "type_to_form": {},
    "engagements_from": "column",
}
MAX_HEADER_CHARS = 200
MAX_TYPE_MAP_ENTRIES = 50
POST_TYPE_MAX_CHARS = 30  # PostRecord.post_type
EXTERNAL_ID_MAX_CHARS = 128  # PostRecord.external_id
POST_TEXT_MAX_CHARS = 100_000  # PostRecord.text (the originality check compares drafts with it)

# Built-in mappings for exports whose layout is known. The weekday numbering of the Facebook
# page export (1 = Sunday) is established in docs/best-time.md from the file itself.
PRESETS: dict[str, dict[str, Any]] = {
    "facebook-page-export": {
        "label": gettext_lazy("Facebook page export (post insights, Moro et al. data set)"),
        "columns": {
            "post_type": "Type",
            "month": "Post Month",
            "weekday": "Post Weekday",
            "hour": "Post Hour",
            "paid": "Paid",
            "reach": "Lifetime Post Total Reach",
            "impressions": "Lifetime Post Total Impressions",
            "comments": "comment",
            "likes": "like",
            "shares": "share",
            "engagements": "Total Interactions",
        },
        "options": {
            "delimiter": ";",
            "weekday_numbering": "sun1",
            "type_to_form": {
                "Photo": ContentForm.SHORT_POST.value,
                "Video": ContentForm.VIDEO.value,
                "Link": ContentForm.SHORT_POST.value,
                "Status": ContentForm.SHORT_POST.value,
            },
            "engagements_from": "column",
        },
    },
}

# Headers a new mapping is pre-filled with when a file's header row is shown (exact names after
# normalising case and spaces); the user checks and corrects them before saving.
_GUESSES: dict[str, tuple[str, ...]] = {
    "external_id": ("id", "post id", "post_id", "帖子id", "作品id", "文章id", "内容id", "微博id"),
    "published_at": ("published at", "published_at", "publish time", "created_time", "发布时间", "发表时间"),
    "month": ("post month", "month", "月份", "发布月份"),
    "weekday": ("post weekday", "weekday", "星期", "发布星期"),
    "hour": ("post hour", "hour", "小时", "发布小时"),
    "post_type": ("type", "post type", "类型", "内容类型", "作品类型"),
    "form": ("form", "content form", "内容形式"),
    "text": ("text", "post text", "message", "content", "正文", "内容", "文案", "微博正文", "帖子内容"),
    "reach": ("reach", "lifetime post total reach", "阅读", "阅读数", "阅读量", "触达", "触达人数"),
    "impressions": ("impressions", "lifetime post total impressions", "曝光", "曝光量", "展现量", "播放量"),
    "likes": ("like", "likes", "点赞", "点赞数", "点赞量"),
    "comments": ("comment", "comments", "评论", "评论数", "评论量"),
    "shares": ("share", "shares", "转发", "分享", "转发数", "分享数"),
    "saves": ("save", "saves", "收藏", "收藏数"),
    "clicks": ("clicks", "link clicks", "点击", "点击量", "点击数"),
    "engagements": ("total interactions", "engagements", "interactions", "互动", "互动量", "互动数"),
    "paid": ("paid", "付费", "是否付费", "是否推广"),
}


_GUESS_INDEX = {normalize_header(alias): target for target, aliases in _GUESSES.items() for alias in aliases}


def guess_columns(headers: list[str]) -> dict[str, str]:
    """A first mapping for a file's headers: each target whose usual name appears, once."""
    guessed: dict[str, str] = {}
    for header in headers:
        target = _GUESS_INDEX.get(normalize_header(header))
        if target is not None and target not in guessed:
            guessed[target] = header
    return guessed


# ---------------------------------------------------------------------------------------------
# Checking a mapping (used by the services before a mapping is saved)


def clean_mapping(columns: Any, options: Any) -> tuple[dict[str, str], dict[str, Any], dict[str, list[str]]]:
    """(columns, options, errors): the mapping as it will be stored, or {field: [messages]}."""
    errors: dict[str, list[str]] = {}
    clean_columns = _clean_columns(columns, errors)
    clean_options, options = _clean_options(options, errors)
    clean_options["engagements_from"] = _clean_engagements_from(options, clean_columns, errors)
    if not errors:
        _check_complete(clean_columns, clean_options["engagements_from"], errors)
    return clean_columns, clean_options, errors


def _clean_columns(columns: Any, errors: dict[str, list[str]]) -> dict[str, str]:
    """The target → column pairs as stored; problems go to errors["columns"]."""
    clean_columns: dict[str, str] = {}
    if not isinstance(columns, dict):
        errors["columns"] = [_("Columns must be given as target field: column name pairs.")]
        columns = {}
    seen: dict[str, str] = {}
    for target, header in columns.items():
        if target not in TARGET_FIELDS:
            errors.setdefault("columns", []).append(
                _("“%(target)s” is not a field posts can be imported into.") % {"target": str(target)[:50]}
            )
            continue
        if header is None or (isinstance(header, str) and not header.strip()):
            continue  # an unmapped field
        if not isinstance(header, str):
            errors.setdefault("columns", []).append(
                _("The column for %(target)s must be a column name.") % {"target": TARGET_LABELS[target]}
            )
            continue
        header = header.strip()
        if has_control_chars(header):
            errors.setdefault("columns", []).append(
                _("The column name for %(target)s contains control characters.")
                % {"target": TARGET_LABELS[target]}
            )
            continue
        if len(header) > MAX_HEADER_CHARS:
            errors.setdefault("columns", []).append(
                _("The column name for %(target)s is longer than %(n)s characters.")
                % {"target": TARGET_LABELS[target], "n": MAX_HEADER_CHARS}
            )
            continue
        key = normalize_header(header)
        if key in seen:
            errors.setdefault("columns", []).append(
                _("The column “%(column)s” is mapped to both %(a)s and %(b)s.")
                % {"column": header[:100], "a": TARGET_LABELS[seen[key]], "b": TARGET_LABELS[target]}
            )
            continue
        seen[key] = target
        clean_columns[target] = header
    return clean_columns


def _clean_options(options: Any, errors: dict[str, list[str]]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the options as stored but engagements_from, the options given as a dict); problems go to errors["options"]."""
    clean_options = dict(DEFAULT_OPTIONS)
    if options is None:
        options = {}
    if not isinstance(options, dict):
        errors["options"] = [_("Options must be given as name: value pairs.")]
        options = {}
    for key in options:
        if key not in OPTION_KEYS:
            errors.setdefault("options", []).append(_("Unknown option “%(key)s”.") % {"key": str(key)[:50]})
    delimiter = options.get("delimiter", "auto")
    if delimiter in ("", None):
        delimiter = "auto"
    if delimiter not in DELIMITERS:
        errors.setdefault("options", []).append(_("The delimiter must be auto, comma, semicolon, tab or |."))
    else:
        clean_options["delimiter"] = delimiter
    numbering = options.get("weekday_numbering", "iso") or "iso"
    if numbering not in WEEKDAY_NUMBERINGS:
        errors.setdefault("options", []).append(_("Weekday numbering must be “iso” or “sun1”."))
    else:
        clean_options["weekday_numbering"] = numbering

    type_map = options.get("type_to_form") or {}
    forms = set(ContentForm.values)
    if not isinstance(type_map, dict):
        errors.setdefault("options", []).append(_("The type-to-form map must pair post types with forms."))
        type_map = {}
    if len(type_map) > MAX_TYPE_MAP_ENTRIES:
        errors.setdefault("options", []).append(
            _("The type-to-form map has more than %(n)s entries.") % {"n": MAX_TYPE_MAP_ENTRIES}
        )
        type_map = {}
    clean_map: dict[str, str] = {}
    for post_type, form in type_map.items():
        name = str(post_type).strip()
        if not name or len(name) > POST_TYPE_MAX_CHARS or has_control_chars(name):
            errors.setdefault("options", []).append(
                _("A post type in the type-to-form map must have 1 to %(n)s characters.")
                % {"n": POST_TYPE_MAX_CHARS}
            )
        elif form not in forms:
            errors.setdefault("options", []).append(
                _("“%(form)s” is not a content form (use one of: %(forms)s).")
                % {"form": str(form)[:50], "forms": ", ".join(ContentForm.values)}
            )
        else:
            clean_map[name] = form
    clean_options["type_to_form"] = clean_map
    return clean_options, options


def _clean_engagements_from(
    options: dict[str, Any], clean_columns: dict[str, str], errors: dict[str, list[str]]
) -> str:
    """Where engagements come from, "column" or "sum"; a column name here becomes the engagements column."""
    source = options.get("engagements_from", "column") or "column"
    if not isinstance(source, str) or len(source) > MAX_HEADER_CHARS or has_control_chars(source):
        errors.setdefault("options", []).append(_("Engagements come from “column” or “sum”."))
        source = "column"
    elif source not in ENGAGEMENT_SOURCES:
        # A column name is accepted too, and stored as the column mapped to engagements.
        if "engagements" in clean_columns and normalize_header(
            clean_columns["engagements"]
        ) != normalize_header(source):
            errors.setdefault("options", []).append(
                _("Engagements are taken from “%(a)s” and from “%(b)s”; choose one.")
                % {"a": clean_columns["engagements"][:100], "b": source.strip()[:100]}
            )
        else:
            clean_columns["engagements"] = source.strip()
        source = "column"
    return source


def _check_complete(clean_columns: dict[str, str], source: str, errors: dict[str, list[str]]) -> None:
    """A mapping must give the best time to post its time and its engagements."""
    if "published_at" not in clean_columns and not {"weekday", "hour"} <= set(clean_columns):
        errors["columns"] = [
            _(
                "Map a publication time column, or both the weekday and the hour columns: the best time to post needs them."
            )
        ]
    elif source == "column" and "engagements" not in clean_columns:
        errors["columns"] = [
            _("Map the engagements column, or choose to add up likes, comments, shares and saves.")
        ]
    elif source == "sum" and not set(SUM_PARTS) & set(clean_columns):
        errors["columns"] = [
            _("To add up engagements, map at least one of likes, comments, shares or saves.")
        ]


# ---------------------------------------------------------------------------------------------
# Cell values


_WEEKDAY_NAMES: dict[str, int] = {}
for _iso, _names in enumerate(
    (
        ("monday", "mon", "周一", "星期一", "礼拜一"),
        ("tuesday", "tue", "tues", "周二", "星期二", "礼拜二"),
        ("wednesday", "wed", "周三", "星期三", "礼拜三"),
        ("thursday", "thu", "thur", "thurs", "周四", "星期四", "礼拜四"),
        ("friday", "fri", "周五", "星期五", "礼拜五"),
        ("saturday", "sat", "周六", "星期六", "礼拜六"),
        ("sunday", "sun", "周日", "周天", "星期日", "星期天", "礼拜日", "礼拜天"),
    ),
    start=1,
):
    for _name in _names:
        _WEEKDAY_NAMES[_name] = _iso


def _whole_number(value: Any) -> int | None:
    """A cell as a whole number (None when blank); raises the errors core.imports.error_message knows."""
    if isinstance(value, bool):
        raise PydanticCustomError("whole_number", "must be a whole number")
    if value is None:
        return None
    if isinstance(value, float):
        if not value.is_integer():
            raise PydanticCustomError("whole_number", "must be a whole number")
        return int(value)
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if text == "":
        return None
    if re.fullmatch(r"[+-]?\d+(\.0*)?", text):
        return int(text.split(".")[0])
    raise PydanticCustomError("whole_number", "must be a whole number")


def _in_range(value: int, low: int, high: int) -> int:
    if not low <= value <= high:
        raise PydanticCustomError(
            "out_of_range", "must be between {low} and {high}", {"low": low, "high": high}
        )
    return value


def _month_before(value: Any) -> int | None:
    number = _whole_number(value)
    return None if number is None else _in_range(number, 1, 12)


def _weekday_before(value: Any, info: ValidationInfo) -> int | None:
    """The file's weekday as ISO (1 = Monday … 7 = Sunday), whatever numbering the export uses."""
    if isinstance(value, str) and value.strip().casefold() in _WEEKDAY_NAMES:
        return _WEEKDAY_NAMES[value.strip().casefold()]  # a name means the same in every numbering
    number = _whole_number(value)
    if number is None:
        return None
    number = _in_range(number, 1, 7)
    numbering = (info.context or {}).get("weekday_numbering", "iso")
    if numbering == "sun1":
        return 7 if number == 1 else number - 1
    return number


def _hour_before(value: Any) -> int | None:
    if isinstance(value, dt.time):
        return value.hour
    if isinstance(value, dt.datetime):
        return value.hour
    if isinstance(value, str):
        match = re.fullmatch(r"\s*(\d{1,2})[:：](\d{2})(?::\d{2})?\s*", value)
        if match:
            if int(match.group(2)) > 59:
                raise PydanticCustomError("time_format", "must be an hour 0–23 or a time like 20:30")
            return _in_range(int(match.group(1)), 0, 23)
    try:
        number = _whole_number(value)
    except PydanticCustomError:
        raise PydanticCustomError("time_format", "must be an hour 0–23 or a time like 20:30") from None
    return None if number is None else _in_range(number, 0, 23)


def _published_before(value: Any, info: ValidationInfo) -> dt.datetime | None:
    """A date and time; one without a zone is in the workspace's time zone."""
    context = info.context or {}
    tz = context.get("tz") or dt.UTC
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        if not context.get("hour_mapped"):
            raise PydanticCustomError("datetime_no_time", "needs the time of day, not only the date")
        moment = dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        match = DATETIME_TEXT.match(value.strip())
        if not match:
            raise PydanticCustomError("datetime_format", "must be a date and time like 2024-05-31 20:30")
        year, month, day, hour, minute, second, zone = match.groups()
        if hour is None and not context.get("hour_mapped"):
            raise PydanticCustomError("datetime_no_time", "needs the time of day, not only the date")
        try:
            moment = dt.datetime(
                int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0)
            )
        except ValueError:
            raise PydanticCustomError("date_invalid", "is not a real calendar date") from None
        if zone:
            moment = moment.replace(tzinfo=zone_offset(zone))
    else:
        raise PydanticCustomError("datetime_format", "must be a date and time like 2024-05-31 20:30")
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=tz)
    if moment > timezone.now() + dt.timedelta(minutes=5):
        raise PydanticCustomError("future", "is in the future")
    return moment


def _form_before(value: Any) -> str:
    text = cell_text(value)
    if text == "":
        return ""
    for form in ContentForm:
        if text.casefold() in (form.value, str(form.label).casefold()):
            return form.value
    raise PydanticCustomError("form_unknown", "is not a content form")


_TRUE = {"1", "yes", "y", "true", "t", "是", "付费", "paid"}
_FALSE = {"0", "no", "n", "false", "f", "否", "免费", "organic"}


def _paid_before(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = cell_text(value).casefold()
    if text == "":
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise PydanticCustomError("bool_text", "must be 1/0 or yes/no")


Month = Annotated[int | None, BeforeValidator(_month_before)]
Weekday = Annotated[int | None, BeforeValidator(_weekday_before)]
Hour = Annotated[int | None, BeforeValidator(_hour_before)]
PublishedAt = Annotated[dt.datetime | None, BeforeValidator(_published_before)]
PostType = Annotated[str, BeforeValidator(text_before(POST_TYPE_MAX_CHARS))]
ExternalId = Annotated[str, BeforeValidator(text_before(EXTERNAL_ID_MAX_CHARS))]
PostText = Annotated[str, BeforeValidator(text_before(POST_TEXT_MAX_CHARS))]
FormCell = Annotated[str, BeforeValidator(_form_before)]
Paid = Annotated[bool | None, BeforeValidator(_paid_before)]


class PostRow(BaseModel):
    """One row of a post export after the mapping: each field optional (None = unknown)."""

    model_config = ConfigDict(extra="forbid")

    external_id: ExternalId = ""
    published_at: PublishedAt = None
    month: Month = None
    weekday: Weekday = None
    hour: Hour = None
    post_type: PostType = ""
    form: FormCell = ""
    text: PostText = ""
    paid: Paid = None
    reach: BigCount = None
    impressions: BigCount = None
    likes: Count = None
    comments: Count = None
    shares: Count = None
    saves: Count = None
    clicks: Count = None
    engagements: Count = None


def row_error_message(error: ErrorDetails) -> str:
    """A translated message for one pydantic error of a post row."""
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "out_of_range":
        return _("must be between %(low)s and %(high)s") % {"low": ctx.get("low"), "high": ctx.get("high")}
    if kind == "time_format":
        return _("must be an hour 0–23 or a time like 20:30")
    if kind == "datetime_format":
        return _("must be a date and time like 2024-05-31 20:30")
    if kind == "datetime_no_time":
        return _("needs the time of day, not only the date")
    if kind == "future":
        return _("is in the future")
    if kind == "form_unknown":
        return _("is not a content form (use one of: %(forms)s)") % {"forms": ", ".join(ContentForm.values)}
    if kind == "bool_text":
        return _("must be 1/0 or yes/no")
    return error_message(error)


# ---------------------------------------------------------------------------------------------
# The whole file


@dataclass
class ParsedPost:
    """One valid row: the post's id and the values the mapping supplies (only those)."""

    line: int
    external_id: str
    values: dict[str, Any]


class ParsedPosts(ParsedRows[ParsedPost]):
    """The outcome of reading a post file: valid rows, or the errors that reject it."""


def _row_values(
    line: int,
    raw: dict[str, Any],
    mapped: MappedTable,
    context: dict[str, Any],
    options: dict[str, Any],
) -> tuple[dict[str, Any], list[RowError]]:
    """The values one row supplies (only fields the mapping provides), or its errors."""
    try:
        row = PostRow.model_validate(raw, context=context)
    except PydanticValidationError as exc:
        return {}, mapped.cell_errors(line, exc, row_error_message)
    where, header_of = mapped.where, mapped.header_of

    row_errors: list[RowError] = []
    values: dict[str, Any] = {"external_id": row.external_id}
    tz = context["tz"]
    local = row.published_at.astimezone(tz) if row.published_at is not None else None
    if "published_at" in where:
        values["published_at"] = row.published_at
    # weekday, hour and month come from the file when mapped, else from the publication time.
    for name in ("weekday", "hour", "month"):
        value = getattr(row, name)
        if name not in where and local is not None:
            value = local.isoweekday() if name == "weekday" else getattr(local, name)
        if name in where or local is not None:
            values[name] = value
        if name in ("weekday", "hour") and values.get(name) is None:
            column = header_of.get(name if name in where else "published_at", name)
            if not any(e.field == column for e in row_errors):  # one message for a blank time, not two
                row_errors.append(RowError(line, column, _("is required")))
    for name in (*COUNT_FIELDS, "paid"):
        if name in where:
            values[name] = getattr(row, name)
    if "post_type" in where:
        values["post_type"] = row.post_type
    if "text" in where:
        values["text"] = row.text
    type_to_form: dict[str, str] = options.get("type_to_form") or {}
    if "form" in where:
        values["form"] = row.form
    elif type_to_form and "post_type" in where:
        folded = {name.casefold(): form for name, form in type_to_form.items()}
        values["form"] = folded.get(row.post_type.casefold(), "")
    if options.get("engagements_from") == "sum":
        known = [getattr(row, name) for name in SUM_PARTS if name in where and getattr(row, name) is not None]
        values["engagements"] = sum(known) if known else None
    elif "engagements" in where:
        values["engagements"] = row.engagements
    return values, row_errors


def parse_posts_file(
    *,
    workspace: Workspace,
    file_name: str,
    content: bytes,
    columns: dict[str, str],
    options: dict[str, Any],
    progress: Progress | None = None,
) -> ParsedPosts:
    """Read and validate every row through the mapping; the result holds valid rows or all errors."""
    result = ParsedPosts()
    mapped = read_mapped(
        file_name,
        content,
        result.errors,
        columns=columns,
        labels=TARGET_LABELS,
        delimiter=options.get("delimiter"),
    )
    if mapped is None:
        return result

    context = {
        "tz": workspace.tz,
        "weekday_numbering": options.get("weekday_numbering", "iso"),
        "hour_mapped": "hour" in columns,
    }
    errors = result.errors
    keys = RowKeys()
    first_line: dict[str, int] = {}
    total = len(mapped.table.rows)

    for done, (line, cells) in enumerate(mapped.table.rows, start=1):
        raw = mapped.cells(cells)
        values, row_errors = _row_values(line, raw, mapped, context, options)
        overflow = overflow_error(line, cells, len(mapped.table.headers))
        if overflow:
            row_errors.insert(0, overflow)

        external_id = values.pop("external_id", "")
        if not external_id:
            # A row without a post ID is known by its cells (see RowKeys); "row-" keeps such keys
            # apart from the platforms' own IDs.
            external_id = "row-" + keys.key(raw)[:40]
        elif external_id in first_line:
            row_errors.append(
                RowError(
                    line,
                    mapped.header_of["external_id"],
                    _("same post ID as line %(line)s") % {"line": first_line[external_id]},
                )
            )
        else:
            first_line[external_id] = line

        if row_errors:
            errors.extend(row_errors)
        else:
            result.rows.append(ParsedPost(line=line, external_id=external_id, values=values))
        report_progress(progress, done, total)

    result.finish()
    return result
