"""Review models: the workflow (R2.8) — revisions, approval chains, review rounds, comments, notifications.

An item's state lives on ``ContentItem.status`` (values of :class:`ItemStatus`). When an item
is submitted, the workspace's chain is copied into one :class:`ReviewTask` per applicable step
of a :class:`ReviewRound`, so editing a chain never changes a review already under way.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from socialops.content.models import ContentItem, Theme
from socialops.core.models import CreatedAtModel, TimestampedModel
from socialops.workspaces.models import UserNotice, Workspace, WorkspaceRow
from socialops.workspaces.roles import Role

__all__ = [
    "ApprovalChain",
    "ApprovalOverride",
    "ApprovalStep",
    "CommentKind",
    "ItemStatus",
    "Notification",
    "NotificationKind",
    "Revision",
    "ReviewComment",
    "ReviewRound",
    "ReviewTask",
    "RoundOutcome",
    "TaskState",
]


class ItemStatus(models.TextChoices):
    """States of a content item, from draft to the outcome of publishing."""

    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    APPROVED = "approved", _("Approved")
    SCHEDULED = "scheduled", _("Scheduled")
    PUBLISHING = "publishing", _("Publishing")
    PUBLISHED = "published", _("Published")
    FAILED = "failed", _("Failed")
    UNKNOWN = "unknown", _("Outcome unknown")


class AssigneeLabelMixin:
    """For a step or task assigned to a role (assignee_role) or to one person (assignee_user)."""

    assignee_role: str
    assignee_user_id: int | None
    assignee_user: Any

    @property
    def assignee_label(self) -> str:
        """The role's name, or the person's user name."""
        if self.assignee_user_id:
            return self.assignee_user.get_username() if self.assignee_user else "?"
        return (
            str(Role(self.assignee_role).label) if self.assignee_role in Role.values else self.assignee_role
        )


class Revision(WorkspaceRow, CreatedAtModel):
    """A snapshot of an item and its variants, taken on every save: who, when, what changed."""

    item = models.ForeignKey(ContentItem, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(_("revision"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    author_name = models.CharField(max_length=150, blank=True)  # kept if the user is deleted
    # {"item": {field: value}, "variants": {account_id: {field: value, "account": name, ...}}}
    snapshot = models.JSONField(default=dict)
    # Keys of the fields that differ from the previous revision ("body", "variants.12.title").
    changed_fields = models.JSONField(default=list)
    # What was saved: "item.create", "item.update", "variant.create", "variant.update", "variant.delete".
    action = models.CharField(max_length=30)
    item_version = models.PositiveIntegerField(default=1)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["item", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "item", "number"], name="uniq_revision_number")
        ]
        indexes = [models.Index(fields=["workspace", "item", "-number"], name="revision_ws_item")]
        verbose_name = _("revision")

    def __str__(self) -> str:
        return f"{self.item_id} r{self.number}"


class ApprovalChain(CreatedAtModel):
    """An ordered list of approval steps; the default chain applies to every theme no other chain names."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="approval_chains")
    name = models.CharField(_("name"), max_length=100)
    is_default = models.BooleanField(_("default chain"), default=False)
    # Four eyes per step: whoever approved one step of a round may not approve another step of it.
    distinct_reviewers = models.BooleanField(_("a different reviewer for each step"), default=True)
    themes = models.ManyToManyField(
        Theme, related_name="approval_chains", blank=True, verbose_name=_("themes")
    )

    class Meta:
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="uniq_chain_name"),
            models.UniqueConstraint(
                fields=["workspace"], condition=models.Q(is_default=True), name="uniq_default_chain"
            ),
        ]
        verbose_name = _("approval chain")

    def __str__(self) -> str:
        return self.name


class ApprovalStep(AssigneeLabelMixin, WorkspaceRow):
    """One step of a chain, assigned to a role or to one person; optionally only for expert sign-off."""

    chain = models.ForeignKey(ApprovalChain, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("name"), max_length=100)
    assignee_role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    assignee_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
    )
    # Accuracy sign-off: the step applies only to items whose theme needs a subject expert, and
    # only a member marked as subject expert may approve it.
    expert_only = models.BooleanField(_("only when subject-expert sign-off is needed"), default=False)

    class Meta:
        ordering = ["chain", "position"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "chain", "position"], name="uniq_step_position"),
            models.CheckConstraint(
                condition=(
                    models.Q(assignee_role="", assignee_user__isnull=False)
                    | (~models.Q(assignee_role="") & models.Q(assignee_user__isnull=True))
                ),
                name="step_one_assignee",
            ),
        ]
        verbose_name = _("approval step")

    def __str__(self) -> str:
        return self.name


class RoundOutcome(models.TextChoices):
    """How a review round ended."""

    OPEN = "open", _("In progress")
    APPROVED = "approved", _("Approved")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    RESTARTED = "restarted", _("Restarted after an edit")


