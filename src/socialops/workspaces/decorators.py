"""The workspace page prelude every app's views use: login, membership, role, and the typed request."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

from .access import ensure_perm, membership_get, workspace_get_for_user
from .models import Membership, Workspace


class WorkspaceRequest(HttpRequest):
    """A request that went through ``workspace_view``: the workspace and the user's membership are set."""

    workspace: Workspace
    membership: Membership


def workspace_view(
    perm: str | None = None,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Require login and membership of the URL's workspace (404 otherwise), and ``perm`` if given (403).

    Sets request.workspace and request.membership for the view and the templates.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @functools.wraps(view)
        def wrapper(request: WorkspaceRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
            workspace = workspace_get_for_user(slug=slug, user=request.user)
            if perm is not None:
                membership = ensure_perm(workspace=workspace, user=request.user, perm=perm)
            else:
                membership = membership_get(workspace=workspace, user=request.user)
            request.workspace = workspace
            request.membership = membership
            request.session["last_workspace"] = workspace.slug
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
