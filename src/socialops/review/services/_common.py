"""Small helpers shared by the review services (kept here once rather than copied per module)."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.utils.translation import gettext as _

from socialops.core.actors import user_or_none
from socialops.workspaces.access import membership_get
from socialops.workspaces.models import Workspace
from socialops.workspaces.roles import Perm

from ..models import CheckSettings


def actor_name(actor: Any) -> str:
    """The name kept on a row next to its actor (the row survives the user): username, or "system"."""
    user = user_or_none(actor)
    return user.get_username() if user is not None else "system"


def ensure_can_edit_terms(workspace: Workspace, actor: Any) -> None:
    """Term lists and check settings are edited by reviewers (content.review) and admins (workspace.manage).

    Not ``require_perm``: either of two permissions will do.
    """
    if actor is None:
        return  # system and seed
    membership = membership_get(workspace=workspace, user=actor)
    if not (membership.has_perm(Perm.CONTENT_REVIEW) or membership.has_perm(Perm.WORKSPACE_MANAGE)):
        raise PermissionDenied(_("Your role in this workspace does not allow this."))


def bump_terms_version(workspace: Workspace) -> None:
    """Mark every cached checker of the workspace out of date (call inside the write's transaction)."""
    settings_row, _created = CheckSettings.objects.get_or_create(workspace=workspace)
    CheckSettings.objects.filter(pk=settings_row.pk).update(
        terms_version=F("terms_version") + 1, cache_token=uuid.uuid4()
    )


def check_settings_for(workspace: Workspace) -> CheckSettings:
    """The workspace's settings row, or an unsaved one with the defaults."""
    return CheckSettings.objects.filter(workspace=workspace).first() or CheckSettings(workspace=workspace)
