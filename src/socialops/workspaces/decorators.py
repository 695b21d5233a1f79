"""The workspace page prelude every app's views use: login, membership, role, and the typed request."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Final

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.utils.translation import gettext as _

from .access import ensure_perm, membership_get, workspace_get_for_user
from .models import Membership, Workspace

SAFE_METHODS: Final = ("GET", "HEAD", "OPTIONS")
# ``write=EVERY_MEMBER``: a write every member may make, on their own things only (marking their
# own notifications read, a check that stores nothing). Rare on purpose; tests/test_read_only_role.py
# lists the views that use it.
EVERY_MEMBER: Final = "every member"


class WorkspaceRequest(HttpRequest):
    """A request that went through ``workspace_view``: the workspace and the user's membership are set."""

    workspace: Workspace
    membership: Membership


def workspace_view(
    perm: str | None = None, *, write: str | tuple[str, ...] | None = None
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Require login and membership of the URL's workspace (404 otherwise), and ``perm`` if given (403).

    A request that may change something (POST, PUT, PATCH, DELETE) needs ``perm`` or, when the page
    itself is for every member, one of the permissions in ``write`` (403 otherwise). A view that
    declares neither is a page to read: it answers those methods 405. So no view can take a write
    from a member without saying which permission allows it, whatever its form or service does.

    Sets request.workspace and request.membership for the view and the templates.
    """
    writes = (write,) if isinstance(write, str) else tuple(write or ())

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @functools.wraps(view)
        def wrapper(request: WorkspaceRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
            workspace = workspace_get_for_user(slug=slug, user=request.user)
            if perm is not None:
                membership = ensure_perm(workspace=workspace, user=request.user, perm=perm)
            else:
                membership = membership_get(workspace=workspace, user=request.user)
            if request.method not in SAFE_METHODS and perm is None:
                if not writes:
                    return HttpResponseNotAllowed(SAFE_METHODS)
                if EVERY_MEMBER not in writes and not any(membership.has_perm(p) for p in writes):
                    raise PermissionDenied(_("Your role in this workspace does not allow this."))
            request.workspace = workspace
            request.membership = membership
            request.session["last_workspace"] = workspace.slug
            return view(request, *args, **kwargs)

        # Read by tests/test_read_only_role.py: what each page lets a member change.
        wrapper.workspace_access = {"perm": perm, "write": writes}  # type: ignore[attr-defined]
        return wrapper

    return decorator
