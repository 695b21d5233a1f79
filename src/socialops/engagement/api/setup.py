"""API of how the inbox works: saved replies, auto-reply and assignment rules, settings (hours, targets)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.pagination import paginate

from socialops.accounts.models import SocialAccount
from socialops.core.pagination import MappedPage
from socialops.fans.models import Segment
from socialops.workspaces.api import api_object, api_workspace
from socialops.workspaces.models import Workspace
from socialops.workspaces.selectors import member_rows

from ..models import AssignmentRule, AutoReplyRule, InboxSettings, SavedReply
from ..selectors import setup as sel
from ..services import setup as svc

router = Router(tags=["inbox"])

MAX_ID = 2_147_483_647
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
RowId = Path(..., ge=1, le=MAX_ID)
Clock = Annotated[str, Field(max_length=8, description="local time as HH:MM")]
BASE = "/workspaces/{slug}/inbox"


# ---- schemas ---------------------------------------------------------------------------------


class InboxSavedReplyOut(Schema):
    id: int
    title: str
    body: str
    account_id: int | None
    account: str | None
    flagged: bool
    findings: list[dict[str, Any]]
    uses: int
    created_at: dt.datetime
    updated_at: dt.datetime


class InboxSavedReplyIn(Schema):
    title: str = Field(..., max_length=100)
    body: str = Field(..., max_length=10_000)
    account_id: Id | None = Field(None, description="one account's, or the whole workspace's when null")


class InboxSavedReplyPatch(Schema):
    title: str | None = Field(None, max_length=100)
    body: str | None = Field(None, max_length=10_000)
    account_id: Id | None = None


class InboxAutoReplyRuleOut(Schema):
    id: int
    name: str
    match: str
    pattern: str
    channel: str
    reply_text: str
    account_id: int | None
    active_from: str | None
    active_to: str | None
    position: int
    enabled: bool
    fired: int
    findings: list[dict[str, Any]]


class InboxAutoReplyRuleIn(Schema):
    name: str = Field(..., max_length=100)
    match: str = Field(..., max_length=10, description="exact, contains, regex, welcome or off_hours")
    pattern: str = Field("", max_length=200)
    channel: str = Field("messages", max_length=10, description="messages, comments or any")
    reply_text: str = Field(..., max_length=10_000)
    account_id: Id | None = None
    active_from: Clock | None = None
    active_to: Clock | None = None
    position: int = Field(0, ge=0, le=10_000)
    enabled: bool = True


class InboxAutoReplyRulePatch(Schema):
    name: str | None = Field(None, max_length=100)
    match: str | None = Field(None, max_length=10)
    pattern: str | None = Field(None, max_length=200)
    channel: str | None = Field(None, max_length=10)
    reply_text: str | None = Field(None, max_length=10_000)
    account_id: Id | None = None
    active_from: Clock | None = None
    active_to: Clock | None = None
    position: int | None = Field(None, ge=0, le=10_000)
    enabled: bool | None = None


class InboxAssignmentRuleOut(Schema):
    id: int
    account_id: int | None
    language: str
    intent: str
    tier_id: int | None
    tier_name: str | None
    assignee_id: int
    assignee: str
    position: int


class InboxAssignmentRuleIn(Schema):
    account_id: Id | None = None
    language: str = Field("", max_length=5, description="zh, en or blank for any")
    intent: str = Field("", max_length=10)
    tier_id: Id | None = None
    assignee_id: Id
    position: int = Field(0, ge=0, le=10_000)


class InboxSettingsOut(Schema):
    work_start: str
    work_end: str
    weekdays: list[int]
    respect_holidays: bool
    urgent_minutes: int
    high_minutes: int
    normal_minutes: int
    low_minutes: int
    targets_in_working_hours: bool
    assign_mode: str
    high_value_threshold: float
    spike_factor: float
    spike_minimum: int
    webhook_url: str = Field(description="where new messages and missed targets are POSTed (blank: off)")
    webhook_secret_set: bool = Field(description="whether a signing secret is stored (it is never shown)")


class InboxSettingsPatch(Schema):
    work_start: Clock | None = None
    work_end: Clock | None = None
    weekdays: list[int] | None = Field(None, max_length=7, description="0 = Monday … 6 = Sunday")
    respect_holidays: bool | None = None
    urgent_minutes: int | None = Field(None, ge=1, le=svc.TARGET_MAX_MINUTES)
    high_minutes: int | None = Field(None, ge=1, le=svc.TARGET_MAX_MINUTES)
    normal_minutes: int | None = Field(None, ge=1, le=svc.TARGET_MAX_MINUTES)
    low_minutes: int | None = Field(None, ge=1, le=svc.TARGET_MAX_MINUTES)
    targets_in_working_hours: bool | None = None
    assign_mode: str | None = Field(None, max_length=12, description="nobody or round_robin")
    high_value_threshold: float | None = Field(None, ge=0, le=9_999_999_999)
    spike_factor: float | None = Field(None, ge=1, le=100)
    spike_minimum: int | None = Field(None, ge=1, le=svc.TARGET_MAX_MINUTES)
    webhook_url: str | None = Field(
        None, max_length=500, description="https URL; blank turns the webhook off"
    )
    webhook_secret: str | None = Field(
        None, max_length=200, description="the HMAC-SHA256 signing key (16+ characters); write-only"
    )


# ---- helpers ---------------------------------------------------------------------------------


def _clock(value: dt.time | None) -> str | None:
    return None if value is None else value.strftime("%H:%M")


def _account_field(request: HttpRequest, workspace: Workspace, data: dict[str, Any]) -> dict[str, Any]:
    """account_id → account (one of this workspace's, else 404; null: the whole workspace)."""
    if "account_id" in data:
        pk = data.pop("account_id")
        data["account"] = (
            get_object_or_404(member_rows(SocialAccount, workspace=workspace, user=request.user), pk=pk)
            if pk
            else None
        )
    return data


def _saved_reply_out(row: SavedReply) -> dict[str, Any]:
    account = row.account
    return {
        "id": row.pk,
        "title": row.title,
        "body": row.body,
        "account_id": row.account_id,
        "account": (account.display_name or account.handle) if account is not None else None,
        "flagged": row.flagged,
        "findings": list(row.findings or []),
        "uses": row.uses,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    }


def _rule_out(rule: AutoReplyRule) -> dict[str, Any]:
    return {
        **{f: getattr(rule, f) for f in ("id", "name", "match", "pattern", "channel", "reply_text")},
        "account_id": rule.account_id,
        "active_from": _clock(rule.active_from),
        "active_to": _clock(rule.active_to),
        "position": rule.position,
        "enabled": rule.enabled,
        "fired": rule.fired,
        "findings": list(rule.findings or []),
    }


def _assignment_out(rule: AssignmentRule) -> dict[str, Any]:
    return {
        "id": rule.pk,
        "account_id": rule.account_id,
        "language": rule.language,
        "intent": rule.intent,
        "tier_id": rule.tier_id,
        "tier_name": rule.tier.name if rule.tier is not None else None,
        "assignee_id": rule.assignee_id,
        "assignee": rule.assignee.get_username(),
        "position": rule.position,
    }


def _settings_out(row: InboxSettings) -> dict[str, Any]:
    return {
        "work_start": _clock(row.work_start),
        "work_end": _clock(row.work_end),
        "weekdays": list(row.weekdays),
        "high_value_threshold": float(row.high_value_threshold),
        "webhook_url": row.webhook_url,
        "webhook_secret_set": bool(row.webhook_secret),
        **{
            f: getattr(row, f)
            for f in (
                "respect_holidays",
                "urgent_minutes",
                "high_minutes",
                "normal_minutes",
                "low_minutes",
                "targets_in_working_hours",
                "assign_mode",
                "spike_factor",
                "spike_minimum",
            )  # fmt: skip
        },
    }


def _given(payload: Schema, *nullable: str) -> dict[str, Any]:
    """The fields the client sent; null only where it means "none" (the others are ignored)."""
    return {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None or k in nullable}


# ---- saved replies ---------------------------------------------------------------------------


@router.get(
    f"{BASE}/saved-replies",
    response=list[InboxSavedReplyOut],
    summary="Saved replies matching q in title or text, for one account and the whole workspace, most used first",
)
@paginate
def saved_reply_list(
    request: HttpRequest,
    slug: str,
    q: str = Query("", max_length=100),
    account: int = Query(0, ge=0, le=MAX_ID),
) -> Any:
    rows = sel.saved_reply_list(
        workspace=api_workspace(request, slug), user=request.user, search=q, account_id=account or None
    )
    return MappedPage(rows, _saved_reply_out)


@router.post(
    f"{BASE}/saved-replies",
    response={201: InboxSavedReplyOut},
    summary="A new saved reply; flagged (not refused) when the checks find a blocking problem",
)
def saved_reply_create(request: HttpRequest, slug: str, payload: InboxSavedReplyIn) -> Status[dict[str, Any]]:
    workspace = api_workspace(request, slug)
    fields = _account_field(request, workspace, payload.dict())
    row = svc.saved_reply_create(workspace=workspace, actor=request.user, **fields)
    return Status(201, _saved_reply_out(row))


@router.get(f"{BASE}/saved-replies/{{int:saved_reply_id}}", response=InboxSavedReplyOut)
def saved_reply_detail(request: HttpRequest, slug: str, saved_reply_id: int = RowId) -> dict[str, Any]:
    _workspace, row = api_object(request, slug, sel.saved_reply_get, saved_reply_id=saved_reply_id)
    return _saved_reply_out(row)


@router.patch(f"{BASE}/saved-replies/{{int:saved_reply_id}}", response=InboxSavedReplyOut)
def saved_reply_patch(
    request: HttpRequest, slug: str, payload: InboxSavedReplyPatch, saved_reply_id: int = RowId
) -> dict[str, Any]:
    workspace, row = api_object(request, slug, sel.saved_reply_get, saved_reply_id=saved_reply_id)
    fields = _account_field(request, workspace, _given(payload, "account_id"))
    return _saved_reply_out(
        svc.saved_reply_update(workspace=workspace, actor=request.user, saved_reply=row, **fields)
    )


@router.delete(f"{BASE}/saved-replies/{{int:saved_reply_id}}", response={204: None})
def saved_reply_delete(request: HttpRequest, slug: str, saved_reply_id: int = RowId) -> Status[None]:
    workspace, row = api_object(request, slug, sel.saved_reply_get, saved_reply_id=saved_reply_id)
    svc.saved_reply_delete(workspace=workspace, actor=request.user, saved_reply=row)
    return Status(204, None)


# ---- auto-reply rules ------------------------------------------------------------------------


@router.get(
    f"{BASE}/auto-replies",
    response=list[InboxAutoReplyRuleOut],
    summary="Auto-reply rules in the order they are tried",
)
@paginate
def rule_list(request: HttpRequest, slug: str) -> Any:
    return MappedPage(sel.rule_list(workspace=api_workspace(request, slug), user=request.user), _rule_out)


@router.post(
    f"{BASE}/auto-replies",
    response={201: InboxAutoReplyRuleOut},
    summary="A new keyword, welcome or off-hours rule; its reply text must pass the checks",
)
def rule_create(request: HttpRequest, slug: str, payload: InboxAutoReplyRuleIn) -> Status[dict[str, Any]]:
    workspace = api_workspace(request, slug)
    fields = _account_field(request, workspace, payload.dict())
    return Status(201, _rule_out(svc.rule_create(workspace=workspace, actor=request.user, **fields)))


@router.get(f"{BASE}/auto-replies/{{int:rule_id}}", response=InboxAutoReplyRuleOut)
def rule_detail(request: HttpRequest, slug: str, rule_id: int = RowId) -> dict[str, Any]:
    _workspace, rule = api_object(request, slug, sel.rule_get, rule_id=rule_id)
    return _rule_out(rule)


@router.patch(f"{BASE}/auto-replies/{{int:rule_id}}", response=InboxAutoReplyRuleOut)
def rule_patch(
    request: HttpRequest, slug: str, payload: InboxAutoReplyRulePatch, rule_id: int = RowId
) -> dict[str, Any]:
    workspace, rule = api_object(request, slug, sel.rule_get, rule_id=rule_id)
    fields = _account_field(request, workspace, _given(payload, "account_id", "active_from", "active_to"))
    return _rule_out(svc.rule_update(workspace=workspace, actor=request.user, rule=rule, **fields))


@router.delete(f"{BASE}/auto-replies/{{int:rule_id}}", response={204: None})
def rule_delete(request: HttpRequest, slug: str, rule_id: int = RowId) -> Status[None]:
    workspace, rule = api_object(request, slug, sel.rule_get, rule_id=rule_id)
    svc.rule_delete(workspace=workspace, actor=request.user, rule=rule)
    return Status(204, None)


# ---- assignment rules ------------------------------------------------------------------------


@router.get(
    f"{BASE}/assignment-rules",
    response=list[InboxAssignmentRuleOut],
    summary="Assignment rules in the order they are tried (before round-robin)",
)
@paginate
def assignment_rule_list(request: HttpRequest, slug: str) -> Any:
    rows = sel.assignment_rule_list(workspace=api_workspace(request, slug), user=request.user)
    return MappedPage(rows, _assignment_out)


@router.post(f"{BASE}/assignment-rules", response={201: InboxAssignmentRuleOut})
def assignment_rule_create(
    request: HttpRequest, slug: str, payload: InboxAssignmentRuleIn
) -> Status[dict[str, Any]]:
    workspace = api_workspace(request, slug)
    data = _account_field(request, workspace, payload.dict())
    tier_id = data.pop("tier_id")
    data["tier"] = (
        get_object_or_404(member_rows(Segment, workspace=workspace, user=request.user), pk=tier_id)
        if tier_id
        else None
    )
    # Anyone not a member of this workspace is refused by the service ("assignee").
    data["assignee"] = (
        get_user_model().objects.filter(pk=data.pop("assignee_id"), memberships__workspace=workspace).first()
    )
    rule = svc.assignment_rule_create(workspace=workspace, actor=request.user, **data)
    return Status(201, _assignment_out(rule))


@router.delete(f"{BASE}/assignment-rules/{{int:rule_id}}", response={204: None})
def assignment_rule_delete(request: HttpRequest, slug: str, rule_id: int = RowId) -> Status[None]:
    workspace, rule = api_object(request, slug, sel.assignment_rule_get, rule_id=rule_id)
    svc.assignment_rule_delete(workspace=workspace, actor=request.user, rule=rule)
    return Status(204, None)


# ---- settings --------------------------------------------------------------------------------


@router.get(
    f"{BASE}/settings",
    response=InboxSettingsOut,
    summary="Working hours, response targets, assignment, alert levels",
)
def settings_detail(request: HttpRequest, slug: str) -> dict[str, Any]:
    return _settings_out(sel.inbox_settings(workspace=api_workspace(request, slug), user=request.user))


@router.patch(
    f"{BASE}/settings", response=InboxSettingsOut, summary="Change the inbox settings (times as HH:MM)"
)
def settings_patch(request: HttpRequest, slug: str, payload: InboxSettingsPatch) -> dict[str, Any]:
    workspace = api_workspace(request, slug)
    row = svc.settings_update(workspace=workspace, actor=request.user, **_given(payload))
    return _settings_out(row)
