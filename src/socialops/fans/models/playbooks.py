"""Playbooks: what to do for the people of a tier or segment, their runs and what each did."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from socialops.core.models import CreatedAtModel, CreatedByModel, TimestampedModel
from socialops.workspaces.models import Workspace

from .people import Person
from .segments import Segment


class PlaybookTrigger(models.TextChoices):
    """When a playbook runs."""

    ON_ENTER = "enter", _("When a person enters the segment")
    SCHEDULE = "schedule", _("On a schedule, for everyone in the segment")


class Playbook(CreatedByModel, TimestampedModel):
    """Actions for the people of one segment or tier, with caps and quiet hours."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="playbooks")
    name = models.CharField(_("name"), max_length=100)
    segment = models.ForeignKey(
        Segment, on_delete=models.CASCADE, related_name="playbooks", verbose_name=_("segment")
    )
    trigger = models.CharField(
        _("trigger"), max_length=10, choices=PlaybookTrigger.choices, default=PlaybookTrigger.ON_ENTER
    )
    # For SCHEDULE: every N days at a local hour.
    every_days = models.PositiveSmallIntegerField(_("every (days)"), default=7)
    at_hour = models.PositiveSmallIntegerField(_("at hour"), default=10)
    # [{"type": "coupon", "campaign": 3}, {"type": "tag", "tag": "VIP"},
    #  {"type": "message", "item": 12}, {"type": "assign", "user": 5}] — see fans.playbooks.
    actions = models.JSONField(_("actions"), default=list)
    # At most this many actions per person within cap_days (0: no cap).
    cap_per_person = models.PositiveSmallIntegerField(_("actions per person"), default=1)
    cap_days = models.PositiveSmallIntegerField(_("within days"), default=30)
    quiet_start = models.PositiveSmallIntegerField(_("quiet hours from"), default=22)
    quiet_end = models.PositiveSmallIntegerField(_("quiet hours until"), default=8)
    enabled = models.BooleanField(_("enabled"), default=True)
    last_run_at = models.DateTimeField(_("last run"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="uniq_playbook_name")]
        verbose_name = _("playbook")
        verbose_name_plural = _("playbooks")

    def __str__(self) -> str:
        return self.name


class PlaybookRun(CreatedByModel, CreatedAtModel):
    """One run of a playbook (or a dry run that only lists who would get what)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    playbook = models.ForeignKey(Playbook, on_delete=models.CASCADE, related_name="runs")
    dry_run = models.BooleanField(_("dry run"), default=False)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # {"people": n, "done": n, "skipped": n, "manual": n, "failed": n}
    counts = models.JSONField(default=dict)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("playbook run")

    def __str__(self) -> str:
        return f"{self.playbook_id} {self.created_at:%Y-%m-%d %H:%M}"


class ActionStatus(models.TextChoices):
    """What happened to one action for one person."""

    PLANNED = "planned", _("Would run (dry run)")
    DONE = "done", _("Done")
    MANUAL = "manual", _("Left as a task for a person")
    SKIPPED = "skipped", _("Skipped")
    FAILED = "failed", _("Failed")


class PlaybookAction(models.Model):
    """One action of a run for one person, with its outcome and reason."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    run = models.ForeignKey(PlaybookRun, on_delete=models.CASCADE, related_name="actions")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="playbook_actions")
    action_type = models.CharField(_("action"), max_length=20)
    status = models.CharField(_("status"), max_length=10, choices=ActionStatus.choices)
    # The reason code for SKIPPED/FAILED/MANUAL, and what was done (coupon code, tag, task id).
    detail = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["workspace", "person", "at"], name="pbaction_ws_person")]
        verbose_name = _("playbook action")

    def __str__(self) -> str:
        return f"{self.action_type} {self.status}"


class FollowUpStatus(models.TextChoices):
    """Open or done."""

    OPEN = "open", _("Open")
    DONE = "done", _("Done")


class FollowUp(TimestampedModel):
    """A person assigned to a team member for follow-up (by a playbook or by hand)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="follow_ups")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN
    )
    run = models.ForeignKey(PlaybookRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["status", "-created_at"]
        indexes = [models.Index(fields=["workspace", "assignee", "status"], name="followup_ws_assignee")]
        verbose_name = _("follow-up")

    def __str__(self) -> str:
        return f"{self.person_id} → {self.assignee_id}"
