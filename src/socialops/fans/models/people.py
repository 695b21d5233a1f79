"""People, their platform identities (fans) and everything they did (interactions).

One Person is one human as far as we can tell; one Fan is one platform identity of a person on
one of our accounts. Fans, the inbox and communities all record what a person did as an
Interaction row, so a profile's timeline, activity tiers and response reports read one table.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from socialops.accounts.models import SocialAccount
from socialops.core.models import TimestampedModel
from socialops.workspaces.models import Workspace


class Person(TimestampedModel):
    """One human behind one or more fans, with the keys that match them and their scores."""

    # No index of its own: every index of the table leads with the workspace (each index is
    # rewritten for every person a refresh changes).
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="people", db_index=False)
    # The name shown to members allowed to see identities (a nickname from a platform or the CRM).
    display_name = models.CharField(_("name"), max_length=100, blank=True)
    # Matching keys. Each is unique in a workspace when set: two people never share one.
    union_id = models.CharField(_("WeChat unionid"), max_length=100, blank=True)
    customer_id = models.CharField(_("customer id"), max_length=100, blank=True)
    # HMAC of the normalised phone number (never the number itself), see fans.privacy.
    phone_hash = models.CharField(max_length=64, blank=True)
    # Real name and phone from a CRM import, encrypted at rest (Fernet), readable with fans.identity.
    contact_encrypted = models.TextField(blank=True)
    first_seen_at = models.DateTimeField(_("first seen"), null=True, blank=True)
    last_active_at = models.DateTimeField(_("last active"), null=True, blank=True)
    # The tier the last refresh put the person in (exactly one per person once refreshed).
    # Written only by the refresh, for every person at once; without a database constraint
    # (db_constraint=False) a cold refresh skips a million per-row constraint checks. Deleting a
    # tier still clears it here (Django's SET_NULL). Indexed with the workspace only (person_ws_tier).
    tier = models.ForeignKey(
        "fans.Segment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("tier"),
        db_constraint=False,
        db_index=False,
    )
    # Scores written by the refresh (fans.scoring) and the value model (fans.value_model).
    interactions_30d = models.PositiveIntegerField(_("interactions in 30 days"), default=0)
    interactions_90d = models.PositiveIntegerField(_("interactions in 90 days"), default=0)
    orders_count = models.PositiveIntegerField(_("orders"), default=0)
    total_spend = models.DecimalField(_("total spend"), max_digits=14, decimal_places=2, default=0)
    last_order_at = models.DateTimeField(_("last order"), null=True, blank=True)
    rfm_recency = models.PositiveSmallIntegerField(_("R score"), null=True, blank=True)
    rfm_frequency = models.PositiveSmallIntegerField(_("F score"), null=True, blank=True)
    rfm_monetary = models.PositiveSmallIntegerField(_("M score"), null=True, blank=True)
    expected_purchases_90d = models.FloatField(_("expected purchases in 90 days"), null=True, blank=True)
    p_alive = models.FloatField(_("probability still a customer"), null=True, blank=True)
    expected_value = models.DecimalField(
        _("expected value in 90 days"), max_digits=14, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["-last_active_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "union_id"], condition=~Q(union_id=""), name="uniq_person_unionid"
            ),
            models.UniqueConstraint(
                fields=["workspace", "customer_id"], condition=~Q(customer_id=""), name="uniq_person_customer"
            ),
            models.UniqueConstraint(
                fields=["workspace", "phone_hash"], condition=~Q(phone_hash=""), name="uniq_person_phone"
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "tier"], name="person_ws_tier"),
            models.Index(fields=["workspace", "last_active_at"], name="person_ws_active"),
            models.Index(fields=["workspace", "expected_value"], name="person_ws_value"),
        ]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.pseudonym

    @property
    def pseudonym(self) -> str:
        """What members without fans.identity see: stable, and names nobody."""
        return f"#{self.pk:06d}" if self.pk else "#"


class Fan(TimestampedModel):
    """One platform identity (openid, uid, handle, DID, user id) on one of our accounts."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="fans")
    account = models.ForeignKey(SocialAccount, on_delete=models.CASCADE, related_name="fans")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="fans")
    # The platform's id for the user on this account (WeChat openid, Weibo uid, Douyin open_id,
    # Mastodon account id, Bluesky DID, Telegram user id).
    external_id = models.CharField(_("platform user id"), max_length=200)
    union_id = models.CharField(_("WeChat unionid"), max_length=100, blank=True)
    handle = models.CharField(_("handle"), max_length=200, blank=True)
    display_name = models.CharField(_("name"), max_length=200, blank=True)
    platform_tags = models.JSONField(_("platform tags"), default=list, blank=True)
    is_following = models.BooleanField(_("following"), default=False)
    followed_at = models.DateTimeField(_("followed at"), null=True, blank=True)
    unfollowed_at = models.DateTimeField(_("unfollowed at"), null=True, blank=True)
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)

    class Meta:
        ordering = ["account", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["account", "external_id"], name="uniq_fan_identity"),
        ]
        indexes = [
            models.Index(fields=["workspace", "person"], name="fan_ws_person"),
            models.Index(fields=["workspace", "union_id"], name="fan_ws_unionid"),
        ]
        verbose_name = _("fan")
        verbose_name_plural = _("fans")

    def __str__(self) -> str:
        return f"{self.account_id}:{self.external_id}"


