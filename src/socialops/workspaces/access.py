"""Access helpers: who may see and do what in a workspace.

Not being a member of a workspace looks exactly like the workspace not existing (404), so a
user can never learn what another workspace holds. Being a member without the needed role is
a 403 (PermissionDenied).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from .models import Membership, Workspace


def membership_get(*, workspace: Workspace, user: Any) -> Membership:
    """Return the user's membership in the workspace, or raise Http404."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        raise Http404(_("Not found."))
    cache = getattr(user, "_socialops_memberships", None)
    if cache is None:
        cache = {}
        user._socialops_memberships = cache
    if workspace.pk not in cache:
        cache[workspace.pk] = Membership.objects.filter(workspace=workspace, user=user).first()
    membership = cache[workspace.pk]
    if membership is None:
        raise Http404(_("Not found."))
    return membership


def ensure_perm(*, workspace: Workspace, user: Any, perm: str) -> Membership:
    """Return the membership when the user's role grants ``perm``; 404 for non-members, 403 otherwise."""
    membership = membership_get(workspace=workspace, user=user)
    if not membership.has_perm(perm):
        raise PermissionDenied(_("Your role in this workspace does not allow this."))
    return membership


def require_perm(*, workspace: Workspace, actor: Any, perm: str) -> None:
    """The permission prelude of every service: the system (actor None) may do anything; a user needs ``perm``.

    Writes by the system (jobs, the demo seed, imports run from the CLI) are still audited.
    """
    if actor is not None:
        ensure_perm(workspace=workspace, user=actor, perm=perm)


def workspace_get_for_user(*, slug: str, user: Any) -> Workspace:
    """The workspace with this slug if the user is a member of it, else Http404."""
    workspace = Workspace.objects.filter(slug=slug).first()
    if workspace is None:
        raise Http404(_("Not found."))
    membership_get(workspace=workspace, user=user)
    return workspace


def user_can(*, workspace: Workspace, user: Any, perm: str) -> bool:
    """True when the user is a member whose role grants ``perm`` (for showing buttons)."""
    try:
        ensure_perm(workspace=workspace, user=user, perm=perm)
    except (Http404, PermissionDenied):
        return False
    return True


def ensure_same_workspace(workspace: Workspace, obj: Any, field: str) -> None:
    """Refuse an object of another workspace, as "not found" under ``field`` (nothing leaks)."""
    from django.core.exceptions import ValidationError

    if getattr(obj, "workspace_id", None) != workspace.pk:
        raise ValidationError({field: [_("Not found.")]})
