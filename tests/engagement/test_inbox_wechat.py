"""The inbox with a WeChat Official Account (a respx fake of the 公众号 API): article comments are
pulled per published article and answered under the comment; a fan's message is answered privately."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import respx
import time_machine
from django.test import Client
from django.utils import timezone

from socialops.engagement.models import Reply, ReplyStatus, Thread, ThreadChannel, ThreadItem
from socialops.engagement.services import replies, setup
from socialops.fans import sources
from socialops.fans.models import InteractionKind, InteractionSource
from socialops.fans.services.people import fan_record, interaction_record
from socialops.platforms import wechat_crypto as wc
from socialops.platforms.connectors.wechat import WechatConnector
from socialops.platforms.services import connections as connection_services
from socialops.publishing.models import Publication
from tests.factories import approved_item, make_account, make_publication, wechat_push_connection
from tests.platforms.test_wechat_push import (
    DEMO_AES_KEY,
    DEMO_APP_ID,
    DEMO_TOKEN,
    NOW,
    TEXT_MESSAGE,
    post_encrypted,
    post_plain,
)
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


# ---- auto-replies answered inside WeChat's push (被动回复) ------------------------------------------


def _push_connection(workspace: Any) -> Any:
    return wechat_push_connection(
        workspace, "mp-push", token=DEMO_TOKEN, aes_key=DEMO_AES_KEY, app_id=DEMO_APP_ID
    )


def _rule(workspace: Any, admin: Any) -> None:
    setup.rule_create(
        workspace=workspace,
        actor=admin,
        name="中文",
        match="contains",
        pattern="中文",
        reply_text="您好，已收到您的消息～",
    )


@pytest.fixture
def at_push_time() -> Iterator[None]:
    # The documented sample message was sent at NOW: the endpoint's freshness check and the
    # auto-reply's 48-hour window both read this clock.
    with time_machine.travel(dt.datetime.fromtimestamp(NOW + 5, dt.UTC), tick=False):
        yield


def test_an_auto_reply_to_a_plain_push_is_answered_inside_the_push(
    workspace: Any, admin: Any, client: Client, at_push_time: None
) -> None:
    _rule(workspace, admin)
    connection = _push_connection(workspace)

    answer = post_plain(client, connection, TEXT_MESSAGE)

    body = answer.content.decode()
    assert answer.status_code == 200 and answer["Content-Type"].startswith("application/xml")
    assert "<ToUserName><![CDATA[oia2TjjewbmiOUlr6X-1crbLOvLw]]></ToUserName>" in body
    assert "<FromUserName><![CDATA[gh_7f083739789a]]></FromUserName>" in body
    assert "<Content><![CDATA[您好，已收到您的消息～]]></Content>" in body
    reply = Reply.objects.get()
    assert reply.status == ReplyStatus.SENT and reply.external_id == "passive:6054768590064713728"
    # The queued send finds it answered: nothing goes out a second time.
    assert replies.reply_deliver(reply_id=reply.pk) == "skipped"

    # WeChat retries a push it thinks unanswered: the retry is stored once and answers "success".
    assert post_plain(client, connection, TEXT_MESSAGE).content == b"success"
    assert Reply.objects.count() == 1


def test_an_encrypted_push_gets_an_encrypted_passive_reply(
    workspace: Any, admin: Any, client: Client, at_push_time: None
) -> None:
    _rule(workspace, admin)
    connection = _push_connection(workspace)

    answer = post_encrypted(client, connection, TEXT_MESSAGE)

    envelope = wc.parse_xml(answer.content)
    assert wc.check_msg_signature(
        DEMO_TOKEN, envelope["MsgSignature"], envelope["TimeStamp"], envelope["Nonce"], envelope["Encrypt"]
    )
    inner = wc.parse_xml(wc.decrypt(DEMO_AES_KEY, envelope["Encrypt"], DEMO_APP_ID))
    assert inner["Content"] == "您好，已收到您的消息～" and inner["MsgType"] == "text"


def test_a_push_no_rule_answers_gets_success(workspace: Any, client: Client, at_push_time: None) -> None:
    connection = _push_connection(workspace)
    assert post_plain(client, connection, TEXT_MESSAGE).content == b"success"
    assert Thread.objects.filter(channel=ThreadChannel.MESSAGES).count() == 1
