"""Telegram groups against the sandbox's group-chat mode: messages, joins and leaves come in, spam climbs the ladder."""

from __future__ import annotations

from typing import Any

import pytest

from socialops.community.models.groups import (
    ActionKind,
    ActionStatus,
    AppealState,
    GroupMember,
    ModerationAction,
)
from socialops.community.services import groups as group_services
from socialops.community.services import moderation_actions as moderation
from socialops.fans.models import Interaction, InteractionKind
from socialops.workspaces.models import AuditEntry
from tests.factories import telegram_group

pytestmark = pytest.mark.django_db

SPAM = "兼职日结300+，加V：abc12345 详聊 http://spam.example/vip"


@pytest.fixture(autouse=True)
def _short_timeouts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(group_services, "CONNECTOR_OPTIONS", {"timeout": 3.0})


def _members_in_sandbox(sandbox_admin: Any, chat_id: str) -> dict[str, dict[str, Any]]:
    return sandbox_admin.telegram_chat(chat_id)["members"]


def test_spam_in_the_sandbox_group_is_removed_through_the_bot_api_and_the_member_warned(
    workspace: Any, sandbox: Any, sandbox_admin: Any
) -> None:
    """Acceptance: a spam message in the sandbox group is removed through the (faked) Bot API and the member warned."""
    group = telegram_group(workspace, sandbox)
    hello = sandbox_admin.telegram_say(group.external_id, "大家好，新人报到", first_name="小美")
    spam = sandbox_admin.telegram_say(group.external_id, SPAM, first_name="推广")

    events = group_services.group_sync(workspace=workspace, group=group)

    assert events == 4  # two joins, two messages
    assert group.sync_error == ""
    chat = sandbox_admin.telegram_chat(group.external_id)
    assert chat["messages"][str(spam["message_id"])]["deleted"] is True
    assert chat["messages"][str(hello["message_id"])]["deleted"] is False
    # The warning, sent by the bot in the group, names the member.
    warnings = [chat["messages"][str(m)]["text"] for m in chat["bot_messages"]]
    assert len(warnings) == 1 and "推广" in warnings[0]
    action = ModerationAction.objects.get(group=group)
    assert (action.action, action.strike, action.status) == (ActionKind.DELETE_WARN, 1, ActionStatus.DONE)
    assert action.member.external_id == str(spam["from"]["id"])
    assert action.message is not None and action.message.text == SPAM
    # Both messages are the one interaction model's group messages.
    stored = Interaction.objects.filter(workspace=workspace, kind=InteractionKind.GROUP_MESSAGE)
    assert stored.count() == 2 and all(i.meta["group"] == group.pk for i in stored)
    assert AuditEntry.objects.filter(action="moderation.applied", object_id=str(action.pk)).exists()
    # A second sync reads nothing again.
    assert group_services.group_sync(workspace=workspace, group=group) == 0


def test_the_ladder_mutes_at_strike_two_and_removes_at_strike_three(
    workspace: Any, sandbox: Any, sandbox_admin: Any
) -> None:
    group = telegram_group(workspace, sandbox)
    first = sandbox_admin.telegram_say(group.external_id, SPAM, first_name="推广")
    user_id = first["from"]["id"]
    group_services.group_sync(workspace=workspace, group=group)
    sandbox_admin.telegram_say(group.external_id, "私聊我领红包 http://bit.ly/x", user_id=user_id)
    group_services.group_sync(workspace=workspace, group=group)

    member = GroupMember.objects.get(group=group, external_id=str(user_id))
    assert member.strikes == 2 and member.muted_until is not None
    assert _members_in_sandbox(sandbox_admin, group.external_id)[str(user_id)]["status"] == "restricted"

    # Muted members cannot write on Telegram; once the mute is lifted, the third spam removes them.
    mute = ModerationAction.objects.get(member=member, strike=2)
    moderation.action_undo(workspace=workspace, actor=None, action=mute)
    assert _members_in_sandbox(sandbox_admin, group.external_id)[str(user_id)]["status"] == "member"
    member.refresh_from_db()
    assert member.strikes == 1
    sandbox_admin.telegram_say(group.external_id, SPAM, user_id=user_id)
    sandbox_admin.telegram_say(group.external_id, SPAM + "!!", user_id=user_id)
    group_services.group_sync(workspace=workspace, group=group)

    member.refresh_from_db()
    assert member.banned and member.left_at is not None
    assert _members_in_sandbox(sandbox_admin, group.external_id)[str(user_id)]["status"] == "kicked"
    actions = list(
        ModerationAction.objects.filter(member=member).order_by("pk").values_list("action", "strike")
    )
    assert actions == [
        (ActionKind.DELETE_WARN, 1),
        (ActionKind.MUTE, 2),
        (ActionKind.MUTE, 2),
        (ActionKind.REMOVE, 3),
    ]


