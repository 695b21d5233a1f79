"""Writes on coupon campaigns, their codes, issuing and redemptions, each validated and audited.

Two guarantees rest on the database, not on luck: a person gets at most one coupon per
campaign (the constraint ``uniq_coupon_per_person``; a losing racer gets the winner's coupon),
and a coupon is redeemed at most once (``Redemption.coupon`` is one-to-one). Issuing locks
the campaign row so that the budget holds when two playbook runs issue at the same time.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from socialops.accounts.models import SocialAccount
from socialops.core.actors import user_or_none
from socialops.core.imports import ImportRejected, RowError, cell_text, read_rows
from socialops.core.validation import Errors, add_error, clean_text
from socialops.goals.models import Strategy
from socialops.workspaces.access import ensure_same_workspace, require_perm
from socialops.workspaces.audit import audit_record, audit_saved, edit_snapshot
from socialops.workspaces.models import Workspace
from socialops.workspaces.roles import Perm

from ..coupons import (
    PREFIX,
    code_generate,
    normalize_code,
    normalize_prefix,
    webhook_secret_new,
    webhook_signature_ok,
)
from ..models import (
    CodeSource,
    Coupon,
    CouponCampaign,
    OrderLine,
    Person,
    PlaybookRun,
    Redemption,
    RedemptionSource,
)
from .conversions import conversions_record

CAMPAIGN_FIELDS = (
    "name", "account", "strategy", "value", "min_spend", "valid_from", "valid_until",
    "budget_count", "code_source", "code_prefix",
)  # fmt: skip
MAX_AMOUNT = Decimal("1e10")
# A webhook's timestamp may be this far from our clock (replayed requests are older).
WEBHOOK_WINDOW = dt.timedelta(minutes=5)
MAX_IMPORTED_CODES = 100_000


def _check(workspace: Workspace, actor: Any) -> None:
    require_perm(workspace=workspace, actor=actor, perm=Perm.FANS_EDIT)


def _snap(campaign: CouponCampaign) -> dict[str, Any]:
    # The webhook secret never goes into the audit log.
    data = edit_snapshot(campaign)
    data.pop("webhook_secret", None)
    return data


def _money(value: Any, field: str, errors: Errors, *, positive: bool) -> Decimal | None:
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        add_error(errors, field, _("Enter a number."))
        return None
    if not number.is_finite() or abs(number) >= MAX_AMOUNT:
        add_error(errors, field, _("Enter a number."))
        return None
    if positive and number <= 0:
        add_error(errors, field, _("The value must be greater than zero."))
    elif number < 0:
        add_error(errors, field, _("The amount cannot be negative."))
    return number.quantize(Decimal("0.01"))


def _aware(value: Any, field: str, errors: Errors) -> dt.datetime | None:
    if isinstance(value, str):
        value = parse_datetime(value)
    if not isinstance(value, dt.datetime):
        add_error(errors, field, _("Enter a date and time."))
        return None
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _validate_campaign(workspace: Workspace, data: dict[str, Any]) -> dict[str, Any]:
    """Check a campaign's fields together; returns them cleaned or raises ValidationError by field."""
    errors: Errors = {}
    name = clean_text(data["name"], "name", errors, max_length=100, required=True)
    account = data["account"]
    if not isinstance(account, SocialAccount) or account.workspace_id != workspace.pk:
        add_error(errors, "account", _("Choose an account of this workspace."))
    elif account.is_competitor:
        add_error(errors, "account", _("Coupons are credited to our own accounts, not to competitors'."))
    strategy = data.get("strategy")
    if strategy is not None and (not isinstance(strategy, Strategy) or strategy.workspace_id != workspace.pk):
        add_error(errors, "strategy", _("Not found."))
    value = _money(data["value"], "value", errors, positive=True)
    min_spend = _money(data.get("min_spend") or 0, "min_spend", errors, positive=False)
    valid_from = _aware(data["valid_from"], "valid_from", errors)
    valid_until = _aware(data["valid_until"], "valid_until", errors)
    if valid_from and valid_until and valid_until <= valid_from:
        add_error(errors, "valid_until", _("The end of validity must be after its start."))
    budget = data["budget_count"]
    if isinstance(budget, bool) or not isinstance(budget, int) or budget < 1:
        add_error(errors, "budget_count", _("Budget at least one coupon."))
    elif budget > 10_000_000:
        add_error(errors, "budget_count", _("This number is too large."))
    if data.get("code_source") not in CodeSource.values:
        add_error(errors, "code_source", _("Choose where the codes come from."))
    prefix = normalize_prefix(data.get("code_prefix") or "")
    if not PREFIX.match(prefix):
        add_error(errors, "code_prefix", _("Use at most 8 letters and digits."))
    if name and not errors.get("name"):
        clash = CouponCampaign.objects.filter(workspace=workspace, name=name)
        if data.get("pk"):
            clash = clash.exclude(pk=data["pk"])
        if clash.exists():
            add_error(errors, "name", _("A campaign with this name exists already."))
    if errors:
        raise ValidationError(errors)
    return {
        **{k: data[k] for k in CAMPAIGN_FIELDS if k in data},
        "name": name,
        "strategy": strategy,
        "value": value,
        "min_spend": min_spend,
        "valid_from": valid_from,
        "valid_until": valid_until,
        "code_prefix": prefix,
    }


