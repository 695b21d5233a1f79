"""The inbox with a WeChat Official Account (a respx fake of the 公众号 API): article comments are
pulled per published article and answered under the comment; a fan's message is answered privately."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import respx
from django.utils import timezone

from socialops.engagement.models import ReplyStatus, Thread, ThreadChannel, ThreadItem
from socialops.engagement.services import replies
from socialops.fans import sources
from socialops.fans.models import InteractionKind, InteractionSource
from socialops.fans.services.people import fan_record, interaction_record
from socialops.platforms.connectors.wechat import WechatConnector
from socialops.platforms.services import connections as connection_services
from socialops.publishing.models import Publication
from tests.factories import approved_item, make_account, make_publication
from tests.platforms.wechat_fake import APPID, SECRET, FakeWeChat


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeWeChat]:
    monkeypatch.setattr(WechatConnector, "poll_interval", 0.0)
    with respx.mock(assert_all_called=False) as router:
        yield FakeWeChat(router)


@pytest.fixture
def gzh(workspace: Any, fake: FakeWeChat) -> Any:
    account = make_account(workspace, handle="xingyao", platform="wechat_mp")
    connection_services.connection_save(
        workspace=workspace,
        actor=None,
        account=account,
        kind="wechat_mp",
        client_id=APPID,
        client_secret=SECRET,
    )
    pub = make_publication(workspace, approved_item(workspace, "春季新品发布"), account)
    Publication.objects.filter(pk=pub.pk).update(
        state="published", external_id="2247:0", published_at=timezone.now() - dt.timedelta(days=1)
    )
    return account


def _comment(n: int, text: str) -> dict[str, Any]:
    return {"user_comment_id": n, "openid": f"oFAN{n}", "create_time": int(timezone.now().timestamp()) - 600 + n,
            "content": text, "comment_type": 0}  # fmt: skip


def test_article_comments_fill_the_inbox_once_and_are_answered_under_the_comment(
    workspace: Any, gzh: Any, fake: FakeWeChat, admin: Any
) -> None:
    fake.comments[(2247, 0)] = [_comment(1, "这款有黑色吗？"), _comment(2, "发货太慢了，差评")]

    sources.comments_sync(workspace=workspace, account=gzh)
    sources.comments_sync(workspace=workspace, account=gzh)  # read again: nothing twice

    threads = Thread.objects.filter(account=gzh, channel=ThreadChannel.COMMENTS)
    assert threads.count() == 2 and ThreadItem.objects.filter(thread__in=threads).count() == 2
    complaint = threads.get(fan__external_id="oFAN2")
    assert complaint.priority == "urgent" and complaint.post_external_id == "2247:0"

    reply = replies.reply_create(
        workspace=workspace, actor=admin, thread=complaint, text="抱歉久等了，已加急处理。"
    )
    assert replies.reply_deliver(reply_id=reply.pk) == ReplyStatus.SENT
    assert fake.comments[(2247, 0)][1]["reply"]["content"] == "抱歉久等了，已加急处理。"


def test_a_fans_message_is_answered_privately_by_customer_service_message(
    workspace: Any, gzh: Any, fake: FakeWeChat, admin: Any
) -> None:
    fan = fan_record(workspace=workspace, account=gzh, external_id="oFAN9", audit=False)
    interaction_record(
        workspace=workspace, fan=fan, kind=InteractionKind.MESSAGE, occurred_at=timezone.now(),
        source=InteractionSource.PUSH, text="你好，想问下保修期多久", external_id="6011",
    )  # fmt: skip
    fake.last_written["oFAN9"] = dt.datetime.now(dt.UTC)
    thread = Thread.objects.get(account=gzh, channel=ThreadChannel.MESSAGES)

    reply = replies.reply_create(workspace=workspace, actor=admin, thread=thread, text="您好，整机保修一年。")
    assert replies.reply_deliver(reply_id=reply.pk) == ReplyStatus.SENT
    assert fake.custom_messages == [
        {"touser": "oFAN9", "msgtype": "text", "text": {"content": "您好，整机保修一年。"}}
    ]
    assert not any(c.get("reply") for c in fake.comments.get((2247, 0), []))
