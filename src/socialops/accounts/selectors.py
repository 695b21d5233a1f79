"""Reads of accounts, personas and the competitor comparison (any member may read)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from socialops.workspaces.access import membership_get
from socialops.workspaces.models import Workspace

from .models import Persona, Platform, SocialAccount

MIN_DAYS = 7
MAX_DAYS = 730

OURS_COLOR = "#0d6efd"
COMPETITOR_COLOR = "#fd7e14"


def _accounts(workspace: Workspace, is_competitor: bool | None) -> QuerySet[SocialAccount]:
    qs = SocialAccount.objects.filter(workspace=workspace)
    if is_competitor is not None:
        qs = qs.filter(is_competitor=is_competitor)
    return qs.order_by("is_competitor", "platform", "handle")


def account_list(
    *, workspace: Workspace, user: Any, is_competitor: bool | None = None, with_latest_followers: bool = False
) -> QuerySet[SocialAccount]:
    """The workspace's accounts, ours first; optionally each with its latest follower count.

    With ``with_latest_followers`` every account carries ``latest_followers`` and
    ``latest_followers_date`` from its newest snapshot that has a follower figure (None if none),
    fetched in the same query.
    """
    membership_get(workspace=workspace, user=user)
    qs = _accounts(workspace, is_competitor)
    if with_latest_followers:
        from socialops.goals.models import MetricSnapshot

        latest = MetricSnapshot.objects.filter(
            workspace=workspace, account=OuterRef("pk"), followers_total__isnull=False
        ).order_by("-date")
        qs = qs.annotate(
            latest_followers=Subquery(latest.values("followers_total")[:1]),
            latest_followers_date=Subquery(latest.values("date")[:1]),
        )
    return qs


def own_accounts(*, workspace: Workspace, user: Any) -> QuerySet[SocialAccount]:
    """Our own accounts (not competitors), by platform and handle: what goals and plans are for."""
    membership_get(workspace=workspace, user=user)
    return _accounts(workspace, False).order_by("platform", "handle")


def accounts_for_system(
    *, workspace: Workspace, is_competitor: bool | None = None
) -> QuerySet[SocialAccount]:
    """The workspace's accounts for code acting as the system (CLI, jobs): no member to check."""
    return _accounts(workspace, is_competitor)


def account_get(
    *, workspace: Workspace, user: Any, account_id: int, with_latest_followers: bool = False
) -> SocialAccount:
    """One account of this workspace, or Http404 (see account_list for ``with_latest_followers``)."""
    accounts = account_list(workspace=workspace, user=user, with_latest_followers=with_latest_followers)
    return get_object_or_404(accounts, pk=account_id)


def account_get_by_ref(*, workspace: Workspace, user: Any, ref: str | int) -> SocialAccount:
    """The account named by its id or its handle (a leading @ is ignored).

    An id wins over a handle that happens to be the same digits. A handle used on several
    platforms is ambiguous: the caller is asked for the id instead of being given a guess.
    """
    accounts = account_list(workspace=workspace, user=user)
    text = str(ref).strip()
    if text.isdigit():
        by_id = accounts.filter(pk=int(text)).first()
        if by_id is not None:
            return by_id
    handle = text.removeprefix("@")
    matches = list(accounts.filter(handle__iexact=handle)) if handle else []
    if not matches:
        raise Http404(
            _("No account with the id or handle “%(ref)s” in this workspace.") % {"ref": text[:100]}
        )
    if len(matches) > 1:
        listing = ", ".join(f"{a.pk} ({a.get_platform_display()})" for a in matches)
        raise ValidationError(
            {
                "account": [
                    _(
                        "The handle “%(handle)s” is used on several platforms; give the account id instead: %(ids)s."
                    )
                    % {"handle": handle[:100], "ids": listing}
                ]
            }
        )
    return matches[0]


def persona_list(*, workspace: Workspace, user: Any, account: SocialAccount) -> QuerySet[Persona]:
    """Personas of one account of this workspace."""
    membership_get(workspace=workspace, user=user)
    if account.workspace_id != workspace.pk:
        raise Http404(_("Not found."))
    return Persona.objects.filter(workspace=workspace, account=account).order_by("name", "pk")


def persona_get(*, workspace: Workspace, user: Any, persona_id: int) -> Persona:
    """One persona of this workspace, or Http404."""
    membership_get(workspace=workspace, user=user)
    return get_object_or_404(
        Persona.objects.filter(workspace=workspace).select_related("account"), pk=persona_id
    )


def workspace_today(workspace: Workspace) -> dt.date:
    """Today's date in the workspace's time zone (snapshots are local days)."""
    return timezone.now().astimezone(workspace.tz).date()


