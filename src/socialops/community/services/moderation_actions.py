"""Moderation actions: the ladder applied to spam in a group, undo, appeals, and manual tasks.

Each new group message is judged by the moderation engine (community.moderation.engine, the
workspace's policy). Spam climbs the member's ladder as the policy sets it (by default strike 1
deletes the message and warns, strike 2 mutes until a time, strike 3 removes). On
Telegram every step is a Bot API call through the group's connector; on WeCom and manual groups
(whose APIs do not let us delete, mute or remove) the step is a task for a person, shown on the
group's page. The action row is written (pending) before the call and completed after it, so a
crash in between leaves a visible row; an answer lost after a write is an unknown outcome for a
person to check, never sent again.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from socialops.core.actors import SYSTEM
from socialops.fans.models import Interaction
from socialops.platforms.connectors.base import ConnectorError, OutcomeUnknown
from socialops.workspaces.access import ensure_same_workspace, require_perm
from socialops.workspaces.audit import audit_saved
from socialops.workspaces.models import Workspace
from socialops.workspaces.roles import Perm

from ..models.groups import (
    ActionKind,
    ActionStatus,
    AppealState,
    Group,
    GroupKind,
    GroupMember,
    MemberRole,
    ModerationAction,
)
from ..moderation.engine import MessageFacts, judge
from ..selectors.moderation import policy_for

log = logging.getLogger(__name__)

MAX_APPEAL = 2000


@dataclasses.dataclass(frozen=True)
class Judgement:
    """What the engine said of a message, reduced to what the ladder needs."""

    spam: bool
    rule: str = ""
    reason: str = ""


# The group's earlier messages the engine sees (repeats and floods are counted over them).
HISTORY_MESSAGES = 50
HISTORY_WINDOW = dt.timedelta(hours=2)
STEPS = {"warn": ActionKind.DELETE_WARN, "mute": ActionKind.MUTE, "remove": ActionKind.REMOVE}


def message_judge(
    *, workspace: Workspace, group: Group, member: GroupMember, message: Interaction
) -> Judgement:
    """The moderation engine's verdict on one group message, with the group's recent messages as history."""
    earlier = (
        Interaction.objects.filter(
            workspace=workspace,
            kind=message.kind,
            meta__group=group.pk,
            occurred_at__gte=message.occurred_at - HISTORY_WINDOW,
            occurred_at__lte=message.occurred_at,
        )
        .exclude(pk=message.pk)
        .select_related("fan")
        .order_by("-occurred_at", "-pk")[:HISTORY_MESSAGES]
    )
    history = [
        MessageFacts(text=i.text or "", sender=i.fan.external_id if i.fan else "", sent_at=i.occurred_at)
        for i in reversed(list(earlier))
    ]
    facts = MessageFacts(
        text=message.text or "",
        sender=member.external_id,
        sent_at=message.occurred_at,
        member_joined_at=member.joined_at,
        is_staff=member.role != MemberRole.MEMBER,
    )
    verdict = judge(facts, policy_for(workspace), history)
    return Judgement(spam=verdict.spam, rule=verdict.rule, reason=verdict.reason if verdict.spam else "")


def message_moderate(
    *, workspace: Workspace, group: Group, member: GroupMember, message: Interaction
) -> ModerationAction | None:
    """Judge a new group message; spam climbs the member's ladder (the system acts). None when clean."""
    if member.role != MemberRole.MEMBER:
        return None  # the group's owners and admins are not moderated by the bot
    judgement = message_judge(workspace=workspace, group=group, member=member, message=message)
    if not judgement.spam:
        return None
    policy = policy_for(workspace)
    with transaction.atomic():
        locked = GroupMember.objects.select_for_update().get(pk=member.pk)
        locked.strikes += 1
        locked.save(update_fields=["strikes", "updated_at"])
        step, mute_hours = policy.step_for_strike(locked.strikes)
        kind = STEPS[step]
        manual = group.kind != GroupKind.TELEGRAM
        action = ModerationAction.objects.create(
            workspace=workspace,
            group=group,
            member=locked,
            message=message,
            rule=judgement.rule[:100],
            reason=judgement.reason,
            action=kind,
            strike=locked.strikes,
            status=ActionStatus.MANUAL if manual else ActionStatus.PENDING,
            muted_until=timezone.now() + dt.timedelta(hours=mute_hours) if kind == ActionKind.MUTE else None,
        )
        audit_saved(action, workspace=workspace, actor=SYSTEM, action="moderation.action")
    member.strikes = locked.strikes
    if not manual:
        _apply(workspace, action)
    return action


def _warning(action: ModerationAction) -> str:
    name = action.member.display_name or action.member.external_id
    if action.action == ActionKind.DELETE_WARN:
        return _("%(name)s, your message was removed: %(reason)s. Next time you will be muted.") % {
            "name": name,
            "reason": action.reason or action.rule,
        }
    return ""


