"""Pages of the inbox: the three panes (queues, thread, fan) and what a person does to a thread."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from socialops.accounts.models import SocialAccount
from socialops.core.view_helpers import run_and_say
from socialops.workspaces.access import user_can
from socialops.workspaces.decorators import EVERY_MEMBER, WorkspaceRequest, workspace_view
from socialops.workspaces.roles import Perm

from ..forms.inbox import NoteForm, ReplyForm, ThreadForm
from ..models import Intent, Priority, ThreadChannel, ThreadStatus
from ..presenters import inbox as pres
from ..selectors import setup as setup_sel
from ..selectors import threads as sel
from ..services import replies as reply_svc
from ..services import setup as setup_svc
from ..services import threads as svc

FILTERS = ("queue", "account", "channel", "intent", "priority", "q")


def _inbox_url(request: WorkspaceRequest, thread_id: int | None = None, **extra: Any) -> str:
    params = {k: v for k, v in request.GET.items() if k in FILTERS and v}
    params.update({k: str(v) for k, v in extra.items()})
    if thread_id:
        params["thread"] = str(thread_id)
    base = reverse("inbox", kwargs={"slug": request.workspace.slug})
    return f"{base}?{urlencode(params)}" if params else base


def _back(request: WorkspaceRequest, thread_id: int) -> HttpResponse:
    # The form posts carry the queue's filters in "next" so the person lands where they were.
    target = request.POST.get("next", "")
    if target.startswith(reverse("inbox", kwargs={"slug": request.workspace.slug})):
        return redirect(target)
    return redirect(_inbox_url(request, thread_id))


def reply_users(workspace: Any) -> Any:
    """Members who may answer fans (assignees)."""
    ids = [m.user_id for m in svc.reply_members(workspace)]
    return get_user_model().objects.filter(pk__in=ids).order_by("username")


def _inbox_context(request: WorkspaceRequest, params: Any) -> dict[str, Any]:
    workspace, user = request.workspace, request.user
    filters = {k: str(params.get(k, "")).strip()[:100] for k in FILTERS if str(params.get(k, "")).strip()}
    queue = filters.get("queue", "open")
    if queue not in sel.QUEUES:
        queue = "open"
    account_id = int(filters["account"]) if filters.get("account", "").isdigit() else None
    rows = sel.thread_queue(
        workspace=workspace,
        user=user,
        queue=queue,
        account_id=account_id,
        channel=filters.get("channel", "") if filters.get("channel") in ThreadChannel.values else "",
        intent=filters.get("intent", "") if filters.get("intent") in Intent.values else "",
        priority=filters.get("priority", "") if filters.get("priority") in Priority.values else "",
        search=filters.get("q", ""),
    )
    page = Paginator(rows, sel.PAGE_SIZE).get_page(params.get("page"))
    identity = user_can(workspace=workspace, user=user, perm=Perm.FANS_IDENTITY)
    can_reply = user_can(workspace=workspace, user=user, perm=Perm.ENGAGEMENT_REPLY)
    context: dict[str, Any] = {
        "queue": queue,
        "queues": pres.queue_labels(sel.queue_counts(workspace=workspace, user=user)),
        "filters": filters,
        "page": page,
        "rows": [pres.thread_row(t, identity=identity, now=timezone.now()) for t in page],
        "accounts": SocialAccount.objects.filter(workspace=workspace).order_by("display_name", "pk"),
        "channels": ThreadChannel.choices,
        "intents": Intent.choices,
        "priorities": Priority.choices,
        "can_reply": can_reply,
        "alerts": list(sel.thread_alerts(workspace=workspace, user=user)[:5]),
        "needing_person": sel.replies_needing_a_person(workspace=workspace, user=user).count(),
        "silent_accounts": sel.accounts_without_inbox(workspace=workspace, user=user),
        "thread": None,
    }
    thread_id = str(params.get("thread", ""))
    if thread_id.isdigit():
        thread = sel.thread_get(workspace=workspace, user=user, thread_id=int(thread_id))
        context.update(_thread_context(request, thread, identity=identity, can_reply=can_reply))
    return context


@workspace_view()
def inbox(request: WorkspaceRequest) -> HttpResponse:
    """The inbox: queues and their threads, the chosen thread, and the fan beside it."""
    return render(request, "engagement/inbox.html", _inbox_context(request, request.GET))


def _thread_context(
    request: WorkspaceRequest, thread: Any, *, identity: bool, can_reply: bool
) -> dict[str, Any]:
    workspace, user = request.workspace, request.user
    fan = sel.fan_pane(workspace=workspace, user=user, person=thread.person)
    fan_name = (thread.fan.display_name or thread.fan.handle) if identity else thread.person.pseudonym
    saved = list(
        setup_sel.saved_reply_list(workspace=workspace, user=user, account_id=thread.account_id)[:50]
    )
    # {优惠码}: the code of the fan's latest coupon not yet redeemed, when they hold one.
    coupon = sel.open_coupon_code(workspace=workspace, user=user, person=thread.person)
    return {
        "thread": thread,
        "row": pres.thread_row(thread, identity=identity, now=timezone.now()),
        "entries": sel.conversation(workspace=workspace, user=user, thread=thread, identity=identity),
        "fan": fan,
        "fan_name": fan_name,
        "saved_replies": [pres.saved_reply_option(s, fan_name=fan_name, coupon_code=coupon) for s in saved],
        "reply_form": ReplyForm(initial={"version": thread.version}),
        "note_form": NoteForm(),
        "thread_form": ThreadForm(
            initial={
                "assignee": thread.assignee_id,
                "priority": thread.priority,
                "tags": ", ".join(thread.tags),
            },
            users=reply_users(workspace),
        ),
        "snooze_choices": pres.snooze_choices(workspace),
        "here": _inbox_url(request, thread.pk),
        "can_reply": can_reply,
    }


def _thread(request: WorkspaceRequest, thread_id: int) -> Any:
    return sel.thread_get(workspace=request.workspace, user=request.user, thread_id=thread_id)


@require_POST
@workspace_view(Perm.ENGAGEMENT_REPLY)
def thread_reply(request: WorkspaceRequest, thread_id: int) -> HttpResponse:
    """Send a reply (checked first; refused with the findings when one blocks)."""
    thread = _thread(request, thread_id)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            reply_svc.reply_create(
                workspace=request.workspace,
                actor=request.user,
                thread=thread,
                text=form.cleaned_data["text"],
                version=form.cleaned_data.get("version"),
                close=form.cleaned_data["close"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            saved_id = request.POST.get("saved_reply", "")
            if saved_id.isdigit():
                saved = setup_sel.saved_reply_list(workspace=request.workspace, user=request.user).filter(
                    pk=int(saved_id)
                )
                for row in saved:
                    setup_svc.saved_reply_used(saved_reply=row)
            messages.success(request, _("Reply queued; it goes out in a moment."))
            return _back(request, thread.pk)
    # Refused: show the thread again with the text kept and the reason under it.
    params = dict(parse_qsl(urlsplit(request.POST.get("next", "")).query))
    params["thread"] = str(thread.pk)
    context = _inbox_context(request, params)
    context["reply_form"] = form
    return render(request, "engagement/inbox.html", context)


@require_POST
@workspace_view(Perm.ENGAGEMENT_REPLY)
def thread_note(request: WorkspaceRequest, thread_id: int) -> HttpResponse:
    """Add an internal note."""
    thread = _thread(request, thread_id)
    text = request.POST.get("text", "")
    run_and_say(
        request,
        lambda: svc.note_add(workspace=request.workspace, actor=request.user, thread=thread, text=text),
        _("Note added."),
    )
    return _back(request, thread.pk)


@require_POST
@workspace_view(Perm.ENGAGEMENT_REPLY)
def thread_status(request: WorkspaceRequest, thread_id: int) -> HttpResponse:
    """Close, reopen or park a thread (status from the button), or take it (assign to me)."""
    thread = _thread(request, thread_id)
    action = request.POST.get("action", "")
    fields: dict[str, Any]
    if action == "mine":
        fields, done = {"assignee": request.user}, _("The thread is yours.")
    elif action in ThreadStatus.values:
        fields, done = {"status": action}, pres.status_done(action)
    else:
        messages.error(request, _("Unknown action."))
        return _back(request, thread.pk)
    run_and_say(
        request,
        lambda: svc.thread_update(workspace=request.workspace, actor=request.user, thread=thread, **fields),
        done,
    )
    return _back(request, thread.pk)


@require_POST
@workspace_view(Perm.ENGAGEMENT_REPLY)
def thread_snooze(request: WorkspaceRequest, thread_id: int) -> HttpResponse:
    """Hide the thread from the queues until a time (an hour, this evening, tomorrow morning …)."""
    thread = _thread(request, thread_id)
    value = request.POST.get("until", "")
    until: dt.datetime | None = None
    if value:
        try:
            until = dt.datetime.fromisoformat(value)
        except ValueError:
            messages.error(request, _("Enter a valid date/time."))
            return _back(request, thread.pk)
        if timezone.is_naive(until):
            until = until.replace(tzinfo=request.workspace.tz)
    run_and_say(
        request,
        lambda: svc.thread_update(
            workspace=request.workspace, actor=request.user, thread=thread, snoozed_until=until
        ),
        _("Snoozed.") if until else _("Snooze cleared."),
    )
    return _back(request, thread.pk)


@require_POST
@workspace_view(Perm.ENGAGEMENT_REPLY)
def thread_edit(request: WorkspaceRequest, thread_id: int) -> HttpResponse:
    """Change the thread's assignee, priority and tags."""
    thread = _thread(request, thread_id)
    form = ThreadForm(request.POST, users=reply_users(request.workspace))
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return _back(request, thread.pk)
    run_and_say(
        request,
        lambda: svc.thread_update(
            workspace=request.workspace, actor=request.user, thread=thread, **form.service_fields()
        ),
        _("Thread saved."),
    )
    return _back(request, thread.pk)