@transaction.atomic
def campaign_create(
    *,
    workspace: Workspace,
    actor: Any,
    name: str,
    account: SocialAccount,
    value: Any,
    valid_from: Any,
    valid_until: Any,
    budget_count: int,
    min_spend: Any = 0,
    code_source: str = CodeSource.GENERATED,
    code_prefix: str = "",
    strategy: Strategy | None = None,
) -> CouponCampaign:
    """Create a coupon campaign, with a fresh webhook secret."""
    _check(workspace, actor)
    fields = _validate_campaign(
        workspace,
        {
            "name": name, "account": account, "strategy": strategy, "value": value,
            "min_spend": min_spend, "valid_from": valid_from, "valid_until": valid_until,
            "budget_count": budget_count, "code_source": code_source, "code_prefix": code_prefix,
        },
    )  # fmt: skip
    campaign = CouponCampaign.objects.create(
        workspace=workspace, created_by=user_or_none(actor), webhook_secret=webhook_secret_new(), **fields
    )
    audit_saved(campaign, workspace=workspace, actor=actor, action="fans.coupon_campaign.create", snap=_snap)
    return campaign


def current_values(campaign: CouponCampaign) -> dict[str, Any]:
    """The campaign's editable fields, as the update service and the form take them."""
    return {name: getattr(campaign, name) for name in CAMPAIGN_FIELDS}


@transaction.atomic
def campaign_update(
    *, workspace: Workspace, actor: Any, campaign: CouponCampaign, **changes: Any
) -> CouponCampaign:
    """Change a campaign's fields; its code source cannot change once coupons exist."""
    _check(workspace, actor)
    ensure_same_workspace(workspace, campaign, "campaign")
    unknown = set(changes) - set(CAMPAIGN_FIELDS)
    if unknown:
        raise ValidationError({f: [_("This field cannot be changed.")] for f in sorted(unknown)})
    locked = CouponCampaign.objects.select_for_update().get(pk=campaign.pk)
    data = {**current_values(locked), **changes, "pk": locked.pk}
    fields = _validate_campaign(workspace, data)
    coupons = Coupon.objects.filter(campaign=locked)
    if fields["code_source"] != locked.code_source and coupons.exists():
        raise ValidationError({"code_source": [_("The campaign has coupons; their source cannot change.")]})
    issued = coupons.filter(person__isnull=False).count()
    if fields["budget_count"] < issued:
        raise ValidationError(
            {
                "budget_count": [
                    _("%(n)s coupons are issued already; budget at least that many.") % {"n": issued}
                ]
            }
        )
    before = _snap(locked)
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.save()
    audit_saved(
        locked,
        workspace=workspace,
        actor=actor,
        action="fans.coupon_campaign.update",
        before=before,
        snap=_snap,
    )
    return locked


@transaction.atomic
def campaign_delete(*, workspace: Workspace, actor: Any, campaign: CouponCampaign) -> None:
    """Delete a campaign that has no redemptions (its unredeemed coupons go with it)."""
    _check(workspace, actor)
    ensure_same_workspace(workspace, campaign, "campaign")
    if Redemption.objects.filter(coupon__campaign=campaign).exists():
        raise ValidationError(
            {"campaign": [_("Coupons of this campaign were redeemed; it is kept for the record.")]}
        )
    audit_record(
        workspace=workspace,
        actor=actor,
        action="fans.coupon_campaign.delete",
        obj=campaign,
        before=_snap(campaign),
    )
    campaign.delete()