def _apply(workspace: Workspace, action: ModerationAction) -> None:
    """Make the Telegram calls of one pending action and record how they went."""
    from .groups import group_connector

    member = action.member
    status, detail = ActionStatus.DONE, ""
    try:
        connector = group_connector(action.group)
        with connector:
            message_id = int((action.message.meta or {}).get("message_id") or 0) if action.message else 0
            if action.action == ActionKind.DELETE_WARN:
                if message_id:
                    connector.delete_group_message(message_id)
                connector.send_group_message(_warning(action))
            elif action.action == ActionKind.MUTE:
                if message_id:
                    connector.delete_group_message(message_id)
                assert action.muted_until is not None
                connector.mute_member(member.external_id, until=action.muted_until)
            else:
                if message_id:
                    connector.delete_group_message(message_id)
                connector.ban_member(member.external_id)
    except OutcomeUnknown as exc:
        status, detail = ActionStatus.UNKNOWN, str(exc.message or exc)
    except (ConnectorError, ValidationError) as exc:
        status, detail = ActionStatus.FAILED, str(getattr(exc, "message", "") or exc)
    with transaction.atomic():
        before = {"status": action.status}
        action.status = status
        action.detail = detail[:2000]
        action.save(update_fields=["status", "detail"])
        if status == ActionStatus.DONE:
            if action.action == ActionKind.MUTE:
                GroupMember.objects.filter(pk=member.pk).update(muted_until=action.muted_until)
            elif action.action == ActionKind.REMOVE:
                GroupMember.objects.filter(pk=member.pk).update(banned=True, left_at=timezone.now())
        audit_saved(action, workspace=workspace, actor=SYSTEM, action="moderation.applied", before=before)


def _check(workspace: Workspace, action: ModerationAction) -> None:
    ensure_same_workspace(workspace, action, "action")


@transaction.atomic
def action_resolve(*, workspace: Workspace, actor: Any, action: ModerationAction) -> ModerationAction:
    """A person checked the group: an unknown outcome, a failure or a manual task is now done."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.COMMUNITY_MODERATE)
    _check(workspace, action)
    if action.status not in (ActionStatus.UNKNOWN, ActionStatus.MANUAL, ActionStatus.FAILED):
        raise ValidationError({"action": [_("This action needs no check.")]})
    before = {"status": action.status}
    action.status = ActionStatus.DONE
    action.resolved_at = timezone.now()
    action.resolved_by = actor
    action.save(update_fields=["status", "resolved_at", "resolved_by"])
    audit_saved(action, workspace=workspace, actor=actor, action="moderation.resolve", before=before)
    return action


def action_undo(*, workspace: Workspace, actor: Any, action: ModerationAction) -> ModerationAction:
    """Take an action back: unmute or unban on Telegram (a task for a person elsewhere), one strike less."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.COMMUNITY_MODERATE)
    _check(workspace, action)
    if action.undone_at is not None or action.status not in (ActionStatus.DONE, ActionStatus.MANUAL):
        raise ValidationError({"action": [_("Only a done action can be undone, once.")]})
    member = action.member
    detail = ""
    if action.group.kind == GroupKind.TELEGRAM and action.action in (ActionKind.MUTE, ActionKind.REMOVE):
        from .groups import group_connector

        try:
            connector = group_connector(action.group)
            with connector:
                if action.action == ActionKind.MUTE:
                    connector.unmute_member(member.external_id)
                else:
                    connector.unban_member(member.external_id)
        except OutcomeUnknown as exc:
            # Whether the member may write again is unknown: a person checks, nothing is re-sent.
            detail = str(exc.message or exc)
        except ConnectorError as exc:
            raise ValidationError({"action": [str(exc.message or exc)]}) from exc
    with transaction.atomic():
        before = {"status": action.status, "undone_at": None}
        action.undone_at = timezone.now()
        action.undone_by = actor
        action.status = ActionStatus.UNDONE if not detail else ActionStatus.UNKNOWN
        action.detail = detail[:2000] if detail else action.detail
        action.save(update_fields=["undone_at", "undone_by", "status", "detail"])
        fields: dict[str, Any] = {"strikes": max(0, member.strikes - 1)}
        if action.action == ActionKind.MUTE:
            fields["muted_until"] = None
        elif action.action == ActionKind.REMOVE:
            fields["banned"] = False
        GroupMember.objects.filter(pk=member.pk).update(**fields)
        audit_saved(action, workspace=workspace, actor=actor, action="moderation.undo", before=before)
    return action


@transaction.atomic
def action_appeal(
    *, workspace: Workspace, actor: Any, action: ModerationAction, text: str
) -> ModerationAction:
    """Record a member's appeal (as they sent it to us) for staff to decide."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.COMMUNITY_MODERATE)
    _check(workspace, action)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": [_("Enter what the member wrote.")]})
    if len(text) > MAX_APPEAL:
        raise ValidationError({"text": [_("At most %(n)d characters.") % {"n": MAX_APPEAL}]})
    if action.appeal_state:
        raise ValidationError({"text": [_("This action already has an appeal.")]})
    before = {"appeal_state": ""}
    action.appeal_text = text
    action.appeal_state = AppealState.PENDING
    action.appeal_at = timezone.now()
    action.save(update_fields=["appeal_text", "appeal_state", "appeal_at"])
    audit_saved(action, workspace=workspace, actor=actor, action="moderation.appeal", before=before)
    return action


def appeal_decide(
    *, workspace: Workspace, actor: Any, action: ModerationAction, accept: bool
) -> ModerationAction:
    """Staff decide an appeal: accepting it undoes the action."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.COMMUNITY_MODERATE)
    _check(workspace, action)
    if action.appeal_state != AppealState.PENDING:
        raise ValidationError({"accept": [_("There is no appeal waiting for a decision.")]})
    if accept and action.undone_at is None and action.status in (ActionStatus.DONE, ActionStatus.MANUAL):
        action = action_undo(workspace=workspace, actor=actor, action=action)
    with transaction.atomic():
        before = {"appeal_state": action.appeal_state}
        action.appeal_state = AppealState.ACCEPTED if accept else AppealState.REJECTED
        action.appeal_decided_at = timezone.now()
        action.appeal_decided_by = actor
        action.save(update_fields=["appeal_state", "appeal_decided_at", "appeal_decided_by"])
        audit_saved(
            action, workspace=workspace, actor=actor, action="moderation.appeal_decide", before=before
        )
    return action