@require_POST
@workspace_view(Perm.ENGAGEMENT_REPLY)
def reply_resolve(request: WorkspaceRequest, reply_id: int) -> HttpResponse:
    """Settle a reply whose outcome is unknown: it is on the platform, or send it again (same key)."""
    reply = sel.reply_get(workspace=request.workspace, user=request.user, reply_id=reply_id)
    outcome = request.POST.get("outcome", "")
    run_and_say(
        request,
        lambda: reply_svc.reply_resolve(
            workspace=request.workspace, actor=request.user, reply=reply, outcome=outcome
        ),
        _("Marked as sent.") if outcome == "sent" else _("Sending again."),
    )
    return _back(request, reply.thread_id)


@require_POST
@workspace_view(write=EVERY_MEMBER)
def alerts_read(request: WorkspaceRequest) -> HttpResponse:
    """Mark one's inbox alerts read."""
    svc.alert_mark_read(workspace=request.workspace, actor=request.user)
    return redirect("inbox", slug=request.workspace.slug)


@workspace_view()
def replies_attention(request: WorkspaceRequest) -> HttpResponse:
    """Replies whose outcome is unknown or that failed, with what to do about each."""
    rows = sel.replies_needing_a_person(workspace=request.workspace, user=request.user)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "engagement/replies_attention.html", {"page": page})


inbox_urlpatterns: list[URLPattern] = [
    path("inbox/", inbox, name="inbox"),
    path("inbox/threads/<int:thread_id>/reply/", thread_reply, name="thread_reply"),
    path("inbox/threads/<int:thread_id>/note/", thread_note, name="thread_note"),
    path("inbox/threads/<int:thread_id>/status/", thread_status, name="thread_status"),
    path("inbox/threads/<int:thread_id>/snooze/", thread_snooze, name="thread_snooze"),
    path("inbox/threads/<int:thread_id>/edit/", thread_edit, name="thread_edit"),
    path("inbox/replies/", replies_attention, name="inbox_replies_attention"),
    path("inbox/replies/<int:reply_id>/resolve/", reply_resolve, name="inbox_reply_resolve"),
    path("inbox/alerts/read/", alerts_read, name="inbox_alerts_read"),
]
