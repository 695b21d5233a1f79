"""Models of the engagement app: campaigns (goal, accounts, period, budget, content) and ideas.

A campaign is the frame polls, lucky draws, topics and events hang from (each may name one);
an idea is a piece of feedback worth acting on, kept with where it came from.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from socialops.accounts.models import SocialAccount
from socialops.content.models import ContentItem
from socialops.core.models import CreatedAtModel
from socialops.fans.models import Person
from socialops.goals.models import Goal
from socialops.workspaces.models import Workspace


class Campaign(CreatedAtModel):
    """An interactive campaign (线上活动): which goal it serves, on which accounts, when, for how much."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    goal = models.ForeignKey(
        Goal, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("goal")
    )
    accounts = models.ManyToManyField(SocialAccount, related_name="+", blank=True, verbose_name=_("accounts"))
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"))
    budget = models.DecimalField(_("budget (CNY)"), max_digits=14, decimal_places=2, null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    # The campaign's posts on the plan (placed, reviewed and published like any other item).
    items = models.ManyToManyField(ContentItem, related_name="+", blank=True, verbose_name=_("content items"))

    class Meta:
        ordering = ["-start_date", "name"]
        indexes = [models.Index(fields=["workspace", "start_date"], name="campaign_ws_start")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")), name="campaign_period_order"
            ),
        ]
        verbose_name = _("campaign")

    def __str__(self) -> str:
        return self.name


class IdeaSource(models.TextChoices):
    """Where a piece of feedback was collected."""

    POLL = "poll", _("Poll or survey answer")
    INBOX = "inbox", _("Inbox message")
    TICKET = "ticket", _("Member ticket")
    GROUP = "group", _("Group message")
    MANUAL = "manual", _("Entered by a member")


class IdeaStatus(models.TextChoices):
    """What became of an idea."""

    NEW = "new", _("New")
    CONTENT = "content", _("Turned into content")
    PRODUCT = "product", _("Sent to a product owner")
    DISMISSED = "dismissed", _("Dismissed")


class Idea(CreatedAtModel):
    """Feedback worth acting on (收集用户反馈), kept with its source, turned into content or sent on."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(_("text"))
    source = models.CharField(_("source"), max_length=10, choices=IdeaSource.choices)
    # The source row's id in its own table (a poll answer, a thread item, a ticket), blank for manual.
    source_id = models.CharField(max_length=64, blank=True)
    person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("person")
    )
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ideas",
        verbose_name=_("campaign"),
    )
    status = models.CharField(_("status"), max_length=10, choices=IdeaStatus.choices, default=IdeaStatus.NEW)
    content_item = models.ForeignKey(
        ContentItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("content item"),
    )
    product_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("product owner"),
    )
    # When it was sent to the product owner, shown as "sent to X at time".
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["workspace", "status", "created_at"], name="idea_ws_status")]
        constraints = [
            # The same feedback is one idea, however often it is collected.
            models.UniqueConstraint(
                fields=["workspace", "source", "source_id"],
                condition=~models.Q(source_id=""),
                name="uniq_idea_source",
            ),
        ]
        verbose_name = _("idea")

    def __str__(self) -> str:
        return self.text[:40]


class Topic(CreatedAtModel):
    """A topic discussion (话题): one name with its tag on each platform, counted over time."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="topics",
        verbose_name=_("campaign"),
    )
    name = models.CharField(_("name"), max_length=100)
    # platform code → the tag as written there, e.g. {"weibo": "#星曜新品#", "mastodon": "#starlight"}.
    tags = models.JSONField(_("tags"), default=dict, blank=True)
    # The newest Mastodon status id already stored (the public hashtag timeline pages from it).
    mastodon_cursor = models.CharField(max_length=64, blank=True)
    fetched_at = models.DateTimeField(_("last fetched"), null=True, blank=True)

    class Meta:
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["workspace", "campaign"], name="topic_ws_campaign")]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="uniq_topic_name")]
        verbose_name = _("topic")

    def __str__(self) -> str:
        return self.name


class TopicPost(models.Model):
    """A public post carrying a topic's tag, fetched from a platform's tag timeline (stored once per post id)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="posts")
    platform = models.CharField(_("platform"), max_length=20)
    external_id = models.CharField(max_length=200)
    url = models.URLField(_("link"), max_length=500, blank=True)
    author_id = models.CharField(max_length=200, blank=True)
    author_handle = models.CharField(_("handle"), max_length=200, blank=True)
    author_name = models.CharField(_("name"), max_length=200, blank=True)
    text = models.TextField(_("text"), blank=True)
    posted_at = models.DateTimeField(_("posted"))
    replies = models.PositiveIntegerField(_("replies"), default=0)
    reposts = models.PositiveIntegerField(_("reposts"), default=0)
    likes = models.PositiveIntegerField(_("likes"), default=0)
    fetched_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-posted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["topic", "platform", "external_id"], name="uniq_topic_post_platform_id"
            ),
        ]
        indexes = [models.Index(fields=["workspace", "topic", "posted_at"], name="topicpost_ws_time")]
        verbose_name = _("topic post")

    def __str__(self) -> str:
        return f"{self.platform}:{self.external_id}"

    @property
    def engagement(self) -> int:
        """Replies, reposts and likes together (the order of the top posts)."""
        return self.replies + self.reposts + self.likes
