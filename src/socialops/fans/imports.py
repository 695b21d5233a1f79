"""Order and CRM files read through a column mapping, validated before anything is written.

The file reading itself (CSV encoding and delimiter, XLSX, blank lines, line numbers) is the shared
import pipeline's (socialops.core.imports); this module adds what is particular to orders: the
mapping from a shop's or CRM's own column names to our fields, the options that say how to read
them (time zone, date order, currency, cancellations, rows without a customer), and the key that
makes importing the same file twice change nothing.

Time zone: a time without a zone in the file is read in the mapping's ``time_zone`` option, or in
the workspace's time zone when the option is blank. The ``online-retail`` preset sets
Europe/London (the UCI Online Retail file is a UK shop's local time) and GBP.

Phone and real name (optional columns) are personal data: a phone number is kept only as the
keyed hash fans.privacy makes of it (a matching key), and both are stored encrypted on the
person of the line's customer id. Lines without a customer id keep neither.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Annotated, Any, Literal, get_args

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationInfo
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import ErrorDetails, PydanticCustomError

from socialops.core.imports import (
    DATETIME_TEXT,
    DELIMITERS,
    ParsedRows,
    Progress,
    RowError,
    RowKeys,
    cell_text,
    clean_number_text,
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

from .privacy import phone_normalise

# Every field a mapping may fill, in the order forms and reports show them (the API's enum too).
OrderField = Literal[
    "order_id",
    "customer_id",
    "ordered_at",
    "quantity",
    "unit_price",
    "amount",
    "currency",
    "product",
    "category",
    "coupon_code",
    "phone",
    "name",
]
ORDER_FIELDS: tuple[str, ...] = get_args(OrderField)
ORDER_FIELD_LABELS: dict[str, Any] = {
    "order_id": gettext_lazy("Order ID"),
    "customer_id": gettext_lazy("Customer ID"),
    "ordered_at": gettext_lazy("Order time"),
    "quantity": gettext_lazy("Quantity"),
    "unit_price": gettext_lazy("Unit price"),
    "amount": gettext_lazy("Line amount"),
    "currency": gettext_lazy("Currency"),
    "product": gettext_lazy("Product"),
    "category": gettext_lazy("Category"),
    "coupon_code": gettext_lazy("Coupon code"),
    "phone": gettext_lazy("Phone (kept as a keyed hash and encrypted)"),
    "name": gettext_lazy("Real name (kept encrypted)"),
}

CONTACT_FIELDS = frozenset({"phone", "name"})

ANONYMOUS_RULES: dict[str, Any] = {
    "count": gettext_lazy("Import them as anonymous sales (counted in the report)"),
    "reject": gettext_lazy("Reject the file (each such line is an error)"),
}
DATE_ORDERS: dict[str, Any] = {
    "ymd": gettext_lazy("Year first (2011-03-10)"),
    "dmy": gettext_lazy("Day first (10/03/2011)"),
    "mdy": gettext_lazy("Month first (03/10/2011)"),
}
OPTION_KEYS = ("delimiter", "anonymous", "currency", "time_zone", "date_order", "cancellation_prefix")
DEFAULT_OPTIONS: dict[str, Any] = {
    "delimiter": "auto",
    "anonymous": "count",
    "currency": "CNY",
    "time_zone": "",  # blank: the workspace's time zone
    "date_order": "ymd",
    "cancellation_prefix": "",
}

MAX_HEADER_CHARS = 200
PREFIX_MAX_CHARS = 10
# The OrderLine columns' own limits, so that a value that passes here can always be stored.
ORDER_ID_MAX_CHARS = 100
CUSTOMER_ID_MAX_CHARS = 100
PRODUCT_MAX_CHARS = 200
CATEGORY_MAX_CHARS = 100
COUPON_MAX_CHARS = 40
PHONE_MAX_CHARS = 40
NAME_MAX_CHARS = 100
QUANTITY_LIMIT = Decimal("1e9")  # max_digits 12, 3 decimal places
UNIT_PRICE_LIMIT = Decimal("1e10")  # max_digits 14, 4 decimal places
AMOUNT_LIMIT = Decimal("1e12")  # max_digits 14, 2 decimal places
CENT = Decimal("0.01")

# What CRM exports write in a customer id cell that holds none (R's NA, pandas' nan, Excel's #N/A).
NO_CUSTOMER = frozenset({"", "na", "n/a", "#n/a", "nan", "null", "none", "-", "—", "无", "空"})

# Built-in mappings for files whose layout is known.
PRESETS: dict[str, dict[str, Any]] = {
    "online-retail": {
        "label": gettext_lazy(
            "UCI Online Retail (a UK shop): amounts are quantity × unit price in GBP, times are UK local time"
        ),
        "columns": {
            "order_id": "InvoiceNo",
            "customer_id": "CustomerID",
            "ordered_at": "InvoiceDate",
            "quantity": "Quantity",
            "unit_price": "UnitPrice",
            "product": "Description",
        },
        "options": {
            "delimiter": ",",
            "anonymous": "count",
            "currency": "GBP",
            "time_zone": "Europe/London",
            "date_order": "ymd",
            "cancellation_prefix": "C",
        },
    },
}


# ---------------------------------------------------------------------------------------------
# Checking a mapping (used by the services before a mapping is saved or used)


def clean_mapping(columns: Any, options: Any) -> tuple[dict[str, str], dict[str, Any], dict[str, list[str]]]:
    """(columns, options, errors): the mapping as it will be stored, or {field: [messages]}."""
    errors: dict[str, list[str]] = {}
    clean_columns = _clean_columns(columns, errors)
    clean_options = _clean_options(options, errors)
    if "columns" not in errors:
        missing = [ORDER_FIELD_LABELS[f] for f in ("order_id", "ordered_at") if f not in clean_columns]
        if missing:
            errors["columns"] = [
                _("Map the columns of %(fields)s.") % {"fields": ", ".join(str(m) for m in missing)}
            ]
        elif "amount" not in clean_columns and "unit_price" not in clean_columns:
            errors["columns"] = [
                _("Map the line amount column, or the unit price (and the quantity) columns.")
            ]
    return clean_columns, clean_options, errors


def _clean_columns(columns: Any, errors: dict[str, list[str]]) -> dict[str, str]:
    """The field → column pairs as stored; problems go to errors["columns"]."""
    clean: dict[str, str] = {}
    if not isinstance(columns, dict):
        errors["columns"] = [_("Columns must be given as field: column name pairs.")]
        return clean
    seen: dict[str, str] = {}
    for target, header in columns.items():
        if target not in ORDER_FIELDS:
            errors.setdefault("columns", []).append(
                _("“%(target)s” is not a field orders can be imported into.") % {"target": str(target)[:50]}
            )
            continue
        if header is None or (isinstance(header, str) and not header.strip()):
            continue  # an unmapped field
        label = ORDER_FIELD_LABELS[target]
        if not isinstance(header, str) or has_control_chars(header) or len(header.strip()) > MAX_HEADER_CHARS:
            errors.setdefault("columns", []).append(
                _("The column for %(target)s must be a column name of at most %(n)s characters.")
                % {"target": label, "n": MAX_HEADER_CHARS}
            )
            continue
        header = header.strip()
        key = normalize_header(header)
        if key in seen:
            errors.setdefault("columns", []).append(
                _("The column “%(column)s” is mapped to both %(a)s and %(b)s.")
                % {"column": header[:100], "a": ORDER_FIELD_LABELS[seen[key]], "b": label}
            )
            continue
        seen[key] = target
        clean[target] = header
    return clean


def _choice(
    options: dict[str, Any], key: str, choices: dict[str, Any], message: str, errors: dict[str, list[str]]
) -> Any:
    value = options.get(key)
    if value in ("", None):
        return DEFAULT_OPTIONS[key]
    if value not in choices:
        errors.setdefault("options", []).append(message)
        return DEFAULT_OPTIONS[key]
    return value


def _clean_options(options: Any, errors: dict[str, list[str]]) -> dict[str, Any]:
    """The options as stored, defaults filled in; problems go to errors["options"]."""
    clean = dict(DEFAULT_OPTIONS)
    if options is None:
        options = {}
    if not isinstance(options, dict):
        errors["options"] = [_("Options must be given as name: value pairs.")]
        return clean
    for key in options:
        if key not in OPTION_KEYS:
            errors.setdefault("options", []).append(_("Unknown option “%(key)s”.") % {"key": str(key)[:50]})
    clean["delimiter"] = _choice(
        options, "delimiter", DELIMITERS, _("The delimiter must be auto, comma, semicolon, tab or |."), errors
    )
    clean["anonymous"] = _choice(
        options,
        "anonymous",
        ANONYMOUS_RULES,
        _("Rows without a customer id are either “count” or “reject”."),
        errors,
    )
    clean["date_order"] = _choice(
        options, "date_order", DATE_ORDERS, _("The date order must be “ymd”, “dmy” or “mdy”."), errors
    )
    currency = options.get("currency") or DEFAULT_OPTIONS["currency"]
    if not isinstance(currency, str) or not re.fullmatch(r"[A-Za-z]{3}", currency.strip()):
        errors.setdefault("options", []).append(
            _("The currency must be a three-letter code such as CNY or GBP.")
        )
    else:
        clean["currency"] = currency.strip().upper()
    zone = options.get("time_zone") or ""
    if not isinstance(zone, str) or (zone.strip() and not _known_zone(zone.strip())):
        errors.setdefault("options", []).append(
            _("“%(tz)s” is not a time zone (use a name such as Asia/Shanghai or Europe/London).")
            % {"tz": str(zone)[:60]}
        )
    else:
        clean["time_zone"] = zone.strip()
    prefix = options.get("cancellation_prefix") or ""
    if not isinstance(prefix, str) or len(prefix.strip()) > PREFIX_MAX_CHARS or has_control_chars(prefix):
        errors.setdefault("options", []).append(
            _("The cancellation prefix must have at most %(n)s characters.") % {"n": PREFIX_MAX_CHARS}
        )
    else:
        clean["cancellation_prefix"] = prefix.strip()
    return clean


def _known_zone(name: str) -> bool:
    if len(name) > 64 or "\x00" in name:
        return False
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


# ---------------------------------------------------------------------------------------------
# Cell values


def _customer_before(value: Any) -> str:
    text = text_before(CUSTOMER_ID_MAX_CHARS)(value)
    return "" if text.casefold() in NO_CUSTOMER else text


def _decimal_before(limit: Decimal, places: int) -> Callable[[Any], Decimal | None]:
    def before(value: Any) -> Decimal | None:
        if isinstance(value, bool):
            raise PydanticCustomError("number", "must be a number")
        if value is None:
            return None
        if isinstance(value, int | Decimal):
            number = Decimal(value)
        elif isinstance(value, float):
            number = Decimal(repr(value))
        else:
            text = clean_number_text(str(value)).replace("¥", "").replace("￥", "").replace("£", "")
            text = text.replace("$", "").replace("€", "").strip()
            if text == "":
                return None
            try:
                number = Decimal(text)
            except InvalidOperation:
                raise PydanticCustomError("number", "must be a number") from None
        if not number.is_finite():
            raise PydanticCustomError("number", "must be a number")
        if abs(number) >= limit:
            raise PydanticCustomError("too_large", "is too large")
        rounded = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        if rounded != number:
            raise PydanticCustomError("places", "has more than {n} decimal places", {"n": places})
        return rounded

    return before


_DAY_FIRST = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")


def _ordered_at_before(value: Any, info: ValidationInfo) -> dt.datetime | None:
    """A date (and time); one without a zone is in the mapping's time zone."""
    context = info.context or {}
    tz = context.get("tz") or dt.UTC
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    zone: dt.tzinfo | None = None
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        text = value.strip()
        parts: tuple[str | None, ...]
        iso = DATETIME_TEXT.match(text)
        other = None if iso else _DAY_FIRST.match(text)
        if iso:
            year, month, day, hour, minute, second, zone_text = iso.groups()
            if zone_text:
                zone = zone_offset(zone_text)
            parts = (year, month, day, hour, minute, second)
        elif other and context.get("date_order") in ("dmy", "mdy"):
            first, second_part, year, hour, minute, second = other.groups()
            day, month = (first, second_part) if context["date_order"] == "dmy" else (second_part, first)
            parts = (year, month, day, hour, minute, second)
        else:
            raise PydanticCustomError("datetime_format", "must be a date and time")
        try:
            y, mo, d, h, mi, sec = (int(p or 0) for p in parts)
            moment = dt.datetime(y, mo, d, h, mi, sec)
        except ValueError:
            raise PydanticCustomError("date_invalid", "is not a real calendar date") from None
    else:
        raise PydanticCustomError("datetime_format", "must be a date and time")
    if zone is not None:
        moment = moment.replace(tzinfo=zone)
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=tz)
    if moment > timezone.now() + dt.timedelta(days=1):
        raise PydanticCustomError("future", "is in the future")
    return moment


