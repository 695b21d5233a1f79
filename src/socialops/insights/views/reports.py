"""Pages of scheduled reports: schedules and run history, a schedule's form, a run with its downloads."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from socialops.core.view_helpers import apply_form, run_and_say, submitted
from socialops.workspaces.decorators import WorkspaceRequest, workspace_view
from socialops.workspaces.roles import Perm

from ..api.reports import run_file
from ..forms.reports import ReportRunForm, ReportScheduleForm
from ..selectors import reports as sel
from ..services import reports as svc


def _home(request: WorkspaceRequest) -> str:
    return reverse("insights_reports", kwargs={"slug": request.workspace.slug})


@workspace_view(write=Perm.WORKSPACE_MANAGE)
def report_list(request: WorkspaceRequest) -> HttpResponse:
    """Schedules, the latest runs with their files, and "run now" for a template and period."""
    form = ReportRunForm(request.POST or None)
    if request.method == "POST":
        run = apply_form(
            form,
            lambda: svc.run_request(
                workspace=request.workspace,
                actor=request.user,
                template=form.cleaned_data["template"],
                period_from=form.cleaned_data["period_from"],
                period_to=form.cleaned_data["period_to"],
            ),
        )
        if run is not None:
            messages.success(request, _("The report is queued; it appears below when it is ready."))
            return redirect(_home(request))
    return render(
        request,
        "insights/reports.html",
        {
            "schedules": sel.schedule_list(workspace=request.workspace, user=request.user),
            "runs": sel.run_list(workspace=request.workspace, user=request.user)[:50],
            "form": form,
            "can_edit": request.membership.has_perm(Perm.WORKSPACE_MANAGE),
        },
    )


def _schedule_page(request: WorkspaceRequest, form: ReportScheduleForm, title: str) -> HttpResponse:
    return render(
        request,
        "insights/report_schedule_form.html",
        {"form": form, "title": title, "cancel_url": _home(request), "timezone": request.workspace.timezone},
    )


@workspace_view(Perm.WORKSPACE_MANAGE)
def schedule_create(request: WorkspaceRequest) -> HttpResponse:
    """A new report schedule."""
    form = ReportScheduleForm(request.POST or None)
    if request.method == "POST":
        done = submitted(
            request,
            form,
            lambda: svc.schedule_create(
                workspace=request.workspace, actor=request.user, **form.service_fields()
            ),
            message=_("Schedule saved."),
            to=_home(request),
        )
        if done is not None:
            return done
    return _schedule_page(request, form, _("New report schedule"))


@workspace_view(Perm.WORKSPACE_MANAGE)
def schedule_edit(request: WorkspaceRequest, schedule_id: int) -> HttpResponse:
    """Change a schedule."""
    schedule = sel.schedule_get(workspace=request.workspace, user=request.user, schedule_id=schedule_id)
    form = ReportScheduleForm(request.POST or None, schedule=schedule)
    if request.method == "POST":
        done = submitted(
            request,
            form,
            lambda: svc.schedule_update(
                workspace=request.workspace, actor=request.user, schedule=schedule, **form.service_fields()
            ),
            message=_("Schedule saved."),
            to=_home(request),
        )
        if done is not None:
            return done
    return _schedule_page(request, form, _("Edit report schedule"))


@require_POST
@workspace_view(Perm.WORKSPACE_MANAGE)
def schedule_delete(request: WorkspaceRequest, schedule_id: int) -> HttpResponse:
    """Delete a schedule (its runs stay in the history)."""
    schedule = sel.schedule_get(workspace=request.workspace, user=request.user, schedule_id=schedule_id)
    run_and_say(
        request,
        lambda: svc.schedule_delete(workspace=request.workspace, actor=request.user, schedule=schedule),
        _("Schedule deleted; its reports stay in the history."),
    )
    return redirect(_home(request))


@require_POST
@workspace_view(Perm.WORKSPACE_MANAGE)
def schedule_run(request: WorkspaceRequest, schedule_id: int) -> HttpResponse:
    """Run a schedule's report now for its last whole period, delivered to its recipients and robots."""
    schedule = sel.schedule_get(workspace=request.workspace, user=request.user, schedule_id=schedule_id)
    run_and_say(
        request,
        lambda: svc.run_request(
            workspace=request.workspace, actor=request.user, template=schedule.template, schedule=schedule
        ),
        _("The report is queued; it appears below when it is ready."),
    )
    return redirect(_home(request))


@workspace_view()
def run_detail(request: WorkspaceRequest, run_id: int) -> HttpResponse:
    """One run: its period and state, what went wrong or where it was sent, its files."""
    run = sel.run_get(workspace=request.workspace, user=request.user, run_id=run_id)
    return render(request, "insights/report_run.html", {"run": run})


@workspace_view()
def run_download(request: WorkspaceRequest, run_id: int, kind: str) -> Any:  # a FileResponse (streamed)
    """A run's PDF or Excel workbook."""
    run = sel.run_get(workspace=request.workspace, user=request.user, run_id=run_id)
    return run_file(run, "pdf" if kind == "pdf" else "xlsx")