@transaction.atomic
def campaign_secret_regenerate(
    *, workspace: Workspace, actor: Any, campaign: CouponCampaign
) -> CouponCampaign:
    """Replace the campaign's webhook secret (admins only): the old one stops working at once."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.WORKSPACE_MANAGE)
    ensure_same_workspace(workspace, campaign, "campaign")
    campaign.webhook_secret = webhook_secret_new()
    campaign.save(update_fields=["webhook_secret", "updated_at"])
    audit_record(
        workspace=workspace, actor=actor, action="fans.coupon_campaign.secret_regenerate", obj=campaign
    )
    return campaign


# ---- the code pool ---------------------------------------------------------------------------


def _code_lines(
    text: str | None, file_name: str | None, content: bytes | None, errors: list[RowError]
) -> list[tuple[int, str]]:
    """(line, code) from pasted text (one a line) or a CSV/XLSX file (the first column)."""
    if content is not None:
        table = read_rows(file_name or "codes.csv", content, errors)
        if table is None:
            return []
        # A one-column file may or may not have a header; a header is never a valid code here.
        rows = [(line, cell_text(cells[0]) if cells else "") for line, cells in table.rows]
        first = cell_text(table.headers[0]) if table.headers else ""
        if first and first.lower() not in ("code", "codes", "券码", "优惠码", "coupon"):
            rows.insert(0, (table.header_line, first))
        return rows
    return [(n, line.strip()) for n, line in enumerate((text or "").splitlines(), start=1)]


@transaction.atomic
def codes_import(
    *,
    workspace: Workspace,
    actor: Any,
    campaign: CouponCampaign,
    text: str | None = None,
    file_name: str | None = None,
    content: bytes | None = None,
) -> int:
    """Add platform codes to an imported campaign's pool, whole or not at all; a duplicate names its line."""
    _check(workspace, actor)
    ensure_same_workspace(workspace, campaign, "campaign")
    if campaign.code_source != CodeSource.IMPORTED:
        raise ValidationError({"campaign": [_("This campaign generates its own codes.")]})
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    codes: list[str] = []
    for line, raw in _code_lines(text, file_name, content, errors):
        if not raw:
            continue
        code = raw.strip()
        if len(code) > 40 or any(ch.isspace() for ch in code):
            errors.append(RowError(line, "code", _("a code is at most 40 characters, without spaces")))
        elif code in seen:
            errors.append(
                RowError(
                    line, "code", _("“%(code)s” repeats line %(other)s") % {"code": code, "other": seen[code]}
                )
            )
        else:
            seen[code] = line
            codes.append(code)
    if not codes and not errors:
        errors.append(RowError(None, "file", _("No codes found.")))
    if len(codes) > MAX_IMPORTED_CODES:
        errors.append(RowError(None, "file", _("At most %(n)s codes at a time.") % {"n": MAX_IMPORTED_CODES}))
    existing = set()
    for start in range(0, len(codes), 500):
        existing |= set(
            Coupon.objects.filter(workspace=workspace, code__in=codes[start : start + 500]).values_list(
                "code", flat=True
            )
        )
    for code in sorted(existing, key=lambda c: seen[c]):
        errors.append(RowError(seen[code], "code", _("“%(code)s” is already in a campaign") % {"code": code}))
    if errors:
        raise ImportRejected(sorted(errors, key=lambda e: e.line or 0))
    Coupon.objects.bulk_create(
        [Coupon(workspace=workspace, campaign=campaign, code=code) for code in codes], batch_size=500
    )
    audit_record(
        workspace=workspace,
        actor=actor,
        action="fans.coupon_campaign.codes_import",
        obj=campaign,
        after={"codes": len(codes)},
    )
    return len(codes)


# ---- issuing ---------------------------------------------------------------------------------


def _free_code(campaign: CouponCampaign) -> Coupon | None:
    """The next unissued code of an imported pool, locked (other issuers skip it on PostgreSQL)."""
    free = Coupon.objects.filter(campaign=campaign, person__isnull=True).order_by("pk")
    if connection.features.has_select_for_update_skip_locked:
        free = free.select_for_update(skip_locked=True)
    return free.first()


