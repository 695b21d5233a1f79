"""Inbox threads: a fan's messages to one of our accounts, grouped, with status, owner and timers.

A thread is made of the fan's interactions (fans.Interaction, through ThreadItem) and our
replies (Reply). Comments of one fan under one of our posts are one thread; a fan's direct
messages to an account are one thread; mentions outside our posts are one thread per fan.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from socialops.accounts.models import SocialAccount
from socialops.core.models import TimestampedModel
from socialops.fans.models import Fan, Interaction, Person
from socialops.workspaces.models import UserNotice, Workspace, WorkspaceRow


class ThreadChannel(models.TextChoices):
    """Where the conversation happens."""

    COMMENTS = "comments", _("Comments")
    MESSAGES = "messages", _("Direct messages")
    MENTIONS = "mentions", _("Mentions")


class ThreadStatus(models.TextChoices):
    """Where the team is with a thread."""

    # With a context: "Open" alone is a verb elsewhere in the product's catalogues.
    OPEN = "open", pgettext_lazy("thread status", "Open")
    PENDING = "pending", pgettext_lazy("thread status", "Pending")  # waiting for the fan or a colleague
    CLOSED = "closed", pgettext_lazy("thread status", "Closed")


class Priority(models.TextChoices):
    """How soon a thread must be answered; each has its own response target."""

    URGENT = "urgent", _("Urgent")
    HIGH = "high", _("High")
    NORMAL = "normal", _("Normal")
    LOW = "low", _("Low")


# Higher answers first; stored on the thread so a queue sorts in the database.
PRIORITY_RANK = {Priority.URGENT: 3, Priority.HIGH: 2, Priority.NORMAL: 1, Priority.LOW: 0}


class Sentiment(models.TextChoices):
    """A message's sentiment (textkit.sentiment)."""

    POSITIVE = "positive", _("Positive")
    NEUTRAL = "neutral", _("Neutral")
    NEGATIVE = "negative", _("Negative")


class Intent(models.TextChoices):
    """What a message wants (textkit.sentiment)."""

    QUESTION = "question", _("Question")
    COMPLAINT = "complaint", _("Complaint")
    PRAISE = "praise", _("Praise")
    PURCHASE = "purchase", _("Purchase intent")
    OTHER = "other", _("Other")


class Thread(TimestampedModel):
    """One conversation of one fan with one of our accounts: status, owner, priority and response timer."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="threads")
    account = models.ForeignKey(
        SocialAccount, on_delete=models.CASCADE, related_name="threads", verbose_name=_("account")
    )
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="threads")
    fan = models.ForeignKey(Fan, on_delete=models.CASCADE, related_name="threads")
    channel = models.CharField(_("channel"), max_length=10, choices=ThreadChannel.choices)
    # What makes the thread one: "dm:<fan>", "post:<post id>:<fan>" or "mention:<fan>" (see services).
    key = models.CharField(max_length=300)
    post_external_id = models.CharField(_("post"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ThreadStatus.choices, default=ThreadStatus.OPEN
    )
    snoozed_until = models.DateTimeField(_("snoozed until"), null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assignee"),
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    priority_rank = models.PositiveSmallIntegerField(default=1)
    # Of the fan's latest message.
    sentiment = models.CharField(_("sentiment"), max_length=10, choices=Sentiment.choices, blank=True)
    sentiment_score = models.FloatField(null=True, blank=True)
    intent = models.CharField(_("intent"), max_length=10, choices=Intent.choices, blank=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    preview = models.CharField(_("latest message"), max_length=200, blank=True)
    first_inbound_at = models.DateTimeField(null=True, blank=True)
    last_inbound_at = models.DateTimeField(_("last message"), null=True, blank=True)
    last_reply_at = models.DateTimeField(_("last reply"), null=True, blank=True)
    # The first fan message we have not answered yet (None when we spoke last).
    awaiting_since = models.DateTimeField(_("waiting since"), null=True, blank=True)
    # When the response target for awaiting_since runs out (working time only when so set).
    due_at = models.DateTimeField(_("answer by"), null=True, blank=True)
    breached_at = models.DateTimeField(_("target missed at"), null=True, blank=True)
    # Seconds from the thread's first message to our first reply (None until answered).
    first_response_seconds = models.PositiveIntegerField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Bumped by every reply: a reply form carries the version it was written against, so two
    # people answering the same thread at once do not both send (the collision guard).
    version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-priority_rank", "due_at", "-last_inbound_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["account", "key"], name="uniq_thread_key")]
        # In the queue's own order (benchmarks/inbox.py: at 1M messages the first page of a
        # queue is read off the index instead of sorting every open thread), and one covering
        # index for the per-queue counts over open and pending threads.
        indexes = [
            models.Index(
                fields=["workspace", "status", "-priority_rank", "due_at", "-last_inbound_at", "id"],
                name="thread_ws_queue",
            ),
            models.Index(
                fields=[
                    "workspace",
                    "assignee",
                    "status",
                    "-priority_rank",
                    "due_at",
                    "-last_inbound_at",
                    "id",
                ],
                name="thread_ws_assignee",
            ),
            models.Index(
                fields=["workspace", "status"],
                include=["assignee", "snoozed_until", "due_at", "awaiting_since"],
                name="thread_ws_status_cover",
            ),
            models.Index(fields=["workspace", "status", "due_at"], name="thread_ws_due"),
            models.Index(fields=["workspace", "person"], name="thread_ws_person"),
        ]
        verbose_name = _("thread")
        verbose_name_plural = _("threads")

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.preview[:30]}"


class ThreadItem(WorkspaceRow):
    """One message of the fan in a thread (an interaction), with its sentiment and intent."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="items")
    # One interaction is in one thread only: a pull and a push of one message file it once.
    interaction = models.OneToOneField(Interaction, on_delete=models.CASCADE, related_name="thread_item")
    sentiment = models.CharField(max_length=10, choices=Sentiment.choices, blank=True)
    sentiment_score = models.FloatField(null=True, blank=True)
    intent = models.CharField(max_length=10, choices=Intent.choices, blank=True)

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["thread", "interaction"], name="threaditem_thread")]
        verbose_name = _("thread message")

    def __str__(self) -> str:
        return f"{self.thread_id}:{self.interaction_id}"


