"""The demo's inbox: the team's saved replies and auto-reply rules, and the last days' fan messages in threads.

What 星曜科技's community team would have after a while: round-robin assignment, five saved
replies (one of them flagged by the Advertising-Law check, to show what the check does), a
keyword auto-reply for price, buying and shipping questions in direct messages, a welcome for a
fan's first message, and an off-hours rule left disabled. The fans' comments and messages of the last three days (fans.py
writes them in bulk, without the inbox hook) are filed into threads through the inbox service;
the older ones were answered by the team, a reply written as history (already sent), most of
those threads closed, so the response-time report has a past. Newer ones wait in the queues.

Like the rest of the demo, everything is drawn from the fixed seed and dated relative to ``today``.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from typing import Any

from django.utils import timezone

from socialops.engagement.models import Reply, ReplyStatus, Thread, ThreadItem, ThreadStatus
from socialops.engagement.services import setup as inbox_setup
from socialops.engagement.services.threads import threads_catch_up
from socialops.workspaces.models import Workspace

from .dates import DemoCalendar

SEED = 20261207
# Fan messages of this many days before today are filed into threads.
RECENT_DAYS = 3
# Threads whose first message is older than this were answered by the team.
ANSWERED_AFTER = dt.timedelta(hours=8)

SAVED_REPLIES = (
    (
        "发货时间",
        "{昵称}您好！现货订单 48 小时内发货，预售款以商品页写明的日期为准，发货后会短信通知您物流单号。",
    ),
    (
        "退换货",
        "{昵称}您好，给您添麻烦了。签收 7 天内可无理由退货，质量问题 15 天内换新。请私信订单号和照片，我们马上处理。",
    ),
    ("优惠活动", "{昵称}您好，本月新客首单可用优惠码 {优惠码}，满 299 减 30，详情见主页置顶。"),
    ("售后联系方式", "{昵称}您好，售后客服工作日 9:00–18:00 在线，也可以拨打 400-800-1234。"),
    # Flagged on purpose: 全网最低 is an absolute claim the Advertising Law forbids.
    ("低价承诺（待修改）", "我们的价格全网最低，放心买！"),
)
RULES = (
    {
        "name": "价格、购买与发货",
        "match": "regex",
        "pattern": "价格|多少钱|优惠|便宜|链接|哪里能买|怎么买|发货|几天能到|(?i:buy|how much|ship)",
        "channel": "messages",
        "reply_text": "{昵称}您好！价格、购买链接和当月优惠见主页置顶，新客首单满 299 减 30；现货 48 小时内发货。人工客服会尽快回复您～",
        "position": 10,
        "enabled": True,
    },
    {
        "name": "非工作时间",
        "match": "off_hours",
        "pattern": "",
        "channel": "messages",
        "reply_text": "{昵称}您好，客服工作时间为工作日 9:00–18:00，上班后第一时间回复您。",
        "position": 20,
        "enabled": False,
    },
    {
        "name": "首次私信欢迎",
        "match": "welcome",
        "pattern": "",
        "channel": "messages",
        "reply_text": "{昵称}您好，欢迎关注星曜科技！有任何问题都可以在这里留言，客服会尽快回复。",
        "position": 30,
        "enabled": True,
    },
)
ANSWERS = {
    "question": "您好，感谢咨询！详细说明见主页置顶，也可以私信我们具体型号。",
    "complaint": "非常抱歉给您带来不好的体验，已转售后同事跟进，请私信订单号。",
    "praise": "谢谢支持！我们会继续努力～",
    "purchase": "感谢关注！购买链接和当月优惠见主页置顶。",
    "other": "感谢留言！",
}


def seed_inbox(workspace: Workspace, users: dict[str, Any], calendar: DemoCalendar) -> int:
    """The inbox's setup through its services, then the recent fan messages in threads; how many threads."""
    admin, community, operator = users["admin"], users["community"], users["operator"]
    inbox_setup.settings_update(workspace=workspace, actor=admin, assign_mode="round_robin")
    for title, body in SAVED_REPLIES:
        inbox_setup.saved_reply_create(workspace=workspace, actor=community, title=title, body=body)
    for rule in RULES:
        inbox_setup.rule_create(workspace=workspace, actor=community, **rule)
    since = dt.datetime.combine(
        calendar.today - dt.timedelta(days=RECENT_DAYS), dt.time(0), tzinfo=workspace.tz
    )
    threads_catch_up(since=since, limit=2000)
    _answer_history(workspace, [community, operator], timezone.now())
    return Thread.objects.filter(workspace=workspace).count()


def _answer_history(workspace: Workspace, team: list[Any], now: dt.datetime) -> None:
    """The team's past answers, written as history: a sent reply 10 minutes to 6 hours after the
    first message (later ones miss their target), and most of those threads closed."""
    rng = random.Random(SEED)
    threads = Thread.objects.filter(workspace=workspace, first_inbound_at__lt=now - ANSWERED_AFTER).order_by(
        "pk"
    )
    replies: list[Reply] = []
    for thread in threads:
        if thread.first_inbound_at is None or rng.random() < 0.15:
            continue  # a few old ones slipped through: they wait in the breached queue
        latest = (
            ThreadItem.objects.filter(thread=thread)
            .select_related("interaction")
            .order_by("-interaction__occurred_at")
            .first()
        )
        if latest is None or not latest.interaction.external_id:
            continue
        answered = min(thread.first_inbound_at + dt.timedelta(minutes=rng.randint(10, 360)), now)
        author = team[0] if rng.random() < 0.7 else team[1]
        replies.append(
            Reply(
                workspace=workspace,
                thread=thread,
                text=ANSWERS.get(thread.intent, ANSWERS["other"]),
                author=author,
                in_reply_to=latest.interaction.external_id,
                idempotency_key=uuid.UUID(int=rng.getrandbits(128)).hex,
                status=ReplyStatus.SENT,
                attempts=1,
                external_id=f"demo-reply-{thread.pk}",
                sent_at=answered,
            )
        )
        closed = rng.random() < 0.75
        Thread.objects.filter(pk=thread.pk).update(
            assignee=author,
            last_reply_at=answered,
            first_response_seconds=int((answered - thread.first_inbound_at).total_seconds()),
            awaiting_since=None,
            due_at=None,
            breached_at=thread.due_at if thread.due_at is not None and thread.due_at < answered else None,
            status=ThreadStatus.CLOSED if closed else ThreadStatus.PENDING,
            closed_at=answered + dt.timedelta(minutes=rng.randint(5, 120)) if closed else None,
        )
    made = Reply.objects.bulk_create(replies)
    # created_at is auto_now_add: set the history's own times after the insert.
    for reply in made:
        Reply.objects.filter(pk=reply.pk).update(created_at=reply.sent_at)
