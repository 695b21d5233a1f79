"""The demo's communities: an official Telegram group with a month of history, and a manual member group.

``seed_groups(workspace, today)`` runs inside the seed, without the sandbox: the group's members,
messages (group interactions), moderation actions (some undone, one appeal waiting) and a
sharing plan are written through the services. ``groups_connect_sandbox(workspace, base_url)``
runs with the sandbox up (the publish loop): it creates the group on the sandbox's Telegram
group-chat mode, points the group's connection at it and keeps simulated members talking, so
the sync job brings in live chat, spam and joins.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from typing import Any

from django.utils import timezone

from socialops.accounts.models import Platform
from socialops.accounts.services import account_create
from socialops.community.models.groups import (
    ActionKind,
    ActionStatus,
    AppealState,
    Group,
    GroupKind,
    GroupMember,
    ModerationAction,
)
from socialops.community.services.groups import group_create, member_for
from socialops.content.models import ContentItem
from socialops.content.services.plan import placement_create
from socialops.fans.models import Fan, InteractionKind, InteractionSource
from socialops.fans.services.people import interaction_record
from socialops.platforms import credentials as creds
from socialops.platforms.models import PlatformConnection
from socialops.platforms.services.connections import connection_save
from socialops.workspaces.models import Membership, Workspace
from socialops.workspaces.roles import Role

BOT_TOKEN = "7100200300:AAdemoGroupBotToken_socialops"
GROUP_TITLE = "Acme 官方交流群"
# Until the sandbox gives the group its chat id.
PLACEHOLDER_CHAT = "-1009000000001"
NAMES = [
    "林小雨", "陈阿杰", "王晓琳", "赵大伟", "刘婷婷", "黄子涵", "周浩然", "吴思琪", "徐一鸣", "孙佳怡",
    "马俊熙", "朱雨桐", "胡明轩", "郭可欣", "何志强", "高欣妍", "罗宇航", "郑梓萱", "梁文博", "谢诗涵",
    "宋嘉怡", "唐子墨", "许晨曦", "韩思远", "冯若曦", "邓浩宇", "曹语嫣", "彭俊杰", "曾雅琪", "萧天佑",
]  # fmt: skip
CHAT = [
    "今天的新品有人试过了吗？", "刚收到货，包装很用心👍", "请问会员积分怎么兑换呀？", "周末的线下活动还有名额吗",
    "求推荐一款适合干皮的", "客服回复好快，点赞", "上次的优惠券还能用吗？", "这个颜色实物比图片好看",
    "早上好各位～", "发货一般要几天？", "群里的教程很实用，学到了", "想问下退换货流程", "哈哈哈同感",
    "支持一下官方！", "请问直播是几点开始", "刚看到公众号的文章，写得不错", "新人报到，请多关照",
    "用了一周，效果还可以", "下次活动能不能在周末", "收藏了，谢谢分享", "有没有人一起拼单", "晚安啦大家",
]  # fmt: skip
SPAM = [
    "兼职日结300+，加V：abc12345 详聊", "低价代购各种大牌，私聊我有惊喜 http://t.cn/xx",
    "点击领取红包 http://bit.ly/free-money 先到先得", "刷单返利，每单佣金20元，私我",
]  # fmt: skip


def _at(workspace: Workspace, day: dt.date, rng: random.Random) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(rng.randint(8, 22), rng.randint(0, 59)), tzinfo=workspace.tz)


def seed_groups(workspace: Workspace, today: dt.date) -> dict[str, Any]:
    """The demo's groups with a month of history; {"groups", "members", "messages", "actions"}."""
    rng = random.Random(20261207)
    account = account_create(
        workspace=workspace,
        actor=None,
        handle="acme_community",
        platform=Platform.TELEGRAM,
        display_name=GROUP_TITLE,
    )
    connection_save(
        workspace=workspace,
        actor=None,
        account=account,
        kind="telegram",
        access_token=BOT_TOKEN,
        client_id=PLACEHOLDER_CHAT,
    )
    account.refresh_from_db()
    team = Membership.objects.filter(workspace=workspace, role__in=(Role.ADMIN, Role.COMMUNITY)).order_by(
        "pk"
    )
    admins = [m.user for m in team[:2]]
    group = group_create(
        workspace=workspace,
        actor=None,
        kind=GroupKind.TELEGRAM,
        name=GROUP_TITLE,
        account=account,
        description="官方用户交流群：新品资讯、使用技巧、活动通知。请文明发言，禁止广告。",
        welcome_message="欢迎加入 Acme 官方交流群！先看看群公告哦～",
        admins=admins,
    )
    members: list[GroupMember] = []
    for index, name in enumerate(NAMES):
        joined = _at(workspace, today - dt.timedelta(days=rng.randint(1, 40)), rng)
        member = member_for(
            workspace=workspace, group=group, external_id=str(700_100_000 + index), name=name, at=joined
        )
        members.append(member)
    # A few left during the month.
    for member in members[-4:]:
        assert member.joined_at is not None
        left = member.joined_at + dt.timedelta(days=rng.randint(1, 5))
        GroupMember.objects.filter(pk=member.pk).update(left_at=min(left, timezone.now()))
    messages = 0
    spammers = members[:3]
    for member in spammers:
        # Spammers joined early in the month, so their ladder has room to climb.
        early = _at(workspace, today - dt.timedelta(days=35), rng)
        GroupMember.objects.filter(pk=member.pk).update(joined_at=early)
        member.joined_at = early

    def say(member: GroupMember, at: dt.datetime, text: str) -> Any:
        nonlocal messages
        fan = Fan.objects.get(pk=member.fan_id or 0)
        interaction, created = interaction_record(
            workspace=workspace,
            fan=fan,
            kind=InteractionKind.GROUP_MESSAGE,
            occurred_at=at,
            source=InteractionSource.PULL,
            text=text,
            external_id=f"{PLACEHOLDER_CHAT}:{10_000 + messages}",
            meta={"group": group.pk, "message_id": 10_000 + messages},
            audit=False,
        )
        messages += int(created)
        return interaction

    for offset in range(30, -1, -1):
        day = today - dt.timedelta(days=offset)
        for _n in range(rng.randint(4, 14)):
            member = rng.choice(members[3:-4])
            at = _at(workspace, day, rng)
            if member.joined_at is None or at < member.joined_at or at > timezone.now():
                continue
            say(member, at, rng.choice(CHAT))
    actions: list[ModerationAction] = []
    # (spammer, days ago): strikes climb per member in time order.
    for index, days_ago in [(0, 26), (0, 24), (1, 21), (0, 19), (2, 15), (1, 11), (2, 8), (1, 5), (2, 2)]:
        member = spammers[index]
        at = _at(workspace, today - dt.timedelta(days=days_ago), rng)
        interaction = say(member, at, rng.choice(SPAM))
        strike = 1 + sum(1 for a in actions if a.member_id == member.pk)
        kind = (ActionKind.DELETE_WARN, ActionKind.MUTE, ActionKind.REMOVE)[min(strike, 3) - 1]
        action = ModerationAction.objects.create(
            workspace=workspace,
            group=group,
            member=member,
            message=interaction,
            rule="link",
            reason="含外部链接或联系方式",
            action=kind,
            strike=strike,
            status=ActionStatus.DONE,
            muted_until=at + dt.timedelta(hours=24) if kind == ActionKind.MUTE else None,
        )
        ModerationAction.objects.filter(pk=action.pk).update(created_at=at + dt.timedelta(minutes=1))
        action.created_at = at + dt.timedelta(minutes=1)
        actions.append(action)
    # Two were taken back by a moderator, and one member appealed.
    moderator = admins[0] if admins else None
    for action in actions[1:3]:
        ModerationAction.objects.filter(pk=action.pk).update(
            status=ActionStatus.UNDONE,
            undone_at=action.created_at + dt.timedelta(hours=2),
            undone_by=moderator,
        )
    if len(actions) > 3:
        ModerationAction.objects.filter(pk=actions[3].pk).update(
            appeal_text="我只是分享一下兼职信息，不是广告，能不能解除？",
            appeal_state=AppealState.PENDING,
            appeal_at=actions[3].created_at + dt.timedelta(hours=5),
        )
    for member in spammers:
        kept = ModerationAction.objects.filter(member=member).exclude(status=ActionStatus.UNDONE)
        removed = kept.filter(action=ActionKind.REMOVE).first()
        GroupMember.objects.filter(pk=member.pk).update(
            strikes=kept.count(),
            banned=removed is not None,
            left_at=removed.created_at if removed else None,
        )
    _plan(workspace, group, today)
    return {"groups": [group], "members": len(members), "messages": messages, "actions": len(actions)}


