"""Reads of scheduled reports: schedules and the run history (every member may read them)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from socialops.workspaces.models import Workspace
from socialops.workspaces.selectors import member_row_or_404, member_rows

from ..models import ReportRun, ReportSchedule


def schedule_list(*, workspace: Workspace, user: Any) -> QuerySet[ReportSchedule]:
    """The workspace's report schedules by name."""
    return member_rows(ReportSchedule, workspace=workspace, user=user).order_by("name", "pk")


def schedule_get(*, workspace: Workspace, user: Any, schedule_id: int) -> ReportSchedule:
    """One schedule of this workspace, or Http404."""
    return member_row_or_404(ReportSchedule, workspace=workspace, user=user, pk=schedule_id)


def run_list(
    *, workspace: Workspace, user: Any, schedule: ReportSchedule | None = None
) -> QuerySet[ReportRun]:
    """Past and queued runs, newest first (one schedule's when given)."""
    qs = member_rows(ReportRun, workspace=workspace, user=user).select_related("schedule", "requested_by")
    if schedule is not None:
        qs = qs.filter(schedule=schedule)
    return qs.order_by("-created_at", "-pk")


def run_get(*, workspace: Workspace, user: Any, run_id: int) -> ReportRun:
    """One run of this workspace, or Http404."""
    return member_row_or_404(ReportRun, workspace=workspace, user=user, pk=run_id)
