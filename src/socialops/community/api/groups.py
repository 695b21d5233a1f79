"""API of the community app: groups, their members and health, and the moderation log (undo, appeals)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.pagination import paginate

from socialops.accounts.models import SocialAccount
from socialops.core.pagination import MappedPage
from socialops.workspaces.api import api_workspace
from socialops.workspaces.models import Membership

from ..models.groups import ActionStatus, Group, GroupKind, GroupMember, ModerationAction
from ..selectors import groups as sel
from ..services import groups as svc
from ..services import moderation_actions as mod

router = Router(tags=["community"])

MAX_ID = 2_147_483_647
RowId = Path(..., ge=1, le=MAX_ID)
BASE = "/workspaces/{slug}"


class CommunityGroupOut(Schema):
    id: int
    kind: str
    name: str
    description: str
    account_id: int | None
    external_id: str
    members: int
    open_tasks: int
    synced_at: dt.datetime | None
    sync_error: str


class CommunityGroupHealthDayOut(Schema):
    day: dt.date
    joins: int
    leaves: int
    messages: int
    actions: int


class CommunityGroupDetailOut(CommunityGroupOut):
    admin_ids: list[int]
    active_7: int
    active_30: int
    days: list[CommunityGroupHealthDayOut]


class CommunityGroupIn(Schema):
    kind: GroupKind
    name: str = Field(..., min_length=1, max_length=150)
    account_id: int | None = Field(None, ge=1, le=MAX_ID)
    external_id: str = Field("", max_length=100)
    description: str = Field("", max_length=5000)
    welcome_message: str = Field("", max_length=2000)
    admin_ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field(default_factory=list, max_length=100)


class CommunityGroupMemberOut(Schema):
    id: int
    person_id: int
    fan_id: int | None
    external_id: str
    display_name: str
    role: str
    joined_at: dt.datetime | None
    left_at: dt.datetime | None
    strikes: int
    muted_until: dt.datetime | None
    banned: bool


class CommunityModerationActionOut(Schema):
    id: int
    group_id: int
    member_id: int
    message_id: int | None
    message_text: str
    rule: str
    reason: str
    action: str
    strike: int
    status: str
    detail: str
    created_at: dt.datetime
    undone_at: dt.datetime | None
    appeal_text: str
    appeal_state: str


class CommunityAppealIn(Schema):
    text: str = Field(..., min_length=1, max_length=2000)


class CommunityAppealDecisionIn(Schema):
    accept: bool


def _group_out(group: Group) -> dict[str, Any]:
    return {
        "id": group.pk,
        "kind": group.kind,
        "name": group.name,
        "description": group.description,
        "account_id": group.account_id,
        "external_id": group.external_id,
        "members": getattr(group, "present", None)
        if getattr(group, "present", None) is not None
        else group.members.filter(left_at__isnull=True, banned=False).count(),
        "open_tasks": getattr(group, "open_tasks", None)
        if getattr(group, "open_tasks", None) is not None
        else group.moderation_actions.filter(status__in=sel.ATTENTION).count(),
        "synced_at": group.synced_at,
        "sync_error": group.sync_error,
    }


def _member_out(member: GroupMember) -> dict[str, Any]:
    return {
        "id": member.pk,
        "person_id": member.person_id,
        "fan_id": member.fan_id,
        "external_id": member.external_id,
        "display_name": member.display_name,
        "role": member.role,
        "joined_at": member.joined_at,
        "left_at": member.left_at,
        "strikes": member.strikes,
        "muted_until": member.muted_until,
        "banned": member.banned,
    }


def _action_out(action: ModerationAction) -> dict[str, Any]:
    return {
        "id": action.pk,
        "group_id": action.group_id,
        "member_id": action.member_id,
        "message_id": action.message_id,
        "message_text": action.message.text if action.message else "",
        "rule": action.rule,
        "reason": action.reason,
        "action": action.action,
        "strike": action.strike,
        "status": action.status,
        "detail": action.detail,
        "created_at": action.created_at,
        "undone_at": action.undone_at,
        "appeal_text": action.appeal_text,
        "appeal_state": action.appeal_state,
    }


@router.get(
    f"{BASE}/groups",
    response=list[CommunityGroupOut],
    summary="Our groups with present members and open moderation tasks",
)
@paginate
def group_list(request: HttpRequest, slug: str) -> Any:
    return MappedPage(sel.group_list(workspace=api_workspace(request, slug)), _group_out)


@router.post(
    f"{BASE}/groups",
    response={201: CommunityGroupDetailOut},
    summary="Add a group (Telegram, WeCom or manual)",
)
def group_create(request: HttpRequest, slug: str, payload: CommunityGroupIn) -> Status[dict[str, Any]]:
    workspace = api_workspace(request, slug)
    account = None
    if payload.account_id:
        account = SocialAccount.objects.filter(workspace=workspace, pk=payload.account_id).first()
        if account is None:
            raise ValidationError({"account_id": [_("Not found.")]})
    admins = [m.user for m in Membership.objects.filter(workspace=workspace, user_id__in=payload.admin_ids)]
    if len(admins) != len(set(payload.admin_ids)):
        raise ValidationError({"admin_ids": [_("Choose members of this workspace.")]})
    group = svc.group_create(
        workspace=workspace,
        actor=request.user,
        kind=payload.kind,
        name=payload.name,
        account=account,
        external_id=payload.external_id,
        description=payload.description,
        welcome_message=payload.welcome_message,
        admins=admins,
    )
    return Status(201, _detail(workspace, group))


def _detail(workspace: Any, group: Group) -> dict[str, Any]:
    health = sel.group_health(workspace=workspace, group=group)
    return {
        **_group_out(group),
        "admin_ids": list(group.admins.values_list("pk", flat=True)),
        "active_7": health["active_7"],
        "active_30": health["active_30"],
        "days": health["days"],
    }


@router.get(
    f"{BASE}/groups/{{int:group_id}}",
    response=CommunityGroupDetailOut,
    summary="A group with its health of the last 30 days",
)
def group_detail(request: HttpRequest, slug: str, group_id: int = RowId) -> dict[str, Any]:
    workspace = api_workspace(request, slug)
    return _detail(workspace, sel.group_get(workspace=workspace, group_id=group_id))


@router.get(
    f"{BASE}/groups/{{int:group_id}}/members",
    response=list[CommunityGroupMemberOut],
    summary="A group's members, present ones first",
)
@paginate
def group_members(request: HttpRequest, slug: str, group_id: int = RowId) -> Any:
    workspace = api_workspace(request, slug)
    group = sel.group_get(workspace=workspace, group_id=group_id)
    return MappedPage(sel.member_list(workspace=workspace, group=group), _member_out)


@router.get(
    f"{BASE}/moderation-actions",
    response=list[CommunityModerationActionOut],
    summary="The moderation log, newest first",
)
@paginate
def action_list(
    request: HttpRequest,
    slug: str,
    group: int = Query(0, ge=0, le=MAX_ID),
    status: str = Query("", max_length=20, description="a status, or 'attention' for those needing a person"),
    appeals: bool = Query(False, description="only actions with an appeal waiting"),
) -> Any:
    workspace = api_workspace(request, slug)
    chosen = sel.group_get(workspace=workspace, group_id=group) if group else None
    if status not in (*ActionStatus.values, "attention"):
        status = ""
    return MappedPage(
        sel.action_list(workspace=workspace, group=chosen, status=status, appeals=appeals), _action_out
    )


@router.post(
    f"{BASE}/moderation-actions/{{int:action_id}}/undo",
    response=CommunityModerationActionOut,
    summary="Undo an action (unmute / unban)",
)
def action_undo(request: HttpRequest, slug: str, action_id: int = RowId) -> dict[str, Any]:
    workspace = api_workspace(request, slug)
    action = sel.action_get(workspace=workspace, action_id=action_id)
    return _action_out(mod.action_undo(workspace=workspace, actor=request.user, action=action))


@router.post(
    f"{BASE}/moderation-actions/{{int:action_id}}/appeal",
    response=CommunityModerationActionOut,
    summary="Record a member's appeal",
)
def action_appeal(
    request: HttpRequest, slug: str, payload: CommunityAppealIn, action_id: int = RowId
) -> dict[str, Any]:
    workspace = api_workspace(request, slug)
    action = sel.action_get(workspace=workspace, action_id=action_id)
    return _action_out(
        mod.action_appeal(workspace=workspace, actor=request.user, action=action, text=payload.text)
    )


@router.post(
    f"{BASE}/moderation-actions/{{int:action_id}}/appeal-decision",
    response=CommunityModerationActionOut,
    summary="Accept (undoes the action) or reject a waiting appeal",
)
def action_appeal_decide(
    request: HttpRequest, slug: str, payload: CommunityAppealDecisionIn, action_id: int = RowId
) -> dict[str, Any]:
    workspace = api_workspace(request, slug)
    action = sel.action_get(workspace=workspace, action_id=action_id)
    return _action_out(
        mod.appeal_decide(workspace=workspace, actor=request.user, action=action, accept=payload.accept)
    )
