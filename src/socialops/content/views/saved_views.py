"""Pages of saved views of the content library: save the current filters under a name, delete one.

The library page lists the caller's views as quick links (views/items.py); these two POST
endpoints change them and go back to the library.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from socialops.core.view_helpers import run_and_say
from socialops.workspaces.decorators import WorkspaceRequest, workspace_view
from socialops.workspaces.roles import Perm

from ..models import SAVED_VIEW_FILTERS, SavedView
from ..selectors.saved_views import saved_view_get
from ..services import saved_views as services


def view_query(view: SavedView) -> str:
    """The library's query string for a saved view."""
    return urlencode({k: view.filters[k] for k in SAVED_VIEW_FILTERS if view.filters.get(k)})


@require_POST
@workspace_view(Perm.CONTENT_EDIT)
def saved_view_create(request: WorkspaceRequest) -> HttpResponse:
    """Save the filters posted with the form (the library's current ones) under the given name."""
    workspace = request.workspace
    name = request.POST.get("name", "").strip()
    filters = {key: request.POST.get(key, "") for key in SAVED_VIEW_FILTERS}
    saved: list[SavedView] = []
    run_and_say(
        request,
        lambda: saved.append(
            services.saved_view_create(workspace=workspace, actor=request.user, name=name, filters=filters)
        ),
        _("View “%(name)s” saved.") % {"name": name},
    )
    url = reverse("content_list", args=[workspace.slug])
    query = view_query(saved[0]) if saved else urlencode({k: v for k, v in filters.items() if v})
    return HttpResponseRedirect(f"{url}?{query}" if query else url)


@require_POST
@workspace_view(Perm.CONTENT_EDIT)
def saved_view_delete(request: WorkspaceRequest, view_id: int) -> HttpResponse:
    """Delete one of the caller's saved views."""
    workspace = request.workspace
    view = saved_view_get(workspace=workspace, user=request.user, view_id=view_id)
    run_and_say(
        request,
        lambda: services.saved_view_delete(workspace=workspace, actor=request.user, view=view),
        _("View “%(name)s” deleted.") % {"name": view.name},
    )
    return HttpResponseRedirect(reverse("content_list", args=[workspace.slug]))


saved_view_urlpatterns: list[URLPattern] = [
    path("content/views/", saved_view_create, name="saved_view_create"),
    path("content/views/<int:view_id>/delete/", saved_view_delete, name="saved_view_delete"),
]
