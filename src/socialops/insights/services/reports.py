"""Writes on scheduled reports: schedules, runs asked for by hand or made by the schedule, and
carrying a run out (figures → PDF and workbook → storage → email and robots). docs/reports.md.

Runs are started after commit through ``run_later`` (``tasks.reports`` puts its Huey task there;
services cannot import tasks). A run is claimed queued → running by one conditional UPDATE, so a
run enqueued twice (the sweeper and a late task) is carried out once.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from socialops.workspaces.access import ensure_same_workspace, require_perm
from socialops.workspaces.audit import audit_delete, audit_record, audit_saved, snapshot
from socialops.workspaces.models import Membership, Role, Workspace
from socialops.workspaces.roles import Perm

from ..models import ReportRun, ReportSchedule, ReportTemplate, RobotKind, RunState
from ..reports import delivery, periods
from ..reports.build import Report, build_report
from ..reports.pdf import kpi_text, render_pdf
from ..reports.xlsx import render_xlsx

log = logging.getLogger(__name__)

#: How a queued run is started: ``tasks.reports`` puts its Huey task here. Called with the run id.
run_later: list[Callable[[int], None]] = []

MAX_RECIPIENTS = 20
MAX_ROBOTS = 5
MAX_DAYS = 366
# A run still queued this long after it was made lost its task (a worker was down): send it again.
STALE_QUEUED = dt.timedelta(minutes=10)
# A run still running this long died with its worker: queue it again.
STALE_RUNNING = dt.timedelta(minutes=30)
SCHEDULE_FIELDS = ("name", "template", "weekday", "time", "recipients", "robots", "enabled")


def _snap(schedule: ReportSchedule) -> dict[str, Any]:
    # Robot URLs carry their access token and secrets sign messages: the log keeps only their kinds.
    out = snapshot(schedule, exclude={"robots"})
    out["robots"] = [r.get("kind") for r in schedule.robots]
    return out


def _run_snap(run: ReportRun) -> dict[str, Any]:
    out = snapshot(run, exclude={"pdf", "xlsx"})
    out.update(pdf=run.pdf.name or "", xlsx=run.xlsx.name or "")
    return out


def _clean_recipients(values: Any) -> list[str]:
    out: list[str] = []
    for raw in values or []:
        address = str(raw).strip()
        if not address:
            continue
        try:
            validate_email(address)
        except ValidationError:
            raise ValidationError(
                {"recipients": [_("Not an email address: %(a)s") % {"a": address}]}
            ) from None
        if address.lower() not in {a.lower() for a in out}:
            out.append(address)
    if len(out) > MAX_RECIPIENTS:
        raise ValidationError({"recipients": [_("At most %(n)d recipients.") % {"n": MAX_RECIPIENTS}]})
    return out


def _clean_robots(values: Any) -> list[dict[str, str]]:
    out = []
    https = URLValidator(schemes=["https"])
    for raw in values or []:
        kind = str(raw.get("kind", "")).strip()
        url = str(raw.get("url", "")).strip()
        secret = str(raw.get("secret", "") or "").strip()
        if not url:
            continue
        if kind not in RobotKind.values:
            raise ValidationError({"robots": [_("Choose WeCom, DingTalk or Feishu for each robot.")]})
        try:
            https(url)
        except ValidationError:
            raise ValidationError(
                {"robots": [_("A robot's webhook address must start with https://.")]}
            ) from None
        if len(url) > 500 or len(secret) > 200:
            raise ValidationError({"robots": [_("A robot's address or secret is too long.")]})
        out.append({"kind": kind, "url": url, "secret": secret})
    if len(out) > MAX_ROBOTS:
        raise ValidationError({"robots": [_("At most %(n)d robots.") % {"n": MAX_ROBOTS}]})
    return out


def _apply(schedule: ReportSchedule, fields: dict[str, Any]) -> None:
    for name, value in fields.items():
        if name not in SCHEDULE_FIELDS:
            raise TypeError(name)
        if name == "recipients":
            value = _clean_recipients(value)
        elif name == "robots":
            value = _clean_robots(value)
        setattr(schedule, name, value)
    if schedule.template not in ReportTemplate.values:
        raise ValidationError({"template": [_("Choose a report template.")]})
    if not 1 <= int(schedule.weekday) <= 7:
        raise ValidationError({"weekday": [_("Choose a weekday.")]})
    schedule.name = (schedule.name or "").strip() or str(ReportTemplate(schedule.template).label)
    schedule.full_clean(exclude=["workspace", "created_by"])


@transaction.atomic
def schedule_create(*, workspace: Workspace, actor: Any, **fields: Any) -> ReportSchedule:
    """A new report schedule (name, template, weekday, time, recipients, robots, enabled)."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.WORKSPACE_MANAGE)
    schedule = ReportSchedule(workspace=workspace, created_by=actor if actor is not None else None)
    _apply(schedule, {"template": ReportTemplate.WEEKLY, **fields})
    schedule.save()
    audit_saved(schedule, workspace=workspace, actor=actor, action="report_schedule.create", snap=_snap)
    return schedule


