"""Writes on threads: filing a fan's message in its thread, and what the team does with a thread.

Filing runs inside the transaction that stored the interaction (fans' interaction_recorded hook),
so a message and its thread are stored together or not at all; the same platform message is
one interaction, hence one thread item, however often it is pulled or pushed.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from socialops.core.actors import user_or_none
from socialops.core.validation import Errors, add_error, clean_text
from socialops.fans.models import Interaction, InteractionKind, Person
from socialops.textkit.sentiment import Classification, classify
from socialops.workspaces.access import ensure_same_workspace, require_perm
from socialops.workspaces.audit import audit_record
from socialops.workspaces.models import Membership, Workspace
from socialops.workspaces.roles import Perm, role_has

from .. import webhooks
from ..models import (
    PRIORITY_RANK,
    AssignmentRule,
    AssignMode,
    InboxAlert,
    InboxAlertKind,
    InboxSettings,
    Intent,
    Priority,
    Sentiment,
    Thread,
    ThreadChannel,
    ThreadItem,
    ThreadNote,
    ThreadStatus,
)
from ..worktime import due_time

log = logging.getLogger(__name__)

# Interactions that are a fan talking to us (follows, votes and orders are not inbox messages).
INBOX_KINDS = frozenset(
    {InteractionKind.COMMENT, InteractionKind.REPLY, InteractionKind.MESSAGE, InteractionKind.MENTION}
)
MAX_TAGS = 10
TAG_LENGTH = 30
NOTE_LENGTH = 2000
SNOOZE_MAX = dt.timedelta(days=30)
_MENTION = re.compile(r"@([\w.@+-]{1,150})")
_CJK = re.compile(r"[\u3400-\u9fff]")


def settings_for(workspace: Workspace) -> InboxSettings:
    """The workspace's inbox settings (made with the defaults on first use)."""
    row = InboxSettings.objects.filter(workspace=workspace).first()
    if row is None:
        try:
            with transaction.atomic():
                row = InboxSettings.objects.create(workspace=workspace)
        except IntegrityError:
            row = InboxSettings.objects.get(workspace=workspace)
    return row


def language_of(text: str) -> str:
    """ "zh" when the text has Chinese characters, "en" when it has Latin letters only, else ""."""
    if _CJK.search(text):
        return "zh"
    return "en" if re.search(r"[A-Za-z]", text) else ""


def thread_key(interaction: Interaction, fan_external_id: str) -> tuple[str, str, str]:
    """(channel, key, post id) of the thread an interaction belongs to."""
    if interaction.kind == InteractionKind.MESSAGE:
        return ThreadChannel.MESSAGES, f"dm:{fan_external_id}", ""
    post = interaction.post_external_id
    if interaction.kind in (InteractionKind.COMMENT, InteractionKind.REPLY) and post:
        return ThreadChannel.COMMENTS, f"post:{post}:{fan_external_id}"[:300], post
    return ThreadChannel.MENTIONS, f"mention:{fan_external_id}", ""


def priority_of(found: Classification, person: Person, settings: InboxSettings) -> str:
    """Complaints first, then negative messages and high-value fans, then questions; praise last."""
    if found.intent == Intent.COMPLAINT:
        return Priority.URGENT
    value = person.expected_value or 0
    if found.sentiment == Sentiment.NEGATIVE or value >= settings.high_value_threshold:
        return Priority.HIGH
    if found.intent in (Intent.QUESTION, Intent.PURCHASE):
        return Priority.NORMAL
    if found.intent == Intent.PRAISE or found.sentiment == Sentiment.POSITIVE:
        return Priority.LOW
    return Priority.NORMAL


def reply_members(workspace: Workspace) -> list[Membership]:
    rows = Membership.objects.filter(workspace=workspace, user__is_active=True).order_by("user_id")
    return [m for m in rows if role_has(m.role, Perm.ENGAGEMENT_REPLY)]


def may_answer(workspace: Workspace, user: Any) -> bool:
    """True when ``user`` is a member of the workspace whose role may answer fans."""
    membership = Membership.objects.filter(workspace=workspace, user=user).first()
    return membership is not None and role_has(membership.role, Perm.ENGAGEMENT_REPLY)