def coupon_issue(
    *,
    workspace: Workspace,
    actor: Any,
    campaign: CouponCampaign,
    person: Person,
    run: PlaybookRun | None = None,
) -> tuple[Coupon, bool]:
    """Give the person the campaign's coupon: (coupon, True) when issued now, (existing, False) when they had one."""
    _check(workspace, actor)
    ensure_same_workspace(workspace, campaign, "campaign")
    ensure_same_workspace(workspace, person, "person")
    with transaction.atomic():
        existing = Coupon.objects.filter(campaign=campaign, person=person).first()
        if existing is not None:
            return existing, False
        # The campaign row lock serialises issuers of one campaign: the budget count below holds.
        locked = CouponCampaign.objects.select_for_update().get(pk=campaign.pk, workspace=workspace)
        existing = Coupon.objects.filter(campaign=locked, person=person).first()
        if existing is not None:
            return existing, False
        now = timezone.now()
        if now >= locked.valid_until:
            raise ValidationError({"campaign": [_("The campaign has ended; no more coupons are issued.")]})
        issued = Coupon.objects.filter(campaign=locked, person__isnull=False).count()
        if issued >= locked.budget_count:
            raise ValidationError(
                {
                    "campaign": [
                        _("The campaign's budget of %(n)s coupons is used up.") % {"n": locked.budget_count}
                    ]
                }
            )
        coupon: Coupon | None = None
        for _attempt in range(3):
            try:
                with transaction.atomic():  # a savepoint: a lost race leaves the outer transaction usable
                    if locked.code_source == CodeSource.IMPORTED:
                        coupon = _free_code(locked)
                        if coupon is None:
                            raise ValidationError(
                                {"campaign": [_("The campaign has no unissued codes left; import more.")]}
                            )
                        coupon.person, coupon.issued_at, coupon.issued_by_run = person, now, run
                        coupon.save(update_fields=["person", "issued_at", "issued_by_run"])
                    else:
                        coupon = Coupon.objects.create(
                            workspace=workspace, campaign=locked, code=code_generate(locked.code_prefix),
                            person=person, issued_at=now, issued_by_run=run,
                        )  # fmt: skip
                break
            except IntegrityError:
                existing = Coupon.objects.filter(campaign=locked, person=person).first()
                if existing is not None:
                    return existing, False
                coupon = None  # a generated code collided (about 1 in 10^15): draw again
        if coupon is None:
            raise ValidationError({"campaign": [_("No code could be issued; try again.")]})
        audit_record(
            workspace=workspace, actor=actor, action="fans.coupon.issue", obj=coupon,
            object_repr=coupon.code, after={"campaign": locked.pk, "person": person.pk, "run": run.pk if run else None},
        )  # fmt: skip
    return coupon, True


# ---- redemptions -----------------------------------------------------------------------------