@transaction.atomic
def schedule_update(
    *, workspace: Workspace, actor: Any, schedule: ReportSchedule, **fields: Any
) -> ReportSchedule:
    """Change a schedule; its past runs stay as they were."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.WORKSPACE_MANAGE)
    ensure_same_workspace(workspace, schedule, "schedule")
    schedule = ReportSchedule.objects.select_for_update().get(pk=schedule.pk)
    before = _snap(schedule)
    _apply(schedule, fields)
    schedule.save()
    audit_saved(
        schedule, workspace=workspace, actor=actor, action="report_schedule.update", before=before, snap=_snap
    )
    return schedule


@transaction.atomic
def schedule_delete(*, workspace: Workspace, actor: Any, schedule: ReportSchedule) -> None:
    """Delete a schedule; its runs and their files are kept in the history."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.WORKSPACE_MANAGE)
    ensure_same_workspace(workspace, schedule, "schedule")
    audit_delete(schedule, workspace=workspace, actor=actor, action="report_schedule.delete", snap=_snap)


def _enqueue(run_id: int) -> None:
    def start() -> None:
        for send in run_later:
            send(run_id)

    # robust: the run is recorded whatever happens to the queue; the sweeper sends it again.
    transaction.on_commit(start, robust=True)


@transaction.atomic
def run_request(
    *,
    workspace: Workspace,
    actor: Any,
    template: str,
    period_from: dt.date | None = None,
    period_to: dt.date | None = None,
    schedule: ReportSchedule | None = None,
) -> ReportRun:
    """Queue a report now ("run now"): the schedule's template and delivery, or a template alone; the
    period defaults to the last whole week (month for the monthly review)."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.WORKSPACE_MANAGE)
    if schedule is not None:
        ensure_same_workspace(workspace, schedule, "schedule")
        template = schedule.template
    if template not in ReportTemplate.values:
        raise ValidationError({"template": [_("Choose a report template.")]})
    if period_from is None or period_to is None:
        period_from, period_to = periods.default_period(
            template, timezone.now().astimezone(workspace.tz).date()
        )
    if period_to < period_from:
        raise ValidationError({"period_to": [_("The period ends before it starts.")]})
    if (period_to - period_from).days + 1 > MAX_DAYS:
        raise ValidationError({"period_to": [_("A report covers at most %(n)d days.") % {"n": MAX_DAYS}]})
    run = ReportRun.objects.create(
        workspace=workspace,
        schedule=schedule,
        template=template,
        period_from=period_from,
        period_to=period_to,
        trigger="manual",
        requested_by=actor,
    )
    audit_saved(run, workspace=workspace, actor=actor, action="report_run.request", snap=_run_snap)
    _enqueue(run.pk)
    return run


def runs_create_due(*, now: dt.datetime | None = None) -> list[ReportRun]:
    """The periodic step: for every enabled schedule whose latest slot has passed since it was made,
    the run of that slot's period, once (the unique constraint makes a second call a no-op).

    Only the latest slot is made: a worker down for three weeks sends one weekly report when it
    comes back, not three.
    """
    now = now or timezone.now()
    made = []
    for schedule in ReportSchedule.objects.filter(enabled=True).select_related("workspace"):
        tz = schedule.workspace.tz
        slot = periods.latest_slot(
            template=schedule.template, weekday=schedule.weekday, at=schedule.time, tz=tz, now=now
        )
        if slot < schedule.created_at:
            continue
        period_from, period_to = periods.slot_period(schedule.template, slot)
        if ReportRun.objects.filter(schedule=schedule, trigger="schedule", period_from=period_from).exists():
            continue
        try:
            with transaction.atomic():
                run = ReportRun.objects.create(
                    workspace=schedule.workspace,
                    schedule=schedule,
                    template=schedule.template,
                    period_from=period_from,
                    period_to=period_to,
                    trigger="schedule",
                )
                audit_saved(
                    run,
                    workspace=schedule.workspace,
                    actor=None,
                    action="report_run.schedule",
                    snap=_run_snap,
                )
                _enqueue(run.pk)
        except IntegrityError:
            continue  # another worker made it between the check and the insert
        made.append(run)
    return made


def runs_sweep(*, now: dt.datetime | None = None) -> list[int]:
    """Send again the runs whose task was lost (still queued) or whose worker died (still running)."""
    now = now or timezone.now()
    ReportRun.objects.filter(state=RunState.RUNNING, started_at__lt=now - STALE_RUNNING).update(
        state=RunState.QUEUED, started_at=None
    )
    ids = list(
        ReportRun.objects.filter(state=RunState.QUEUED, created_at__lt=now - STALE_QUEUED).values_list(
            "pk", flat=True
        )
    )
    for run_id in ids:
        for send in run_later:
            send(run_id)
    return ids


def report_reader(workspace: Workspace, *candidates: int | None) -> Any:
    """The member the figures are read as: the first candidate (user id) still a member, else an admin."""
    User = get_user_model()
    for user_id in candidates:
        if (
            user_id
            and Membership.objects.filter(workspace=workspace, user_id=user_id, user__is_active=True).exists()
        ):
            return User.objects.get(pk=user_id)
    admin = (
        Membership.objects.filter(workspace=workspace, role=Role.ADMIN, user__is_active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if admin is None:
        raise ValidationError(_("The workspace has no administrator to read the figures as."))
    return admin.user


def report_files(report: Report) -> tuple[bytes, bytes]:
    """(PDF, workbook) of a built report."""
    return render_pdf(report), render_xlsx(report)


def file_stem(report: Report) -> str:
    """The files' name without extension: workspace, template and period."""
    return f"{report.workspace.slug}-{report.template}-{report.period_from:%Y%m%d}-{report.period_to:%Y%m%d}"