def _assignee_for(
    workspace: Workspace, settings: InboxSettings, thread: Thread, language: str, person: Person
) -> Any:
    """The member a new thread goes to: the first matching rule, else round-robin, else nobody."""
    members = reply_members(workspace)
    allowed = {m.user_id for m in members}
    for rule in AssignmentRule.objects.filter(workspace=workspace).order_by("position", "pk"):
        if rule.assignee_id not in allowed:
            continue
        if rule.account_id and rule.account_id != thread.account_id:
            continue
        if rule.language and rule.language != language:
            continue
        if rule.intent and rule.intent != thread.intent:
            continue
        if rule.tier_id and rule.tier_id != person.tier_id:
            continue
        return rule.assignee
    if settings.assign_mode != AssignMode.ROUND_ROBIN:
        return None
    # The community team first; when it has nobody, everyone who may reply.
    team = [m.user_id for m in members if m.role == "community"] or [m.user_id for m in members]
    if not team:
        return None
    # Locked: two threads filed at once must not both go to the same member.
    locked = InboxSettings.objects.select_for_update().get(pk=settings.pk)
    last = locked.last_assigned_id
    following = [uid for uid in team if last is None or uid > last]
    chosen = (following or team)[0]
    InboxSettings.objects.filter(pk=settings.pk).update(last_assigned_id=chosen)
    return get_user_model().objects.get(pk=chosen)


def _alert(workspace: Workspace, user_ids: set[int], kind: str, thread: Thread | None, detail: str) -> None:
    """An inbox notice to each of these members (a repeated breach alert is stored once)."""
    for user_id in sorted(user_ids):
        try:
            with transaction.atomic():
                InboxAlert.objects.create(
                    workspace=workspace, user_id=user_id, kind=kind, thread=thread, detail=detail[:300]
                )
        except IntegrityError:
            continue


def alert_member(workspace: Workspace, user_id: int, kind: str, detail: str) -> None:
    """An inbox notice to one member, not about a thread (an idea sent to them)."""
    _alert(workspace, {user_id}, kind, None, detail)


def alert_team(workspace: Workspace, kind: str, thread: Thread | None, detail: str) -> None:
    """Tell the thread's assignee, or everyone who may reply when nobody has it."""
    if thread is not None and thread.assignee_id:
        users = {thread.assignee_id}
    else:
        users = {m.user_id for m in reply_members(workspace)}
    _alert(workspace, users, kind, thread, detail)


def _get_or_create_thread(interaction: Interaction, channel: str, key: str, post: str) -> tuple[Thread, bool]:
    assert interaction.fan is not None and interaction.account_id is not None
    found = Thread.objects.select_for_update().filter(account_id=interaction.account_id, key=key).first()
    if found is not None:
        return found, False
    try:
        with transaction.atomic():
            return (
                Thread.objects.create(
                    workspace_id=interaction.workspace_id,
                    account_id=interaction.account_id,
                    person_id=interaction.person_id,
                    fan=interaction.fan,
                    channel=channel,
                    key=key,
                    post_external_id=post,
                    first_inbound_at=interaction.occurred_at,
                ),
                True,
            )
    except IntegrityError:
        # Another worker filed the fan's first message a moment ago: use its thread.
        return Thread.objects.select_for_update().get(account_id=interaction.account_id, key=key), False