class ReplyStatus(models.TextChoices):
    """Where an outgoing reply is."""

    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    # The platform may have taken it and the answer was lost: a person checks, nothing re-sends.
    UNKNOWN = "unknown", _("Outcome unknown")
    FAILED = "failed", _("Failed")


class Reply(WorkspaceRow):
    """One answer of ours in a thread, sent once through the account's connector."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="replies")
    text = models.TextField(_("text"))
    # None for an automatic reply (see rule).
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rule = models.ForeignKey(
        "engagement.AutoReplyRule", on_delete=models.SET_NULL, null=True, blank=True, related_name="replies"
    )
    # The platform id of the fan message we answer.
    in_reply_to = models.CharField(max_length=200)
    idempotency_key = models.CharField(max_length=64, unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ReplyStatus.choices, default=ReplyStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    external_id = models.CharField(max_length=200, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # When a worker took it to send (a reply still sending long after is an unknown outcome).
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["workspace", "status"], name="reply_ws_status")]
        verbose_name = _("reply")
        verbose_name_plural = _("replies")

    def __str__(self) -> str:
        return self.text[:40]


class ThreadNote(WorkspaceRow):
    """An internal note on a thread, seen only by the team; @mentions notify colleagues."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField(_("note"))
    mentions = models.JSONField(default=list, blank=True)  # user ids
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("note")

    def __str__(self) -> str:
        return self.text[:40]


class InboxAlertKind(models.TextChoices):
    """Why the inbox calls a member."""

    BREACH = "breach", _("Response target missed")
    SPIKE = "spike", _("Negative messages spike")
    MENTION = "mention", _("Mentioned in a note")
    ASSIGNED = "assigned", _("Thread assigned")
    REPLY_UNKNOWN = "reply_unknown", _("Reply outcome unknown")
    IDEA = "idea", _("Idea sent to you")


class InboxAlert(UserNotice):
    """An inbox notice to one member: a missed target, a spike, a mention, an assignment."""

    kind = models.CharField(max_length=20, choices=InboxAlertKind.choices)
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["workspace", "user", "read_at"], name="inboxalert_user")]
        constraints = [
            # One breach alert per thread and member for one wait (the timer's due time is in detail).
            models.UniqueConstraint(
                fields=["thread", "user", "kind", "detail"],
                condition=Q(kind="breach"),
                name="uniq_inboxalert_breach",
            ),
        ]
        verbose_name = _("inbox alert")

    def __str__(self) -> str:
        return f"{self.kind} {self.detail[:30]}"
