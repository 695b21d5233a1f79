"""Page and downloads of anomalies: daily figures outside their weekday-aware expected band."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from socialops.accounts.selectors import own_accounts
from socialops.workspaces.decorators import WorkspaceRequest, workspace_view

from .. import exports, stats
from ..selectors import anomalies as sel
from .content import _int


def _load(request: WorkspaceRequest) -> tuple[list[Any], Any, int, dict[str, Any]]:
    accounts = list(own_accounts(workspace=request.workspace, user=request.user))
    chosen = _int(request.GET.get("account"), 0)
    account = next((a for a in accounts if a.pk == chosen), None)
    days = _int(request.GET.get("days"), sel.DEFAULT_DAYS, sel.DAY_CHOICES)
    data = sel.anomalies(workspace=request.workspace, user=request.user, account=account, days=days)
    return accounts, account, days, data


def band_chart_option(points: list[dict[str, Any]], label: str) -> dict[str, Any]:
    """The series with its expected band (shaded) and the days outside it marked."""
    if not any(p["value"] is not None for p in points):
        return {}
    dates = [p["date"].isoformat() for p in points]
    low = [None if p["low"] is None else round(p["low"], 2) for p in points]
    width = [None if p["low"] is None else round(p["high"] - p["low"], 2) for p in points]
    outside = [[p["date"].isoformat(), p["value"]] for p in points if p["direction"]]
    line = {"type": "line", "showSymbol": False}
    return {
        "animation": False,
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0, "data": [label, _("Expected band"), _("Outside the band")]},
        "grid": {"left": 8, "right": 16, "top": 36, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "category", "boundaryGap": False, "data": dates},
        "yAxis": {"type": "value", "scale": True},
        "series": [
            {**line, "name": "band-low", "data": low, "stack": "band", "lineStyle": {"opacity": 0}, "silent": True, "tooltip": {"show": False}},
            {**line, "name": _("Expected band"), "data": width, "stack": "band", "lineStyle": {"opacity": 0}, "areaStyle": {"color": "#adb5bd", "opacity": 0.35}},
            {**line, "name": label, "data": [p["value"] for p in points], "itemStyle": {"color": "#0d6efd"}},
            {"type": "scatter", "name": _("Outside the band"), "data": outside, "symbolSize": 10, "itemStyle": {"color": "#dc3545"}},
        ],
    }  # fmt: skip


@workspace_view()
def anomaly_list(request: WorkspaceRequest) -> HttpResponse:
    """Days whose figure left its band, newest first, and the chart of the latest one's series."""
    accounts, account, days, data = _load(request)
    chart: dict[str, Any] = {}
    focus = data["anomalies"][0] if data["anomalies"] else None
    if focus:
        chosen = next(a for a in accounts if a.pk == focus["account"])
        points = sel.band_series(
            workspace=request.workspace, user=request.user, account=chosen, metric=focus["metric"], days=days
        )
        chart = band_chart_option(points, f"{focus['account_name']} · {focus['metric_label']}")
    return render(
        request,
        "insights/anomalies.html",
        {
            "accounts": accounts,
            "account": account,
            "days": days,
            "day_choices": sel.DAY_CHOICES,
            "data": data,
            "focus": focus,
            "chart": chart,
            "k": stats.K_MAD,
            "weeks": sel.BASELINE_WEEKS,
            "query": request.GET.urlencode(),
        },
    )


@workspace_view()
def anomaly_export(request: WorkspaceRequest, fmt: str) -> HttpResponse:
    """The anomalies as CSV or XLSX, with the page's filters."""
    if fmt not in exports.FORMATS:
        raise Http404
    _accounts, _account, _days, data = _load(request)
    header, rows = anomalies_table(data)
    return exports.table_response(fmt, "anomalies", header, rows)


def anomalies_table(data: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """The anomalies as a download table (header, rows): the page's export and the reports share it."""
    header = [
        _("Date"),
        _("Account"),
        _("Metric"),
        _("Value"),
        _("Expected"),
        _("Band low"),
        _("Band high"),
        _("Difference"),
    ]
    rows = [
        [
            r["date"],
            r["account_name"],
            r["metric_label"],
            r["value"],
            r["expected"],
            r["low"],
            r["high"],
            r["size"],
        ]
        for r in data["anomalies"]
    ]
    return header, rows
