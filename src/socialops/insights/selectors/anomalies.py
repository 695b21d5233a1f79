"""Anomalies (issue 14 §2): days on which an account's daily figure leaves its expected band.

The band is weekday-aware: a day is compared with the same weekday in the BASELINE_WEEKS weeks
before it (at least MIN_BASELINE of them with a figure), as median ± K_MAD · 1.4826 · MAD. When
the MAD is small the half-width is at least 10% of the median and K_MAD · √median (the Poisson
spread of a count), and at least 1, so a flat or small series does not flag every small change. Only days with a figure are judged.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from typing import Any

from django.utils.translation import gettext_lazy

from socialops.accounts.models import SocialAccount
from socialops.accounts.selectors import own_accounts
from socialops.core.time import local_today
from socialops.goals.models import MetricSnapshot
from socialops.workspaces.access import membership_get
from socialops.workspaces.models import Workspace

from .. import stats

METRICS: dict[str, Any] = {
    "new_followers": gettext_lazy("New followers"),
    "lost_followers": gettext_lazy("Lost followers"),
    "impressions": gettext_lazy("Impressions"),
    "engagements": gettext_lazy("Engagements"),
    "link_clicks": gettext_lazy("Link clicks"),
    "leads": gettext_lazy("Leads"),
    "orders": gettext_lazy("Orders"),
    "revenue": gettext_lazy("Revenue"),
}
BASELINE_WEEKS = 8
MIN_BASELINE = 4
DAY_CHOICES = (14, 30, 90)
DEFAULT_DAYS = 30


def _value(snap: MetricSnapshot, metric: str) -> float | None:
    raw = snap.engagements if metric == "engagements" else getattr(snap, metric)
    return None if raw is None else float(raw)


def judge(series: dict[dt.date, float], day: dt.date, k: float = stats.K_MAD) -> dict[str, Any] | None:
    """The band of ``day`` from the same weekday of the weeks before, and whether its figure leaves it."""
    past = [series[d] for w in range(1, BASELINE_WEEKS + 1) if (d := day - dt.timedelta(weeks=w)) in series]
    if len(past) < MIN_BASELINE or day not in series:
        return None
    band = stats.median_mad_band(past, k)
    assert band is not None
    median = band[0]
    # Counts vary by about √median on their own (Poisson), which 8 past values' MAD can understate.
    half = max(band[2] - median, 0.1 * abs(median), k * math.sqrt(abs(median)), 1.0)
    value = series[day]
    low, high = median - half, median + half
    direction = "high" if value > high else "low" if value < low else ""
    return {
        "date": day,
        "value": value,
        "expected": median,
        "low": low,
        "high": high,
        "direction": direction,
        "size": value - median,
        "size_pct": (value - median) / abs(median) * 100 if median else None,
    }


def anomalies(
    *,
    workspace: Workspace,
    user: Any,
    account: SocialAccount | None = None,
    days: int = DEFAULT_DAYS,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """Every (account, metric, day) of the last ``days`` days whose figure leaves its weekday band."""
    membership_get(workspace=workspace, user=user)
    today = today or local_today(workspace)
    start = today - dt.timedelta(days=days - 1)
    accounts = [account] if account is not None else list(own_accounts(workspace=workspace, user=user))
    names = {a.pk: f"{a.display_name} · {a.get_platform_display()}" for a in accounts}
    series: dict[tuple[int, str], dict[dt.date, float]] = defaultdict(dict)
    snaps = MetricSnapshot.objects.filter(
        workspace=workspace,
        account__in=accounts,
        date__gte=start - dt.timedelta(weeks=BASELINE_WEEKS),
        date__lte=today,
    )
    for snap in snaps:
        for metric in METRICS:
            value = _value(snap, metric)
            if value is not None:
                series[(snap.account_id, metric)][snap.date] = value
    found = []
    judged = 0
    for (account_id, metric), values in series.items():
        for day in sorted(d for d in values if d >= start):
            verdict = judge(values, day)
            if verdict is None:
                continue
            judged += 1
            if verdict["direction"]:
                found.append(
                    {
                        "account": account_id,
                        "account_name": names[account_id],
                        "metric": metric,
                        "metric_label": str(METRICS[metric]),
                        **verdict,
                    }  # fmt: skip
                )
    found.sort(key=lambda r: (r["date"], r["account_name"], r["metric"]), reverse=True)
    return {"start": start, "end": today, "days": days, "judged": judged, "anomalies": found}


def band_series(
    *, workspace: Workspace, user: Any, account: SocialAccount, metric: str, days: int = DEFAULT_DAYS,
    today: dt.date | None = None,
) -> list[dict[str, Any]]:  # fmt: skip
    """One account's metric day by day over the window with its band (for the chart)."""
    membership_get(workspace=workspace, user=user)
    today = today or local_today(workspace)
    start = today - dt.timedelta(days=days - 1)
    values: dict[dt.date, float] = {}
    for snap in MetricSnapshot.objects.filter(
        workspace=workspace,
        account=account,
        date__gte=start - dt.timedelta(weeks=BASELINE_WEEKS),
        date__lte=today,
    ):
        value = _value(snap, metric)
        if value is not None:
            values[snap.date] = value
    out = []
    for offset in range(days):
        day = start + dt.timedelta(days=offset)
        verdict = judge(values, day)
        out.append(
            verdict
            or {
                "date": day,
                "value": values.get(day),
                "expected": None,
                "low": None,
                "high": None,
                "direction": "",
            }
        )
    return out
