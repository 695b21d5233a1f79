"""Our answers in a thread: checked before they are stored, sent once, and never re-sent blind.

A reply runs through the workspace's checks (Advertising Law, sensitive words, brand terms and
banned slang): a blocking finding refuses it with the finding shown. A stored reply is queued and
sent by a job through the account's connector with its own idempotency key. A send whose answer
is lost (OutcomeUnknown) is not retried: a person checks the platform, then marks it sent or
sends it again with the same key. Auto-replies (keyword, welcome, off-hours) are replies too.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import re
import uuid
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from socialops.core.actors import SYSTEM, user_or_none
from socialops.core.validation import Errors, clean_text
from socialops.fans.models import Interaction, InteractionKind
from socialops.platforms.connectors.base import (
    Capability,
    ConnectorError,
    OutcomeUnknown,
    PublishResult,
    RetryableError,
)
from socialops.platforms.models import ConnectionStatus, PlatformConnection
from socialops.publishing.sync import SyncAuthRevoked, connector_call
from socialops.review.findings import CheckFinding
from socialops.review.services.runner import run_checks
from socialops.workspaces.access import ensure_same_workspace, require_perm
from socialops.workspaces.audit import audit_record
from socialops.workspaces.models import Workspace
from socialops.workspaces.roles import Perm

from ..models import (
    AutoReplyRule,
    InboxAlertKind,
    Reply,
    ReplyStatus,
    RuleChannel,
    RuleMatch,
    Thread,
    ThreadChannel,
    ThreadItem,
    ThreadStatus,
)
from ..worktime import WorkCalendar
from .threads import alert_team, bump_version, settings_for

log = logging.getLogger(__name__)

REPLY_LENGTH = 2000
MAX_ATTEMPTS = 5
# Retry waits after a "try again later" answer, by attempt (seconds).
RETRY_DELAYS = (30, 120, 600, 1800)
# Only messages this recent get an automatic answer (a first sync of old history gets none).
AUTO_REPLY_WINDOW = dt.timedelta(hours=48)
# An off-hours answer at most once per thread in this span.
OFF_HOURS_QUIET = dt.timedelta(hours=12)

_LEADING_MENTIONS = re.compile(r"^(?:@\S+\s+)+")
# Called with the reply's id after the transaction that queued it commits (tasks connect it).
deliver_later: list[Callable[[int, int], None]] = []


def check_text(workspace: Workspace, text: str) -> list[CheckFinding]:
    """The workspace's text checks on a reply body (no platform form: a reply is not a post)."""
    return run_checks(workspace=workspace, text_fields={"body": text})


def blocking_messages(findings: list[CheckFinding]) -> list[str]:
    """One sentence per blocking finding, naming the words that trigger it."""
    return [f"{f.message} ({f.matched})" if f.matched else f.message for f in findings if f.blocking]


def findings_json(findings: list[CheckFinding]) -> list[dict[str, Any]]:
    """What a saved reply or rule stores of its findings (re-rendered in the reader's language later)."""
    return [
        {
            "check": f.check,
            "severity": f.severity,
            "matched": f.matched,
            "code": f.message_code,
            "params": dict(f.params),
            "blocking": f.blocking,
        }  # fmt: skip
        for f in findings
    ]


def fill_variables(text: str, values: dict[str, str]) -> str:
    """Replace {昵称}, {优惠码} … with their values; unknown variables stay as written."""
    return re.sub(r"\{([^{}]{1,20})\}", lambda m: values.get(m.group(1), m.group(0)), text)


def _latest_inbound(thread: Thread) -> Interaction | None:
    item = (
        ThreadItem.objects.filter(thread=thread)
        .exclude(interaction__external_id="")
        .select_related("interaction")
        .order_by("-interaction__occurred_at", "-pk")
        .first()
    )
    return item.interaction if item is not None else None


def _queue(reply: Reply, delay: int = 0) -> None:
    for deliver in deliver_later:
        transaction.on_commit(functools.partial(deliver, reply.pk, delay))


