"""API of the inbox: queues and their counts, threads as conversations, replies, notes and alerts.

Members without Perm.FANS_IDENTITY get the person's pseudonym wherever the fan's name would be,
exactly as on the pages and in the fans API.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.pagination import paginate

from socialops.core.pagination import MappedPage
from socialops.workspaces.access import user_can
from socialops.workspaces.api import api_object, api_workspace
from socialops.workspaces.models import Workspace
from socialops.workspaces.roles import Perm

from ..models import InboxAlert, Reply, Thread, ThreadNote
from ..selectors import threads as sel
from ..services import replies as reply_svc
from ..services import threads as svc

router = Router(tags=["inbox"])

MAX_ID = 2_147_483_647
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
ThreadId = Path(..., ge=1, le=MAX_ID)
ReplyId = Path(..., ge=1, le=MAX_ID)
QUEUE_PATTERN = "^(" + "|".join(sel.QUEUES) + ")$"
BASE = "/workspaces/{slug}/inbox"


# ---- schemas ---------------------------------------------------------------------------------


class InboxThreadOut(Schema):
    id: int
    account_id: int
    account: str
    platform: str
    channel: str
    status: str
    priority: str
    sentiment: str
    intent: str
    preview: str
    person_id: int
    pseudonym: str
    # The fan's name for members with fans.identity, the person's pseudonym for the others.
    fan_name: str
    assignee_id: int | None
    assignee: str | None
    tags: list[str]
    post_external_id: str
    last_inbound_at: dt.datetime | None
    awaiting_since: dt.datetime | None
    due_at: dt.datetime | None
    breached_at: dt.datetime | None
    snoozed_until: dt.datetime | None
    version: int


class InboxEntryOut(Schema):
    kind: str
    id: int
    at: dt.datetime
    text: str
    who: str
    # Replies only: where the reply is (queued, sending, sent, unknown, failed) and why it failed.
    reply_status: str | None = None
    reply_error: str | None = None


class InboxFanPaneOut(Schema):
    person_id: int
    name: str
    tier_name: str | None
    expected_value: float | None
    orders_count: int
    other_threads: int


class InboxThreadDetailOut(InboxThreadOut):
    conversation: list[InboxEntryOut]
    fan: InboxFanPaneOut


class InboxThreadPatch(Schema):
    status: str | None = Field(None, max_length=10, description="open, pending or closed")
    assignee: Id | None = Field(None, description="a member's user id; null takes the thread from its owner")
    snoozed_until: dt.datetime | None = None
    tags: list[str] | None = Field(None, max_length=20)
    priority: str | None = Field(None, max_length=10, description="urgent, high, normal or low")


class InboxReplyIn(Schema):
    text: str = Field(..., max_length=10_000)
    version: int | None = Field(
        None, ge=0, le=MAX_ID, description="the thread's version the reply was written against"
    )
    close: bool = False


class InboxReplyOut(Schema):
    id: int
    thread_id: int
    status: str
    text: str
    error: str
    author: str | None
    created_at: dt.datetime
    sent_at: dt.datetime | None


class InboxReplyResolveIn(Schema):
    outcome: str = Field(..., max_length=10, description="sent or retry")


class InboxNoteIn(Schema):
    text: str = Field(..., max_length=10_000)


class InboxNoteOut(Schema):
    id: int
    thread_id: int
    text: str
    author: str | None
    mentions: list[int]
    created_at: dt.datetime


class InboxAlertOut(Schema):
    id: int
    kind: str
    thread_id: int | None
    detail: str
    created_at: dt.datetime
    read_at: dt.datetime | None


class InboxAlertReadIn(Schema):
    ids: list[Id] | None = Field(
        None, max_length=1000, description="the alerts to mark read (all when absent)"
    )


class InboxAlertReadOut(Schema):
    marked: int


# ---- helpers ---------------------------------------------------------------------------------


def _identify(request: HttpRequest, workspace: Workspace) -> bool:
    return user_can(workspace=workspace, user=request.user, perm=Perm.FANS_IDENTITY)


def _fan_name(thread: Thread, identify: bool) -> str:
    if identify and (thread.fan.display_name or thread.fan.handle):
        return thread.fan.display_name or thread.fan.handle
    return thread.person.pseudonym


def _thread_out(thread: Thread, identify: bool) -> dict[str, Any]:
    account = thread.account
    return {
        "id": thread.pk,
        "account_id": account.pk,
        "account": account.display_name or account.handle,
        "platform": account.platform,
        "channel": thread.channel,
        "status": thread.status,
        "priority": thread.priority,
        "sentiment": thread.sentiment,
        "intent": thread.intent,
        "preview": thread.preview,
        "person_id": thread.person_id,
        "pseudonym": thread.person.pseudonym,
        "fan_name": _fan_name(thread, identify),
        "assignee_id": thread.assignee_id,
        "assignee": thread.assignee.get_username() if thread.assignee else None,
        "tags": list(thread.tags or []),
        "post_external_id": thread.post_external_id,
        "last_inbound_at": thread.last_inbound_at,
        "awaiting_since": thread.awaiting_since,
        "due_at": thread.due_at,
        "breached_at": thread.breached_at,
        "snoozed_until": thread.snoozed_until,
        "version": thread.version,
    }


def _entry_out(entry: sel.Entry) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": entry.kind, "id": entry.obj.pk, "at": entry.at, "text": entry.text}
    out["who"] = entry.who
    if isinstance(entry.obj, Reply):
        out["reply_status"], out["reply_error"] = entry.obj.status, entry.obj.error
    return out


def _thread_detail(request: HttpRequest, workspace: Workspace, thread_id: int) -> dict[str, Any]:
    thread = sel.thread_get(workspace=workspace, user=request.user, thread_id=thread_id)
    identify = _identify(request, workspace)
    entries = sel.conversation(workspace=workspace, user=request.user, thread=thread, identity=identify)
    pane = sel.fan_pane(workspace=workspace, user=request.user, person=thread.person)
    person, tier = pane["person"], pane["tier"]
    fan = {
        "person_id": person.pk,
        "name": pane["name"],
        "tier_name": tier.name if tier is not None else None,
        "expected_value": None if person.expected_value is None else float(person.expected_value),
        "orders_count": pane["orders"],
        "other_threads": sum(1 for t in pane["threads"] if t.pk != thread.pk),
    }
    return {
        **_thread_out(thread, identify),
        "conversation": [_entry_out(e) for e in entries],
        "fan": fan,
    }


def _reply_out(reply: Reply) -> dict[str, Any]:
    return {
        "id": reply.pk,
        "thread_id": reply.thread_id,
        "status": reply.status,
        "text": reply.text,
        "error": reply.error,
        "author": reply.author.get_username() if reply.author else None,
        "created_at": reply.created_at,
        "sent_at": reply.sent_at,
    }


def _note_out(note: ThreadNote) -> dict[str, Any]:
    return {
        "id": note.pk,
        "thread_id": note.thread_id,
        "text": note.text,
        "author": note.author.get_username() if note.author else None,
        "mentions": list(note.mentions or []),
        "created_at": note.created_at,
    }


def _alert_out(alert: InboxAlert) -> dict[str, Any]:
    return {
        "id": alert.pk,
        "kind": alert.kind,
        "thread_id": alert.thread_id,
        "detail": alert.detail,
        "created_at": alert.created_at,
        "read_at": alert.read_at,
    }


def _member_user(workspace: Workspace, user_id: int) -> Any:
    """The member with this user id (the service checks that they may answer fans)."""
    user = get_user_model().objects.filter(pk=user_id, memberships__workspace=workspace).first()
    if user is None:
        raise ValidationError({"assignee": [_("Choose a member who may answer fans.")]})
    return user


# ---- queues and threads ----------------------------------------------------------------------


@router.get(
    f"{BASE}/threads",
    response=list[InboxThreadOut],
    summary="Threads of one queue, most urgent first (priority, then the earliest due time)",
)
@paginate
def thread_list(
    request: HttpRequest,
    slug: str,
    queue: str = Query("open", pattern=QUEUE_PATTERN),
    account: int = Query(0, ge=0, le=MAX_ID),
    channel: str = Query("", max_length=10),
    intent: str = Query("", max_length=10),
    priority: str = Query("", max_length=10),
    q: str = Query("", max_length=100),
) -> Any:
    workspace = api_workspace(request, slug)
    identify = _identify(request, workspace)
    rows = sel.thread_queue(
        workspace=workspace,
        user=request.user,
        queue=queue,
        account_id=account or None,
        channel=channel,
        intent=intent,
        priority=priority,
        search=q,
    ).select_related("person")
    return MappedPage(rows, lambda t: _thread_out(t, identify))


@router.get(f"{BASE}/queues", response=dict[str, int], summary="How many threads each queue holds")
def queue_count_list(request: HttpRequest, slug: str) -> dict[str, int]:
    return sel.queue_counts(workspace=api_workspace(request, slug), user=request.user)


@router.get(
    f"{BASE}/threads/{{int:thread_id}}",
    response=InboxThreadDetailOut,
    summary="One thread: its messages, replies and notes in time order, and the fan beside them",
)
def thread_detail(request: HttpRequest, slug: str, thread_id: int = ThreadId) -> dict[str, Any]:
    return _thread_detail(request, api_workspace(request, slug), thread_id)


@router.patch(
    f"{BASE}/threads/{{int:thread_id}}",
    response=InboxThreadOut,
    summary="Change a thread's status, assignee, snooze, tags or priority",
)
def thread_patch(
    request: HttpRequest, slug: str, payload: InboxThreadPatch, thread_id: int = ThreadId
) -> dict[str, Any]:
    workspace, thread = api_object(request, slug, sel.thread_get, thread_id=thread_id)
    fields = payload.dict(exclude_unset=True)
    for name in ("status", "tags", "priority"):
        if fields.get(name, "") is None:
            fields.pop(name)
    if fields.get("assignee") is not None:
        fields["assignee"] = _member_user(workspace, fields["assignee"])
    svc.thread_update(workspace=workspace, actor=request.user, thread=thread, **fields)
    updated = sel.thread_get(workspace=workspace, user=request.user, thread_id=thread.pk)
    return _thread_out(updated, _identify(request, workspace))


@router.post(
    f"{BASE}/threads/{{int:thread_id}}/replies",
    response={201: InboxReplyOut},
    summary="Answer the thread's latest message (checked first: a blocking finding refuses it)",
)
def reply_create(
    request: HttpRequest, slug: str, payload: InboxReplyIn, thread_id: int = ThreadId
) -> Status[dict[str, Any]]:
    workspace, thread = api_object(request, slug, sel.thread_get, thread_id=thread_id)
    reply = reply_svc.reply_create(
        workspace=workspace,
        actor=request.user,
        thread=thread,
        text=payload.text,
        version=payload.version,
        close=payload.close,
    )
    return Status(201, _reply_out(reply))


@router.post(
    f"{BASE}/threads/{{int:thread_id}}/notes",
    response={201: InboxNoteOut},
    summary="An internal note on the thread; each @username of a member gets an alert",
)
def note_create(
    request: HttpRequest, slug: str, payload: InboxNoteIn, thread_id: int = ThreadId
) -> Status[dict[str, Any]]:
    workspace, thread = api_object(request, slug, sel.thread_get, thread_id=thread_id)
    note = svc.note_add(workspace=workspace, actor=request.user, thread=thread, text=payload.text)
    return Status(201, _note_out(note))


# ---- replies that need a person --------------------------------------------------------------


@router.get(
    f"{BASE}/replies",
    response=list[InboxReplyOut],
    summary="Replies whose outcome is unknown or that failed, newest first",
)
@paginate
def reply_list(
    request: HttpRequest, slug: str, status: str = Query("", pattern="^(unknown|failed)?$")
) -> Any:
    rows = sel.replies_needing_a_person(workspace=api_workspace(request, slug), user=request.user)
    if status:
        rows = rows.filter(status=status)
    return MappedPage(rows.select_related("author"), _reply_out)


@router.post(
    f"{BASE}/replies/{{int:reply_id}}/resolve",
    response=InboxReplyOut,
    summary='Settle an unknown or failed reply: "sent" (it is on the platform) or "retry" (same key)',
)
def reply_resolve(
    request: HttpRequest, slug: str, payload: InboxReplyResolveIn, reply_id: int = ReplyId
) -> dict[str, Any]:
    workspace, reply = api_object(request, slug, sel.reply_get, reply_id=reply_id)
    settled = reply_svc.reply_resolve(
        workspace=workspace, actor=request.user, reply=reply, outcome=payload.outcome
    )
    return _reply_out(settled)


# ---- alerts ----------------------------------------------------------------------------------


@router.get(f"{BASE}/alerts", response=list[InboxAlertOut], summary="The caller's inbox alerts, newest first")
@paginate
def alert_list(request: HttpRequest, slug: str, unread: bool = Query(True)) -> Any:
    rows = sel.thread_alerts(
        workspace=api_workspace(request, slug), user=request.user, unread=True if unread else None
    )
    return MappedPage(rows, _alert_out)


@router.post(
    f"{BASE}/alerts/read",
    response=InboxAlertReadOut,
    summary="Mark the caller's alerts read (all of them when no ids are given)",
)
def alert_read(request: HttpRequest, slug: str, payload: InboxAlertReadIn) -> dict[str, int]:
    workspace = api_workspace(request, slug)
    marked = svc.alert_mark_read(workspace=workspace, actor=request.user, alert_ids=payload.ids)
    return {"marked": marked}
