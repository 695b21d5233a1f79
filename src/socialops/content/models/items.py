"""Themes with target shares, content items in their forms, per-platform variants, media assets (R2.1, R2.2)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from socialops.accounts.models import SocialAccount
from socialops.core.models import CreatedAtModel, CreatedByModel, TimestampedModel
from socialops.workspaces.models import Workspace

color_validator = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Use a colour like #1f77b4."))


class Theme(CreatedAtModel):
    """A content theme (内容主题) of the workspace, with a colour for the calendar."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="themes")
    name = models.CharField(_("name"), max_length=50)
    color = models.CharField(_("colour"), max_length=7, default="#1f77b4", validators=[color_validator])
    description = models.TextField(_("description"), blank=True)
    # Professional or technical themes need a subject expert's sign-off (review workflow).
    needs_expert_review = models.BooleanField(_("needs subject-expert sign-off"), default=False)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["position", "name"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="uniq_theme_name")]
        verbose_name = _("theme")

    def __str__(self) -> str:
        return self.name


class ThemeTarget(models.Model):
    """The share of an account's posts a theme should have (percent; an account's shares sum to 100)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="theme_targets")
    account = models.ForeignKey(SocialAccount, on_delete=models.CASCADE, related_name="theme_targets")
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="targets")
    share = models.PositiveSmallIntegerField(_("target share (%)"), validators=[MaxValueValidator(100)])

    class Meta:
        ordering = ["account", "theme__position"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "account", "theme"], name="uniq_theme_target")
        ]
        verbose_name = _("theme target")

    def __str__(self) -> str:
        return f"{self.account_id}/{self.theme_id}: {self.share}%"


class ContentForm(models.TextChoices):
    """Content forms (内容形式)."""

    ARTICLE = "article", _("Image-text article")
    SHORT_POST = "short_post", _("Short post")
    VIDEO = "video", _("Video")
    LIVE = "live", _("Live stream")
    QA = "qa", _("Interactive Q&A")


class Importance(models.TextChoices):
    """How much an item matters and how time-sensitive it is (重要性和时效性)."""

    NORMAL = "normal", _("Normal")
    IMPORTANT = "important", _("Important")
    URGENT = "urgent", _("Urgent")


class BodyFormat(models.TextChoices):
    """How an item's body is written: Markdown (short posts, older articles) or rich-text HTML."""

    MARKDOWN = "markdown", _("Markdown")
    HTML = "html", _("Rich text (HTML)")


class MediaKind(models.TextChoices):
    """Kinds of media asset."""

    IMAGE = "image", _("Image")
    VIDEO = "video", _("Video")


def _asset_path(instance: MediaAsset, filename: str) -> str:
    # Content-addressed so the same file uploaded twice is stored once.
    return f"assets/{instance.workspace_id}/{instance.sha256[:2]}/{instance.sha256}{_suffix(filename)}"


def _thumb_path(instance: MediaAsset, filename: str) -> str:
    return f"assets/{instance.workspace_id}/thumbs/{instance.sha256}.jpg"


def _suffix(filename: str) -> str:
    dot = filename.rfind(".")
    return filename[dot:].lower()[:10] if dot >= 0 else ""


