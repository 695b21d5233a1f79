"""API: the caller's saved views of the content library (named filter sets), list, save, delete."""

import datetime as dt
from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Path, Router, Schema, Status

from socialops.workspaces.access import require_perm
from socialops.workspaces.api import api_create, api_select, api_workspace
from socialops.workspaces.roles import Perm

from ..models import SavedView
from ..selectors.saved_views import saved_view_get, saved_view_list
from ..services import saved_views as services

router = Router(tags=["content"])

ObjectId = Annotated[int, Path(ge=1, le=2**53)]
FilterValue = Annotated[str, Field(max_length=100)]


class SavedViewFilters(Schema):
    q: FilterValue = ""
    status: FilterValue = ""
    owner: FilterValue = ""
    account: FilterValue = ""
    due_from: FilterValue = Field("", description="YYYY-MM-DD, inclusive")
    due_to: FilterValue = Field("", description="YYYY-MM-DD, inclusive")
    form: FilterValue = ""
    theme: FilterValue = ""
    importance: FilterValue = ""


class SavedViewIn(Schema):
    name: str = Field(..., max_length=60)
    filters: SavedViewFilters


class SavedViewOut(Schema):
    id: int
    name: str
    filters: dict[str, str]
    created_at: dt.datetime


@router.get(
    "/workspaces/{slug}/content/saved-views",
    response=list[SavedViewOut],
    summary="The caller's saved views of the content library",
)
def saved_views_list(request: HttpRequest, slug: str) -> list[SavedView]:
    return list(api_select(request, slug, saved_view_list))


@router.post(
    "/workspaces/{slug}/content/saved-views",
    response={201: SavedViewOut},
    summary="Save a filter set under a name (the same name replaces the caller's view of that name)",
)
def saved_views_create(request: HttpRequest, slug: str, payload: SavedViewIn) -> Status[SavedView]:
    return api_create(
        request, slug, services.saved_view_create, name=payload.name, filters=payload.filters.dict()
    )


@router.delete("/workspaces/{slug}/content/saved-views/{view_id}", response={204: None})
def saved_views_delete(request: HttpRequest, slug: str, view_id: ObjectId) -> Status[None]:
    workspace = api_workspace(request, slug)
    # The permission first: a member who may not save views gets 403, not the 404 of a view that
    # is not theirs.
    require_perm(workspace=workspace, actor=request.user, perm=Perm.CONTENT_EDIT)
    view = saved_view_get(workspace=workspace, user=request.user, view_id=view_id)
    services.saved_view_delete(workspace=workspace, actor=request.user, view=view)
    return Status(204, None)
