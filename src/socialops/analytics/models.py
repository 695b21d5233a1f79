"""Post-level history with its metrics, saved import column mappings, import runs (R2.4, R3.7, R4.2)."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from socialops.accounts.models import SocialAccount
from socialops.content.models import ContentForm
from socialops.core.models import CreatedAtModel, CreatedByModel, TimestampedModel
from socialops.workspaces.models import Workspace

from .imports import TARGET_FIELDS

# ISO weekday 1 … 7 → its short name, for tables, the heatmap and the command line.
WEEKDAY_LABELS = (_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun"))


class PostRecord(models.Model):
    """One published post of an account (ours or a competitor's) with its lifetime metrics.

    Exports do not always carry a date: the Facebook page export has only month, weekday and
    hour. weekday and hour are therefore stored themselves (local time), and published_at only
    when known.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="post_records")
    account = models.ForeignKey(SocialAccount, on_delete=models.CASCADE, related_name="post_records")
    # The platform's post id, or for exports without one a stable hash of the row (see imports).
    external_id = models.CharField(max_length=128)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    month = models.PositiveSmallIntegerField(
        _("month"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    weekday = models.PositiveSmallIntegerField(
        _("weekday"), validators=[MinValueValidator(1), MaxValueValidator(7)]
    )
    hour = models.PositiveSmallIntegerField(_("hour"), validators=[MaxValueValidator(23)])
    post_type = models.CharField(_("type"), max_length=30, blank=True)  # platform's own type, e.g. Photo
    form = models.CharField(_("form"), max_length=20, blank=True)  # our ContentForm, when known
    theme = models.ForeignKey(
        "content.Theme",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("theme"),
    )
    content_item = models.ForeignKey(
        "content.ContentItem", on_delete=models.SET_NULL, null=True, blank=True, related_name="post_records"
    )
    paid = models.BooleanField(_("paid"), null=True, blank=True)
    # The post's text, when the export carries it: the originality check compares drafts with it.
    text = models.TextField(_("text"), blank=True)
    reach = models.PositiveBigIntegerField(_("reach"), null=True, blank=True)
    impressions = models.PositiveBigIntegerField(_("impressions"), null=True, blank=True)
    likes = models.PositiveIntegerField(_("likes"), null=True, blank=True)
    comments = models.PositiveIntegerField(_("comments"), null=True, blank=True)
    shares = models.PositiveIntegerField(_("shares"), null=True, blank=True)
    saves = models.PositiveIntegerField(_("saves"), null=True, blank=True)
    clicks = models.PositiveIntegerField(_("clicks"), null=True, blank=True)
    engagements = models.PositiveIntegerField(_("engagements"), null=True, blank=True)
    source = models.CharField(max_length=20, default="import")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["account", "-published_at", "external_id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "account", "external_id"], name="uniq_post_record"),
        ]
        indexes = [models.Index(fields=["workspace", "account", "weekday", "hour"], name="post_ws_acc_slot")]
        verbose_name = _("post")

    def __str__(self) -> str:
        return f"{self.account_id}:{self.external_id}"

    @property
    def weekday_label(self) -> str:
        return str(WEEKDAY_LABELS[self.weekday - 1]) if 1 <= self.weekday <= 7 else ""

    @property
    def form_label(self) -> str:
        return str(dict(ContentForm.choices).get(self.form, self.form))


class ColumnMapping(CreatedByModel, TimestampedModel):
    """A saved mapping from a platform export's columns to our post fields, reused on every import."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="column_mappings")
    name = models.CharField(_("name"), max_length=80)
    # {"reach": "Lifetime Post Total Reach", "weekday": "Post Weekday", …}
    columns = models.JSONField(_("columns"), default=dict)
    # How to read values: delimiter, weekday numbering ("iso" 1=Mon or "sun1" 1=Sun), type → form, …
    options = models.JSONField(_("options"), default=dict, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="uniq_column_mapping")]
        verbose_name = _("column mapping")

    def __str__(self) -> str:
        return self.name

    @property
    def columns_in_order(self) -> list[tuple[str, str]]:
        """(field, column) pairs in the fields' usual order (the stored JSON keeps no order on PostgreSQL)."""
        return [(t, self.columns[t]) for t in TARGET_FIELDS if t in (self.columns or {})]


class PostImport(CreatedByModel, CreatedAtModel):
    """One run of a post-level import: file, mapping, account, and what it changed."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="post_imports")
    account = models.ForeignKey(SocialAccount, on_delete=models.CASCADE, related_name="+")
    mapping = models.ForeignKey(ColumnMapping, on_delete=models.SET_NULL, null=True, blank=True)
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["workspace", "sha256"], name="postimport_ws_sha")]
        verbose_name = _("post import")

    def __str__(self) -> str:
        return self.file_name