def _week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _ratio(numerator: int, denominator: int, digits: int) -> float | None:
    if denominator <= 0:
        return None
    return round(numerator / denominator, digits)


def competitor_comparison(
    *, workspace: Workspace, user: Any, days: int = 90, today: dt.date | None = None
) -> dict[str, Any]:
    """Our accounts and competitors' side by side over the last ``days`` days (R1.2).

    Per account: the latest follower count in the window, posts per week (posts summed over the
    window divided by the number of calendar weeks, Monday to Sunday, with a post figure),
    engagement rate ((likes + comments + shares + saves) / impressions) and engagements per post
    (for competitors whose impressions are not public), plus weekly follower counts (the last
    known figure of each week). A blank figure is unknown, not zero: each ratio uses only the
    days on which both of its figures are known.
    """
    from socialops.goals.models import MetricSnapshot

    membership_get(workspace=workspace, user=user)
    if isinstance(days, bool) or not isinstance(days, int) or not MIN_DAYS <= days <= MAX_DAYS:
        raise ValidationError(
            {"days": [_("Choose a window of %(min)d to %(max)d days.") % {"min": MIN_DAYS, "max": MAX_DAYS}]}
        )
    end = today or workspace_today(workspace)
    start = end - dt.timedelta(days=days - 1)
    weeks: list[dt.date] = []
    week = _week_start(start)
    while week <= end:
        weeks.append(week)
        week += dt.timedelta(days=7)
    week_index = {w: i for i, w in enumerate(weeks)}

    accounts = list(_accounts(workspace, None))
    stats: dict[int, dict[str, Any]] = {
        a.pk: {
            "followers": None,
            "followers_date": None,
            "weekly": [None] * len(weeks),
            "posts": 0,
            "post_weeks": set(),
            "has_posts": False,
            "engagements": 0,
            "has_engagements": False,
            "impressions": None,
            "rate_engagements": 0,
            "rate_impressions": 0,
            "per_post_engagements": 0,
            "per_post_posts": 0,
            "days": 0,
        }
        for a in accounts
    }
    # One query for every account's days in the window; the sums are cheap in Python and the
    # weekly series needs the rows anyway.
    rows = (
        MetricSnapshot.objects.filter(workspace=workspace, date__gte=start, date__lte=end)
        .order_by("account_id", "date")
        .values_list(
            "account_id",
            "date",
            "followers_total",
            "likes",
            "comments",
            "shares",
            "saves",
            "impressions",
            "posts",
        )
    )
    for account_id, day, followers, likes, comments, shares, saves, impressions, posts in rows:
        s = stats.get(account_id)
        if s is None:
            continue
        s["days"] += 1
        week_no = week_index[_week_start(day)]
        if followers is not None:
            s["followers"], s["followers_date"] = followers, day
            s["weekly"][week_no] = followers
        if posts is not None:
            s["posts"] += posts
            s["has_posts"] = True
            s["post_weeks"].add(week_no)
        if impressions is not None:
            s["impressions"] = (s["impressions"] or 0) + impressions
        parts = [p for p in (likes, comments, shares, saves) if p is not None]
        engagements = sum(parts) if parts else None
        if engagements is not None:
            s["engagements"] += engagements
            s["has_engagements"] = True
            if impressions is not None:
                s["rate_engagements"] += engagements
                s["rate_impressions"] += impressions
            if posts is not None:
                s["per_post_engagements"] += engagements
                s["per_post_posts"] += posts

    platform_labels = dict(Platform.choices)
    result_accounts = []
    for a in accounts:
        s = stats[a.pk]
        result_accounts.append(
            {
                "id": a.pk,
                "handle": a.handle,
                "display_name": a.display_name,
                "platform": a.platform,
                "platform_label": str(platform_labels.get(a.platform, a.platform)),
                "is_competitor": a.is_competitor,
                "days_with_data": s["days"],
                "followers": s["followers"],
                "followers_date": s["followers_date"].isoformat() if s["followers_date"] else None,
                "posts": s["posts"] if s["has_posts"] else None,
                "weeks_with_posts": len(s["post_weeks"]),
                "posts_per_week": _ratio(s["posts"], len(s["post_weeks"]), 2),
                "engagements": s["engagements"] if s["has_engagements"] else None,
                "impressions": s["impressions"],
                "engagement_rate": _ratio(s["rate_engagements"], s["rate_impressions"], 4),
                "engagements_per_post": _ratio(s["per_post_engagements"], s["per_post_posts"], 1),
                "followers_series": s["weekly"],
            }
        )
    return {
        "days": days,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "weeks": [w.isoformat() for w in weeks],
        "accounts": result_accounts,
        "has_ours": any(not a["is_competitor"] for a in result_accounts),
        "has_competitors": any(a["is_competitor"] for a in result_accounts),
        "has_data": any(a["days_with_data"] for a in result_accounts),
    }