def _store_reply(
    workspace: Workspace, actor: Any, thread: Thread, text: str, *, rule: AutoReplyRule | None, close: bool
) -> Reply:
    target = _latest_inbound(thread)
    if target is None:
        raise ValidationError({"text": [_("This thread has no message the platform lets us answer.")]})
    now = timezone.now()
    reply = Reply.objects.create(
        workspace=workspace,
        thread=thread,
        text=text,
        author=user_or_none(actor),
        rule=rule,
        in_reply_to=target.external_id,
        idempotency_key=uuid.uuid4().hex,
    )
    if rule is None:
        # An automatic answer is not the team's: the response timer and the first-response
        # figure wait for a person.
        if thread.first_response_seconds is None and thread.first_inbound_at is not None:
            thread.first_response_seconds = max(0, int((now - thread.first_inbound_at).total_seconds()))
        thread.last_reply_at = now
        thread.awaiting_since = thread.due_at = None
        thread.status = ThreadStatus.CLOSED if close else ThreadStatus.PENDING
        thread.closed_at = now if close else None
    thread.save()
    bump_version(thread)
    audit_record(
        workspace=workspace,
        actor=actor,
        action="thread.reply",
        obj=thread,
        after={"reply": reply.pk, "rule": rule.pk if rule else None, "text": text[:200]},
    )
    _queue(reply)
    return reply


@transaction.atomic
def reply_create(
    *,
    workspace: Workspace,
    actor: Any,
    thread: Thread,
    text: str,
    version: int | None = None,
    close: bool = False,
) -> Reply:
    """Answer the thread's latest message: checked (blocking findings refuse it), collision-guarded, queued."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.ENGAGEMENT_REPLY)
    ensure_same_workspace(workspace, thread, "thread")
    errors: Errors = {}
    text = clean_text(text, "text", errors, max_length=REPLY_LENGTH, required=True)
    if errors:
        raise ValidationError(errors)
    thread = Thread.objects.select_for_update().get(pk=thread.pk)
    if version is not None and version != thread.version:
        last = thread.replies.order_by("-created_at", "-pk").select_related("author").first()
        who = last.author.get_username() if last is not None and last.author else _("A colleague or a rule")
        raise ValidationError(
            {
                "text": [
                    _(
                        "%(who)s answered this thread while you were writing. Read the reply, then send yours if it is still needed."
                    )
                    % {"who": who}
                ]
            }  # noqa: E501
        )
    blocking = blocking_messages(check_text(workspace, text))
    if blocking:
        raise ValidationError(
            {"text": [_("The reply was not sent: %(findings)s") % {"findings": "; ".join(blocking)}]}
        )
    return _store_reply(workspace, actor, thread, text, rule=None, close=close)


# ---- delivery (the job side) ---------------------------------------------------------------------


def _claim(reply_id: int) -> Reply | None:
    with transaction.atomic():
        claimed = Reply.objects.filter(pk=reply_id, status=ReplyStatus.QUEUED).update(
            status=ReplyStatus.SENDING, attempts=F("attempts") + 1, claimed_at=timezone.now()
        )
    if not claimed:
        return None
    return Reply.objects.select_related("thread", "thread__account", "thread__fan", "workspace").get(
        pk=reply_id
    )


def _finish(reply: Reply, status: str, *, error: str = "", result: PublishResult | None = None) -> None:
    with transaction.atomic():
        fields: dict[str, Any] = {"status": status, "error": error[:500]}
        if result is not None:
            fields["external_id"] = result.external_id[:200]
            fields["sent_at"] = result.published_at or timezone.now()
        Reply.objects.filter(pk=reply.pk, status=ReplyStatus.SENDING).update(**fields)
        if status in (ReplyStatus.UNKNOWN, ReplyStatus.FAILED):
            thread = Thread.objects.get(pk=reply.thread_id)
            detail = _("Reply “%(text)s”: %(error)s") % {"text": reply.text[:60], "error": error[:150]}
            alert_team(reply.workspace, InboxAlertKind.REPLY_UNKNOWN, thread, detail)
        audit_record(
            workspace=reply.workspace,
            actor=SYSTEM,
            action=f"reply.{status}",
            obj=reply,
            after={"status": status, "error": error[:200], "external_id": fields.get("external_id", "")},
        )


def reply_deliver(*, reply_id: int) -> str:
    """Send one queued reply through the account's connector; its status after the attempt.

    Two workers cannot both send it (the queued → sending claim is one conditional update).
    """
    reply = _claim(reply_id)
    if reply is None:
        return "skipped"
    account = reply.thread.account
    fan = reply.thread.fan
    # A direct message is answered privately: a public answer would show the fan's question to all.
    private = reply.thread.channel == ThreadChannel.MESSAGES
    connection = (
        PlatformConnection.objects.select_related("account", "workspace")
        .filter(account=account, status=ConnectionStatus.CONNECTED)
        .first()
    )
    if connection is None:
        _finish(
            reply, ReplyStatus.FAILED, error=_("The account is not connected; connect it, then send again.")
        )
        return ReplyStatus.FAILED
    try:
        result = connector_call(
            connection,
            Capability.REPLY,
            lambda c: c.reply(
                in_reply_to=reply.in_reply_to,
                text=reply.text,
                idempotency_key=reply.idempotency_key,
                recipient=fan.handle or fan.external_id,
                private=private,
            ),
        )
    except OutcomeUnknown as exc:
        _finish(
            reply,
            ReplyStatus.UNKNOWN,
            error=_(
                "The platform may have taken the reply (%(error)s). Check on the platform, then mark it sent or send it again."
            )  # noqa: E501
            % {"error": str(exc)[:200]},
        )
        return ReplyStatus.UNKNOWN
    except RetryableError as exc:
        if reply.attempts >= MAX_ATTEMPTS:
            _finish(reply, ReplyStatus.FAILED, error=str(exc))
            return ReplyStatus.FAILED
        with transaction.atomic():
            Reply.objects.filter(pk=reply.pk, status=ReplyStatus.SENDING).update(
                status=ReplyStatus.QUEUED, error=str(exc)[:500]
            )
            delay = RETRY_DELAYS[min(reply.attempts, len(RETRY_DELAYS)) - 1]
            _queue(reply, delay)
        return ReplyStatus.QUEUED
    except (ConnectorError, SyncAuthRevoked) as exc:
        _finish(reply, ReplyStatus.FAILED, error=str(exc))
        return ReplyStatus.FAILED
    if result is None:
        _finish(reply, ReplyStatus.FAILED, error=_("This platform does not let us reply from the inbox."))
        return ReplyStatus.FAILED
    _finish(reply, ReplyStatus.SENT, result=result)
    return ReplyStatus.SENT


@transaction.atomic
def reply_resolve(*, workspace: Workspace, actor: Any, reply: Reply, outcome: str) -> Reply:
    """A person settles an unknown or failed reply: "sent" (it is on the platform) or "retry" (same key)."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.ENGAGEMENT_REPLY)
    ensure_same_workspace(workspace, reply, "reply")
    reply = Reply.objects.select_for_update().get(pk=reply.pk)
    if reply.status not in (ReplyStatus.UNKNOWN, ReplyStatus.FAILED):
        raise ValidationError(
            {"outcome": [_("Only a reply whose outcome is unknown or that failed can be settled.")]}
        )
    if outcome == "sent":
        reply.status, reply.sent_at = ReplyStatus.SENT, timezone.now()
    elif outcome == "retry":
        reply.status, reply.error = ReplyStatus.QUEUED, ""
        _queue(reply)
    else:
        raise ValidationError({"outcome": [_("Choose sent or retry.")]})
    reply.save(update_fields=["status", "sent_at", "error"])
    audit_record(
        workspace=workspace, actor=actor, action="reply.resolve", obj=reply, after={"outcome": outcome}
    )
    return reply


