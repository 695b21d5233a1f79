"""Services for saved views of the content library: save the current filters under a name, delete.

A view belongs to the member who saved it; nobody else sees or deletes it. Every write checks the
permission, runs in a transaction and writes an audit entry in it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from socialops.core.actors import user_or_none
from socialops.workspaces.access import require_perm
from socialops.workspaces.audit import audit_delete, audit_saved
from socialops.workspaces.models import Workspace
from socialops.workspaces.roles import Perm

from ..models import SAVED_VIEW_FILTERS, SavedView

MAX_SAVED_VIEWS = 30
MAX_FILTER_LENGTH = 100


def clean_filters(raw: dict[str, Any]) -> dict[str, str]:
    """Keep the library's filter keys with non-empty values; dates must read YYYY-MM-DD."""
    filters: dict[str, str] = {}
    for key in SAVED_VIEW_FILTERS:
        value = str(raw.get(key) or "").strip()[:MAX_FILTER_LENGTH]
        if not value:
            continue
        if key in ("due_from", "due_to"):
            try:
                dt.date.fromisoformat(value)
            except ValueError:
                raise ValidationError({key: [_("Enter a date as YYYY-MM-DD.")]}) from None
        filters[key] = value
    return filters


@transaction.atomic
def saved_view_create(*, workspace: Workspace, actor: Any, name: str, filters: dict[str, Any]) -> SavedView:
    """Save ``filters`` (the library's query) under ``name`` for the actor; the same name replaces it."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.CONTENT_EDIT)
    user = user_or_none(actor)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("Give the view a name.")]})
    if len(name) > 60:
        raise ValidationError({"name": [_("Keep the name to 60 characters.")]})
    cleaned = clean_filters(filters)
    if not cleaned:
        raise ValidationError({"filters": [_("Choose at least one filter before saving a view.")]})
    view = SavedView.objects.filter(workspace=workspace, user=user, name=name).first()
    if view is None:
        if SavedView.objects.filter(workspace=workspace, user=user).count() >= MAX_SAVED_VIEWS:
            raise ValidationError(
                {
                    "name": [
                        _("You have %(n)d saved views already; delete one first.") % {"n": MAX_SAVED_VIEWS}
                    ]
                }
            )
        view = SavedView.objects.create(workspace=workspace, user=user, name=name, filters=cleaned)
        audit_saved(view, workspace=workspace, actor=actor, action="saved_view.create")
        return view
    before = {"filters": view.filters}
    view.filters = cleaned
    view.save(update_fields=["filters"])
    audit_saved(view, workspace=workspace, actor=actor, action="saved_view.update", before=before)
    return view


@transaction.atomic
def saved_view_delete(*, workspace: Workspace, actor: Any, view: SavedView) -> None:
    """Delete one of the actor's own saved views."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.CONTENT_EDIT)
    if view.workspace_id != workspace.pk or view.user_id != getattr(user_or_none(actor), "pk", None):
        raise ValidationError({"view": [_("That view is not yours.")]})
    audit_delete(view, workspace=workspace, actor=actor, action="saved_view.delete")
