"""Models of the engagement app: polls and surveys, their questions and responses.

A poll is answered on a public page (``/p/polls/<token>/``, no login) or, when it is bound to
an account, by a fan replying a choice's keyword in a comment or a direct message. One response
holds one answer row per question (one per ticked choice for multiple choice).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from socialops.accounts.models import SocialAccount
from socialops.core.models import TimestampedModel
from socialops.fans.models import Fan, Interaction, Person
from socialops.workspaces.models import Workspace

from .campaigns import Campaign


def new_poll_token() -> str:
    """An unguessable token for a poll's public address."""
    return secrets.token_urlsafe(24)


class PollStatus(models.TextChoices):
    """Where a poll is in its life."""

    DRAFT = "draft", pgettext_lazy("poll status", "Draft")
    OPEN = "open", pgettext_lazy("poll status", "Open")
    CLOSED = "closed", pgettext_lazy("poll status", "Closed")


class QuestionKind(models.TextChoices):
    """How a question is answered."""

    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    SCALE = "scale", _("Scale")
    TEXT = "text", _("Free text")


class ResponseChannel(models.TextChoices):
    """How a response reached us."""

    PAGE = "page", _("Public page")
    KEYWORD = "keyword", _("Keyword reply")


class Poll(TimestampedModel):
    """A poll or survey (投票调查): questions, a public page, an optional keyword binding, a period."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="polls",
        verbose_name=_("campaign"),
    )
    accounts = models.ManyToManyField(SocialAccount, related_name="+", blank=True, verbose_name=_("accounts"))
    status = models.CharField(
        _("status"), max_length=10, choices=PollStatus.choices, default=PollStatus.DRAFT
    )
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    token = models.CharField(max_length=64, unique=True, default=new_poll_token, editable=False)
    one_per_device = models.BooleanField(_("one response per device"), default=True)
    # Fans of this account answer by replying a choice's keyword (回复 1 / 2 / 3).
    keyword_account = models.ForeignKey(
        SocialAccount,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("keyword replies on"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["workspace", "status", "created_at"], name="poll_ws_status"),
            models.Index(fields=["workspace", "keyword_account", "status"], name="poll_ws_keyword"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True)
                | Q(closes_at__isnull=True)
                | Q(closes_at__gt=models.F("opens_at")),
                name="poll_period_order",
            ),
        ]
        verbose_name = _("poll")

    def __str__(self) -> str:
        return self.title


class PollQuestion(models.Model):
    """One question of a poll: single or multiple choice, a scale, or free text."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=10, choices=QuestionKind.choices)
    text = models.CharField(_("question"), max_length=300)
    required = models.BooleanField(_("required"), default=True)
    scale_min = models.SmallIntegerField(_("scale from"), default=1)
    scale_max = models.SmallIntegerField(_("scale to"), default=5)

    class Meta:
        ordering = ["poll", "position", "pk"]
        indexes = [models.Index(fields=["workspace", "poll", "position"], name="pollq_ws_poll")]
        constraints = [
            models.CheckConstraint(
                condition=Q(scale_max__gt=models.F("scale_min")), name="pollq_scale_order"
            ),
        ]
        verbose_name = _("question")

    def __str__(self) -> str:
        return self.text


class PollChoice(models.Model):
    """One choice of a single- or multiple-choice question, with the keyword fans may reply."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    question = models.ForeignKey(PollQuestion, on_delete=models.CASCADE, related_name="choices")
    position = models.PositiveSmallIntegerField(default=0)
    label = models.CharField(_("choice"), max_length=150)
    keyword = models.CharField(_("keyword"), max_length=20, blank=True)

    class Meta:
        ordering = ["question", "position", "pk"]
        indexes = [models.Index(fields=["workspace", "question"], name="pollc_ws_question")]
        verbose_name = _("choice")

    def __str__(self) -> str:
        return self.label


class PollResponse(models.Model):
    """One person's or device's response to a poll, from the public page or a keyword reply."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="responses")
    channel = models.CharField(_("channel"), max_length=10, choices=ResponseChannel.choices)
    submitted_at = models.DateTimeField(_("submitted at"))
    # SHA-256 of the device cookie, set only when the poll takes one response per device (the
    # unique constraint below then holds it to one row, whatever the race).
    device_key = models.CharField(max_length=64, blank=True)
    person = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    fan = models.ForeignKey(Fan, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # The comment or message whose keyword made this response.
    source_interaction = models.ForeignKey(
        Interaction, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        indexes = [models.Index(fields=["workspace", "poll", "submitted_at"], name="pollr_ws_poll_time")]
        constraints = [
            models.UniqueConstraint(
                fields=["poll", "device_key"], condition=~Q(device_key=""), name="uniq_pollr_device"
            ),
            models.UniqueConstraint(
                fields=["poll", "person"], condition=Q(person__isnull=False), name="uniq_pollr_person"
            ),
        ]
        verbose_name = _("response")

    def __str__(self) -> str:
        return f"{self.poll_id}:{self.pk}"


class PollAnswer(models.Model):
    """One answer in a response: a ticked choice, a scale value or a text (tagged when saved)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    response = models.ForeignKey(PollResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(PollQuestion, on_delete=models.CASCADE, related_name="answers")
    choice = models.ForeignKey(
        PollChoice, on_delete=models.CASCADE, null=True, blank=True, related_name="answers"
    )
    scale_value = models.SmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True)
    # For text answers: the inbox's classifier (textkit.sentiment) and the workspace's keywords.
    sentiment = models.CharField(max_length=10, blank=True)
    intent = models.CharField(max_length=10, blank=True)
    tags = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["question", "pk"]
        indexes = [
            models.Index(fields=["workspace", "question", "choice"], name="polla_ws_question"),
            models.Index(fields=["workspace", "response"], name="polla_ws_response"),
        ]
        verbose_name = _("answer")

    def __str__(self) -> str:
        return f"{self.question_id}:{self.pk}"
