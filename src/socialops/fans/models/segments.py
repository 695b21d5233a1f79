"""Segments and tiers (rule-defined sets of people), their history and the value-model fits."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from socialops.core.models import CreatedByModel, TimestampedModel
from socialops.workspaces.models import Workspace

from .people import Person


class SegmentKind(models.TextChoices):
    """A tier (one rung of the ladder; each person in exactly one) or a free segment."""

    TIER = "tier", _("Tier")
    SEGMENT = "segment", _("Segment")


class Segment(CreatedByModel, TimestampedModel):
    """A named set of people defined by rules (fans.rules), refreshed on schedule and on demand.

    Tiers are checked in ``rank`` order and a person lands in the first whose rules match;
    the last tier of the ladder catches everyone left, so each person is in exactly one.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="segments")
    name = models.CharField(_("name"), max_length=60)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(
        _("kind"), max_length=10, choices=SegmentKind.choices, default=SegmentKind.SEGMENT
    )
    rank = models.PositiveSmallIntegerField(_("rank"), default=0)
    # {"all": [{"field": "interactions_30d", "op": "gte", "value": 5}, ...]} — see fans.rules.
    rules = models.JSONField(_("rules"), default=dict)
    color = models.CharField(_("colour"), max_length=7, blank=True)
    size = models.PositiveIntegerField(_("size"), default=0)
    refreshed_at = models.DateTimeField(_("refreshed"), null=True, blank=True)

    class Meta:
        ordering = ["kind", "rank", "name"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="uniq_segment_name")]
        verbose_name = _("segment")
        verbose_name_plural = _("segments")

    def __str__(self) -> str:
        return self.name


class SegmentMembership(models.Model):
    """A person currently in a saved segment (a tier's members are the people whose Person.tier it is)."""

    # No database foreign-key constraints (db_constraint=False) on the two tables the refresh
    # writes in bulk: their rows are written only by the refresh, from ids it has just read from
    # Person and Segment of the same workspace in the same transaction, and deleted with them by
    # Django's cascade. A cold refresh of a million people writes a million rows here; the
    # per-row constraint triggers (one lookup and key-share lock per row and per key, run at
    # commit) cost more than the inserts themselves (benchmarks/segmentation.py).
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    segment = models.ForeignKey(
        Segment, on_delete=models.CASCADE, related_name="memberships", db_constraint=False
    )
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="segment_memberships", db_constraint=False
    )
    entered_at = models.DateTimeField(_("entered"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["segment", "person"], name="uniq_segment_member")]
        indexes = [models.Index(fields=["workspace", "person"], name="segmember_ws_person")]
        verbose_name = _("segment membership")

    def __str__(self) -> str:
        return f"{self.segment_id}:{self.person_id}"


class SegmentEventKind(models.TextChoices):
    """Entered or left."""

    ENTERED = "entered", _("Entered")
    LEFT = "left", _("Left")


class SegmentEvent(models.Model):
    """A person entering or leaving a segment at a refresh (what playbooks react to)."""

    # No database foreign-key constraints, as on SegmentMembership (written only by the refresh).
    # The workspace is the first column of both indexes, so it needs no index of its own.
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="events", db_constraint=False)
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="segment_events", db_constraint=False
    )
    kind = models.CharField(_("kind"), max_length=10, choices=SegmentEventKind.choices)
    at = models.DateTimeField(_("time"))

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["workspace", "segment", "at"], name="segevent_ws_segment"),
            models.Index(fields=["workspace", "person", "at"], name="segevent_ws_person"),
        ]
        verbose_name = _("segment event")

    def __str__(self) -> str:
        return f"{self.person_id} {self.kind} {self.segment_id}"


class SegmentDailySize(models.Model):
    """A segment's size at the end of one local day (the tier-ladder chart)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="daily_sizes")
    date = models.DateField(_("date"))
    size = models.PositiveIntegerField(_("size"))

    class Meta:
        ordering = ["segment", "date"]
        constraints = [models.UniqueConstraint(fields=["segment", "date"], name="uniq_segment_day")]
        indexes = [models.Index(fields=["workspace", "date"], name="segsize_ws_date")]
        verbose_name = _("segment size")

    def __str__(self) -> str:
        return f"{self.segment_id} {self.date} {self.size}"


class ValueModelFit(models.Model):
    """One fit of the customer-value model (BG/NBD + Gamma-Gamma) on a workspace's orders."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    fitted_at = models.DateTimeField(auto_now_add=True)
    until = models.DateField(_("observation end"))
    unit = models.CharField(_("time unit"), max_length=4, default="day")
    n_customers = models.PositiveIntegerField()
    # r, alpha, a, b (BG/NBD); p, q, gamma (Gamma-Gamma); log-likelihoods; convergence notes.
    params = models.JSONField(default=dict)

    class Meta:
        ordering = ["-fitted_at", "-pk"]
        get_latest_by = "fitted_at"
        verbose_name = _("value model fit")

    def __str__(self) -> str:
        return f"{self.until} n={self.n_customers}"