def run_url(run: ReportRun) -> str:
    """The run's page, absolute when SOCIALOPS_PUBLIC_URL is set."""
    path = reverse("insights_report_run", args=[run.workspace.slug, run.pk])
    return f"{settings.PUBLIC_URL}{path}" if settings.PUBLIC_URL else path


def summary_texts(report: Report, url: str) -> tuple[str, str, str]:
    """(title, markdown, plain text) of the short summary the robots post."""
    title = f"{report.workspace.name} · {report.title}"
    period = f"{report.period_from:%Y-%m-%d} – {report.period_to:%Y-%m-%d}"
    figures = [f"{k.label}: {kpi_text(k.value, k.fmt)}" for k in report.kpis]
    link = _("Open the report")
    markdown = "\n".join([f"### {title}", period, "", *[f"- {f}" for f in figures], "", f"[{link}]({url})"])
    text = "\n".join([title, period, *figures, f"{link}: {url}"])
    return title, markdown, text


def run_execute(run_id: int, *, transport: Any = None) -> str:
    """Carry out one run: build, store the files, deliver. Returns the final state (a run that is not
    queued any more is left alone and its state returned)."""
    now = timezone.now()
    claimed = ReportRun.objects.filter(pk=run_id, state=RunState.QUEUED).update(
        state=RunState.RUNNING, started_at=now
    )
    run = ReportRun.objects.select_related("workspace", "schedule").get(pk=run_id)
    if not claimed:
        return str(run.state)
    workspace = run.workspace
    try:
        with translation.override(workspace.locale):
            report = build_report(
                workspace=workspace,
                user=report_reader(
                    workspace, run.requested_by_id, run.schedule.created_by_id if run.schedule else None
                ),
                template=run.template,
                period_from=run.period_from,
                period_to=run.period_to,
            )
            pdf, xlsx = report_files(report)
            stem = f"{file_stem(report)}-{run.pk}"
            run.pdf.save(f"{stem}.pdf", ContentFile(pdf), save=False)
            run.xlsx.save(f"{stem}.xlsx", ContentFile(xlsx), save=False)
            run.state, run.error = RunState.DONE, ""
            run.finished_at = timezone.now()
            run.save(update_fields=["pdf", "xlsx", "state", "error", "finished_at"])
            run.delivery = _deliver(run, report, pdf, xlsx, transport)
            run.save(update_fields=["delivery"])
    except Exception as exc:  # a report that cannot be made is recorded, never retried forever
        log.exception("report run %s failed", run_id)
        run.state, run.error = RunState.FAILED, f"{exc.__class__.__name__}: {exc}"[:2000]
        run.finished_at = timezone.now()
        run.save(update_fields=["state", "error", "finished_at"])
    with transaction.atomic():
        audit_record(
            workspace=workspace, actor=None, action=f"report_run.{run.state}", obj=run, after=_run_snap(run)
        )
    return str(run.state)


def _deliver(run: ReportRun, report: Report, pdf: bytes, xlsx: bytes, transport: Any) -> dict[str, Any]:
    schedule = run.schedule
    if schedule is None:
        return {}
    url = run_url(run)
    title, markdown, text = summary_texts(report, url)
    out: dict[str, Any] = {}
    stem = file_stem(report)
    try:
        out["email"] = delivery.send_email(
            recipients=schedule.recipients,
            subject=f"{title} ({report.period_from:%Y-%m-%d} – {report.period_to:%Y-%m-%d})",
            body=text,
            attachments=[(f"{stem}.pdf", pdf, delivery.PDF_TYPE), (f"{stem}.xlsx", xlsx, delivery.XLSX_TYPE)],
        )
    except Exception as exc:  # SMTP down: the files are kept and the robots still hear of it
        log.warning("report run %s: email failed: %s", run.pk, exc)
        out["email"] = f"failed: {exc.__class__.__name__}"
    out["robots"] = [
        delivery.post_robot(
            kind=r["kind"],
            url=r["url"],
            secret=r.get("secret", ""),
            title=title,
            markdown=markdown,
            text=text,
            transport=transport,
        )  # fmt: skip
        for r in schedule.robots
    ]
    return out
