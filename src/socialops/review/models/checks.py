"""Review models: the workspace's term lists, stored check findings, link checks, the originality index."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from socialops.content.models import ContentItem, ContentVariant
from socialops.core.models import CreatedAtModel, TimestampedModel
from socialops.workspaces.models import Workspace, WorkspaceRow

__all__ = [
    "AdLawEntry",
    "AdLawEntryKind",
    "BannedTerm",
    "BrandTerm",
    "CheckSettings",
    "FindingSeverity",
    "ItemCheckRun",
    "ItemFinding",
    "LinkCheck",
    "OriginalityIndexState",
    "SensitiveList",
    "SensitiveTerm",
]


class FindingSeverity(models.TextChoices):
    """How serious a finding is: block (fix or override), warn (look at it), info (a note)."""

    BLOCK = "block", _("Blocking")
    WARN = "warn", _("Warning")
    INFO = "info", pgettext_lazy("severity", "Note")


def severity_field(default: FindingSeverity) -> models.CharField:
    """The severity a term list gives its findings, editable per entry or list."""
    return models.CharField(_("severity"), max_length=10, choices=FindingSeverity.choices, default=default)


class CheckSettings(models.Model):
    """A workspace's check settings and the version of its term lists (bumped on every list write)."""

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="check_settings")
    # Built checkers are cached per (workspace, terms_version); every write to a term list bumps
    # it in the same transaction, so no process can keep using an outdated list.
    terms_version = models.PositiveBigIntegerField(default=0)
    # Drawn anew with every bump: a restored database cannot reuse a cached version number.
    cache_token = models.UUIDField(default=uuid.uuid4)
    originality_threshold = models.FloatField(
        _("originality threshold"),
        default=0.6,
        validators=[MinValueValidator(0.3), MaxValueValidator(1.0)],
        help_text=_("Similarity (0.3–1.0) from which an earlier post counts as a near-duplicate."),
    )
    originality_block_threshold = models.FloatField(
        _("blocking similarity to a competitor's post"),
        default=0.9,
        validators=[MinValueValidator(0.3), MaxValueValidator(1.0)],
        help_text=_("From this similarity a copy of a competitor's post blocks approval."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("check settings")
        verbose_name_plural = _("check settings")

    def __str__(self) -> str:
        return f"check settings of {self.workspace_id}"


class AdLawEntryKind(models.TextChoices):
    """What an Advertising-Law list entry does."""

    EXTRA = "extra", _("Extra forbidden term")
    REMOVED = "removed", _("Removed term (never flagged)")
    ALLOWED_NAME = "allowed_name", _("Allowed brand or product name")


class AdLawEntry(CreatedAtModel):
    """One workspace entry of the Advertising-Law check: an extra term, a removed term or an allowed name."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="adlaw_entries")
    kind = models.CharField(_("kind"), max_length=20, choices=AdLawEntryKind.choices)
    term = models.CharField(_("term"), max_length=50)
    # The normalised form (case, width and spaces folded): "最美 时光" and "最美时光" are one entry.
    key = models.CharField(max_length=200)
    severity = severity_field(FindingSeverity.BLOCK)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["kind", "term"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "kind", "key"], name="uniq_adlaw_entry"),
        ]
        verbose_name = _("Advertising-Law entry")
        verbose_name_plural = _("Advertising-Law entries")

    def __str__(self) -> str:
        return f"{self.kind}: {self.term}"


class SensitiveList(TimestampedModel):
    """A named sensitive-word list with its own severity (e.g. 政治敏感 → block, 竞品名称 → warn)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="sensitive_lists")
    name = models.CharField(_("name"), max_length=50)
    severity = severity_field(FindingSeverity.WARN)
    description = models.CharField(_("description"), max_length=200, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="uniq_sensitive_list")]
        verbose_name = _("sensitive-word list")

    def __str__(self) -> str:
        return self.name


class SensitiveTerm(WorkspaceRow, CreatedAtModel):
    """One word of a sensitive-word list."""

    term_list = models.ForeignKey(SensitiveList, on_delete=models.CASCADE, related_name="terms")
    term = models.CharField(_("term"), max_length=50)
    key = models.CharField(max_length=200)

    class Meta:
        ordering = ["term"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "term_list", "key"], name="uniq_sensitive_term"),
        ]
        verbose_name = _("sensitive word")

    def __str__(self) -> str:
        return self.term


