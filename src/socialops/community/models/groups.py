"""Groups, their members and messages, sharing plans, moderation rules and actions.

A group's messages are ``fans.Interaction`` rows (kind ``group_message``, ``meta["group"]``);
its sharing plan is the content plan of the group's SocialAccount (placements and publications
of the publishing engine), so neither has a table here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from socialops.accounts.models import SocialAccount
from socialops.core.models import CreatedAtModel, TimestampedModel
from socialops.fans.models import Fan, Interaction, Person
from socialops.workspaces.models import Workspace


class GroupKind(models.TextChoices):
    """Where a group lives and how we reach it."""

    TELEGRAM = "telegram", _("Telegram supergroup")
    WECOM = "wecom", _("WeCom customer group")
    MANUAL = "manual", _("Manual group")


class Group(TimestampedModel):
    """An official group (官方社群) we run: a Telegram supergroup, a WeCom customer group or a manual list."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=GroupKind.choices)
    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    # Telegram: the account whose connection's chat id is the group (the publishing engine posts
    # the sharing plan to it); WeCom: the WeCom account whose connection lists the groups.
    account = models.ForeignKey(
        SocialAccount,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("account"),
    )
    # The platform's id of the group (Telegram chat id, WeCom chat_id); blank for a manual group.
    external_id = models.CharField(_("platform group id"), max_length=100, blank=True)
    # Telegram: the next getUpdates offset.
    cursor = models.CharField(max_length=100, blank=True, editable=False)
    synced_at = models.DateTimeField(_("last synced"), null=True, blank=True)
    sync_error = models.TextField(_("last sync error"), blank=True)
    # Our team's members who look after the group.
    admins = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="+", blank=True, verbose_name=_("group admins")
    )
    welcome_message = models.TextField(_("welcome message"), blank=True)

    class Meta:
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["workspace", "kind"], name="group_ws_kind")]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "kind", "external_id"],
                condition=~Q(external_id=""),
                name="uniq_group_platform_id",
            ),
        ]
        verbose_name = _("group")

    def __str__(self) -> str:
        return self.name


class MemberRole(models.TextChoices):
    """A member's role in the group."""

    MEMBER = "member", pgettext_lazy("group role", "Member")
    ADMIN = "admin", pgettext_lazy("group role", "Admin")
    OWNER = "owner", pgettext_lazy("group role", "Owner")


class GroupMember(TimestampedModel):
    """One person in one group: when they joined and left, their role, strikes and restrictions."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    fan = models.ForeignKey(Fan, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # The platform's user id (Telegram user id, WeCom userid / external_userid); a manual group's
    # imported id.
    external_id = models.CharField(_("member id"), max_length=200)
    display_name = models.CharField(_("name"), max_length=200, blank=True)
    role = models.CharField(_("role"), max_length=10, choices=MemberRole.choices, default=MemberRole.MEMBER)
    joined_at = models.DateTimeField(_("joined"), null=True, blank=True)
    left_at = models.DateTimeField(_("left"), null=True, blank=True)
    strikes = models.PositiveSmallIntegerField(_("strikes"), default=0)
    muted_until = models.DateTimeField(_("muted until"), null=True, blank=True)
    banned = models.BooleanField(_("removed"), default=False)
    # Set before the group's welcome message is sent to them, so each member is welcomed once.
    welcomed_at = models.DateTimeField(_("welcomed"), null=True, blank=True)

    class Meta:
        ordering = ["-joined_at", "pk"]
        indexes = [models.Index(fields=["workspace", "group", "left_at"], name="gmember_ws_group")]
        constraints = [
            models.UniqueConstraint(fields=["group", "external_id"], name="uniq_group_member"),
        ]
        verbose_name = _("group member")

    def __str__(self) -> str:
        return self.display_name or self.external_id

    @property
    def is_present(self) -> bool:
        return self.left_at is None and not self.banned


class ActionKind(models.TextChoices):
    """A step of the moderation ladder."""

    DELETE_WARN = "delete_warn", _("Delete and warn")
    MUTE = "mute", _("Mute")
    REMOVE = "remove", _("Remove from the group")


class ActionStatus(models.TextChoices):
    """Where a moderation action stands."""

    PENDING = "pending", _("Being applied")
    DONE = "done", _("Done")
    UNKNOWN = "unknown", _("Outcome unknown — check the group")
    FAILED = "failed", _("Failed")
    MANUAL = "manual", _("To do by hand")
    UNDONE = "undone", _("Undone")


class AppealState(models.TextChoices):
    """A member's appeal against an action."""

    NONE = "", _("No appeal")
    PENDING = "pending", _("Appeal waiting for a decision")
    ACCEPTED = "accepted", _("Appeal accepted")
    REJECTED = "rejected", _("Appeal rejected")


class ModerationAction(CreatedAtModel):
    """One rung of the ladder applied to one member for one message: what, why, how it went."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="moderation_actions")
    member = models.ForeignKey(GroupMember, on_delete=models.CASCADE, related_name="moderation_actions")
    message = models.ForeignKey(
        Interaction,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("message"),
    )
    rule = models.CharField(_("rule"), max_length=100, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    action = models.CharField(_("action"), max_length=15, choices=ActionKind.choices)
    strike = models.PositiveSmallIntegerField(_("strike"))
    status = models.CharField(_("status"), max_length=10, choices=ActionStatus.choices)
    # What the platform said (an error, or why the outcome is unknown).
    detail = models.TextField(_("detail"), blank=True)
    muted_until = models.DateTimeField(_("muted until"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("checked by a person"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    undone_at = models.DateTimeField(_("undone"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    appeal_text = models.TextField(_("appeal"), blank=True)
    appeal_state = models.CharField(
        _("appeal state"), max_length=10, choices=AppealState.choices, default=AppealState.NONE, blank=True
    )
    appeal_at = models.DateTimeField(_("appealed"), null=True, blank=True)
    appeal_decided_at = models.DateTimeField(_("appeal decided"), null=True, blank=True)
    appeal_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["workspace", "group", "created_at"], name="modaction_ws_group"),
            models.Index(fields=["workspace", "status"], name="modaction_ws_status"),
        ]
        verbose_name = _("moderation action")

    def __str__(self) -> str:
        return f"{self.action} #{self.strike}"