def _phone_before(value: Any) -> str:
    """The number in its canonical form (see fans.privacy); a cell that holds none is an error."""
    text = text_before(PHONE_MAX_CHARS)(value)
    if not text:
        return ""
    number = phone_normalise(text)
    if not number:
        raise PydanticCustomError("phone", "is not a phone number")
    return number


def _currency_before(value: Any) -> str:
    text = cell_text(value).upper()
    if text and not re.fullmatch(r"[A-Z]{3}", text):
        raise PydanticCustomError("currency", "must be a three-letter currency code")
    return text


OrderText = Annotated[str, BeforeValidator(text_before(ORDER_ID_MAX_CHARS))]
CustomerId = Annotated[str, BeforeValidator(_customer_before)]
OrderedAt = Annotated[dt.datetime | None, BeforeValidator(_ordered_at_before)]
Quantity = Annotated[Decimal | None, BeforeValidator(_decimal_before(QUANTITY_LIMIT, 3))]
UnitPrice = Annotated[Decimal | None, BeforeValidator(_decimal_before(UNIT_PRICE_LIMIT, 4))]
Amount = Annotated[Decimal | None, BeforeValidator(_decimal_before(AMOUNT_LIMIT, 2))]
Currency = Annotated[str, BeforeValidator(_currency_before)]
Product = Annotated[str, BeforeValidator(text_before(PRODUCT_MAX_CHARS))]
Category = Annotated[str, BeforeValidator(text_before(CATEGORY_MAX_CHARS))]
CouponCode = Annotated[str, BeforeValidator(text_before(COUPON_MAX_CHARS))]
Phone = Annotated[str, BeforeValidator(_phone_before)]
RealName = Annotated[str, BeforeValidator(text_before(NAME_MAX_CHARS))]