def _plan(workspace: Workspace, group: Group, today: dt.date) -> int:
    """Two approved items on the group's sharing plan, in the next days at 20:00."""
    placed = 0
    assert group.account is not None
    for offset, item in enumerate(ContentItem.objects.filter(workspace=workspace, status="approved")[:6]):
        if placed == 2:
            break
        when = dt.datetime.combine(today + dt.timedelta(days=2 + offset), dt.time(20, 0))
        try:
            placement_create(
                workspace=workspace, actor=None, item=item, account=group.account, starts_at=when
            )
        except Exception:  # noqa: BLE001 - an item the planner refuses here is simply not placed
            continue
        placed += 1
    return placed


def groups_connect_sandbox(workspace: Workspace, base_url: str, *, per_minute: float = 2.0) -> int:
    """Create the demo's Telegram groups on the sandbox and keep them talking; the number connected."""
    from socialops.platforms.sandbox import SandboxAdmin

    count = 0
    with SandboxAdmin(base_url) as admin:
        for group in Group.objects.filter(workspace=workspace, kind=GroupKind.TELEGRAM).select_related(
            "account"
        ):
            connection = PlatformConnection.objects.filter(account=group.account).first()
            if connection is None:
                continue
            token = connection.get_credentials().access_token
            chat_id = admin.telegram_group(bot_token=token, title=group.name, members=12)
            admin.telegram_live(chat_id, per_minute=per_minute, spam_rate=0.12)
            credentials = dataclasses.replace(connection.get_credentials(), client_id=str(chat_id))
            # The connection form has no URL for Telegram; the sandbox plays api.telegram.org.
            PlatformConnection.objects.filter(pk=connection.pk).update(
                credentials=creds.encrypt(credentials), base_url=base_url
            )
            Group.objects.filter(pk=group.pk).update(external_id=str(chat_id), cursor="")
            count += 1
    return count
