"""How a workspace's inbox works: working hours and response targets, assignment, saved replies, auto-replies."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from socialops.accounts.models import SocialAccount
from socialops.core.models import CreatedByModel, TimestampedModel
from socialops.fans.models import Segment
from socialops.workspaces.models import Workspace


class AssignMode(models.TextChoices):
    """Who gets a new thread when no assignment rule matches."""

    NOBODY = "nobody", _("Nobody (the team picks from the queue)")
    ROUND_ROBIN = "round_robin", _("Round-robin among the community team")


def _weekdays() -> list[int]:
    return [0, 1, 2, 3, 4]


class InboxSettings(TimestampedModel):
    """One workspace's working hours, response targets per priority, assignment and alert levels."""

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="inbox_settings")
    work_start = models.TimeField(_("working day starts"), default=dt.time(9, 0))
    work_end = models.TimeField(_("working day ends"), default=dt.time(18, 0))
    # Monday = 0. On a 调休 make-up workday the team works even on a weekend day, and on an
    # official holiday it does not, whatever the weekday (respect_holidays).
    weekdays = models.JSONField(_("working weekdays"), default=_weekdays)
    respect_holidays = models.BooleanField(_("follow the official holiday calendar"), default=True)
    # Response targets in minutes, counted in working time only when targets_in_working_hours.
    urgent_minutes = models.PositiveIntegerField(_("urgent: answer within (minutes)"), default=30)
    high_minutes = models.PositiveIntegerField(_("high: answer within (minutes)"), default=60)
    normal_minutes = models.PositiveIntegerField(_("normal: answer within (minutes)"), default=240)
    low_minutes = models.PositiveIntegerField(_("low: answer within (minutes)"), default=1440)
    targets_in_working_hours = models.BooleanField(_("count targets in working hours only"), default=True)
    assign_mode = models.CharField(
        _("assign new threads"), max_length=12, choices=AssignMode.choices, default=AssignMode.NOBODY
    )
    # The member who got the last round-robin thread (the next one goes to the member after).
    last_assigned = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # A fan whose expected 90-day value (fans value model) reaches this is high-value: high priority.
    high_value_threshold = models.DecimalField(
        _("high-value fan from (expected value)"), max_digits=12, decimal_places=2, default=500
    )
    # A spike: negative messages in the last hour ≥ spike_factor × their usual hourly level and ≥ spike_minimum.
    spike_factor = models.FloatField(_("spike: times the usual level"), default=3.0)
    spike_minimum = models.PositiveIntegerField(_("spike: at least (messages per hour)"), default=5)
    last_spike_alert_at = models.DateTimeField(null=True, blank=True)
    # Sent a signed POST on every new fan message and every missed target (blank: off).
    webhook_url = models.URLField(_("webhook URL"), max_length=500, blank=True)
    # The key of that POST's HMAC-SHA256 signature (engagement/webhooks.py); written, never shown.
    webhook_secret = models.CharField(_("webhook signing secret"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("inbox settings")

    def __str__(self) -> str:
        return f"inbox settings {self.workspace_id}"

    def target_minutes(self, priority: str) -> int:
        """The response target of one priority, in minutes."""
        return int(getattr(self, f"{priority}_minutes", self.normal_minutes))


class SavedReply(CreatedByModel, TimestampedModel):
    """A reusable answer with variables ({昵称}, {优惠码}), for the whole workspace or one account."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="saved_replies")
    account = models.ForeignKey(
        SocialAccount,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("account"),
    )
    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("text"))
    # The check findings of the body when it was saved: a blocking one flags the saved reply.
    findings = models.JSONField(default=list, blank=True)
    flagged = models.BooleanField(_("fails the checks"), default=False)
    uses = models.PositiveIntegerField(_("times used"), default=0)

    class Meta:
        ordering = ["title", "pk"]
        indexes = [models.Index(fields=["workspace", "title"], name="savedreply_ws_title")]
        verbose_name = _("saved reply")
        verbose_name_plural = _("saved replies")

    def __str__(self) -> str:
        return self.title


class RuleMatch(models.TextChoices):
    """How an auto-reply rule recognises a message."""

    EXACT = "exact", _("Message is exactly")
    CONTAINS = "contains", _("Message contains")
    REGEX = "regex", _("Message matches the pattern")
    WELCOME = "welcome", _("First message of a fan")
    OFF_HOURS = "off_hours", _("Any message outside working hours")


class RuleChannel(models.TextChoices):
    """Which messages a rule answers."""

    MESSAGES = "messages", _("Direct messages")
    COMMENTS = "comments", _("Comments")
    ANY = "any", _("Both")


class AutoReplyRule(CreatedByModel, TimestampedModel):
    """A keyword / welcome / off-hours rule that answers a fan's message by itself, once per message."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="auto_reply_rules")
    # None: every account of the workspace.
    account = models.ForeignKey(
        SocialAccount,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("account"),
    )
    name = models.CharField(_("name"), max_length=100)
    match = models.CharField(_("match"), max_length=10, choices=RuleMatch.choices)
    pattern = models.CharField(_("keyword or pattern"), max_length=200, blank=True)
    channel = models.CharField(
        _("answers"), max_length=10, choices=RuleChannel.choices, default=RuleChannel.MESSAGES
    )
    reply_text = models.TextField(_("reply"))
    # Local time window in which the rule is on (both blank: all day); may cross midnight.
    active_from = models.TimeField(_("on from"), null=True, blank=True)
    active_to = models.TimeField(_("on until"), null=True, blank=True)
    position = models.PositiveIntegerField(_("order"), default=0)
    enabled = models.BooleanField(_("enabled"), default=True)
    fired = models.PositiveIntegerField(_("times fired"), default=0)
    findings = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["position", "pk"]
        indexes = [models.Index(fields=["workspace", "enabled", "position"], name="autoreply_ws_order")]
        verbose_name = _("auto-reply rule")

    def __str__(self) -> str:
        return self.name


class AssignmentRule(TimestampedModel):
    """Sends matching new threads (account, language, intent, tier) to one member, before round-robin."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="assignment_rules")
    account = models.ForeignKey(
        SocialAccount,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("account"),
    )
    # "zh" or "en" (blank: any), decided from the message's characters.
    language = models.CharField(_("language"), max_length=5, blank=True)
    intent = models.CharField(_("intent"), max_length=10, blank=True)
    tier = models.ForeignKey(
        Segment, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("tier")
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("assign to")
    )
    position = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("assignment rule")

    def __str__(self) -> str:
        return f"rule {self.pk}"
