"""Template context for the layout: the current workspace, the user's role and the nav."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .roles import ROLE_PERMISSIONS
from .selectors import workspaces_for_user


def navigation(request: HttpRequest) -> dict[str, Any]:
    workspace = getattr(request, "workspace", None)
    membership = getattr(request, "membership", None)
    user = getattr(request, "user", None)
    return {
        "current_workspace": workspace,
        "current_membership": membership,
        "perms_in_workspace": ROLE_PERMISSIONS.get(membership.role, frozenset())
        if membership
        else frozenset(),
        "user_workspaces": workspaces_for_user(user=user)
        if user is not None and user.is_authenticated
        else [],
    }
