"""Reads of people: the fan list with its filters, one profile, its timeline and monthly activity."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from socialops.accounts.selectors import own_accounts
from socialops.core.time import local_today
from socialops.workspaces.access import membership_get
from socialops.workspaces.models import Workspace
from socialops.workspaces.roles import Perm

from ..models import (
    Coupon,
    Fan,
    Interaction,
    OrderLine,
    Person,
    PersonInterest,
    PersonMerge,
    Redemption,
    Segment,
    SegmentEvent,
    SegmentKind,
)

MAX_ID = 2**63 - 1
TIMELINE_PAGE = 30

SORT_VALUE = "value"
SORT_ACTIVE = "active"
SORT_SPEND = "spend"
# Highest first; people without a figure last, then the newest person first for a stable order.
SORTS: dict[str, tuple[Any, ...]] = {
    SORT_VALUE: (F("expected_value").desc(nulls_last=True), F("total_spend").desc(), "-pk"),
    SORT_ACTIVE: (F("last_active_at").desc(nulls_last=True), "-pk"),
    SORT_SPEND: (F("total_spend").desc(), F("expected_value").desc(nulls_last=True), "-pk"),
}

# "#000123" or "123": the pseudonym everyone may search by.
_PSEUDONYM = re.compile(r"#?\s*(\d{1,18})")


def can_identify(*, workspace: Workspace, user: Any) -> bool:
    """True when the member may see real names, handles and customer ids (else pseudonyms)."""
    return membership_get(workspace=workspace, user=user).has_perm(Perm.FANS_IDENTITY)


def _people(workspace: Workspace, user: Any) -> QuerySet[Person]:
    membership_get(workspace=workspace, user=user)
    fans = Fan.objects.select_related("account").order_by("account__platform", "pk")
    return (
        Person.objects.filter(workspace=workspace)
        .select_related("tier")
        .prefetch_related(Prefetch("fans", queryset=fans))
    )


def person_list(
    *,
    workspace: Workspace,
    user: Any,
    q: str = "",
    tier: int | None = None,
    account: int | None = None,
    platform: str = "",
    sort: str = SORT_VALUE,
) -> QuerySet[Person]:
    """The workspace's people, filtered and sorted as the fan list asks.

    Searching by name, handle or customer id works only for members who may see identities:
    for the others a match would confirm who a pseudonym is. Everyone may search by pseudonym.
    """
    qs = _people(workspace, user)
    if tier:
        qs = qs.filter(tier_id=tier)
    if account or platform:
        fans = Fan.objects.filter(person=OuterRef("pk"))
        if account:
            fans = fans.filter(account_id=account)
        if platform:
            fans = fans.filter(account__platform=platform)
        qs = qs.filter(Exists(fans))
    q = (q or "").strip()
    if q:
        match = Q(pk__in=[])
        pseudonym = _PSEUDONYM.fullmatch(q)
        if pseudonym and int(pseudonym.group(1)) <= MAX_ID:
            match |= Q(pk=int(pseudonym.group(1)))
        if can_identify(workspace=workspace, user=user):
            named = Fan.objects.filter(person=OuterRef("pk")).filter(
                Q(handle__icontains=q) | Q(display_name__icontains=q) | Q(external_id=q)
            )
            match |= (
                Q(display_name__icontains=q) | Q(customer_id__iexact=q) | Q(union_id=q) | Q(Exists(named))
            )
        qs = qs.filter(match)
    return qs.order_by(*SORTS.get(sort, SORTS[SORT_VALUE]))


def person_get(*, workspace: Workspace, user: Any, person_id: int) -> Person:
    """One person of this workspace, or Http404 (also for another workspace's)."""
    if not 0 < person_id <= MAX_ID:
        raise Http404(_("Not found."))
    return get_object_or_404(_people(workspace, user), pk=person_id)


def person_interests(*, workspace: Workspace, user: Any, person: Person) -> list[PersonInterest]:
    """The person's interest tags, heaviest first."""
    membership_get(workspace=workspace, user=user)
    return list(PersonInterest.objects.filter(workspace=workspace, person=person).order_by("-weight", "tag"))


def person_merges(*, workspace: Workspace, user: Any, person: Person, limit: int = 10) -> list[PersonMerge]:
    """Merges into this person that can still be undone, newest first."""
    membership_get(workspace=workspace, user=user)
    qs = PersonMerge.objects.filter(workspace=workspace, into=person, undone_at__isnull=True)
    return list(qs.select_related("merged_by").order_by("-merged_at", "-pk")[:limit])


def merge_get(*, workspace: Workspace, user: Any, merge_id: int) -> PersonMerge:
    """One merge record of this workspace, or Http404."""
    membership_get(workspace=workspace, user=user)
    if not 0 < merge_id <= MAX_ID:
        raise Http404(_("Not found."))
    return get_object_or_404(
        PersonMerge.objects.filter(workspace=workspace).select_related("into"), pk=merge_id
    )


def filter_choices(*, workspace: Workspace, user: Any) -> dict[str, Any]:
    """Tiers, our accounts and their platforms, for the fan list's filters."""
    accounts = list(own_accounts(workspace=workspace, user=user))
    platforms: dict[str, str] = {}
    for a in accounts:
        platforms.setdefault(a.platform, str(a.get_platform_display()))
    tiers = list(Segment.objects.filter(workspace=workspace, kind=SegmentKind.TIER).order_by("rank", "name"))
    return {"tiers": tiers, "accounts": accounts, "platforms": sorted(platforms.items())}


# ---- timeline --------------------------------------------------------------------------------

INTERACTION = "interaction"
ORDER = "order"
COUPON = "coupon"
REDEMPTION = "redemption"
SEGMENT = "segment"


@dataclass(frozen=True)
class TimelineEntry:
    """One thing on a person's timeline: what kind, when, and the row it comes from."""

    kind: str
    at: dt.datetime
    obj: Any


@dataclass(frozen=True)
class TimelinePage:
    """One page of a timeline, newest first."""

    entries: list[TimelineEntry]
    number: int
    per_page: int
    total: int

    @property
    def has_next(self) -> bool:
        return self.number * self.per_page < self.total

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def person_timeline_slice(
    *, workspace: Workspace, user: Any, person: Person, offset: int, limit: int
) -> tuple[list[TimelineEntry], int]:
    """Entries ``offset`` … ``offset + limit`` of the timeline (newest first), and how many there are.

    Interactions, order lines, coupons issued and redeemed, segment and tier changes. Each source
    is read newest first and only as deep as the slice needs, then the sources are merged, so
    the first page of a person with years of history costs a few small queries.
    """
    membership_get(workspace=workspace, user=user)
    offset = max(0, min(int(offset), 10**6))
    limit = max(1, min(int(limit), 200))
    depth = offset + limit
    sources: list[tuple[str, QuerySet[Any], str]] = [
        (
            INTERACTION,
            Interaction.objects.filter(workspace=workspace, person=person)
            .select_related("fan", "account")
            .order_by("-occurred_at", "-pk"),
            "occurred_at",
        ),
        (
            ORDER,
            OrderLine.objects.filter(workspace=workspace, person=person).order_by("-ordered_at", "-pk"),
            "ordered_at",
        ),
        (
            COUPON,
            Coupon.objects.filter(workspace=workspace, person=person, issued_at__isnull=False)
            .select_related("campaign")
            .order_by("-issued_at", "-pk"),
            "issued_at",
        ),
        (
            REDEMPTION,
            Redemption.objects.filter(workspace=workspace, person=person)
            .select_related("coupon__campaign")
            .order_by("-redeemed_at", "-pk"),
            "redeemed_at",
        ),
        (
            SEGMENT,
            SegmentEvent.objects.filter(workspace=workspace, person=person)
            .select_related("segment")
            .order_by("-at", "-pk"),
            "at",
        ),
    ]
    total = 0
    entries: list[TimelineEntry] = []
    for kind, qs, field in sources:
        total += qs.count()
        entries.extend(TimelineEntry(kind, getattr(obj, field), obj) for obj in qs[:depth])
    entries.sort(key=lambda e: (e.at, e.kind, e.obj.pk), reverse=True)
    return entries[offset:depth], total


def person_timeline(
    *, workspace: Workspace, user: Any, person: Person, page: int = 1, per_page: int = TIMELINE_PAGE
) -> TimelinePage:
    """One page of the person's timeline, newest first (see person_timeline_slice)."""
    page = max(1, min(int(page), 10_000))
    per_page = max(1, min(int(per_page), 200))
    entries, total = person_timeline_slice(
        workspace=workspace, user=user, person=person, offset=(page - 1) * per_page, limit=per_page
    )
    return TimelinePage(entries, page, per_page, total)


def person_monthly_activity(
    *, workspace: Workspace, user: Any, person: Person, months: int = 12
) -> list[tuple[dt.date, int, int]]:
    """(month, interactions, orders) for the last ``months`` months in the workspace's time zone."""
    membership_get(workspace=workspace, user=user)
    tz = workspace.tz
    today = local_today(workspace).replace(day=1)
    first = today
    for _i in range(months - 1):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    start = dt.datetime.combine(first, dt.time.min, tzinfo=tz)

    def per_month(qs: QuerySet[Any], field: str, counted: Count) -> dict[dt.date, int]:
        # order_by(): the models' default ordering would otherwise join the GROUP BY.
        rows = (
            qs.filter(**{f"{field}__gte": start})
            .order_by()
            .annotate(month=TruncMonth(field, tzinfo=tz))
            .values("month")
            .annotate(n=counted)
        )
        out: dict[dt.date, int] = {}
        for row in rows:
            month = row["month"]
            day = month.date() if isinstance(month, dt.datetime) else month
            out[day] = out.get(day, 0) + row["n"]
        return out

    interactions = per_month(
        Interaction.objects.filter(workspace=workspace, person=person), "occurred_at", Count("pk")
    )
    orders = per_month(
        OrderLine.objects.filter(workspace=workspace, person=person, is_cancellation=False),
        "ordered_at",
        Count("order_id", distinct=True),
    )
    result = []
    month = first
    while month <= today:
        result.append((month, interactions.get(month, 0), orders.get(month, 0)))
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return result
