"""Cadence, capacity and the publishing plan: runs of the generator and the placements they make (R2.4–R2.6)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from socialops.accounts.models import SocialAccount
from socialops.core.models import CreatedAtModel, CreatedByModel, TimestampedModel
from socialops.workspaces.models import Workspace

from .items import ContentItem


def default_posts_per_weekday() -> dict[str, list[int]]:
    """Mon–Fri 2–3 posts a day, Sat–Sun 1 (the seed's default rhythm). Keys are ISO weekdays 1–7."""
    return {"1": [2, 3], "2": [2, 3], "3": [2, 3], "4": [2, 3], "5": [2, 3], "6": [1, 1], "7": [1, 1]}


def default_form_limits() -> dict[str, int]:
    """At most one live stream a week unless the team says otherwise."""
    return {"live": 1}


def default_quiet_start() -> dt.time:
    """Quiet hours start at 23:00 local time."""
    return dt.time(23, 0)


def default_quiet_end() -> dt.time:
    """Quiet hours end at 07:00 local time."""
    return dt.time(7, 0)


class HolidayMode(models.TextChoices):
    """How a public holiday counts for the cadence."""

    WEEKEND = "weekend", _("Like a weekend day")
    SKIP = "skip", _("No posts")
    WORKDAY = "workday", _("Like a workday")


class CadenceRule(models.Model):
    """How often and when an account posts: per weekday, on holidays, gaps, quiet hours, per-form limits."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="cadence_rules")
    account = models.ForeignKey(SocialAccount, on_delete=models.CASCADE, related_name="cadence_rules")
    # {"1": [min, max], …, "7": [min, max]}: posts per ISO weekday.
    posts_per_weekday = models.JSONField(_("posts per weekday"), default=default_posts_per_weekday)
    holiday_mode = models.CharField(
        _("public holidays"), max_length=10, choices=HolidayMode.choices, default=HolidayMode.WEEKEND
    )
    # A make-up workday (调休上班) on a Saturday or Sunday counts as the weekday whose cadence it takes.
    makeup_as_workday = models.BooleanField(_("make-up workdays count as workdays"), default=True)
    min_gap_minutes = models.PositiveIntegerField(
        _("minimum gap between posts (minutes)"), default=120, validators=[MaxValueValidator(24 * 60)]
    )
    quiet_start = models.TimeField(_("quiet hours from"), default=default_quiet_start)
    quiet_end = models.TimeField(_("quiet hours until"), default=default_quiet_end)
    # {"live": 1, "video": 3}: at most this many items of a form per week.
    form_limits = models.JSONField(_("per-form weekly limits"), default=default_form_limits, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "account"], name="uniq_cadence_account")]
        verbose_name = _("cadence rule")

    def __str__(self) -> str:
        return f"cadence {self.account_id}"


class CapacityRule(models.Model):
    """What the team can produce: items per week for one owner, or for the whole workspace (owner empty)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="capacity_rules")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    items_per_week = models.PositiveIntegerField(
        _("items per week"), validators=[MinValueValidator(0), MaxValueValidator(10_000)]
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "owner"],
                condition=models.Q(owner__isnull=False),
                name="uniq_capacity_owner",
            ),
            models.UniqueConstraint(
                fields=["workspace"], condition=models.Q(owner__isnull=True), name="uniq_capacity_workspace"
            ),
        ]
        verbose_name = _("capacity")

    def __str__(self) -> str:
        return f"{self.owner_id or 'workspace'}: {self.items_per_week}/week"


class PlanRun(CreatedByModel, CreatedAtModel):
    """One run of the plan generator over a period and a set of accounts, with its report."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="plan_runs")
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    accounts = models.ManyToManyField(SocialAccount, related_name="+", verbose_name=_("accounts"))
    # Empty slots, short themes, moves of re-flowed items, warnings (uncovered holiday data …).
    report = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["workspace", "-created_at"], name="planrun_ws_created")]
        verbose_name = _("plan run")

    def __str__(self) -> str:
        return f"{self.period_start}–{self.period_end}"


class PlacementSource(models.TextChoices):
    """Who put an item in its slot."""

    GENERATOR = "generator", _("Plan generator")
    MANUAL = "manual", _("Placed by hand")


class Placement(TimestampedModel):
    """An item planned for one account at one time; kept by regeneration when placed or locked by hand."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="placements")
    account = models.ForeignKey(SocialAccount, on_delete=models.CASCADE, related_name="placements")
    item = models.ForeignKey(ContentItem, on_delete=models.CASCADE, related_name="placements")
    starts_at = models.DateTimeField(_("time"))
    source = models.CharField(
        _("source"), max_length=10, choices=PlacementSource.choices, default=PlacementSource.GENERATOR
    )
    locked = models.BooleanField(_("locked"), default=False)
    # [{"code": "theme_under_target", "params": {...}}, …]: rendered in the reader's language.
    explanation = models.JSONField(default=list, blank=True)
    plan_run = models.ForeignKey(
        PlanRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="placements"
    )

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["workspace", "starts_at"], name="placement_ws_time")]
        # An item goes out at most once per account.
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "item", "account"], name="uniq_placement_item_account"
            )
        ]
        verbose_name = _("placement")

    def __str__(self) -> str:
        # Read in the audit log and lists: the item, the account (name and platform), local time.
        when = self.starts_at.astimezone(self.workspace.tz) if self.workspace_id else self.starts_at
        return f"{self.item.title} · {self.account} · {when:%Y-%m-%d %H:%M}"
