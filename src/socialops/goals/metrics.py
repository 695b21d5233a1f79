"""The metric catalogue: every metric a goal can aim at, and how its daily series is computed.

Raw metrics are columns of MetricSnapshot; derived ones (net growth, engagements, the rates,
retention) are computed from those columns and can never be typed in, so they cannot disagree
with the figures they come from.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from socialops.workspaces.models import Workspace

from .models import GoalKind, MetricSnapshot

# How a metric's days add up to a period's figure.
SUM = "sum"  # the period's figure is the total of its days
LEVEL = "level"  # the period's figure is the latest day's value (a follower count)
RATIO = "ratio"  # the period's figure is Σ numerator / Σ denominator (never a mean of daily ratios)
RETENTION = "retention"  # 1 − followers lost in the period / followers at its start

AGGREGATION_LABELS: dict[str, Promise] = {
    SUM: _("total over the period"),
    LEVEL: _("latest value"),
    RATIO: _("ratio of totals"),
    RETENTION: _("share of followers kept"),
}

UNIT_LABELS: dict[str, Promise | str] = {
    "people": _("people"),
    "times": _("times"),
    "leads": _("leads"),
    "coupons": _("coupons"),
    "orders": _("orders"),
    "yuan": _("yuan"),
    "posts": _("posts"),
    "rate": "%",
}

ENGAGEMENT_FIELDS = ("likes", "comments", "shares", "saves")

_G = GoalKind.GROWTH.value
_D = GoalKind.DISSEMINATION.value
_C = GoalKind.CONVERSION.value


@dataclass(frozen=True)
class MetricDef:
    """One metric of the catalogue."""

    key: str
    label: Promise
    unit: str
    aggregation: str
    kinds: tuple[str, ...]
    description: Promise
    # Snapshot columns read; for RATIO the numerator and denominator metric keys.
    fields: tuple[str, ...] = ()
    numerator: str = ""
    denominator: str = ""
    derived: bool = False
    nonnegative: bool = True

    @property
    def unit_label(self) -> str:
        return str(UNIT_LABELS.get(self.unit, self.unit))

    @property
    def aggregation_label(self) -> str:
        return str(AGGREGATION_LABELS[self.aggregation])

    @property
    def is_rate(self) -> bool:
        return self.aggregation in (RATIO, RETENTION)

    def format(self, value: float | Decimal | None, *, precise: bool = False) -> str:
        """The value as a person reads it: 12,345 · ¥1,234.50 · 3.45%.

        Counts are whole numbers (a forecast of 9,043.6 followers reads as 9,044) unless
        ``precise`` asks for one decimal, as for means per day.
        """
        if value is None:
            return "—"
        v = float(value)
        if self.is_rate:
            return f"{v * 100:.2f}%"
        if self.unit == "yuan":
            return f"¥{v:,.2f}"
        if not precise or abs(v - round(v)) < 1e-9:
            return f"{v:,.0f}"
        return f"{v:,.1f}"


CATALOGUE: dict[str, MetricDef] = {
    m.key: m
    for m in [
        MetricDef(
            "new_followers", _("New followers"), "people", SUM, (_G,),
            _("Followers gained, summed over the period."), fields=("new_followers",),
        ),
        MetricDef(
            "lost_followers", _("Lost followers"), "people", SUM, (),
            _("Followers lost (unfollows), summed over the period."), fields=("lost_followers",),
        ),
        MetricDef(
            "net_growth", _("Net follower growth"), "people", SUM, (_G,),
            _("New followers minus lost followers, summed over the period."),
            fields=("new_followers", "lost_followers"), derived=True, nonnegative=False,
        ),
        MetricDef(
            "followers_total", _("Total followers"), "people", LEVEL, (_G,),
            _("Follower count on the latest day with figures for every account."), fields=("followers_total",),
        ),
        MetricDef(
            "retention_rate", _("Follower retention"), "rate", RETENTION, (_G,),
            _("1 − followers lost in the period ÷ followers at the start of the period."),
            fields=("lost_followers", "followers_total"), derived=True,
        ),
        MetricDef(
            "impressions", _("Impressions"), "times", SUM, (_D, _C),
            _("Times content was shown, summed over the period (for conversion goals: product exposure)."),
            fields=("impressions",),
        ),
        MetricDef(
            "reach", _("Reach"), "people", SUM, (_D,),
            _("People reached, summed over the days of the period."), fields=("reach",),
        ),
        MetricDef(
            "engagements", _("Engagements"), "times", SUM, (_D,),
            _("Likes + comments + shares + saves, summed over the period."),
            fields=ENGAGEMENT_FIELDS, derived=True,
        ),
        MetricDef(
            "interaction_rate", _("Interaction rate"), "rate", RATIO, (_D,),
            _("Engagements ÷ impressions over the period."),
            numerator="engagements", denominator="impressions", derived=True,
        ),
        MetricDef(
            "link_clicks", _("Link clicks"), "times", SUM, (_C,),
            _("Clicks on links, summed over the period."), fields=("link_clicks",),
        ),
        MetricDef(
            "click_rate", _("Click rate"), "rate", RATIO, (_D,),
            _("Link clicks ÷ impressions over the period."),
            numerator="link_clicks", denominator="impressions", derived=True,
        ),
        MetricDef(
            "leads", _("Leads"), "leads", SUM, (_C,),
            _("Sales leads collected, summed over the period."), fields=("leads",),
        ),
        MetricDef(
            "coupon_redemptions", _("Coupon redemptions"), "coupons", SUM, (_C,),
            _("Coupons redeemed, summed over the period."), fields=("coupon_redemptions",),
        ),
        MetricDef(
            "orders", _("Orders"), "orders", SUM, (_C,),
            _("Orders attributed to the accounts, summed over the period."), fields=("orders",),
        ),
        MetricDef(
            "revenue", _("Revenue"), "yuan", SUM, (_C,),
            _("Revenue of those orders, summed over the period."), fields=("revenue",),
        ),
        MetricDef(
            "conversion_rate", _("Conversion rate"), "rate", RATIO, (_C,),
            _("Orders ÷ link clicks over the period."),
            numerator="orders", denominator="link_clicks", derived=True,
        ),
        MetricDef(
            "posts", _("Posts published"), "posts", SUM, (),
            _("Posts published, summed over the period."), fields=("posts",),
        ),
    ]
}  # fmt: skip


def metric_get(key: str) -> MetricDef | None:
    """The catalogue entry of ``key``, or None."""
    return CATALOGUE.get(key)


def metrics_for_kind(kind: str) -> list[MetricDef]:
    """Metrics a goal of this kind may use, in catalogue order."""
    return [m for m in CATALOGUE.values() if kind in m.kinds]


def metric_choices(kind: str | None = None) -> list[tuple[str, str]]:
    """(key, label) pairs for a select; every goal metric when ``kind`` is None."""
    return [
        (m.key, str(m.label)) for m in CATALOGUE.values() if m.kinds and (kind is None or kind in m.kinds)
    ]


def catalogue_rows() -> list[dict[str, Any]]:
    """The catalogue as plain data (for the API and the pages)."""
    return [
        {
            "key": m.key,
            "label": str(m.label),
            "unit": m.unit,
            "unit_label": m.unit_label,
            "aggregation": m.aggregation,
            "aggregation_label": m.aggregation_label,
            "kinds": list(m.kinds),
            "derived": m.derived,
            "description": str(m.description),
        }
        for m in CATALOGUE.values()
    ]


@dataclass
class MetricSeries:
    """Daily figures of one metric for a set of accounts; a day without figures is absent.

    ``value`` is the metric's own daily figure (for a RATIO the day's ratio). For RATIO metrics
    ``num``/``den`` hold the daily numerator and denominator (only days where both are known);
    for RETENTION ``num`` holds followers lost per day and ``den`` the follower level per day
    (including the day before the requested start, the level the period starts from).
    """

    metric: MetricDef
    start: dt.date
    end: dt.date
    value: dict[dt.date, float] = field(default_factory=dict)
    num: dict[dt.date, float] = field(default_factory=dict)
    den: dict[dt.date, float] = field(default_factory=dict)

    def days(self) -> list[dt.date]:
        """Days with a figure, ascending."""
        if self.metric.aggregation in (RATIO, RETENTION):
            return sorted(d for d in self.num if self.start <= d <= self.end)
        return sorted(d for d in self.value if self.start <= d <= self.end)


def _raw_fields(metric: MetricDef) -> tuple[str, ...]:
    if metric.aggregation == RATIO:
        return _raw_fields(CATALOGUE[metric.numerator]) + _raw_fields(CATALOGUE[metric.denominator])
    return metric.fields


def _combine(metric: MetricDef, row: dict[str, Any]) -> float | None:
    """A SUM/LEVEL metric's day figure from the day's aggregated columns (None = unknown)."""
    if metric.key == "net_growth":
        new, lost = row.get("new_followers"), row.get("lost_followers")
        # Net growth needs both sides; half of it would be a wrong number, not a partial one.
        return None if new is None or lost is None else float(new) - float(lost)
    if metric.key == "engagements":
        parts = [row.get(f) for f in ENGAGEMENT_FIELDS]
        # Same rule as MetricSnapshot.engagements: unknown only when every part is unknown.
        return None if all(p is None for p in parts) else float(sum(p or 0 for p in parts))
    value = row.get(metric.fields[0])
    return None if value is None else float(value)


def metric_daily_series(
    *,
    workspace: Workspace,
    metric: MetricDef | str,
    start: dt.date,
    end: dt.date,
    accounts: Iterable[Any] | None = None,
) -> MetricSeries:
    """The metric's daily series for the accounts (all our own accounts when none are given).

    One aggregate query: the columns the metric needs, summed over the accounts per date. A day
    where no account reported a column is absent, not zero. For a level (follower count) a day
    counts only when as many accounts reported it as on the best-covered day of the range, so a
    late import for one account does not show up as a drop in followers.
    """
    m = CATALOGUE[metric] if isinstance(metric, str) else metric
    fields = tuple(dict.fromkeys(_raw_fields(m)))
    query_start = start - dt.timedelta(days=1) if m.aggregation == RETENTION else start
    qs = MetricSnapshot.objects.filter(workspace=workspace, date__gte=query_start, date__lte=end)
    account_ids = None if accounts is None else [getattr(a, "pk", a) for a in accounts]
    # No accounts named = all our own accounts; competitors' figures never count towards a goal.
    qs = qs.filter(account_id__in=account_ids) if account_ids else qs.filter(account__is_competitor=False)
    # Aliases differ from the column names: an annotation named like a column would shadow it.
    annotations: dict[str, Any] = {f"sum_{f}": Sum(f) for f in fields}
    if "followers_total" in fields:
        annotations["n_followers_total"] = Count("followers_total", filter=Q(followers_total__isnull=False))
    raw: list[dict[str, Any]] = [
        dict(r) for r in qs.order_by().values("date").annotate(**annotations).order_by("date")
    ]
    rows = [
        {
            "date": r["date"],
            "followers_total__n": r.get("n_followers_total"),
            **{f: r[f"sum_{f}"] for f in fields},
        }
        for r in raw
    ]

    series = MetricSeries(metric=m, start=start, end=end)
    if m.aggregation == RATIO:
        num_m, den_m = CATALOGUE[m.numerator], CATALOGUE[m.denominator]
        for row in rows:
            n, d = _combine(num_m, row), _combine(den_m, row)
            if n is None or d is None:
                continue
            series.num[row["date"]] = n
            series.den[row["date"]] = d
            if d > 0:
                series.value[row["date"]] = n / d
        return series

    full = max((row.get("followers_total__n") or 0 for row in rows), default=0)
    for row in rows:
        if m.aggregation == RETENTION:
            if row.get("lost_followers") is not None and row["date"] >= start:
                series.num[row["date"]] = float(row["lost_followers"])
            if row.get("followers_total") is not None and row["followers_total__n"] == full:
                series.den[row["date"]] = float(row["followers_total"])
            continue
        if m.aggregation == LEVEL and row.get("followers_total__n") != full:
            continue
        value = _combine(m, row)
        if value is not None:
            series.value[row["date"]] = value
    return series


def period_value(series: MetricSeries, start: dt.date, end: dt.date) -> float | None:
    """The metric's figure over [start, end] from its daily series (None when unknown).

    SUM: the total of the known days; LEVEL: the latest known day; RATIO: Σ num / Σ den;
    RETENTION: 1 − Σ lost / followers at the start (the day before ``start``, or the first
    known day of the window when that day is missing).
    """
    m = series.metric
    if m.aggregation == SUM:
        vals = [v for d, v in series.value.items() if start <= d <= end]
        return float(sum(vals)) if vals else None
    if m.aggregation == LEVEL:
        known = [d for d in series.value if start <= d <= end]
        return series.value[max(known)] if known else None
    if m.aggregation == RATIO:
        days = [d for d in series.num if start <= d <= end]
        den = sum(series.den[d] for d in days)
        return sum(series.num[d] for d in days) / den if days and den > 0 else None
    base = retention_base(series, start, end)
    lost_days = [d for d in series.num if start <= d <= end]
    if base is None or not lost_days:
        return None
    return 1.0 - sum(series.num[d] for d in lost_days) / base


def retention_base(series: MetricSeries, start: dt.date, end: dt.date) -> float | None:
    """Followers at the start of [start, end]: the level of the day before, else its first known day."""
    before = start - dt.timedelta(days=1)
    if series.den.get(before):
        return series.den[before]
    known = sorted(d for d in series.den if start <= d <= end and series.den[d] > 0)
    return series.den[known[0]] if known else None