def test_undo_a_removal_unbans_and_an_accepted_appeal_undoes(
    workspace: Any, sandbox: Any, sandbox_admin: Any, admin: Any
) -> None:
    group = telegram_group(workspace, sandbox)
    first = sandbox_admin.telegram_say(group.external_id, SPAM, first_name="推广")
    user_id = first["from"]["id"]
    group_services.group_sync(workspace=workspace, group=group)
    action = ModerationAction.objects.get(group=group)

    moderation.action_appeal(
        workspace=workspace, actor=admin, action=action, text="我只是分享兼职信息，不是广告"
    )
    action.refresh_from_db()
    assert action.appeal_state == AppealState.PENDING
    moderation.appeal_decide(workspace=workspace, actor=admin, action=action, accept=True)
    action.refresh_from_db()
    assert action.appeal_state == AppealState.ACCEPTED
    assert action.status == ActionStatus.UNDONE and action.undone_at is not None
    assert GroupMember.objects.get(group=group, external_id=str(user_id)).strikes == 0
    with pytest.raises(Exception, match="undone"):
        moderation.action_undo(workspace=workspace, actor=admin, action=action)
    assert AuditEntry.objects.filter(action="moderation.appeal_decide").count() == 1


def test_an_unanswered_moderation_call_is_an_unknown_outcome_and_never_sent_again(
    workspace: Any, sandbox: Any, sandbox_admin: Any, admin: Any
) -> None:
    group = telegram_group(workspace, sandbox)
    sandbox_admin.set_faults(hang_seconds=0)
    sandbox_admin.telegram_drop_writes(1)
    spam = sandbox_admin.telegram_say(group.external_id, SPAM, first_name="推广")

    group_services.group_sync(workspace=workspace, group=group)

    action = ModerationAction.objects.get(group=group)
    assert action.status == ActionStatus.UNKNOWN and action.detail
    chat = sandbox_admin.telegram_chat(group.external_id)
    # The delete went through (its answer was lost); the warning was not sent after it.
    assert chat["messages"][str(spam["message_id"])]["deleted"] is True
    assert chat["bot_messages"] == []
    group_services.group_sync(workspace=workspace, group=group)
    assert ModerationAction.objects.filter(group=group).count() == 1
    moderation.action_resolve(workspace=workspace, actor=admin, action=action)
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE and action.resolved_by == admin


def test_joins_and_leaves_set_the_members_times(workspace: Any, sandbox: Any, sandbox_admin: Any) -> None:
    group = telegram_group(workspace, sandbox, members=0)
    import time

    now = time.time()
    sandbox_admin.telegram_simulate(
        group.external_id, events=60, start=now - 7 * 86400, end=now, spam_rate=0.0
    )
    group_services.group_sync(workspace=workspace, group=group)

    chat = sandbox_admin.telegram_chat(group.external_id)
    present = {k for k, m in chat["members"].items() if m["status"] == "member"}
    left = {k for k, m in chat["members"].items() if m["status"] == "left"}
    ours = GroupMember.objects.filter(group=group)
    assert {m.external_id for m in ours if m.left_at is None} == present
    assert {m.external_id for m in ours if m.left_at is not None} == left
    assert all(m.fan_id and m.person_id and m.joined_at for m in ours)
    assert Interaction.objects.filter(kind=InteractionKind.GROUP_MESSAGE, meta__group=group.pk).exists()


def test_the_fans_comments_pull_leaves_the_groups_messages_to_the_group_sync(
    workspace: Any, sandbox: Any, sandbox_admin: Any
) -> None:
    group = telegram_group(workspace, sandbox)
    sandbox_admin.telegram_say(group.external_id, "大家好", first_name="小美")
    with group_services.group_connector(group) as connector:
        page = connector.fetch_comments(cursor="")
    assert page.items == [] and page.cursor == ""
    assert group_services.group_sync(workspace=workspace, group=group) == 2


def test_members_who_join_get_the_welcome_message_once(
    workspace: Any, sandbox: Any, sandbox_admin: Any
) -> None:
    group = telegram_group(workspace, sandbox)
    group.welcome_message = "欢迎入群！请先阅读群公告。"
    group.save(update_fields=["welcome_message"])
    sandbox_admin.telegram_say(group.external_id, "大家好", first_name="小美")
    sandbox_admin.telegram_say(group.external_id, "新人报到", first_name="阿杰")

    group_services.group_sync(workspace=workspace, group=group)
    group_services.group_sync(workspace=workspace, group=group)  # nothing new: nobody welcomed twice

    chat = sandbox_admin.telegram_chat(group.external_id)
    sent = [chat["messages"][str(m)]["text"] for m in chat["bot_messages"]]
    assert len(sent) == 2 and all("欢迎入群" in t for t in sent)
    assert any("小美" in t for t in sent) and any("阿杰" in t for t in sent)
    assert GroupMember.objects.filter(group=group, welcomed_at__isnull=False).count() == 2
    member = GroupMember.objects.get(group=group, display_name__contains="小美")
    # A join seen again (a replayed update) sends nothing.
    connector = group_services.group_connector(group)
    with connector:
        assert not group_services.member_welcome(
            workspace=workspace, group=group, connector=connector, user_id=member.external_id
        )
    assert AuditEntry.objects.filter(action="group.member_welcome").count() == 2