class MediaAsset(CreatedAtModel):
    """An uploaded image or video, validated, with a thumbnail; reusable across items."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="media_assets")
    kind = models.CharField(_("kind"), max_length=10, choices=MediaKind.choices)
    file = models.FileField(_("file"), upload_to=_asset_path, max_length=255)
    thumbnail = models.FileField(_("thumbnail"), upload_to=_thumb_path, max_length=255, blank=True)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size_bytes = models.PositiveBigIntegerField(_("size"))
    width = models.PositiveIntegerField(_("width"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True)
    duration_seconds = models.FloatField(_("duration (s)"), null=True, blank=True)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["workspace", "sha256"], name="uniq_asset_content")]
        verbose_name = _("media asset")

    def __str__(self) -> str:
        return self.original_name


class ContentItem(CreatedByModel, TimestampedModel):
    """One piece of content in one form, with a theme, an owner, a deadline and an importance."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="content_items")
    title = models.CharField(_("title"), max_length=200)
    form = models.CharField(_("form"), max_length=20, choices=ContentForm.choices)
    # RESTRICT, not PROTECT: a theme in use cannot be deleted, but deleting the workspace still cascades.
    theme = models.ForeignKey(Theme, on_delete=models.RESTRICT, related_name="items", verbose_name=_("theme"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    status = models.CharField(_("status"), max_length=20, default="draft")
    importance = models.CharField(
        _("importance"), max_length=10, choices=Importance.choices, default=Importance.NORMAL
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    evergreen = models.BooleanField(_("evergreen"), default=False)
    # The accounts this item is meant for (its variants and placements are per account).
    accounts = models.ManyToManyField(
        SocialAccount, related_name="content_items", blank=True, verbose_name=_("accounts")
    )
    # Links to the marketing calendar: "festival:<code>:<year>", "commerce:<code>:<year>" or "entry:<id>".
    calendar_links = models.JSONField(_("calendar links"), default=list, blank=True)
    # Image-text and short posts.
    digest = models.CharField(_("digest"), max_length=300, blank=True)
    body = models.TextField(_("body"), blank=True)
    # Articles written in the rich-text editor are stored as sanitised HTML; everything else,
    # and every item from before the editor, is Markdown and renders as it always did.
    body_format = models.CharField(
        _("body format"), max_length=10, choices=BodyFormat.choices, default=BodyFormat.MARKDOWN
    )
    cover = models.ForeignKey(
        MediaAsset,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cover"),
    )
    images = models.ManyToManyField(MediaAsset, related_name="+", blank=True, verbose_name=_("images"))
    # Video.
    video = models.ForeignKey(
        MediaAsset,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("video"),
    )
    # Live stream: planned ahead (直播需提前策划话题).
    live_starts_at = models.DateTimeField(_("live start"), null=True, blank=True)
    live_host = models.CharField(_("host"), max_length=100, blank=True)
    live_outline = models.TextField(_("topic outline"), blank=True)
    # Advertising or sponsored content must carry the platform's ad disclosure (review checks).
    is_advertising = models.BooleanField(_("advertising/sponsored"), default=False)
    # Incremented on every save: a save based on an older version is refused (no silent overwrite).
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-updated_at"]
        indexes = [
            models.Index(fields=["workspace", "status"], name="item_ws_status"),
            models.Index(fields=["workspace", "deadline"], name="item_ws_deadline"),
        ]
        verbose_name = _("content item")

    def __str__(self) -> str:
        return self.title


class ContentVariant(models.Model):
    """The version of an item for one account's platform (a 公众号 article, a 微博 teaser …)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="content_variants")
    item = models.ForeignKey(ContentItem, on_delete=models.CASCADE, related_name="variants")
    account = models.ForeignKey(SocialAccount, on_delete=models.CASCADE, related_name="content_variants")
    title = models.CharField(_("title"), max_length=200, blank=True)
    body = models.TextField(_("body"), blank=True)
    digest = models.CharField(_("digest"), max_length=300, blank=True)
    author = models.CharField(_("author"), max_length=50, blank=True)
    hashtags = models.JSONField(_("hashtags"), default=list, blank=True)
    link_url = models.URLField(_("link"), blank=True, max_length=500)
    media = models.ManyToManyField(MediaAsset, related_name="+", blank=True, verbose_name=_("media"))
    # Fields only one platform has (e.g. 公众号 need_open_comment, 视频号 short title).
    extra = models.JSONField(_("platform fields"), default=dict, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["item", "account"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "item", "account"], name="uniq_variant_account")
        ]
        verbose_name = _("variant")

    def __str__(self) -> str:
        return f"{self.item} @ {self.account}"