def _label(row: dict[str, Any]) -> str:
    return f"{row['display_name']} · {row['platform_label']}"


def _side_by_side_bar(
    title: str, rows: list[dict[str, Any]], values: Iterable[float | int | None], *, percent: bool = False
) -> dict[str, Any]:
    """Horizontal bars, one per account (names stay readable), ours and competitors in two colours."""
    values = list(values)
    ours_name, competitors_name = _("Our accounts"), _("Competitors")
    # Two series stacked on one slot per account: each account has a value in exactly one of
    # them, so the bars line up while the legend tells ours from theirs.
    ours = [v if not r["is_competitor"] else None for r, v in zip(rows, values, strict=True)]
    theirs = [v if r["is_competitor"] else None for r, v in zip(rows, values, strict=True)]
    axis_label: dict[str, Any] = {"formatter": "{value}%"} if percent else {}
    return {
        "title": {"text": title, "left": 0, "top": 0, "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        # ECharts 6 puts the legend at the bottom by default; keep it beside the title.
        "legend": {"data": [ours_name, competitors_name], "top": 0, "right": 0},
        "grid": {"left": 8, "right": 24, "top": 40, "bottom": 8, "containLabel": True},
        # Ours first from the top, as in the table.
        "yAxis": {"type": "category", "data": [_label(r) for r in rows], "inverse": True},
        "xAxis": {"type": "value", "axisLabel": axis_label},
        "series": [
            {
                "name": ours_name,
                "type": "bar",
                "stack": "side",
                "data": ours,
                "itemStyle": {"color": OURS_COLOR},
            },
            {
                "name": competitors_name,
                "type": "bar",
                "stack": "side",
                "data": theirs,
                "itemStyle": {"color": COMPETITOR_COLOR},
            },
        ],
    }


def competitor_chart_options(comparison: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """ECharts options for a comparison: followers, posts per week, engagement rate (and per post), trend."""
    rows = comparison["accounts"]
    rates = [None if r["engagement_rate"] is None else round(r["engagement_rate"] * 100, 2) for r in rows]
    competitor_suffix = _("competitor")
    trend_series = []
    for r in rows:
        name = f"{r['display_name']} ({r['platform_label']})"
        if r["is_competitor"]:
            name = f"{name} · {competitor_suffix}"
        trend_series.append(
            {
                "name": name,
                "type": "line",
                "connectNulls": True,
                "data": r["followers_series"],
                # Ours drawn solid, competitors dashed, so the two sides read apart at a glance.
                "lineStyle": {"type": "dashed" if r["is_competitor"] else "solid"},
                "symbol": "triangle" if r["is_competitor"] else "circle",
            }
        )
    return {
        "followers": _side_by_side_bar(_("Followers"), rows, (r["followers"] for r in rows)),
        "posts_per_week": _side_by_side_bar(_("Posts per week"), rows, (r["posts_per_week"] for r in rows)),
        "engagement_rate": _side_by_side_bar(_("Engagement rate"), rows, rates, percent=True),
        "engagements_per_post": _side_by_side_bar(
            _("Engagements per post"), rows, (r["engagements_per_post"] for r in rows)
        ),
        "followers_trend": {
            "title": {"text": _("Followers by week"), "left": 0, "top": 0, "textStyle": {"fontSize": 14}},
            "tooltip": {"trigger": "axis"},
            "legend": {"type": "scroll", "top": 24},
            "grid": {"left": 8, "right": 40, "top": 64, "bottom": 8, "containLabel": True},
            "xAxis": {"type": "category", "data": comparison["weeks"], "boundaryGap": False},
            "yAxis": {"type": "value", "scale": True},
            "series": trend_series,
        },
    }


def persona_hours_chart(persona: Persona) -> dict[str, Any]:
    """A one-row 24-hour heat strip of the persona's active hours, as an ECharts option."""
    active = set(persona.active_hours or [])
    hours = [str(h) for h in range(24)]
    return {
        "tooltip": {"show": False},
        "grid": {"left": 4, "right": 4, "top": 4, "bottom": 24},
        "xAxis": {
            "type": "category",
            "data": hours,
            "splitArea": {"show": True},
            "axisTick": {"show": False},
        },
        "yAxis": {"type": "category", "data": [""], "show": False},
        "visualMap": {"min": 0, "max": 1, "show": False, "inRange": {"color": ["#e9ecef", OURS_COLOR]}},
        "series": [
            {
                "name": _("Active hours"),
                "type": "heatmap",
                "data": [[h, 0, 1 if h in active else 0] for h in range(24)],
                "itemStyle": {"borderColor": "#ffffff", "borderWidth": 2},
            }
        ],
    }
