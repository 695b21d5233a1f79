"""The inbox against the sandbox platform: fans' comments and DMs fill it, replies appear once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from socialops.engagement.models import InboxAlert, InboxAlertKind, Reply, ReplyStatus, Thread, ThreadChannel
from socialops.engagement.services import replies, setup
from socialops.fans import sources
from socialops.platforms.services.sandbox import sandbox_username
from socialops.publishing import engine, services
from tests.factories import approved_item, sandbox_account


def _publish(workspace: Any, account: Any, title: str) -> None:
    item = approved_item(workspace, title)
    pub = services.publication_schedule(
        workspace=workspace,
        actor=None,
        item=item,
        account=account,
        due_at=timezone.now() - dt.timedelta(minutes=5),
    )
    assert engine.run(pub.pk, pub.version) == "published"


def _deliver_all() -> list[str]:
    return [
        replies.reply_deliver(reply_id=pk) for pk in Reply.objects.order_by("pk").values_list("pk", flat=True)
    ]


def _our_replies(sandbox_admin: Any, account: Any) -> list[dict[str, Any]]:
    posts = sandbox_admin.posts(username=sandbox_username(account))["posts"]
    return [p for p in posts if p.get("in_reply_to_id")]


TITLES = ("新品发布会预告", "用户故事：一位老师的一天", "产品小课堂：三个隐藏功能", "周末福利预告")


def _fans_have_written(workspace: Any, account: Any, sandbox_admin: Any) -> None:
    """Publish posts and let two days pass on the platform until fans have commented and sent DMs.

    The sandbox draws each post's fan messages from its id (which comes from the clock), so a
    post may get no DM: publish until both kinds exist (a few posts are enough almost always).
    """
    offset = 0
    for title in TITLES * 3:
        _publish(workspace, account, title)
        offset += 2 * 86400
        sandbox_admin.set_faults(time_offset_s=offset)
        sources.account_sync(workspace=workspace, account=account)
        threads = Thread.objects.filter(account=account)
        if (
            threads.filter(channel=ThreadChannel.COMMENTS).exists()
            and threads.filter(channel=ThreadChannel.MESSAGES).exists()
        ):
            return
    raise AssertionError("the sandbox's fans never wrote a DM")


@pytest.fixture
def inbox(workspace: Any, sandbox: Any, sandbox_admin: Any) -> Any:
    account = sandbox_account(workspace, sandbox, "acme")
    _fans_have_written(workspace, account, sandbox_admin)
    return account


@pytest.mark.slow
def test_the_inbox_fills_from_the_sandbox_and_a_second_pull_adds_nothing(workspace: Any, inbox: Any) -> None:
    threads = Thread.objects.filter(account=inbox)
    assert threads.filter(channel=ThreadChannel.COMMENTS).exists()
    assert threads.filter(channel=ThreadChannel.MESSAGES).exists()
    count = threads.count()
    items = sum(t.items.count() for t in threads)
    assert all(t.intent and t.sentiment for t in threads)

    sources.account_sync(workspace=workspace, account=inbox)

    assert Thread.objects.filter(account=inbox).count() == count
    assert sum(t.items.count() for t in Thread.objects.filter(account=inbox)) == items


@pytest.mark.slow
def test_a_reply_from_the_inbox_appears_once_on_the_platform(
    workspace: Any, inbox: Any, admin: Any, sandbox_admin: Any
) -> None:
    thread = Thread.objects.filter(account=inbox, channel=ThreadChannel.COMMENTS).first()
    assert thread is not None
    reply = replies.reply_create(
        workspace=workspace, actor=admin, thread=thread, text="感谢关注，详情见主页置顶～"
    )

    assert replies.reply_deliver(reply_id=reply.pk) == ReplyStatus.SENT
    assert replies.reply_deliver(reply_id=reply.pk) == "skipped"  # a second job finds it sent

    ours = _our_replies(sandbox_admin, inbox)
    assert len([p for p in ours if "感谢关注" in str(p)]) == 1
    reply.refresh_from_db()
    assert reply.external_id and reply.sent_at is not None


@pytest.mark.slow
def test_an_auto_reply_rule_answers_matching_sandbox_dms(
    workspace: Any, sandbox: Any, sandbox_admin: Any, admin: Any
) -> None:
    setup.rule_create(
        workspace=workspace, actor=admin, name="私信欢迎", match="regex", pattern=".", channel="messages",
        reply_text="{昵称}您好，已收到您的私信，客服会尽快回复。",
    )  # fmt: skip
    account = sandbox_account(workspace, sandbox, "acme")
    _fans_have_written(workspace, account, sandbox_admin)

    dms = Thread.objects.filter(account=account, channel=ThreadChannel.MESSAGES)
    dm_messages = sum(t.items.count() for t in dms)
    assert dm_messages > 0
    assert Reply.objects.filter(rule__isnull=False).count() == dm_messages
    assert not Reply.objects.filter(thread__channel=ThreadChannel.COMMENTS).exists()

    assert set(_deliver_all()) == {ReplyStatus.SENT}
    answers = [p for p in _our_replies(sandbox_admin, account) if "已收到您的私信" in str(p)]
    assert len(answers) == dm_messages
    # Private questions get private answers: direct visibility, addressed to the fan.
    assert {p["visibility"] for p in answers} == {"direct"}
    assert all(p["text"].startswith("@") for p in answers)


@pytest.mark.slow
def test_a_reply_whose_answer_is_lost_waits_for_a_person_and_a_retry_posts_once(
    workspace: Any, inbox: Any, admin: Any, sandbox_admin: Any
) -> None:
    thread = Thread.objects.filter(account=inbox).first()
    assert thread is not None
    reply = replies.reply_create(workspace=workspace, actor=admin, thread=thread, text="您好，已为您登记。")
    sandbox_admin.set_faults(timeout_next=1, hang_seconds=0)

    status = replies.reply_deliver(reply_id=reply.pk)

    reply.refresh_from_db()
    assert status == ReplyStatus.UNKNOWN == reply.status
    assert "Check on the platform" in reply.error
    assert InboxAlert.objects.filter(kind=InboxAlertKind.REPLY_UNKNOWN, user=admin, thread=thread).exists()
    # Nothing re-sends by itself.
    assert replies.reply_deliver(reply_id=reply.pk) == "skipped"

    replies.reply_resolve(workspace=workspace, actor=admin, reply=reply, outcome="retry")
    assert replies.reply_deliver(reply_id=reply.pk) == ReplyStatus.SENT
    assert len([p for p in _our_replies(sandbox_admin, inbox) if "已为您登记" in str(p)]) == 1