class InteractionKind(models.TextChoices):
    """What a person did."""

    COMMENT = "comment", _("Comment")
    REPLY = "reply", _("Reply")
    MESSAGE = "message", _("Direct message")
    MENTION = "mention", _("Mention")
    FOLLOW = "follow", _("Follow")
    UNFOLLOW = "unfollow", _("Unfollow")
    VOTE = "vote", _("Poll answer")
    REGISTRATION = "registration", _("Event registration")
    CHECKIN = "checkin", _("Event check-in")
    GROUP_MESSAGE = "group_message", _("Group message")
    ORDER = "order", _("Order")
    REDEMPTION = "redemption", _("Coupon redemption")


class InteractionSource(models.TextChoices):
    """How we learned of an interaction."""

    PULL = "pull", _("Fetched from the platform")
    PUSH = "push", _("Pushed by the platform")
    IMPORT = "import", _("Imported file")
    INBOX = "inbox", _("Our inbox")
    PAGE = "page", _("Our public page")
    SYSTEM = "system", _("Recorded by socialops")


class Interaction(models.Model):
    """One thing a person did that we saw: a comment, a message, a follow, a vote, a check-in.

    Shared by fans (activity, interests), the inbox (threads are made of interactions) and
    communities (group messages, events). A platform's own message id is stored once per
    account: a pull and a push of the same message race to one row.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="interactions")
    fan = models.ForeignKey(Fan, on_delete=models.CASCADE, null=True, blank=True, related_name="interactions")
    account = models.ForeignKey(
        SocialAccount, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=InteractionKind.choices)
    occurred_at = models.DateTimeField(_("time"))
    text = models.TextField(_("text"), blank=True)
    # The platform's id of the message (blank for events without one, e.g. a follow).
    external_id = models.CharField(max_length=200, blank=True)
    # The platform's id of our post it belongs to (a comment's post), blank otherwise.
    post_external_id = models.CharField(_("post"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=InteractionSource.choices)
    # Kind-specific facts (poll id and answer, event id, the raw platform fields worth keeping).
    meta = models.JSONField(default=dict, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "external_id"],
                condition=~Q(external_id=""),
                name="uniq_interaction_platform_id",
            ),
        ]
        indexes = [
            # Covering (PostgreSQL; SQLite ignores include): the refresh counts each person's
            # interactions of the last 90 days from this index alone (an index-only scan), without
            # reading the rows' text and facts (benchmarks/segmentation.py).
            models.Index(
                fields=["workspace", "occurred_at"],
                include=["person", "kind"],
                name="interaction_ws_time_cover",
            ),
            models.Index(fields=["workspace", "person", "occurred_at"], name="interaction_ws_person"),
            models.Index(fields=["workspace", "kind", "occurred_at"], name="interaction_ws_kind"),
        ]
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")

    def __str__(self) -> str:
        return f"{self.kind} {self.occurred_at:%Y-%m-%d %H:%M}"


class InterestSource(models.TextChoices):
    """Where an interest tag came from."""

    WORDS = "words", _("Their own words")
    PURCHASES = "purchases", _("What they bought")
    PLATFORM = "platform", _("Platform tags")


class PersonInterest(models.Model):
    """A weighted interest tag of a person (keywords, bought categories, platform tags)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="interests")
    tag = models.CharField(_("tag"), max_length=60)
    source = models.CharField(_("source"), max_length=10, choices=InterestSource.choices)
    weight = models.FloatField(_("weight"))

    class Meta:
        ordering = ["-weight", "tag"]
        constraints = [
            models.UniqueConstraint(fields=["person", "tag", "source"], name="uniq_person_interest"),
        ]
        indexes = [models.Index(fields=["workspace", "tag"], name="interest_ws_tag")]
        verbose_name = _("interest")
        verbose_name_plural = _("interests")

    def __str__(self) -> str:
        return f"{self.tag} {self.weight:.2f}"


class PersonMerge(models.Model):
    """A merge of one person into another, kept so that it can be undone exactly."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    # The person that stays; the merged person's row is deleted and its fields kept in snapshot.
    into = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="merges")
    merged_person_id = models.PositiveBigIntegerField()
    # The merged person's own fields, and the ids of the fans, interactions, orders and coupons
    # that moved, so that unmerge puts each back.
    snapshot = models.JSONField(default=dict)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    merged_at = models.DateTimeField(auto_now_add=True)
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-merged_at", "-pk"]
        verbose_name = _("merge")

    def __str__(self) -> str:
        return f"{self.merged_person_id} → {self.into_id}"


class SourceStream(models.TextChoices):
    """What a source cursor pages through."""

    FOLLOWERS = "followers", _("Followers")
    COMMENTS = "comments", _("Comments and mentions")
    MESSAGES = "messages", _("Direct messages")
    PUSH = "push", _("Pushed messages")


class SourceCursor(models.Model):
    """Where the last sync of one stream of one account stopped (the platform's cursor), and when."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey(SocialAccount, on_delete=models.CASCADE, related_name="+")
    stream = models.CharField(max_length=10, choices=SourceStream.choices)
    # The platform's cursor (comments, messages), or the last PushEvent id converted (push).
    cursor = models.CharField(max_length=200, blank=True)
    # When the stream last synced to the end (for followers: the last complete listing).
    synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "stream"], name="uniq_source_cursor")]
        indexes = [models.Index(fields=["workspace", "stream"], name="sourcecursor_ws_stream")]
        verbose_name = _("source cursor")

    def __str__(self) -> str:
        return f"{self.account_id}:{self.stream}"
