"""API: workspaces, members, the current user and the audit log."""

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from socialops.core.api import IsoDate

from . import selectors, services
from .access import membership_get, workspace_get_for_user
from .models import Workspace

router = Router(tags=["workspaces"])

T = TypeVar("T")


def api_workspace(request: HttpRequest, slug: str) -> Workspace:
    """The workspace named in the URL, if the caller is a member (else 404)."""
    return workspace_get_for_user(slug=slug, user=request.user)


# The prelude of nearly every endpoint: the URL's workspace (404 for non-members), then the caller's
# selector or service call on it. Selectors and services take keyword arguments only, hence **kwargs.
def api_select(request: HttpRequest, slug: str, select: Callable[..., T], **params: Any) -> T:
    """What `select(workspace=, user=, **params)` gives for the URL's workspace and the caller."""
    return select(workspace=api_workspace(request, slug), user=request.user, **params)


def api_object(request: HttpRequest, slug: str, get: Callable[..., T], **lookup: Any) -> tuple[Workspace, T]:
    """The URL's workspace and what `get(workspace=, user=, **lookup)` finds in it for the caller (else 404)."""
    workspace = api_workspace(request, slug)
    return workspace, get(workspace=workspace, user=request.user, **lookup)


def api_create(request: HttpRequest, slug: str, create: Callable[..., T], **fields: Any) -> Status[T]:
    """`create(workspace=, actor=, **fields)` in the URL's workspace: the 201 of a POST."""
    return Status(201, create(workspace=api_workspace(request, slug), actor=request.user, **fields))


def api_delete(
    request: HttpRequest,
    slug: str,
    get: Callable[..., Any],
    delete: Callable[..., Any],
    param: str,
    **lookup: Any,
) -> Status[None]:
    """Find as api_object does, then `delete(workspace=, actor=, <param>=found)`: the 204 of a DELETE."""
    workspace, found = api_object(request, slug, get, **lookup)
    delete(workspace=workspace, actor=request.user, **{param: found})
    return Status(204, None)


class WorkspaceOut(Schema):
    slug: str
    name: str
    timezone: str
    locale: str
    role: str = ""


class WorkspaceUpdateIn(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    timezone: str | None = Field(None, max_length=64)
    locale: str | None = Field(None, max_length=10)


class MeOut(Schema):
    username: str
    workspaces: list[WorkspaceOut]


class MemberOut(Schema):
    id: int
    username: str
    role: str
    is_subject_expert: bool


class MemberUpdateIn(Schema):
    role: str = Field(..., max_length=20)
    is_subject_expert: bool | None = None


class AuditOut(Schema):
    id: int
    created_at: dt.datetime
    actor_name: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    before: Any = None
    after: Any = None


def _workspace_out(workspace: Workspace, user: Any) -> dict[str, Any]:
    return {
        "slug": workspace.slug,
        "name": workspace.name,
        "timezone": workspace.timezone,
        "locale": workspace.locale,
        "role": membership_get(workspace=workspace, user=user).role,
    }


@router.get("/me", response=MeOut, summary="The calling user and their workspaces")
def me(request: HttpRequest) -> dict[str, Any]:
    workspaces = selectors.workspaces_for_user(user=request.user)
    return {
        "username": request.user.get_username(),
        "workspaces": [_workspace_out(w, request.user) for w in workspaces],
    }


@router.get("/workspaces", response=list[WorkspaceOut])
@paginate
def workspace_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [_workspace_out(w, request.user) for w in selectors.workspaces_for_user(user=request.user)]


@router.get("/workspaces/{slug}", response=WorkspaceOut)
def workspace_detail(request: HttpRequest, slug: str) -> dict[str, Any]:
    return _workspace_out(api_workspace(request, slug), request.user)


@router.patch("/workspaces/{slug}", response=WorkspaceOut)
def workspace_patch(request: HttpRequest, slug: str, payload: WorkspaceUpdateIn) -> dict[str, Any]:
    workspace = api_workspace(request, slug)
    fields = payload.dict(exclude_unset=True, exclude_none=True)
    services.workspace_update(workspace=workspace, actor=request.user, **fields)
    return _workspace_out(workspace, request.user)


@router.get("/workspaces/{slug}/members", response=list[MemberOut])
@paginate
def member_list(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    workspace = api_workspace(request, slug)
    return [
        {"id": m.pk, "username": m.user.username, "role": m.role, "is_subject_expert": m.is_subject_expert}
        for m in selectors.membership_list(workspace=workspace, user=request.user)
    ]


@router.patch("/workspaces/{slug}/members/{member_id}", response=MemberOut)
def member_patch(request: HttpRequest, slug: str, member_id: int, payload: MemberUpdateIn) -> dict[str, Any]:
    workspace, membership = api_object(request, slug, selectors.membership_get_by_id, membership_id=member_id)
    services.membership_update(
        workspace=workspace,
        actor=request.user,
        membership=membership,
        role=payload.role,
        is_subject_expert=payload.is_subject_expert,
    )
    return {
        "id": membership.pk,
        "username": membership.user.username,
        "role": membership.role,
        "is_subject_expert": membership.is_subject_expert,
    }


@router.get("/workspaces/{slug}/audit", response=list[AuditOut])
@paginate
def audit_list(
    request: HttpRequest,
    slug: str,
    actor: str = "",
    action: str = "",
    object_type: str = "",
    since: IsoDate | None = None,
    until: IsoDate | None = None,
) -> Any:
    workspace = api_workspace(request, slug)
    return selectors.audit_entry_list(
        workspace=workspace,
        user=request.user,
        actor=actor,
        action=action,
        object_type=object_type,
        since=since,
        until=until,
    )
