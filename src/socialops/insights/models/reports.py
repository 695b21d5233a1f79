"""Scheduled reports (issue 14 §3): a schedule per template and slot, and every run it (or a person) made."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from socialops.core.models import CreatedAtModel
from socialops.workspaces.models import Workspace


class ReportTemplate(models.TextChoices):
    """What a report covers (docs/reports.md)."""

    WEEKLY = "weekly", _("Weekly operations")
    MONTHLY = "monthly", _("Monthly review")
    CAMPAIGN = "campaign", _("Campaign wrap-up")


class RobotKind(models.TextChoices):
    """Group chat robots a summary can be posted to through their incoming webhook."""

    WECOM = "wecom", _("WeCom (企业微信)")
    DINGTALK = "dingtalk", _("DingTalk (钉钉)")
    FEISHU = "feishu", _("Feishu (飞书)")


class Weekday(models.IntegerChoices):
    """ISO weekday numbers, Monday = 1."""

    MONDAY = 1, _("Monday")
    TUESDAY = 2, _("Tuesday")
    WEDNESDAY = 3, _("Wednesday")
    THURSDAY = 4, _("Thursday")
    FRIDAY = 5, _("Friday")
    SATURDAY = 6, _("Saturday")
    SUNDAY = 7, _("Sunday")


class RunState(models.TextChoices):
    """Where a report run stands."""

    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ReportSchedule(CreatedAtModel):
    """A report made on a weekday and time of the workspace's time zone and sent to people and group robots."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    template = models.CharField(_("template"), max_length=10, choices=ReportTemplate.choices)
    # Weekly and campaign reports run on this weekday every week, monthly ones on its first
    # occurrence in the month; the time is the workspace's local wall time.
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices, default=Weekday.MONDAY)
    time = models.TimeField(_("time"), default=dt.time(9, 0))
    recipients = models.JSONField(_("email recipients"), default=list, blank=True)
    # [{"kind": "wecom" | "dingtalk" | "feishu", "url": "https://…", "secret": "…"}]; the secret
    # is DingTalk's or Feishu's signing secret, blank when the robot has none.
    robots = models.JSONField(_("group robots"), default=list, blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["workspace", "enabled"], name="report_schedule_ws_enabled")]
        verbose_name = _("report schedule")

    def __str__(self) -> str:
        return self.name

    def robot_labels(self) -> list[str]:
        """The robots' kinds as people read them (WeCom, DingTalk, Feishu)."""
        labels = dict(RobotKind.choices)
        return [str(labels.get(r.get("kind"), r.get("kind", ""))) for r in self.robots]


class ReportRun(CreatedAtModel):
    """One report for one period: its state, its PDF and XLSX files (kept for re-download), what went wrong."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    # Null for a report asked for by hand on a schedule-less template (the API, "run now" keeps it).
    schedule = models.ForeignKey(
        ReportSchedule, on_delete=models.SET_NULL, null=True, blank=True, related_name="runs"
    )
    template = models.CharField(_("template"), max_length=10, choices=ReportTemplate.choices)
    period_from = models.DateField(_("from"))
    period_to = models.DateField(_("to"))
    # "schedule" (made by the periodic task) or "manual" (run now): only scheduled runs are unique.
    trigger = models.CharField(max_length=10, default="schedule")
    state = models.CharField(_("state"), max_length=10, choices=RunState.choices, default=RunState.QUEUED)
    pdf = models.FileField(_("PDF"), upload_to="reports/%Y/%m/", blank=True)
    xlsx = models.FileField(_("Excel workbook"), upload_to="reports/%Y/%m/", blank=True)
    error = models.TextField(_("error"), blank=True)
    # What delivery did: {"email": "sent" | "off" | "failed: …", "robots": ["sent", …]}.
    delivery = models.JSONField(default=dict, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["workspace", "-created_at"], name="report_run_ws_created"),
            models.Index(fields=["state", "created_at"], name="report_run_state"),
        ]
        constraints = [
            # The periodic task may run twice or late: one scheduled run per schedule and period.
            models.UniqueConstraint(
                fields=["schedule", "period_from"],
                condition=models.Q(trigger="schedule"),
                name="report_run_once_per_period",
            ),
        ]
        verbose_name = _("report run")

    def __str__(self) -> str:
        return f"{self.template} {self.period_from}–{self.period_to}"
