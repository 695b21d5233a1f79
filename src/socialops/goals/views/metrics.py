"""Pages: daily metric snapshots with a chart, file imports with their error report, one-day edits."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from socialops.accounts.models import SocialAccount
from socialops.core.imports import RowError, import_summary
from socialops.core.view_helpers import apply_form
from socialops.workspaces.decorators import WorkspaceRequest, workspace_view
from socialops.workspaces.roles import Perm

from ..forms.metrics import MetricFilterForm, MetricImportForm, SnapshotForm
from ..imports import METRIC_FIELDS
from ..models import MetricSnapshot
from ..selectors import metrics as selectors
from ..services import metrics as services

CHART_DAYS = 90
CHART_MAX_DAYS = 1000
IMPORT_HISTORY_ROWS = 10


def _chart_option(snapshots: list[MetricSnapshot]) -> dict[str, Any]:
    """ECharts option: followers (left axis), new followers and impressions (own right axes)."""
    followers = str(_("Followers"))
    new = str(_("New followers"))
    impressions = str(_("Impressions"))
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": [followers, new, impressions], "top": 0},
        "grid": {"left": 60, "right": 130, "top": 60, "bottom": 30},
        "xAxis": {"type": "category", "data": [s.date.isoformat() for s in snapshots]},
        "yAxis": [
            {"type": "value", "name": followers, "scale": True},
            {"type": "value", "name": new, "position": "right"},
            {"type": "value", "name": impressions, "position": "right", "offset": 65},
        ],
        "series": [
            {
                "name": followers,
                "type": "line",
                "yAxisIndex": 0,
                "data": [s.followers_total for s in snapshots],
            },
            {"name": new, "type": "bar", "yAxisIndex": 1, "data": [s.new_followers for s in snapshots]},
            {
                "name": impressions,
                "type": "line",
                "yAxisIndex": 2,
                "data": [s.impressions for s in snapshots],
            },
        ],
    }


def _parse_day(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text or "")
    except ValueError:
        return None


def _render_page(
    request: WorkspaceRequest,
    *,
    import_form: MetricImportForm | None = None,
    edit_form: SnapshotForm | None = None,
    report: list[RowError] | None = None,
    report_file: str = "",
) -> HttpResponse:
    """The metrics page; a rejected form is shown again on it (status 200, like any invalid form)."""
    workspace = request.workspace
    user = request.user
    accounts = selectors.metrics_account_list(workspace=workspace, user=user)
    filter_form = MetricFilterForm(request.GET or None, accounts=accounts)
    filters = filter_form.cleaned_data if filter_form.is_valid() else {}
    account: SocialAccount | None = filters.get("account")
    since, until = filters.get("since"), filters.get("until")

    rows = selectors.snapshot_list(
        workspace=workspace, user=user, account=account, since=since, until=until, newest_first=True
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("day", None)

    # The chart needs one account: the chosen one, else our first own account.
    chart_account = account or next((a for a in accounts if not a.is_competitor), None) or accounts.first()
    chart_rows: list[MetricSnapshot] = []
    if chart_account is not None:
        recent = selectors.snapshot_list(
            workspace=workspace, user=user, account=chart_account, since=since, until=until, newest_first=True
        )
        # Without a start date the chart shows the latest days; with one, the whole range (bounded).
        chart_rows = list(reversed(recent[: CHART_DAYS if since is None else CHART_MAX_DAYS]))

    if edit_form is None:
        # "Correct" links in the table open the form filled with that account's day.
        edit_account = account or chart_account
        initial: dict[str, Any] = {"account": edit_account, "date": None}
        day = _parse_day(request.GET.get("day"))
        if day is not None and edit_account is not None:
            initial["date"] = day
            existing = selectors.snapshot_for_day(
                workspace=workspace, user=user, account=edit_account, date=day
            )
            if existing is not None:
                initial.update({name: getattr(existing, name) for name in METRIC_FIELDS})
        edit_form = SnapshotForm(initial=initial, accounts=accounts)

    context = {
        "filter_form": filter_form,
        "page": page,
        "query": query.urlencode(),
        "chart_account": chart_account,
        "chart_option": _chart_option(chart_rows) if chart_rows else None,
        "import_form": import_form or MetricImportForm(accounts=accounts),
        "edit_form": edit_form,
        "metric_fields": [edit_form[name] for name in METRIC_FIELDS],
        "report": report,
        "report_file": report_file,
        "imports": selectors.metric_import_list(workspace=workspace, user=user)[:IMPORT_HISTORY_ROWS],
        "has_accounts": accounts.exists(),
    }
    return render(request, "goals/metrics/list.html", context)


@workspace_view()
def metric_list(request: WorkspaceRequest) -> HttpResponse:
    """Daily figures of the workspace's accounts: chart, table, imports and a one-day edit form."""
    return _render_page(request)


@workspace_view(write=Perm.METRICS_EDIT)
def metric_import(request: WorkspaceRequest) -> HttpResponse:
    """Import an uploaded file; on any bad row show every problem and change nothing. A GET (a
    bookmarked or reloaded address) goes to the metrics page and its import form."""
    workspace = request.workspace
    if request.method != "POST":
        return redirect(reverse("metric_list", kwargs={"slug": workspace.slug}) + "#import")
    accounts = selectors.metrics_account_list(workspace=workspace, user=request.user)
    form = MetricImportForm(request.POST, request.FILES, accounts=accounts)
    if not form.is_valid():
        return _render_page(request, import_form=form)
    upload = form.cleaned_data["file"]
    try:
        record = services.metrics_import(
            workspace=workspace,
            actor=request.user,
            file_name=upload.name,
            content=upload.read(),
            account=form.cleaned_data.get("account"),
        )
    except services.MetricsImportRejected as exc:
        return _render_page(request, import_form=form, report=exc.errors, report_file=upload.name)
    except ValidationError as exc:
        form.add_service_errors(exc)
        return _render_page(request, import_form=form)
    messages.success(request, import_summary(record))
    return redirect("metric_list", slug=workspace.slug)


@require_POST
@workspace_view(Perm.METRICS_EDIT)
def metric_edit(request: WorkspaceRequest) -> HttpResponse:
    """Enter or correct one account's figures for one day."""
    workspace = request.workspace
    accounts = selectors.metrics_account_list(workspace=workspace, user=request.user)
    form = SnapshotForm(request.POST, accounts=accounts)
    saved = apply_form(
        form,
        lambda: services.snapshot_upsert(
            workspace=workspace,
            actor=request.user,
            account=form.cleaned_data["account"],
            date=form.cleaned_data["date"],
            values=form.values(),
            source="manual",
        ),
    )
    if saved is None:
        return _render_page(request, edit_form=form)
    snap, result = saved
    label = f"{snap.account.display_name} {snap.date.isoformat()}"
    if result == "created":
        messages.success(request, _("Saved the figures of %(day)s.") % {"day": label})
    elif result == "updated":
        messages.success(request, _("Corrected the figures of %(day)s.") % {"day": label})
    else:
        messages.info(request, _("Nothing changed for %(day)s.") % {"day": label})
    return redirect(f"{reverse('metric_list', kwargs={'slug': workspace.slug})}?account={snap.account_id}")


metrics_urlpatterns = [
    path("metrics/", metric_list, name="metric_list"),
    path("metrics/import/", metric_import, name="metric_import"),
    path("metrics/day/", metric_edit, name="metric_edit"),
]