class OrderRow(BaseModel):
    """One line of an order file after the mapping: each field as read (None or blank = not given)."""

    model_config = ConfigDict(extra="forbid")

    order_id: OrderText = ""
    customer_id: CustomerId = ""
    ordered_at: OrderedAt = None
    quantity: Quantity = None
    unit_price: UnitPrice = None
    amount: Amount = None
    currency: Currency = ""
    product: Product = ""
    category: Category = ""
    coupon_code: CouponCode = ""
    phone: Phone = ""
    name: RealName = ""


def row_error_message(error: ErrorDetails) -> str:
    """A translated message for one pydantic error of an order row."""
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "number":
        return _("must be a number")
    if kind == "too_large":
        return _("is too large")
    if kind == "places":
        return _("has more than %(n)s decimal places") % {"n": ctx.get("n")}
    if kind == "datetime_format":
        return _("must be a date and time like 2024-05-31 20:30")
    if kind == "date_invalid":
        return _("is not a real calendar date")
    if kind == "future":
        return _("is in the future")
    if kind == "phone":
        return _("is not a phone number")
    if kind == "currency":
        return _("must be a three-letter currency code such as CNY")
    return error_message(error)


# ---------------------------------------------------------------------------------------------
# The whole file


@dataclass
class ParsedOrderLine:
    """One valid line: its key, its customer ("" = anonymous) and the OrderLine fields it fills."""

    line: int
    order_id: str
    line_key: str  # the line within its order: a hash of its mapped cells and which copy of them it is
    customer_id: str
    values: dict[str, Any]