# ---- automatic replies ---------------------------------------------------------------------------


def _in_window(rule: AutoReplyRule, local: dt.time) -> bool:
    start, end = rule.active_from, rule.active_to
    if start is None or end is None or start == end:
        return True
    return start <= local < end if start < end else (local >= start or local < end)


def rule_matches(rule: AutoReplyRule, text: str) -> bool:
    """True when a keyword rule's pattern fits the message (welcome and off-hours rules fit any)."""
    # "@our_account 价格" on Mastodon-like platforms: the mention of us is not part of the message.
    body = _LEADING_MENTIONS.sub("", text.strip())
    if rule.match == RuleMatch.EXACT:
        return body.casefold() == rule.pattern.strip().casefold()
    if rule.match == RuleMatch.CONTAINS:
        return bool(rule.pattern) and rule.pattern.casefold() in body.casefold()
    if rule.match == RuleMatch.REGEX:
        try:
            return re.search(rule.pattern, body[:REPLY_LENGTH]) is not None
        except re.error:
            return False
    return True


def auto_reply_rule(
    *,
    thread: Thread,
    interaction: Interaction,
    new_thread: bool,
    rules: list[AutoReplyRule],
    now: dt.datetime,
) -> AutoReplyRule | None:
    """The first rule (in order) that answers this message, or None. Reads only what it is given and the clock."""
    channel = RuleChannel.MESSAGES if thread.channel == ThreadChannel.MESSAGES else RuleChannel.COMMENTS
    workspace = thread.workspace
    local = now.astimezone(workspace.tz)
    calendar: WorkCalendar | None = None
    for rule in rules:
        if not rule.enabled or (rule.account_id and rule.account_id != thread.account_id):
            continue
        if rule.channel != RuleChannel.ANY and rule.channel != channel:
            continue
        if not _in_window(rule, local.time()):
            continue
        if rule.match == RuleMatch.WELCOME:
            if new_thread and not Thread.objects.filter(fan_id=thread.fan_id).exclude(pk=thread.pk).exists():
                return rule
            continue
        if rule.match == RuleMatch.OFF_HOURS:
            if calendar is None:
                calendar = WorkCalendar(workspace, settings_for(workspace), local.date(), days=1)
            if calendar.is_working_time(now):
                continue
            recent = Reply.objects.filter(
                thread=thread, rule__match=RuleMatch.OFF_HOURS, created_at__gte=now - OFF_HOURS_QUIET
            )
            if recent.exists():
                continue
            return rule
        if rule_matches(rule, interaction.text or ""):
            return rule
    return None