class BrandTerm(TimestampedModel):
    """The exact spelling of a brand or product name and the variants people get wrong."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="brand_terms")
    preferred = models.CharField(_("preferred spelling"), max_length=100)
    key = models.CharField(max_length=400)
    forbidden = models.JSONField(_("forbidden variants"), default=list, blank=True)
    severity = severity_field(FindingSeverity.WARN)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["preferred"]
        constraints = [models.UniqueConstraint(fields=["workspace", "key"], name="uniq_brand_term")]
        verbose_name = _("brand term")

    def __str__(self) -> str:
        return self.preferred


class BannedTerm(CreatedAtModel):
    """A word the brand never uses (banned slang), with an optional replacement."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="banned_terms")
    term = models.CharField(_("term"), max_length=50)
    key = models.CharField(max_length=200)
    replacement = models.CharField(_("replacement"), max_length=50, blank=True)
    severity = severity_field(FindingSeverity.WARN)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["term"]
        constraints = [models.UniqueConstraint(fields=["workspace", "key"], name="uniq_banned_term")]
        verbose_name = _("banned term")

    def __str__(self) -> str:
        return self.term


class ItemCheckRun(WorkspaceRow):
    """When an item's checks last ran, on which version, and how many findings of each severity."""

    item = models.OneToOneField(ContentItem, on_delete=models.CASCADE, related_name="check_run")
    item_version = models.PositiveIntegerField(default=1)
    # Hash of everything the findings depend on (item and variant versions, term lists …):
    # when it differs from the current one, the stored findings are out of date.
    inputs_hash = models.CharField(max_length=64, blank=True)
    block_count = models.PositiveIntegerField(default=0)
    warn_count = models.PositiveIntegerField(default=0)
    info_count = models.PositiveIntegerField(default=0)
    checked_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["workspace", "checked_at"], name="checkrun_ws_checked")]
        verbose_name = _("check run")

    def __str__(self) -> str:
        return f"checks of item {self.item_id}"


class ItemFinding(WorkspaceRow):
    """A finding of the last check run of an item (or one of its variants); replaced on every run."""

    item = models.ForeignKey(ContentItem, on_delete=models.CASCADE, related_name="findings")
    variant = models.ForeignKey(
        ContentVariant, on_delete=models.CASCADE, null=True, blank=True, related_name="findings"
    )
    platform = models.CharField(max_length=20, blank=True)
    position = models.PositiveIntegerField(default=0)
    field = models.CharField(max_length=20)
    check_name = models.CharField(max_length=20)  # "check" would hide Model.check()
    severity = models.CharField(max_length=10, choices=FindingSeverity.choices)
    start = models.PositiveIntegerField(null=True, blank=True)
    end = models.PositiveIntegerField(null=True, blank=True)
    matched = models.TextField(blank=True)
    # The message is rendered when shown, in the reader's language, from its code and params.
    message_code = models.CharField(max_length=80)
    params = models.JSONField(default=dict, blank=True)
    suggestion = models.TextField(null=True, blank=True)
    # Originality findings: the similar post, its text and the side-by-side diff segments.
    related = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["item", "position"]
        indexes = [models.Index(fields=["workspace", "item", "severity"], name="finding_ws_item_sev")]
        verbose_name = _("check finding")

    def __str__(self) -> str:
        return f"{self.check_name}/{self.severity} at {self.start}-{self.end}"


class LinkCheck(WorkspaceRow):
    """The last reachability check of one URL used in the workspace's content."""

    url = models.CharField(max_length=2000)
    # sha256 of the URL: a unique index on 2,000 characters would not fit every database.
    url_hash = models.CharField(max_length=64)
    ok = models.BooleanField(default=False)
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=30, blank=True)
    final_url = models.CharField(max_length=2000, blank=True)
    elapsed_ms = models.PositiveIntegerField(default=0)
    checked_at = models.DateTimeField()

    class Meta:
        ordering = ["url"]
        constraints = [models.UniqueConstraint(fields=["workspace", "url_hash"], name="uniq_link_check")]
        verbose_name = _("link check")

    def __str__(self) -> str:
        return self.url


class OriginalityIndexState(models.Model):
    """The workspace's persistent near-duplicate index of published posts (ours and competitors')."""

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="originality_index")
    # OriginalityIndex.to_bytes() of an index without shingle sets: queries load candidate texts
    # from PostRecord, so edited and deleted posts are seen as they are now.
    data = models.BinaryField()
    threshold = models.FloatField()
    doc_count = models.PositiveIntegerField(default=0)
    # Every post with updated_at up to here is in the index; later ones are compared directly
    # until the next update.
    built_through = models.DateTimeField(null=True, blank=True)
    # Bumped on every write; processes keep a loaded copy per (workspace, version).
    version = models.PositiveBigIntegerField(default=1)
    token = models.UUIDField(default=uuid.uuid4)
    built_at = models.DateTimeField()

    class Meta:
        verbose_name = _("originality index")

    def __str__(self) -> str:
        return f"originality index of {self.workspace_id} ({self.doc_count} posts)"
