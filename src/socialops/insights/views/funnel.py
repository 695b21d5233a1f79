"""Page and downloads of the funnel: exposure → interaction → click → lead → order, per account."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from socialops.accounts.selectors import own_accounts
from socialops.workspaces.decorators import WorkspaceRequest, workspace_view

from .. import exports
from ..presenters import growth as pres
from ..selectors import funnel as sel
from .content import _int


def _load(request: WorkspaceRequest) -> tuple[list[Any], Any, int, dict[str, Any]]:
    accounts = list(own_accounts(workspace=request.workspace, user=request.user))
    chosen = _int(request.GET.get("account"), 0)
    account = next((a for a in accounts if a.pk == chosen), None)
    days = _int(request.GET.get("days"), sel.DEFAULT_DAYS, sel.DAY_CHOICES)
    data = sel.funnel(workspace=request.workspace, user=request.user, account=account, days=days)
    return accounts, account, days, data


def _sentences(block: dict[str, Any]) -> dict[str, str]:
    labels = {key: str(label) for key, label in sel.STEPS}
    out = {"drop": "", "no_data": ""}
    if block["biggest_drop"]:
        steps = {s["key"]: s for s in block["steps"]}
        step = steps[block["biggest_drop"]]
        out["drop"] = _("The biggest drop is from %(a)s to %(b)s: only %(rate).2f%% go on.") % {
            "a": steps[step["from_step"]]["label"],
            "b": step["label"],
            "rate": step["rate"] * 100,
        }
    if block["no_data"]:
        out["no_data"] = _("No data for: %(steps)s. Import these figures to see the whole funnel.") % {
            "steps": "、".join(labels[k] for k in block["no_data"])
        }
    return out


@workspace_view()
def funnel(request: WorkspaceRequest) -> HttpResponse:
    """The funnel of our accounts over a window: totals, step rates, the biggest drop, steps without data."""
    accounts, account, days, data = _load(request)
    for block in [data["total"], *data["accounts"]]:
        block["sentences"] = _sentences(block)
    return render(
        request,
        "insights/funnel.html",
        {
            "accounts": accounts,
            "account": account,
            "days": days,
            "day_choices": sel.DAY_CHOICES,
            "data": data,
            "chart": pres.funnel_chart_option(data["total"]),
            "query": request.GET.urlencode(),
        },
    )


def funnel_table(data: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """One row per account and step (header, rows), then the total, for the downloads."""
    header = [
        _("Account"),
        pgettext("funnel", "Step"),
        _("Total in the window"),
        _("Rate from the previous step"),
    ]
    rows = []
    for block in [*data["accounts"], {**data["total"], "account_name": _("All accounts")}]:
        for step in block["steps"]:
            rows.append([block["account_name"], step["label"], step["value"], step["rate"]])
        rows.append([block["account_name"], _("Coupon redemptions"), block["coupon_redemptions"], None])
        rows.append([block["account_name"], _("Revenue"), block["revenue"], None])
    return header, rows


@workspace_view()
def funnel_export(request: WorkspaceRequest, fmt: str) -> HttpResponse:
    """The funnel as CSV or XLSX, with the page's filters."""
    if fmt not in exports.FORMATS:
        raise Http404
    _accounts, _account, _days, data = _load(request)
    header, rows = funnel_table(data)
    return exports.table_response(fmt, "funnel", header, rows)
