"""People as members see them: names or pseudonyms, timeline sentences, the activity chart.

Every place that shows who someone is goes through ``person_name`` / ``fan_label``, so a member
without Perm.FANS_IDENTITY sees ``person.pseudonym`` on pages and in the API alike.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from ..models import Fan, Person, SegmentEventKind, SegmentKind
from ..selectors.people import COUPON, INTERACTION, ORDER, REDEMPTION, SEGMENT, TimelineEntry

ACTIVITY_COLORS = {"interactions": "#0d6efd", "orders": "#198754"}


def person_name(person: Person, identify: bool) -> str:
    """The person's name for this member: their name (or a fan's) with fans.identity, else the pseudonym."""
    if not identify:
        return person.pseudonym
    if person.display_name:
        return person.display_name
    for fan in person.fans.all():
        if fan.display_name or fan.handle:
            return fan.display_name or fan.handle
    return person.customer_id or person.pseudonym


def fan_label(fan: Fan | None, person: Person, identify: bool) -> str:
    """Who wrote a message: the fan's name and handle with fans.identity, else the person's pseudonym."""
    if not identify or fan is None:
        return person.pseudonym if not identify else person_name(person, True)
    if fan.display_name and fan.handle:
        return f"{fan.display_name} (@{fan.handle})"
    return fan.display_name or (f"@{fan.handle}" if fan.handle else person_name(person, True))


def platforms_of(person: Person) -> list[tuple[str, str]]:
    """(code, label) of the platforms the person is a fan on, each once."""
    seen: dict[str, str] = {}
    for fan in person.fans.all():
        seen.setdefault(fan.account.platform, str(fan.account.get_platform_display()))
    return list(seen.items())


def fan_rows(person: Person, identify: bool) -> list[dict[str, Any]]:
    """The person's identities per platform; ids, handles and names only with fans.identity."""
    rows = []
    for fan in person.fans.all():
        rows.append(
            {
                "id": fan.pk,
                "account_id": fan.account_id,
                "account": str(fan.account.display_name),
                "platform": fan.account.platform,
                "platform_label": str(fan.account.get_platform_display()),
                "external_id": fan.external_id if identify else None,
                "union_id": (fan.union_id or None) if identify else None,
                "handle": (fan.handle or None) if identify else None,
                "display_name": (fan.display_name or None) if identify else None,
                "is_following": fan.is_following,
                "followed_at": fan.followed_at,
                "last_seen_at": fan.last_seen_at,
            }
        )
    return rows


def _money(amount: Decimal | None, currency: str = "CNY") -> str:
    if amount is None:
        return "—"
    return f"{amount:,.2f} {currency}" if currency != "CNY" else f"¥{amount:,.2f}"


def timeline_row(entry: TimelineEntry, person: Person, identify: bool) -> dict[str, Any]:
    """One timeline entry as {kind, at, title, detail, author, account}, in the member's language."""
    obj = entry.obj
    row: dict[str, Any] = {
        "kind": entry.kind,
        "at": entry.at,
        "title": "",
        "detail": "",
        "author": "",
        "account": "",
    }
    if entry.kind == INTERACTION:
        row["title"] = str(obj.get_kind_display())
        row["detail"] = obj.text
        row["author"] = fan_label(obj.fan, person, identify)
        row["account"] = obj.account.display_name if obj.account_id and obj.account else ""
    elif entry.kind == ORDER:
        if obj.is_cancellation:
            row["title"] = _("Cancellation of order %(order)s") % {"order": obj.order_id}
        else:
            row["title"] = _("Order %(order)s") % {"order": obj.order_id}
        row["detail"] = " · ".join(
            p for p in (_money(obj.amount, obj.currency), obj.product, obj.category) if p
        )
    elif entry.kind == COUPON:
        row["title"] = _("Coupon issued: %(campaign)s") % {"campaign": obj.campaign.name}
        row["detail"] = obj.code
    elif entry.kind == REDEMPTION:
        row["title"] = _("Coupon redeemed: %(campaign)s") % {"campaign": obj.coupon.campaign.name}
        parts = [obj.coupon.code]
        if obj.order_id:
            parts.append(_("order %(order)s") % {"order": obj.order_id})
        if obj.order_amount is not None:
            parts.append(_money(obj.order_amount))
        row["detail"] = " · ".join(parts)
    elif entry.kind == SEGMENT:
        tier = obj.segment.kind == SegmentKind.TIER
        entered = obj.kind == SegmentEventKind.ENTERED
        if tier:
            template = _("Moved into tier %(name)s") if entered else _("Left tier %(name)s")
        else:
            template = _("Entered segment %(name)s") if entered else _("Left segment %(name)s")
        row["title"] = template % {"name": obj.segment.name}
    return row


def activity_chart_option(months: list[tuple[dt.date, int, int]]) -> dict[str, Any]:
    """ECharts option: interactions and orders per month (bars), small enough for a phone."""
    if not any(i or o for _m, i, o in months):
        return {}
    interactions, orders = _("Interactions"), _("Orders")
    return {
        "animation": False,
        "color": [ACTIVITY_COLORS["interactions"], ACTIVITY_COLORS["orders"]],
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0, "data": [interactions, orders]},
        "grid": {"left": 8, "right": 8, "top": 32, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "category", "data": [m.strftime("%Y-%m") for m, _i, _o in months]},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [
            {"name": interactions, "type": "bar", "data": [i for _m, i, _o in months]},
            {"name": orders, "type": "bar", "data": [o for _m, _i, o in months]},
        ],
    }


def pct(value: float | None) -> str:
    """A probability as a percentage ("—" when not computed)."""
    return "—" if value is None else f"{value * 100:.0f}%"


def merge_label(merge: Any, identify: bool) -> str:
    """A merge as "#000012 → #000034 (name)": what the unmerge button undoes."""
    merged = f"#{merge.merged_person_id:06d}"
    snap: dict[str, Any] = merge.snapshot if isinstance(merge.snapshot, dict) else {}
    # The merge service keeps the merged person's fields in the snapshot under "person".
    person = snap.get("person")
    fields: dict[str, Any] = person if isinstance(person, dict) else {}
    name = str(fields.get("display_name") or "") if identify else ""
    return f"{merged} ({name})" if name else merged
