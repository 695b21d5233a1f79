"""Recommendations that close the loop: a proposed change to an account's theme target shares,
with its evidence, accepted or rejected by a person (issue 14 §1, R3.7)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from socialops.accounts.models import SocialAccount
from socialops.core.models import CreatedAtModel
from socialops.workspaces.models import Workspace


class RecommendationStatus(models.TextChoices):
    """Where a recommendation stands."""

    PROPOSED = "proposed", _("Proposed")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class Recommendation(CreatedAtModel):
    """A proposed change of one theme's target share on one of our accounts, with the test behind it."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey(SocialAccount, on_delete=models.CASCADE, related_name="+")
    theme = models.ForeignKey(
        "content.Theme", on_delete=models.CASCADE, related_name="+", verbose_name=_("theme")
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=RecommendationStatus.choices,
        default=RecommendationStatus.PROPOSED,
    )
    # "raise" or "lower": the direction the evidence supports.
    direction = models.CharField(max_length=5)
    # The sentence people read, in the language of the workspace when it was made.
    summary = models.TextField(_("summary"))
    # The comparison (n, means, interval, p, test, minimum sample) of the theme against the rest.
    evidence = models.JSONField(default=dict)
    # {"before": {theme id: share}, "after": {theme id: share}}: the whole mix, before and as proposed.
    change = models.JSONField(default=dict)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["workspace", "status"], name="recommendation_ws_status")]
        verbose_name = _("recommendation")

    def __str__(self) -> str:
        return self.summary[:80]
