"""Platform connections (encrypted credentials per account) and manual publishing packages (R4.1, R4.3)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from socialops.accounts.models import SocialAccount
from socialops.core.models import TimestampedModel
from socialops.workspaces.models import Workspace, WorkspaceRow

from . import credentials as creds


class ConnectorKind(models.TextChoices):
    """Which connector publishes for an account."""

    MASTODON = "mastodon", _("Mastodon API")
    SANDBOX = "sandbox", _("Local sandbox platform")
    WEBHOOK = "webhook", _("Webhook (signed JSON to your URL)")
    MANUAL = "manual", _("Manual (a person posts it)")
    BLUESKY = "bluesky", _("Bluesky (AT Protocol)")
    TELEGRAM = "telegram", _("Telegram channel (Bot API)")
    WECHAT_MP = "wechat_mp", _("WeChat Official Account (公众号 API)")
    WEIBO = "weibo", _("Weibo (Open API)")
    DOUYIN = "douyin", _("Douyin (Open Platform)")


class ConnectionStatus(models.TextChoices):
    """Whether the engine may publish through a connection."""

    CONNECTED = "connected", _("Connected")
    NEEDS_REAUTH = "needs_reauth", _("Needs re-authorisation")
    PAUSED = "paused", _("Paused")


class PlatformConnection(TimestampedModel):
    """How we act as one of our accounts on its platform: connector, server and encrypted credentials."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="platform_connections")
    account = models.OneToOneField(SocialAccount, on_delete=models.CASCADE, related_name="connection")
    kind = models.CharField(_("connector"), max_length=20, choices=ConnectorKind.choices)
    base_url = models.URLField(_("server URL"), max_length=300, blank=True)
    # Fernet token of the JSON credentials; never read directly, never audited (see credentials.py).
    credentials = models.TextField(blank=True, editable=False)
    # Bumped on every credentials change, so two workers refreshing at once can tell.
    credentials_version = models.PositiveIntegerField(default=0, editable=False)
    status = models.CharField(
        _("status"), max_length=20, choices=ConnectionStatus.choices, default=ConnectionStatus.CONNECTED
    )
    last_error = models.TextField(_("last error"), blank=True)
    last_error_at = models.DateTimeField(_("last error at"), null=True, blank=True)
    last_checked_at = models.DateTimeField(_("last checked"), null=True, blank=True)
    last_check_ok = models.BooleanField(_("last check passed"), null=True, blank=True)
    token_expires_at = models.DateTimeField(_("token expires"), null=True, blank=True)
    # Who the credentials act as, from the last successful check.
    external_account_id = models.CharField(_("platform account id"), max_length=100, blank=True)
    external_handle = models.CharField(_("platform handle"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["account__platform", "account__handle"]
        indexes = [
            models.Index(fields=["workspace", "status"], name="conn_ws_status"),
            models.Index(fields=["workspace", "kind"], name="conn_ws_kind"),
        ]
        verbose_name = _("platform connection")
        verbose_name_plural = _("platform connections")

    def __str__(self) -> str:
        return f"{self.account} → {self.get_kind_display()}"

    def get_credentials(self) -> creds.Credentials:
        """The decrypted credentials (raises CredentialsUnreadable when no key fits)."""
        return creds.decrypt(self.credentials)

    @property
    def is_publishable(self) -> bool:
        return self.status == ConnectionStatus.CONNECTED


class ManualTaskStatus(models.TextChoices):
    """Where a hand-posted package stands."""

    PENDING = "pending", _("Waiting to be posted")
    POSTED = "posted", _("Posted")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ManualTask(TimestampedModel):
    """A ready package (text, media, checklist) that a person posts by hand and marks posted with its URL."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="manual_tasks")
    account = models.ForeignKey(SocialAccount, on_delete=models.CASCADE, related_name="manual_tasks")
    # The engine's idempotency key: one package per publish, however often it is handed over.
    idempotency_key = models.CharField(max_length=255)
    title = models.CharField(_("title"), max_length=200, blank=True)
    text = models.TextField(_("text"), blank=True)
    link_url = models.URLField(_("link"), max_length=500, blank=True)
    hashtags = models.JSONField(_("hashtags"), default=list, blank=True)
    # [{"filename", "content_type", "url", "description", "asset_id"}]
    media = models.JSONField(_("media"), default=list, blank=True)
    reference = models.CharField(_("reference"), max_length=200, blank=True)
    content_item = models.ForeignKey(
        "content.ContentItem", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assignee"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ManualTaskStatus.choices, default=ManualTaskStatus.PENDING
    )
    posted_url = models.URLField(_("post URL"), max_length=500, blank=True)
    external_id = models.CharField(_("platform post id"), max_length=128, blank=True)
    posted_at = models.DateTimeField(_("posted at"), null=True, blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["due_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "account", "idempotency_key"], name="uniq_manual_task_key"
            ),
        ]
        indexes = [models.Index(fields=["workspace", "status", "due_at"], name="manual_ws_status_due")]
        verbose_name = _("manual publishing task")
        verbose_name_plural = _("manual publishing tasks")

    def __str__(self) -> str:
        return self.title or self.text[:40] or f"#{self.pk}"


class PushEvent(WorkspaceRow):
    """A message or event a platform pushed to us (WeChat's server push), kept once per platform id."""

    connection = models.ForeignKey(PlatformConnection, on_delete=models.CASCADE, related_name="push_events")
    # MsgId for messages; FromUserName + CreateTime (+ event) for events, as WeChat documents.
    # WeChat re-pushes up to three times when we answer slowly: the key makes a re-push a no-op.
    dedupe_key = models.CharField(max_length=200)
    msg_type = models.CharField(_("message type"), max_length=40)
    event = models.CharField(_("event"), max_length=60, blank=True)
    from_user = models.CharField(_("from"), max_length=100, blank=True)
    # The platform's own time of the message.
    created_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    # Every field of the message, decrypted, as the platform named them.
    payload = models.JSONField(default=dict)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["connection", "dedupe_key"], name="uniq_push_event"),
        ]
        indexes = [models.Index(fields=["workspace", "msg_type", "received_at"], name="push_ws_type")]
        verbose_name = _("pushed message")
        verbose_name_plural = _("pushed messages")

    def __str__(self) -> str:
        return f"{self.msg_type} {self.event} {self.from_user}".strip()


class ApiCallCount(WorkspaceRow):
    """Calls of one rationed platform endpoint made for one connection on one day (Beijing time)."""

    connection = models.ForeignKey(PlatformConnection, on_delete=models.CASCADE, related_name="+")
    endpoint = models.CharField(max_length=100)
    day = models.DateField()
    calls = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["connection", "endpoint", "day"], name="uniq_api_call_count"),
        ]
        indexes = [models.Index(fields=["workspace", "day"], name="api_call_count_ws_day")]

    def __str__(self) -> str:
        return f"{self.endpoint} {self.day}: {self.calls}"