def thread_file(*, interaction: Interaction) -> tuple[Thread, ThreadItem] | None:
    """File a fan's message in its thread (opening or reopening it); None for non-message interactions.

    Idempotent: an interaction already filed returns its thread. Sets the thread's sentiment,
    intent and priority from the message, starts the response timer when we spoke last, and
    assigns a new thread. Call inside the transaction that stored the interaction.
    """
    if interaction.kind not in INBOX_KINDS or interaction.fan_id is None or interaction.account_id is None:
        return None
    existing = ThreadItem.objects.select_related("thread").filter(interaction=interaction).first()
    if existing is not None:
        return existing.thread, existing
    workspace = interaction.workspace
    fan = interaction.fan
    assert fan is not None
    settings = settings_for(workspace)
    person = Person.objects.get(pk=interaction.person_id)
    found = classify(interaction.text or "")
    channel, key, post = thread_key(interaction, fan.external_id)
    with transaction.atomic():
        thread, created = _get_or_create_thread(interaction, channel, key, post)
        item = ThreadItem.objects.create(
            workspace=workspace,
            thread=thread,
            interaction=interaction,
            sentiment=found.sentiment,
            sentiment_score=found.score,
            intent=found.intent,
        )
        latest = thread.last_inbound_at is None or interaction.occurred_at >= thread.last_inbound_at
        if latest:
            thread.last_inbound_at = interaction.occurred_at
            thread.preview = (interaction.text or "").replace("\n", " ")[:200]
            thread.sentiment, thread.sentiment_score, thread.intent = (
                found.sentiment,
                found.score,
                found.intent,
            )
        if thread.first_inbound_at is None or interaction.occurred_at < thread.first_inbound_at:
            thread.first_inbound_at = interaction.occurred_at
        priority = priority_of(found, person, settings)
        answered_after = thread.last_reply_at is not None and thread.last_reply_at >= interaction.occurred_at
        if not answered_after:
            since = thread.awaiting_since
            if since is None:
                since = interaction.occurred_at
                thread.breached_at = None
                thread.priority = priority
            else:
                # Pulled out of order: the wait started with the earliest unanswered message.
                since = min(since, interaction.occurred_at)
                if PRIORITY_RANK[Priority(priority)] > PRIORITY_RANK[Priority(thread.priority)]:
                    thread.priority = priority
            thread.awaiting_since = since
            thread.priority_rank = PRIORITY_RANK[Priority(thread.priority)]
            thread.due_at = due_time(workspace, settings, since, thread.priority)
            if thread.status == ThreadStatus.CLOSED:
                thread.status, thread.closed_at = ThreadStatus.OPEN, None
            elif thread.status == ThreadStatus.PENDING:
                thread.status = ThreadStatus.OPEN
        if created and thread.assignee_id is None:
            thread.assignee = _assignee_for(
                workspace, settings, thread, language_of(interaction.text or ""), person
            )
        thread.save()
        if created and thread.assignee_id is not None:
            _alert(workspace, {thread.assignee_id}, InboxAlertKind.ASSIGNED, thread, thread.preview[:100])
        # Only here, for a new item: a re-pull of the same message returned above.
        webhooks.webhook_enqueue(settings=settings, event=webhooks.MESSAGE_CREATED, object_id=item.pk)
    return thread, item


THREAD_FIELDS = ("status", "assignee", "snoozed_until", "tags", "priority")


def _clean_tags(value: Any, errors: Errors) -> list[str]:
    if not isinstance(value, list | tuple):
        add_error(errors, "tags", _("Give a list of tags."))
        return []
    tags: list[str] = []
    for raw in value:
        tag = clean_text(raw, "tags", errors, max_length=TAG_LENGTH)
        if tag and tag not in tags:
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        add_error(errors, "tags", _("At most %(n)d tags.") % {"n": MAX_TAGS})
    return tags


