"""Publications (an item going out on one account at one time) and every attempt at sending one."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from socialops.accounts.models import SocialAccount
from socialops.content.models import ContentItem, ContentVariant, Placement
from socialops.core.models import CreatedByModel, TimestampedModel
from socialops.workspaces.models import UserNotice, Workspace, WorkspaceRow


def new_idempotency_key() -> str:
    """A key made once with the row: every retry of this publication sends the same one."""
    return f"pub-{uuid.uuid4().hex}"


class PublicationState(models.TextChoices):
    """Where a publication stands."""

    SCHEDULED = "scheduled", _("Scheduled")
    PUBLISHING = "publishing", _("Publishing")
    # Handed to a person (manual connector): waits until they mark it posted.
    HANDED_OVER = "handed_over", _("Waiting for a person")
    PUBLISHED = "published", _("Published")
    FAILED = "failed", _("Failed")
    UNKNOWN = "unknown", _("Outcome unknown")
    CANCELLED = "cancelled", _("Cancelled")


# States in which the engine still has work to do (the sweeper looks at these).
OPEN_STATES = (PublicationState.SCHEDULED, PublicationState.PUBLISHING, PublicationState.UNKNOWN)


class Publication(CreatedByModel, TimestampedModel):
    """One content item going out on one account at one time, with its outcome."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="publications")
    item = models.ForeignKey(ContentItem, on_delete=models.CASCADE, related_name="publications")
    account = models.ForeignKey(SocialAccount, on_delete=models.CASCADE, related_name="publications")
    placement = models.ForeignKey(
        Placement, on_delete=models.SET_NULL, null=True, blank=True, related_name="publications"
    )
    variant = models.ForeignKey(
        ContentVariant, on_delete=models.SET_NULL, null=True, blank=True, related_name="publications"
    )
    due_at = models.DateTimeField(_("due"))
    state = models.CharField(
        _("state"), max_length=20, choices=PublicationState.choices, default=PublicationState.SCHEDULED
    )
    # Bumped on reschedule/cancel/publish-now: a queued task carrying an older version does nothing.
    version = models.PositiveIntegerField(default=1)
    idempotency_key = models.CharField(max_length=64, default=new_idempotency_key, editable=False)
    external_id = models.CharField(_("platform post id"), max_length=128, blank=True)
    url = models.URLField(_("post URL"), max_length=500, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    # When the current claim was taken: a row left in "publishing" past the lease had its worker die.
    claimed_at = models.DateTimeField(null=True, blank=True)
    first_attempt_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    # The platform's id of a job it accepted and is still running (WeChat's publish_id), kept
    # while the outcome is unknown so the platform's result push settles it without polling.
    pending_ref = models.CharField(max_length=128, blank=True)

    class Meta:
        ordering = ["due_at", "pk"]
        indexes = [
            models.Index(fields=["workspace", "state", "due_at"], name="pub_ws_state_due"),
            models.Index(fields=["workspace", "item"], name="pub_ws_item"),
            models.Index(fields=["state", "next_attempt_at"], name="pub_state_next"),
        ]
        constraints = [
            # Never twice: one live publication per item and account (a cancelled one may be redone).
            models.UniqueConstraint(
                fields=["item", "account"],
                condition=~models.Q(state="cancelled"),
                name="uniq_publication_item_account",
            ),
            models.UniqueConstraint(fields=["idempotency_key"], name="uniq_publication_key"),
        ]
        verbose_name = _("publication")

    def __str__(self) -> str:
        # Read in the audit log and lists: the item, the account (name and platform), local time.
        when = self.due_at.astimezone(self.workspace.tz) if self.workspace_id else self.due_at
        return f"{self.item.title} · {self.account} · {when:%Y-%m-%d %H:%M}"

    @property
    def next_due(self):  # type: ignore[no-untyped-def]
        """When the engine should next act on it."""
        return self.next_attempt_at or self.due_at


class AttemptOutcome(models.TextChoices):
    """What one attempt came to."""

    RUNNING = "running", _("In progress")
    PUBLISHED = "published", _("Published")
    FOUND = "found", _("Found on the platform")
    HANDED_OVER = "handed_over", _("Handed to a person")
    RETRY = "retry", _("Will retry")
    UNKNOWN = "unknown", _("Outcome unknown")
    AUTH_REFRESHED = "auth_refreshed", _("Token refreshed")
    NEEDS_REAUTH = "needs_reauth", _("Needs re-authorisation")
    FAILED = "failed", _("Failed")
    ABANDONED = "abandoned", _("Worker stopped")


class PublishAttempt(WorkspaceRow):
    """One try at sending (or reconciling) a publication, with the platform's answer."""

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="attempt_rows")
    # "send" or "reconcile" (asked the platform whether the post exists).
    mode = models.CharField(max_length=10, default="send")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=AttemptOutcome.choices, default=AttemptOutcome.RUNNING
    )
    message = models.TextField(_("platform message"), blank=True)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["started_at", "pk"]
        indexes = [models.Index(fields=["workspace", "publication"], name="attempt_ws_pub")]
        verbose_name = _("publish attempt")

    def __str__(self) -> str:
        return f"{self.publication_id} {self.outcome}"


class PublishingAlert(UserNotice):
    """A notice to an admin that an account needs attention (revoked authorisation, failures)."""

    account = models.ForeignKey(SocialAccount, on_delete=models.CASCADE, related_name="+")
    message = models.TextField()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["workspace", "user", "read_at"], name="pubalert_ws_user")]
        verbose_name = _("publishing alert")

    def __str__(self) -> str:
        return f"{self.user_id} {self.account_id}"
