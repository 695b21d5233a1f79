"""Metric snapshots, imports, goals and strategies (R1.3–R1.5)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from socialops.accounts.models import SocialAccount
from socialops.core.models import CreatedAtModel, CreatedByModel
from socialops.workspaces.models import Workspace


class MetricSnapshot(models.Model):
    """One account's figures for one local day. A blank figure is unknown, not zero."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="metric_snapshots")
    account = models.ForeignKey(SocialAccount, on_delete=models.CASCADE, related_name="snapshots")
    date = models.DateField(_("date"))
    followers_total = models.PositiveIntegerField(_("followers"), null=True, blank=True)
    new_followers = models.PositiveIntegerField(_("new followers"), null=True, blank=True)
    lost_followers = models.PositiveIntegerField(_("lost followers"), null=True, blank=True)
    impressions = models.PositiveBigIntegerField(_("impressions"), null=True, blank=True)
    reach = models.PositiveBigIntegerField(_("reach"), null=True, blank=True)
    likes = models.PositiveIntegerField(_("likes"), null=True, blank=True)
    comments = models.PositiveIntegerField(_("comments"), null=True, blank=True)
    shares = models.PositiveIntegerField(_("shares"), null=True, blank=True)
    saves = models.PositiveIntegerField(_("saves"), null=True, blank=True)
    link_clicks = models.PositiveIntegerField(_("link clicks"), null=True, blank=True)
    leads = models.PositiveIntegerField(_("leads"), null=True, blank=True)
    coupon_redemptions = models.PositiveIntegerField(_("coupon redemptions"), null=True, blank=True)
    orders = models.PositiveIntegerField(_("orders"), null=True, blank=True)
    revenue = models.DecimalField(_("revenue"), max_digits=14, decimal_places=2, null=True, blank=True)
    posts = models.PositiveIntegerField(_("posts published"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=20, default="manual")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["account", "date"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "account", "date"], name="uniq_snapshot_day"),
        ]
        indexes = [models.Index(fields=["workspace", "date"], name="snapshot_ws_date")]
        verbose_name = _("metric snapshot")

    def __str__(self) -> str:
        return f"{self.account_id} {self.date}"

    @property
    def engagements(self) -> int | None:
        parts = [self.likes, self.comments, self.shares, self.saves]
        if all(p is None for p in parts):
            return None
        return sum(p or 0 for p in parts)


class MetricImport(CreatedByModel, CreatedAtModel):
    """One run of a metrics file import: what file, what it changed, who ran it."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="metric_imports")
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["workspace", "sha256"], name="metricimport_ws_sha")]
        verbose_name = _("metrics import")

    def __str__(self) -> str:
        return self.file_name


class OwnedModel(CreatedAtModel):
    """A goal or strategy: someone in the workspace answers for it (kept, without owner, if they leave)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )

    class Meta:
        abstract = True


class GoalKind(models.TextChoices):
    """The three kinds of goal of R1.3."""

    GROWTH = "growth", _("User growth")
    DISSEMINATION = "dissemination", _("Content dissemination")
    CONVERSION = "conversion", _("Marketing conversion")


class Goal(OwnedModel):
    """A target for one metric over a period, for one or more accounts, owned by a person."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="goals")
    kind = models.CharField(_("kind"), max_length=20, choices=GoalKind.choices)
    name = models.CharField(_("name"), max_length=150)
    metric = models.CharField(_("metric"), max_length=40)
    baseline = models.DecimalField(_("baseline"), max_digits=16, decimal_places=4, default=0)
    target = models.DecimalField(_("target"), max_digits=16, decimal_places=4)
    period_start = models.DateField(_("start"))
    period_end = models.DateField(_("end"))
    accounts = models.ManyToManyField(SocialAccount, related_name="goals", verbose_name=_("accounts"))
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["period_end", "name"]
        indexes = [models.Index(fields=["workspace", "period_end"], name="goal_ws_end")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")), name="goal_period_order"
            ),
        ]
        verbose_name = _("goal")

    def __str__(self) -> str:
        return self.name


class StrategyKind(models.TextChoices):
    """Kinds of measure named by the plan (策略与措施)."""

    CONTENT = "content", _("Content creation")
    PUBLISHING = "publishing", _("Publishing")
    INTERACTIVE = "interactive", _("Interactive marketing")
    PARTNER = "partner", _("Partner promotion")
    EVENT = "event", _("Events")
    OTHER = "other", _("Other")


class Strategy(OwnedModel):
    """A measure taken for one or more goals, over a date range, whose effect is measured."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="strategies")
    kind = models.CharField(_("kind"), max_length=20, choices=StrategyKind.choices)
    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    goals = models.ManyToManyField(Goal, related_name="strategies", verbose_name=_("goals"))
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"))

    class Meta:
        ordering = ["-start_date", "name"]
        indexes = [models.Index(fields=["workspace", "start_date"], name="strategy_ws_start")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")), name="strategy_period_order"
            ),
        ]
        verbose_name = _("strategy")
        verbose_name_plural = _("strategies")

    def __str__(self) -> str:
        return self.name