@dataclass
class ParsedOrders(ParsedRows[ParsedOrderLine]):
    """The outcome of reading an order file: valid lines, or the errors that reject it."""

    anonymous: int = 0
    cancellations: int = 0
    customer_ids: set[str] = field(default_factory=set)
    # customer id → {"name": …, "phone": …} from the file's last line that gives either.
    contacts: dict[str, dict[str, str]] = field(default_factory=dict)


def _line_values(
    line: int, row: OrderRow, header_of: dict[str, str], options: dict[str, Any]
) -> tuple[dict[str, Any], list[RowError]]:
    """The OrderLine fields of one parsed row, with what the row lacks as errors."""
    errors: list[RowError] = []
    for name in ("order_id", "ordered_at"):
        if not getattr(row, name):
            errors.append(RowError(line, header_of[name], _("is required")))
    quantity = row.quantity if row.quantity is not None else Decimal(1)
    amount = row.amount
    if "amount" not in header_of:
        if row.unit_price is None:
            errors.append(RowError(line, header_of["unit_price"], _("is required")))
        else:
            amount = (quantity * row.unit_price).quantize(CENT, rounding=ROUND_HALF_UP)
            if abs(amount) >= AMOUNT_LIMIT:
                errors.append(RowError(line, header_of["unit_price"], _("is too large")))
    elif amount is None:
        errors.append(RowError(line, header_of["amount"], _("is required")))
    if errors or amount is None:
        return {}, errors
    prefix = options.get("cancellation_prefix") or ""
    prefixed = bool(prefix) and row.order_id.upper().startswith(prefix.upper())
    # A cancellation or return takes back money: whatever sign the file writes, its amount and
    # quantity are negative so a customer's spend nets out. A negative quantity at price 0 is a
    # stock correction, not a sale taken back, and stays an ordinary line of amount 0.
    if prefixed or quantity < 0 or amount < 0:
        amount, quantity = -abs(amount), -abs(quantity)
    values = {
        "ordered_at": row.ordered_at,
        "quantity": quantity,
        "unit_price": row.unit_price,
        "amount": amount,
        "currency": row.currency or options.get("currency") or DEFAULT_OPTIONS["currency"],
        "product": row.product,
        "category": row.category,
        "coupon_code": row.coupon_code,
        "is_cancellation": prefixed or amount < 0,
    }
    return values, []