def auto_reply(*, thread: Thread, interaction: Interaction, new_thread: bool) -> Reply | None:
    """Answer a just-filed fan message by the first matching rule (a recent message, once); the reply or None."""
    now = timezone.now()
    if interaction.kind == InteractionKind.MENTION or now - interaction.occurred_at > AUTO_REPLY_WINDOW:
        return None
    rules = list(
        AutoReplyRule.objects.filter(workspace_id=thread.workspace_id, enabled=True).order_by(
            "position", "pk"
        )
    )
    if not rules:
        return None
    rule = auto_reply_rule(
        thread=thread, interaction=interaction, new_thread=new_thread, rules=rules, now=now
    )
    if rule is None or rule.findings and any(f.get("blocking") for f in rule.findings):
        return None
    fan = thread.fan
    text = fill_variables(
        rule.reply_text, {"昵称": fan.display_name or fan.handle, "nickname": fan.display_name or fan.handle}
    )
    with transaction.atomic():
        locked = Thread.objects.select_for_update().get(pk=thread.pk)
        reply = _store_reply(thread.workspace, SYSTEM, locked, text, rule=rule, close=False)
        AutoReplyRule.objects.filter(pk=rule.pk).update(fired=F("fired") + 1)
    return reply


# A reply still "sending" this long after its claim lost its worker mid-send.
STALE_SEND = dt.timedelta(minutes=10)
# A queued reply this old lost its job (a queue flushed or a worker gone before it started).
LOST_QUEUE = dt.timedelta(minutes=5)


def replies_recover(*, now: dt.datetime | None = None) -> int:
    """Settle replies a dead worker left behind; how many. A lost send may have reached the platform,
    so it becomes unknown for a person to check; a reply that never started is queued again."""
    now = now or timezone.now()
    settled = 0
    for reply in Reply.objects.filter(
        status=ReplyStatus.SENDING, claimed_at__lt=now - STALE_SEND
    ).select_related("workspace")[:500]:
        _finish(
            reply,
            ReplyStatus.UNKNOWN,
            error=_(
                "The sending worker stopped mid-way. Check on the platform, then mark it sent or send it again."
            ),
        )
        settled += 1
    lost = Reply.objects.filter(status=ReplyStatus.QUEUED, created_at__lt=now - LOST_QUEUE, attempts=0)
    for reply in lost[:500]:
        for deliver in deliver_later:
            deliver(reply.pk, 0)
        settled += 1
    return settled


def passive_reply_claim(*, account_id: int, message_external_id: str, passive_id: str) -> str | None:
    """The text of an auto-reply queued for this fan message, claimed as answered inside the
    platform's push (WeChat's passive reply); None when there is none or a worker took it first.

    The claim is one conditional update from queued, the same one a sending worker makes, so the
    reply goes out once: either here or as a customer-service message, never both.
    """
    reply = (
        Reply.objects.filter(
            thread__account_id=account_id,
            in_reply_to=message_external_id,
            rule__isnull=False,
            status=ReplyStatus.QUEUED,
        )
        .select_related("workspace")
        .order_by("pk")
        .first()
    )
    if reply is None:
        return None
    now = timezone.now()
    with transaction.atomic():
        claimed = Reply.objects.filter(pk=reply.pk, status=ReplyStatus.QUEUED).update(
            status=ReplyStatus.SENT,
            attempts=F("attempts") + 1,
            claimed_at=now,
            sent_at=now,
            external_id=passive_id,
        )
        if not claimed:
            return None
        audit_record(
            workspace=reply.workspace,
            actor=SYSTEM,
            action="reply.sent",
            obj=reply,
            after={"status": ReplyStatus.SENT, "external_id": passive_id, "passive": True},
        )
    return reply.text
