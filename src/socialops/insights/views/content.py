"""Page and downloads of content performance (engagement by theme, form, platform, slot, length)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from socialops.accounts.models import SocialAccount
from socialops.accounts.selectors import own_accounts
from socialops.content.models import ContentForm
from socialops.workspaces.decorators import WorkspaceRequest, workspace_view

from .. import exports, stats
from ..presenters import content as pres
from ..selectors import content as sel


def _int(value: str | None, default: int, allowed: tuple[int, ...] | None = None) -> int:
    try:
        number = int(value or "")
    except ValueError:
        return default
    return number if allowed is None or number in allowed else default


def filters(request: WorkspaceRequest) -> tuple[list[SocialAccount], SocialAccount | None, int]:
    """Our accounts, the chosen one (None: all) and the chosen window, from the query string."""
    accounts = list(own_accounts(workspace=request.workspace, user=request.user))
    chosen = _int(request.GET.get("account"), 0)
    account = next((a for a in accounts if a.pk == chosen), None)
    days = _int(request.GET.get("days"), sel.DEFAULT_DAYS, sel.DAY_CHOICES)
    return accounts, account, days


def _rows_for_page(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for row in rows:
        row["badge_class"], row["badge_label"] = pres.outcome_badge(row["vs_rest"]["outcome"])
    return rows


@workspace_view()
def content_performance(request: WorkspaceRequest) -> HttpResponse:
    """Engagement and engagement rate by group, with 95% intervals, tests and the ranked posts."""
    accounts, account, days = filters(request)
    metric = request.GET.get("metric") or "engagements"
    if metric not in sel.METRICS:
        metric = "engagements"
    data = sel.content_performance(workspace=request.workspace, user=request.user, account=account, days=days)
    dimensions = []
    for key, label in sel.DIMENSIONS.items():
        rows = _rows_for_page(data["dimensions"][key])
        dimensions.append(
            {
                "key": key,
                "label": label,
                "rows": rows,
                "chart_id": f"chart-{key}",
                "chart": pres.group_chart_option(rows),
            }
        )
    # The plain-language comparison of the best and the worst group with enough posts, per dimension.
    for dim in dimensions:
        ready = [
            r
            for r in dim["rows"]
            if r["n_rate"] >= stats.MIN_SAMPLE and r["engagement_rate"]["mean"] is not None
        ]
        dim["verdict"] = ""
        if len(ready) >= 2:
            best = max(ready, key=lambda r: r["engagement_rate"]["mean"])
            worst = min(ready, key=lambda r: r["engagement_rate"]["mean"])
            comparison = sel.compare_groups(
                workspace=request.workspace,
                user=request.user,
                dimension=dim["key"],
                a=best["key"],
                b=worst["key"],
                account=account,
                days=days,
            )
            dim["verdict"] = pres.verdict(comparison, best["label"], worst["label"])
        elif len(dim["rows"]) >= 2:
            dim["verdict"] = _(
                "Not enough posts to tell: fewer than two groups have at least %(min)d posts with a rate."
            ) % {"min": stats.MIN_SAMPLE}
    ranking = sel.post_ranking(
        workspace=request.workspace, user=request.user, metric=metric, account=account, days=days, limit=50
    )
    forms = dict(ContentForm.choices)
    ranking["metric_label"] = sel.METRICS[metric]
    for row in ranking["rows"]:
        row["form_label"] = forms.get(row["form"], row["form"])
    query = request.GET.urlencode()
    return render(
        request,
        "insights/content.html",
        {
            "data": data,
            "accounts": accounts,
            "account": account,
            "days": days,
            "day_choices": sel.DAY_CHOICES,
            "metric": metric,
            "metrics": sel.METRICS.items(),
            "dimensions": dimensions,
            "heatmap": pres.slot_heatmap_option(data["slots"]),
            "ranking": ranking,
            "min_sample": stats.MIN_SAMPLE,
            "query": query,
        },
    )


def group_table(data: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """The groups of every dimension as one table (header, rows) for the downloads."""
    header = [
        _("Dimension"), _("Group"), _("Posts"), _("Posts with a rate"),
        _("Mean engagements"), _("Engagements, low end (95%)"), _("Engagements, high end (95%)"),
        _("Mean engagement rate"), _("Rate, low end (95%)"), _("Rate, high end (95%)"),
        _("Against the rest"), _("p (Welch's t)"),
    ]  # fmt: skip
    rows = []
    for key, label in sel.DIMENSIONS.items():
        for r in data["dimensions"][key]:
            eng, rate, test = r["engagements"], r["engagement_rate"], r["vs_rest"]
            rows.append(
                [
                    str(label),
                    r["label"],
                    r["posts"],
                    r["n_rate"],
                    eng["mean"],
                    eng["low"],
                    eng["high"],
                    rate["mean"],
                    rate["low"],
                    rate["high"],
                    pres.outcome_badge(test["outcome"])[1],
                    test["p_value"],
                ]  # fmt: skip
            )
    return header, rows


def post_table(ranking: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """The ranked posts (header, rows) for the downloads."""
    header = [
        _("Account"), pgettext("post time", "Published"), _("Theme"), _("Form"), str(sel.METRICS[ranking["metric"]]),
        _("Engagements"), _("Engagement rate"), _("Reach"), _("Outlier"),
    ]  # fmt: skip
    rows = [
        [
            r["account"],
            r["published_at"],
            r["theme"],
            r["form"],
            r["value"],
            r["engagements"],
            r["engagement_rate"],
            r["reach"],
            r["outlier"],
        ]  # fmt: skip
        for r in ranking["rows"]
    ]
    return header, rows


@workspace_view()
def content_export(request: WorkspaceRequest, table: str, fmt: str) -> HttpResponse:
    """The groups table or the ranked posts as CSV or XLSX, with the page's filters."""
    if fmt not in exports.FORMATS or table not in ("groups", "posts"):
        raise Http404
    _accounts, account, days = filters(request)
    if table == "groups":
        data = sel.content_performance(
            workspace=request.workspace, user=request.user, account=account, days=days
        )
        header, rows = group_table(data)
    else:
        metric = request.GET.get("metric") or "engagements"
        if metric not in sel.METRICS:
            metric = "engagements"
        ranking = sel.post_ranking(
            workspace=request.workspace,
            user=request.user,
            metric=metric,
            account=account,
            days=days,
            limit=10_000,
        )
        header, rows = post_table(ranking)
    return exports.table_response(fmt, f"content-{table}", header, rows)