class RedemptionRefused(ValidationError):
    """A redemption was refused; ``reason`` is the code (unknown, not_issued, redeemed, expired…)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__({"code": [message]}, code=reason)
        self.reason = reason


def _refuse(reason: str, **params: Any) -> RedemptionRefused:
    messages = {
        "unknown": _("Unknown code."),
        "not_issued": _("This code was never issued to anyone."),
        "redeemed": _("This code was already redeemed on %(when)s."),
        "expired": _("This coupon expired on %(when)s."),
        "not_yet_valid": _("This coupon is valid from %(when)s."),
        "min_spend": _("The order (%(amount)s) is below the coupon's minimum spend of %(min)s."),
        "bad_amount": _("The order amount is not a number."),
        "bad_time": _("The redemption time is not a date and time, or is in the future."),
    }
    return RedemptionRefused(reason, messages[reason] % params if params else messages[reason])


def _when(workspace: Workspace, moment: dt.datetime) -> str:
    return timezone.localtime(moment, workspace.tz).strftime("%Y-%m-%d %H:%M")


def _find_coupon(workspace: Workspace, code: str) -> Coupon | None:
    """The coupon with this code, as typed or as a generated code is written (upper case, no spaces)."""
    raw = (code or "").strip()
    if not raw or len(raw) > 40:
        return None
    for candidate in dict.fromkeys([raw, normalize_code(raw)]):
        found = Coupon.objects.filter(workspace=workspace, code=candidate).select_related("campaign").first()
        if found is not None:
            return found
    return None


def _redeem(
    *,
    workspace: Workspace,
    actor: Any,
    code: str,
    order_id: str,
    order_amount: Any,
    redeemed_at: dt.datetime | None,
    source: str,
) -> Redemption:
    """The redemption itself (caller holds the transaction and has checked the permission)."""
    coupon = _find_coupon(workspace, code)
    if coupon is None:
        raise _refuse("unknown")
    coupon = Coupon.objects.select_for_update().select_related("campaign").get(pk=coupon.pk)
    campaign = coupon.campaign
    if coupon.person_id is None or coupon.issued_at is None:
        raise _refuse("not_issued")
    previous = Redemption.objects.filter(coupon=coupon).first()
    if previous is not None:
        raise _refuse("redeemed", when=_when(workspace, previous.redeemed_at))
    now = timezone.now()
    when = redeemed_at or now
    if not isinstance(when, dt.datetime):
        raise _refuse("bad_time")
    if timezone.is_naive(when):
        when = timezone.make_aware(when, workspace.tz)
    # A few minutes of clock difference with the shop is tolerated; a later time is a mistake.
    if when > now + dt.timedelta(minutes=5):
        raise _refuse("bad_time")
    if when >= campaign.valid_until:
        raise _refuse("expired", when=_when(workspace, campaign.valid_until))
    if when < campaign.valid_from:
        raise _refuse("not_yet_valid", when=_when(workspace, campaign.valid_from))
    order_id = (order_id or "").strip()[:100]
    lines = (
        list(OrderLine.objects.filter(workspace=workspace, order_id=order_id).order_by("pk"))
        if order_id
        else []
    )
    amount: Decimal | None = None
    if lines:
        # The order as imported is the better record: its lines' total is the amount.
        amount = sum((line.amount for line in lines), Decimal(0)).quantize(Decimal("0.01"))
    elif order_amount not in (None, ""):
        errors: Errors = {}
        amount = _money(order_amount, "order_amount", errors, positive=False)
        if errors:
            raise _refuse("bad_amount")
    if campaign.min_spend and amount is not None and amount < campaign.min_spend:
        raise _refuse("min_spend", amount=f"¥{amount:,.2f}", min=f"¥{campaign.min_spend:,.2f}")
    try:
        with transaction.atomic():
            redemption = Redemption.objects.create(
                workspace=workspace, coupon=coupon, person_id=coupon.person_id, order_id=order_id,
                order_amount=amount, redeemed_at=when, source=source,
            )  # fmt: skip
    except IntegrityError as exc:
        # Another redemption of the same coupon won the race (the one-to-one constraint).
        raise _refuse("redeemed", when=_when(workspace, now)) from exc
    coupon.redeemed_at = when
    coupon.save(update_fields=["redeemed_at"])
    if lines:
        OrderLine.objects.filter(pk__in=[line.pk for line in lines]).update(
            account=campaign.account_id, coupon_code=coupon.code
        )
    audit_record(
        workspace=workspace, actor=actor, action="fans.coupon.redeem", obj=redemption,
        object_repr=coupon.code, after={"order_id": order_id, "order_amount": str(amount) if amount is not None else None, "source": source},
    )  # fmt: skip
    redemption.coupon = coupon
    conversions_record(workspace=workspace, redemption=redemption)
    return redemption


def coupon_redeem(
    *,
    workspace: Workspace,
    actor: Any,
    code: str,
    order_id: str = "",
    order_amount: Any = None,
    redeemed_at: dt.datetime | None = None,
    source: str,
) -> Redemption:
    """Record a coupon's use on an order, or refuse it with the reason (RedemptionRefused)."""
    _check(workspace, actor)
    if source not in RedemptionSource.values:
        raise ValidationError({"source": [_("Unknown source.")]})
    with transaction.atomic():
        return _redeem(
            workspace=workspace, actor=actor, code=code, order_id=order_id,
            order_amount=order_amount, redeemed_at=redeemed_at, source=source,
        )  # fmt: skip


REDEMPTION_COLUMNS = {
    "code": ("code", "coupon", "券码", "优惠码"),
    "order_id": ("order_id", "order", "订单号"),
    "amount": ("amount", "order_amount", "金额"),
    "time": ("time", "redeemed_at", "时间", "核销时间"),
}


@dataclass
class RedemptionsImported:
    """What a redemption file import did."""

    rows: int
    redeemed: int