class ReviewRound(WorkspaceRow):
    """One pass of an item through its approval chain, from submission to approval or rejection."""

    item = models.ForeignKey(ContentItem, on_delete=models.CASCADE, related_name="review_rounds")
    number = models.PositiveIntegerField()
    chain = models.ForeignKey(
        ApprovalChain, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    chain_name = models.CharField(max_length=100, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(auto_now_add=True)
    revision = models.ForeignKey(Revision, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    outcome = models.CharField(max_length=20, choices=RoundOutcome.choices, default=RoundOutcome.OPEN)
    # Position of the step waiting for a decision (None once the round is closed).
    current_position = models.PositiveSmallIntegerField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["item", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "item", "number"], name="uniq_round_number"),
            models.UniqueConstraint(
                fields=["workspace", "item"], condition=models.Q(outcome="open"), name="uniq_open_round"
            ),
        ]
        indexes = [models.Index(fields=["workspace", "outcome"], name="round_ws_outcome")]
        verbose_name = _("review round")

    def __str__(self) -> str:
        return f"{self.item_id} round {self.number}"


class TaskState(models.TextChoices):
    """A step's decision within one round."""

    PENDING = "pending", _("Waiting")
    APPROVED = "approved", _("Approved")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    CANCELLED = "cancelled", _("Cancelled")


class ReviewTask(AssigneeLabelMixin, WorkspaceRow):
    """A chain step copied into a round: who must decide, and what they decided on which revision."""

    round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="tasks")
    item = models.ForeignKey(ContentItem, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=100)
    assignee_role = models.CharField(max_length=20, choices=Role.choices, blank=True)
    assignee_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    expert_only = models.BooleanField(default=False)
    state = models.CharField(max_length=20, choices=TaskState.choices, default=TaskState.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    revision = models.ForeignKey(Revision, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["round", "position"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "round", "position"], name="uniq_task_position")
        ]
        indexes = [
            models.Index(fields=["workspace", "state", "assignee_role"], name="task_ws_role"),
            models.Index(fields=["workspace", "state", "assignee_user"], name="task_ws_user"),
        ]
        verbose_name = _("review step")

    def __str__(self) -> str:
        return f"{self.round} · {self.name}"


class ApprovalOverride(WorkspaceRow, CreatedAtModel):
    """An admin's written decision to let a revision with blocking findings be approved; shown forever."""

    item = models.ForeignKey(ContentItem, on_delete=models.CASCADE, related_name="approval_overrides")
    # Deleting the item deletes its overrides with it; the audit log keeps them for good.
    revision = models.ForeignKey(Revision, on_delete=models.CASCADE, related_name="overrides")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    reason = models.TextField(_("reason"))
    # The blocking findings as they stood: [{"check", "severity", "message", "matched"}].
    findings = models.JSONField(default=list)

    class Meta:
        ordering = ["item", "-created_at"]
        indexes = [models.Index(fields=["workspace", "item"], name="override_ws_item")]
        verbose_name = _("approval override")

    def __str__(self) -> str:
        return f"{self.item_id} r{self.revision_id}: {self.reason[:40]}"


class CommentKind(models.TextChoices):
    """What a comment records: a remark, or the note of a decision."""

    COMMENT = "comment", _("Comment")
    APPROVAL = "approval", _("Approval")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")


class ReviewComment(WorkspaceRow, TimestampedModel):
    """A reviewer's comment on a revision, optionally on a selected passage of one of its fields."""

    item = models.ForeignKey(ContentItem, on_delete=models.CASCADE, related_name="review_comments")
    revision = models.ForeignKey(Revision, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    author_name = models.CharField(max_length=150, blank=True)
    kind = models.CharField(max_length=20, choices=CommentKind.choices, default=CommentKind.COMMENT)
    body = models.TextField(_("comment"))
    # A passage: the field's key in the revision ("body", "variants.12.body"), the quoted text and
    # its character offsets (code points) in that field of that revision.
    field = models.CharField(_("field"), max_length=60, blank=True)
    quote = models.TextField(_("quoted passage"), blank=True)
    start = models.PositiveIntegerField(null=True, blank=True)
    end = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["item", "created_at", "id"]
        indexes = [models.Index(fields=["workspace", "item", "created_at"], name="comment_ws_item")]
        verbose_name = _("review comment")

    def __str__(self) -> str:
        return self.body[:40]


class NotificationKind(models.TextChoices):
    """Why a member is told about an item."""

    ASSIGNED = "assigned", _("Waiting for your review")
    APPROVED = "approved", _("Approved")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    COMMENTED = "commented", _("New comment")


class Notification(UserNotice):
    """An in-app notice to one member about one item; read once opened or marked read."""

    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    item = models.ForeignKey(ContentItem, on_delete=models.CASCADE, related_name="+")
    actor_name = models.CharField(max_length=150, blank=True)
    # Step name or comment excerpt, shown with the kind's sentence.
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["workspace", "user", "read_at"], name="notification_ws_user")]
        verbose_name = _("notification")

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {self.item_id}"
