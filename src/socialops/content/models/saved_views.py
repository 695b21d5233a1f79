"""Saved views of the content library: one person's named filter sets in one workspace."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from socialops.core.models import CreatedAtModel
from socialops.workspaces.models import Workspace

# The library's filters a view keeps (the query-string names of the library page).
SAVED_VIEW_FILTERS = ("q", "status", "owner", "account", "due_from", "due_to", "form", "theme", "importance")


class SavedView(CreatedAtModel):
    """A named set of content-library filters one member saved for themself in one workspace."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=60)
    # Only the keys in SAVED_VIEW_FILTERS, each a non-empty string as it appears in the page's URL.
    filters = models.JSONField(_("filters"), default=dict)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user", "name"], name="uniq_saved_view_name")
        ]
        indexes = [models.Index(fields=["workspace", "user"], name="saved_view_ws_user")]
        verbose_name = _("saved view")

    def __str__(self) -> str:
        return self.name