@transaction.atomic
def thread_update(*, workspace: Workspace, actor: Any, thread: Thread, **fields: Any) -> Thread:
    """Change a thread's status, assignee, snooze, tags or priority (audited; assignment alerts the new owner)."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.ENGAGEMENT_REPLY)
    ensure_same_workspace(workspace, thread, "thread")
    unknown = set(fields) - set(THREAD_FIELDS)
    if unknown:
        raise ValidationError({f: [_("This field cannot be changed.")] for f in sorted(unknown)})
    thread = Thread.objects.select_for_update().get(pk=thread.pk)
    errors: Errors = {}
    before = {"status": thread.status, "assignee": thread.assignee_id, "snoozed_until": thread.snoozed_until,
              "tags": list(thread.tags), "priority": thread.priority}  # fmt: skip
    if "status" in fields:
        status = fields["status"]
        if status not in ThreadStatus.values:
            add_error(errors, "status", _("Choose open, pending or closed."))
        else:
            thread.status = status
            thread.closed_at = timezone.now() if status == ThreadStatus.CLOSED else None
            if status == ThreadStatus.CLOSED:
                # Closing without a reply ends the wait: nothing is owed on a closed thread.
                thread.awaiting_since = thread.due_at = None
    if "assignee" in fields:
        user = fields["assignee"]
        if user is None:
            thread.assignee = None
        elif not may_answer(workspace, user):
            add_error(errors, "assignee", _("Choose a member who may answer fans."))
        else:
            thread.assignee = user
    if "snoozed_until" in fields:
        until = fields["snoozed_until"]
        now = timezone.now()
        if until is not None and (not isinstance(until, dt.datetime) or timezone.is_naive(until)):
            add_error(errors, "snoozed_until", _("Enter a valid date/time."))
        elif until is not None and not (now < until <= now + SNOOZE_MAX):
            add_error(errors, "snoozed_until", _("Snooze until a time in the next 30 days."))
        else:
            thread.snoozed_until = until
    if "tags" in fields:
        thread.tags = _clean_tags(fields["tags"], errors)
    if "priority" in fields:
        if fields["priority"] not in Priority.values:
            add_error(errors, "priority", _("Choose urgent, high, normal or low."))
        else:
            thread.priority = fields["priority"]
            thread.priority_rank = PRIORITY_RANK[Priority(thread.priority)]
            if thread.awaiting_since is not None:
                thread.due_at = due_time(
                    workspace, settings_for(workspace), thread.awaiting_since, thread.priority
                )
    if errors:
        raise ValidationError(errors)
    thread.save()
    after = {"status": thread.status, "assignee": thread.assignee_id, "snoozed_until": thread.snoozed_until,
             "tags": list(thread.tags), "priority": thread.priority}  # fmt: skip
    audit_record(
        workspace=workspace, actor=actor, action="thread.update", obj=thread, before=before, after=after
    )
    me = getattr(user_or_none(actor), "pk", None)
    if thread.assignee_id and thread.assignee_id != before["assignee"] and thread.assignee_id != me:
        _alert(workspace, {thread.assignee_id}, InboxAlertKind.ASSIGNED, thread, thread.preview[:100])
    return thread


@transaction.atomic
def note_add(*, workspace: Workspace, actor: Any, thread: Thread, text: str) -> ThreadNote:
    """An internal note on the thread; each @username of a member gets an alert."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.ENGAGEMENT_REPLY)
    ensure_same_workspace(workspace, thread, "thread")
    errors: Errors = {}
    text = clean_text(text, "text", errors, max_length=NOTE_LENGTH, required=True)
    if errors:
        raise ValidationError(errors)
    names = set(_MENTION.findall(text))
    mentioned = list(
        Membership.objects.filter(workspace=workspace, user__username__in=names).values_list(
            "user_id", flat=True
        )
    )
    author = user_or_none(actor)
    note = ThreadNote.objects.create(
        workspace=workspace, thread=thread, author=author, text=text, mentions=sorted(mentioned)
    )
    audit_record(workspace=workspace, actor=actor, action="thread.note", obj=thread, after={"note": note.pk})
    me = getattr(author, "pk", None)
    _alert(workspace, {u for u in mentioned if u != me}, InboxAlertKind.MENTION, thread, text[:200])
    return note


def alert_mark_read(*, workspace: Workspace, actor: Any, alert_ids: list[int] | None = None) -> int:
    """Mark one's own inbox alerts read (all when no ids are given); how many changed."""
    rows = InboxAlert.objects.filter(workspace=workspace, user=actor, read_at__isnull=True)
    if alert_ids is not None:
        rows = rows.filter(pk__in=alert_ids)
    return rows.update(read_at=timezone.now())


def threads_catch_up(*, since: dt.datetime, limit: int = 5000) -> int:
    """File the inbox messages since ``since`` that have no thread yet (the hook's safety net); how many."""
    rows = (
        Interaction.objects.filter(kind__in=INBOX_KINDS, occurred_at__gte=since, thread_item__isnull=True)
        .exclude(fan__isnull=True)
        .select_related("workspace", "fan")
        .order_by("pk")[:limit]
    )
    filed = 0
    for interaction in rows:
        try:
            with transaction.atomic():
                filed += int(thread_file(interaction=interaction) is not None)
        except Exception:  # noqa: BLE001 — one odd message must not block the rest
            log.exception("inbox: interaction %s cannot be filed", interaction.pk)
    return filed


def bump_version(thread: Thread) -> None:
    """Count one more reply on the thread (the collision guard compares versions)."""
    Thread.objects.filter(pk=thread.pk).update(version=F("version") + 1)
    thread.refresh_from_db(fields=["version"])