def _parse_time(text: str, workspace: Workspace) -> dt.datetime | None:
    if not text:
        return None
    value = parse_datetime(text.replace("/", "-"))
    if value is None:
        try:
            value = dt.datetime.fromisoformat(text)
        except ValueError:
            return None
    return timezone.make_aware(value, workspace.tz) if timezone.is_naive(value) else value


def redemptions_import(
    *, workspace: Workspace, actor: Any, file_name: str, content: bytes
) -> RedemptionsImported:
    """Import a file of redemptions (code, order id, amount, time) whole or not at all; errors name their line."""
    _check(workspace, actor)
    errors: list[RowError] = []
    table = read_rows(file_name, content, errors)
    if table is None:
        raise ImportRejected(errors)
    headers = [h.strip().lower() for h in table.headers]
    index: dict[str, int] = {}
    for name, aliases in REDEMPTION_COLUMNS.items():
        for i, header in enumerate(headers):
            if header in aliases:
                index[name] = i
                break
    if "code" not in index:
        raise ImportRejected([RowError(table.header_line, "code", _("The file needs a “code” column."))])

    def cell(cells: list[Any], name: str) -> str:
        i = index.get(name)
        return cell_text(cells[i]) if i is not None and i < len(cells) else ""

    redeemed = 0
    rows = 0
    try:
        with transaction.atomic():
            for line, cells in table.rows:
                code = cell(cells, "code")
                if not code:
                    continue
                rows += 1
                when_text = cell(cells, "time")
                when = _parse_time(when_text, workspace)
                if when_text and when is None:
                    errors.append(RowError(line, "time", _("not a date and time")))
                    continue
                try:
                    with transaction.atomic():
                        _redeem(
                            workspace=workspace, actor=actor, code=code, order_id=cell(cells, "order_id"),
                            order_amount=cell(cells, "amount") or None, redeemed_at=when, source=RedemptionSource.IMPORT,
                        )  # fmt: skip
                    redeemed += 1
                except ValidationError as exc:
                    errors.append(RowError(line, "code", " ".join(exc.messages)))
            if errors:
                raise ImportRejected(errors)
    except ImportRejected:
        raise
    return RedemptionsImported(rows=rows, redeemed=redeemed)


# ---- the signed webhook ----------------------------------------------------------------------


class WebhookRefused(Exception):
    """A webhook request that is not accepted; ``status`` is the HTTP answer."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def coupon_webhook_receive(
    *, campaign_id: int, body: bytes, signature: str, timestamp: str, now: dt.datetime | None = None
) -> Redemption:
    """A redemption pushed by a shop: signature and timestamp checked before anything is read or written.

    The signature is ``sha256=`` + HMAC-SHA256 over ``<timestamp>.<raw body>`` with the campaign's
    webhook secret; the timestamp (Unix seconds) must be within 5 minutes of our clock.
    """
    campaign = CouponCampaign.objects.select_related("workspace").filter(pk=campaign_id).first()
    # An unknown campaign and a bad signature look the same: nothing to learn by probing.
    if campaign is None or not webhook_signature_ok(campaign.webhook_secret, timestamp, body, signature):
        raise WebhookRefused(401, _("Bad signature."))
    try:
        sent = dt.datetime.fromtimestamp(int(timestamp), tz=dt.UTC)
    except (ValueError, OverflowError, OSError):
        raise WebhookRefused(401, _("Bad timestamp.")) from None
    if abs((now or timezone.now()) - sent) > WEBHOOK_WINDOW:
        raise WebhookRefused(401, _("The request is too old or from the future."))
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise WebhookRefused(400, _("The body is not JSON.")) from None
    if not isinstance(data, dict) or not isinstance(data.get("code"), str):
        raise WebhookRefused(400, _("The body needs a “code”."))
    workspace = campaign.workspace
    when = _parse_time(str(data.get("redeemed_at") or ""), workspace)
    with transaction.atomic():
        coupon = _find_coupon(workspace, data["code"])
        if coupon is not None and coupon.campaign_id != campaign.pk:
            raise _refuse("unknown")
        return _redeem(
            workspace=workspace, actor=None, code=data["code"], order_id=str(data.get("order_id") or ""),
            order_amount=data.get("order_amount"), redeemed_at=when, source=RedemptionSource.WEBHOOK,
        )  # fmt: skip
