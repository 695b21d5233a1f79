"""Page and downloads of growth and retention: follower flows per account and period, cohorts."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from socialops.accounts.models import SocialAccount
from socialops.accounts.selectors import own_accounts
from socialops.workspaces.decorators import WorkspaceRequest, workspace_view

from .. import exports
from ..presenters import growth as pres
from ..selectors import growth as sel
from .content import _int


def filters(request: WorkspaceRequest) -> tuple[list[SocialAccount], SocialAccount | None, str, int]:
    """Our accounts, the chosen one (None: all), the period (week or month) and the window in weeks."""
    accounts = list(own_accounts(workspace=request.workspace, user=request.user))
    chosen = _int(request.GET.get("account"), 0)
    account = next((a for a in accounts if a.pk == chosen), None)
    period = request.GET.get("period") or "week"
    if period not in sel.PERIODS:
        period = "week"
    weeks = _int(request.GET.get("weeks"), sel.DEFAULT_WEEKS, sel.WEEK_CHOICES)
    return accounts, account, period, weeks


@workspace_view()
def growth(request: WorkspaceRequest) -> HttpResponse:
    """New, lost and net followers per account and period, and the follow-week cohorts' retention."""
    accounts, account, period, weeks = filters(request)
    kwargs: dict[str, Any] = {"workspace": request.workspace, "user": request.user, "account": account}
    flows = sel.follower_flows(period=period, weeks=weeks, **kwargs)
    cohorts = sel.follower_cohorts(weeks=weeks, **kwargs)
    return render(
        request,
        "insights/growth.html",
        {
            "accounts": accounts,
            "account": account,
            "period": period,
            "weeks": weeks,
            "week_choices": sel.WEEK_CHOICES,
            "flows": flows,
            "cohorts": cohorts,
            "flows_chart": pres.flows_chart_option(flows),
            "cohort_chart": pres.cohort_heatmap_option(cohorts),
            "query": request.GET.urlencode(),
        },
    )


def flows_table(flows: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """Follower flows (header, rows) for the downloads."""
    header = [
        _("Account"), _("Period starting"), _("New followers"), _("Lost followers"), _("Net change"),
        _("Follow events"), _("Unfollow events"), _("Net from events"),
    ]  # fmt: skip
    rows = [
        [
            r["account_name"],
            r["period"],
            r["new"],
            r["lost"],
            r["net"],
            r["follows"],
            r["unfollows"],
            r["net_events"],
        ]
        for r in flows["rows"]
    ]
    return header, rows


def cohorts_table(cohorts: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """Cohorts (header, rows): follow week, size, then the share still following per week since."""
    width = max((len(r["retention"]) for r in cohorts["cohorts"]), default=0)
    header = [_("Follow week"), _("Followers"), *[_("Week %(n)d") % {"n": i} for i in range(width)]]
    rows = [[r["week"], r["size"], *r["retention"]] for r in cohorts["cohorts"]]
    return header, rows


@workspace_view()
def growth_export(request: WorkspaceRequest, table: str, fmt: str) -> HttpResponse:
    """Follower flows or cohorts as CSV or XLSX, with the page's filters."""
    if fmt not in exports.FORMATS or table not in ("flows", "cohorts"):
        raise Http404
    _accounts, account, period, weeks = filters(request)
    kwargs: dict[str, Any] = {"workspace": request.workspace, "user": request.user, "account": account}
    if table == "flows":
        header, rows = flows_table(sel.follower_flows(period=period, weeks=weeks, **kwargs))
    else:
        header, rows = cohorts_table(sel.follower_cohorts(weeks=weeks, **kwargs))
    return exports.table_response(fmt, f"followers-{table}", header, rows)