def parse_orders_file(
    *,
    workspace: Workspace,
    file_name: str,
    content: bytes,
    columns: dict[str, str],
    options: dict[str, Any],
    progress: Progress | None = None,
) -> ParsedOrders:
    """Read and validate every line through the mapping; the result holds valid lines or all errors."""
    result = ParsedOrders()
    mapped = read_mapped(
        file_name,
        content,
        result.errors,
        columns=columns,
        labels=ORDER_FIELD_LABELS,
        delimiter=options.get("delimiter"),
    )
    if mapped is None:
        return result

    zone = options.get("time_zone") or ""
    context = {
        "tz": zoneinfo.ZoneInfo(zone) if zone else workspace.tz,
        "date_order": options.get("date_order"),
    }
    header_of = mapped.header_of
    reject_anonymous = options.get("anonymous") == "reject"
    errors = result.errors
    keys = RowKeys()
    total = len(mapped.table.rows)

    for done, (line, cells) in enumerate(mapped.table.rows, start=1):
        raw = mapped.cells(cells)
        overflow = overflow_error(line, cells, len(mapped.table.headers))
        row_errors: list[RowError] = [overflow] if overflow else []
        values: dict[str, Any] = {}
        try:
            row = OrderRow.model_validate(raw, context=context)
        except PydanticValidationError as exc:
            row_errors.extend(mapped.cell_errors(line, exc, row_error_message))
        else:
            values, value_errors = _line_values(line, row, header_of, options)
            row_errors.extend(value_errors)
            if not row.customer_id and reject_anonymous:
                column = header_of.get("customer_id", str(ORDER_FIELD_LABELS["customer_id"]))
                row_errors.append(RowError(line, column, _("has no customer id")))

        if row_errors:
            errors.extend(row_errors)
        else:
            # Contact columns are not part of the line: adding them to a later export of the
            # same orders must not make its lines new.
            parsed = ParsedOrderLine(
                line=line,
                order_id=row.order_id,
                line_key=keys.key({t: v for t, v in raw.items() if t not in CONTACT_FIELDS}),
                customer_id=row.customer_id,
                values=values,
            )
            result.rows.append(parsed)
            if row.customer_id:
                result.customer_ids.add(row.customer_id)
                # Contact details of anonymous lines are not kept: they would belong to nobody.
                contact = {k: v for k, v in (("name", row.name), ("phone", row.phone)) if v}
                if contact:
                    result.contacts.setdefault(row.customer_id, {}).update(contact)
            else:
                result.anonymous += 1
            result.cancellations += int(values["is_cancellation"])
        report_progress(progress, done, total)

    result.finish()
    return result
