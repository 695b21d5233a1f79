"""Where fans come from: follower lists (the sandbox), comments and messages (a faked Mastodon), WeChat pushes."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import respx
from django.db.models import Q

import socialops.fans.receivers  # noqa: F401 — connects the push hook (FansConfig.ready does at integration)
from socialops.fans import receivers, sources
from socialops.fans.models import Fan, Interaction, InteractionKind, InteractionSource, Person
from socialops.fans.models.people import SourceCursor
from socialops.fans.services.people import interaction_record
from socialops.fans.tasks import people as people_tasks
from socialops.platforms import push
from socialops.platforms.hooks import push_event_stored
from socialops.platforms.models import PlatformConnection
from socialops.platforms.services.sandbox import sandbox_username
from socialops.publishing.models import Publication
from socialops.workspaces.models import AuditEntry
from tests.factories import (
    approved_item,
    connect,
    make_account,
    make_publication,
    sandbox_connection,
    wechat_push_connection,
)

SERVER = "https://mastodon.example"
ME = "1"


# ---- followers, against the sandbox platform -----------------------------------------------------


def test_followers_are_recorded_and_the_ones_gone_unfollow(
    workspace: Any, sandbox: Any, sandbox_admin: Any
) -> None:
    connection = sandbox_connection(workspace, sandbox, "acme")
    account = connection.account
    sandbox_admin.set_followers(sandbox_username(account), 130)

    first = sources.followers_sync(workspace=workspace, account=account)

    assert first.supported and first.complete
    assert first.fans_created == 130
    assert Fan.objects.filter(account=account, is_following=True).count() == 130
    # The first listing is the starting point, not 130 follows today.
    assert not Interaction.objects.filter(kind=InteractionKind.FOLLOW).exists()
    assert Person.objects.filter(workspace=workspace).count() == 130

    sandbox_admin.set_followers(sandbox_username(account), 100)
    second = sources.followers_sync(workspace=workspace, account=account)

    assert second.unfollowed == 30
    assert Fan.objects.filter(account=account, is_following=True).count() == 100
    gone = Fan.objects.filter(account=account, is_following=False)
    assert gone.count() == 30 and all(f.unfollowed_at is not None for f in gone)
    assert (
        Interaction.objects.filter(kind=InteractionKind.UNFOLLOW, source=InteractionSource.PULL).count() == 30
    )

    sandbox_admin.set_followers(sandbox_username(account), 105)
    third = sources.followers_sync(workspace=workspace, account=account)

    assert third.unfollowed == 0 and third.interactions_created == 5
    assert Interaction.objects.filter(kind=InteractionKind.FOLLOW).count() == 5
    assert Fan.objects.filter(account=account, is_following=True).count() == 105
    # The same listing again changes nothing.
    assert sources.followers_sync(workspace=workspace, account=account).interactions_created == 0
    assert AuditEntry.objects.filter(action="fans.followers_sync").count() == 3


# ---- comments and messages, against a faked Mastodon ---------------------------------------------


def _status(sid: str, author: str, text: str, *, reply_to: str = "", direct: bool = False) -> dict[str, Any]:
    return {
        "id": sid,
        "created_at": "2026-11-20T08:00:00.000Z",
        "content": f"<p>{text}</p>",
        "visibility": "direct" if direct else "public",
        "in_reply_to_id": reply_to or None,
        "url": f"{SERVER}/@{author}/{sid}",
        "account": {"id": author, "acct": f"fan{author}", "display_name": f"Fan {author}"},
    }


class FakeMastodon:
    """Notifications (mentions) and follower pages; ``ignore_cursor`` re-sends old items as a buggy server would."""

    def __init__(self, router: respx.MockRouter) -> None:
        self.statuses: list[dict[str, Any]] = []
        self.ignore_cursor = False
        self.calls = 0
        router.get(f"{SERVER}/api/v1/notifications").mock(side_effect=self._notifications)

    def _notifications(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        min_id = request.url.params.get("min_id")
        items = [
            {"id": s["id"], "type": "mention", "created_at": s["created_at"], "status": s}
            for s in self.statuses
            if self.ignore_cursor or not min_id or int(s["id"]) > int(min_id)
        ]
        if self.ignore_cursor and min_id:
            # Only once per page of the connector: then it has to stop.
            self.ignore_cursor = False
        return httpx.Response(200, json=items)


@pytest.fixture
def fake() -> Iterator[FakeMastodon]:
    with respx.mock(assert_all_called=False) as router:
        yield FakeMastodon(router)


@pytest.fixture
def mastodon_account(workspace: Any) -> Any:
    account = make_account(workspace, "acme_social", "mastodon")
    connection = connect(account, "mastodon")
    PlatformConnection.objects.filter(pk=connection.pk).update(external_account_id=ME)
    return account


def test_comments_become_fans_and_interactions_of_the_right_kind(
    workspace: Any, mastodon_account: Any, fake: FakeMastodon
) -> None:
    pub = make_publication(workspace, approved_item(workspace, "新品"), mastodon_account)
    Publication.objects.filter(pk=pub.pk).update(external_id="900", state="published")
    fake.statuses = [
        _status("101", "7", "喜欢这款", reply_to="900"),
        _status("102", "8", "回复楼上", reply_to="101"),
        _status("103", "7", "@acme 你好"),
        _status("104", ME, "谢谢", reply_to="101"),  # our own reply
    ]

    result = sources.comments_sync(workspace=workspace, account=mastodon_account)

    assert result.supported and result.interactions_created == 3 and result.fans_created == 2
    kinds = dict(Interaction.objects.values_list("external_id", "kind"))
    assert kinds == {"101": "comment", "102": "reply", "103": "mention"}
    comment = Interaction.objects.get(external_id="101")
    assert comment.text == "喜欢这款" and comment.post_external_id == "900"
    assert comment.fan is not None and comment.fan.handle == "fan7"
    assert comment.person.display_name == "Fan 7"
    assert SourceCursor.objects.get(account=mastodon_account, stream="comments").cursor == "104"


def test_a_comment_on_one_message_of_an_album_is_a_comment_on_our_post(
    workspace: Any, mastodon_account: Any, fake: FakeMastodon
) -> None:
    pub = make_publication(workspace, approved_item(workspace, "相册"), mastodon_account)
    Publication.objects.filter(pk=pub.pk).update(external_id="901,902,903", state="published")
    fake.statuses = [_status("301", "7", "第二张好看", reply_to="902")]

    sources.comments_sync(workspace=workspace, account=mastodon_account)

    assert Interaction.objects.get(external_id="301").kind == "comment"


def test_the_same_comment_pulled_twice_and_pushed_once_is_one_interaction(
    workspace: Any, mastodon_account: Any, fake: FakeMastodon
) -> None:
    fake.statuses = [_status("201", "7", "好看")]
    sources.comments_sync(workspace=workspace, account=mastodon_account)
    # A server that ignores the cursor sends it again.
    fake.ignore_cursor = True
    again = sources.comments_sync(workspace=workspace, account=mastodon_account)
    assert again.interactions_created == 0
    # And the same message arrives by push (the inbox's or a platform's): still one row.
    fan = Fan.objects.get(account=mastodon_account, external_id="7")
    _row, created = interaction_record(
        workspace=workspace,
        fan=fan,
        kind=InteractionKind.COMMENT,
        occurred_at=dt.datetime(2026, 11, 20, 8, tzinfo=dt.UTC),
        source=InteractionSource.PUSH,
        external_id="201",
    )
    assert not created
    assert Interaction.objects.filter(external_id="201").count() == 1
    assert Interaction.objects.get().source == InteractionSource.PULL


def test_messages_have_their_own_cursor(workspace: Any, mastodon_account: Any, fake: FakeMastodon) -> None:
    fake.statuses = [
        _status("301", "7", "私信内容", direct=True),
        _status("302", "8", "公开评论", reply_to="5"),
    ]
    messages = sources.messages_sync(workspace=workspace, account=mastodon_account)
    assert messages.interactions_created == 1
    message = Interaction.objects.get()
    assert message.kind == InteractionKind.MESSAGE and message.text == "私信内容"
    comments = sources.comments_sync(workspace=workspace, account=mastodon_account)
    assert comments.interactions_created == 1
    assert Interaction.objects.get(external_id="302").kind == InteractionKind.REPLY


def test_an_unsupported_capability_is_skipped_quietly(workspace: Any) -> None:
    account = make_account(workspace, "by_hand", "xiaohongshu")
    connect(account, "manual")
    for sync in (sources.followers_sync, sources.comments_sync, sources.messages_sync):
        result = sync(workspace=workspace, account=account)
        assert not result.supported and not result.error
    assert not Fan.objects.exists()


def test_an_account_without_connection_is_skipped(workspace: Any) -> None:
    account = make_account(workspace, "offline", "weibo")
    assert not sources.comments_sync(workspace=workspace, account=account).supported


def test_the_periodic_task_syncs_every_connected_account(
    workspace: Any, mastodon_account: Any, fake: FakeMastodon
) -> None:
    fake.statuses = [_status("401", "9", "来了")]
    assert people_tasks.sync_fan_interactions.call_local() == 1
    assert Interaction.objects.filter(account=mastodon_account).count() == 1
    # Running it again (an overlapping run) adds nothing.
    people_tasks.sync_fan_interactions.call_local()
    assert Interaction.objects.count() == 1


def test_a_failing_account_does_not_stop_the_others(workspace: Any, mastodon_account: Any) -> None:
    with respx.mock(assert_all_called=False) as router:
        router.get(f"{SERVER}/api/v1/notifications").mock(
            return_value=httpx.Response(400, json={"error": "bad"})
        )
        results = sources.account_sync(workspace=workspace, account=mastodon_account)
    assert [r.stream for r in results] == ["comments", "messages"]
    assert all(r.error for r in results)


# ---- WeChat pushes --------------------------------------------------------------------------------


@pytest.fixture
def wechat(workspace: Any) -> PlatformConnection:
    return wechat_push_connection(
        workspace, "gzh", token="tok", aes_key="k" * 43, app_id="wx1234567890abcdef"
    )


def _message(msg_id: str, openid: str, text: str) -> dict[str, Any]:
    return {
        "ToUserName": "gh_1",
        "FromUserName": openid,
        "CreateTime": str(int(time.time())),
        "MsgType": "text",
        "Content": text,
        "MsgId": msg_id,
    }


def _event(openid: str, event: str, created: int) -> dict[str, Any]:
    return {
        "ToUserName": "gh_1",
        "FromUserName": openid,
        "CreateTime": str(created),
        "MsgType": "event",
        "Event": event,
    }


def test_a_pushed_message_becomes_an_interaction_at_once(workspace: Any, wechat: PlatformConnection) -> None:
    push.push_event_record(connection=wechat, message=_message("6054768590064713728", "o-abc", "在吗"))
    # WeChat retries the same push: stored once, converted once.
    push.push_event_record(connection=wechat, message=_message("6054768590064713728", "o-abc", "在吗"))
    interaction = Interaction.objects.get()
    assert interaction.kind == InteractionKind.MESSAGE and interaction.source == InteractionSource.PUSH
    assert interaction.external_id == "6054768590064713728" and interaction.text == "在吗"
    assert interaction.fan is not None and interaction.fan.external_id == "o-abc"
    assert interaction.account == wechat.account
    # The catch-up finds nothing left to do.
    assert sources.push_events_catch_up(connection=wechat) == 0


def test_subscribe_and_unsubscribe_events_follow_and_unfollow(
    workspace: Any, wechat: PlatformConnection
) -> None:
    now = int(time.time())
    push.push_event_record(connection=wechat, message=_event("o-1", "subscribe", now - 60))
    fan = Fan.objects.get(external_id="o-1")
    assert fan.is_following
    push.push_event_record(connection=wechat, message=_event("o-1", "unsubscribe", now))
    fan.refresh_from_db()
    assert not fan.is_following and fan.unfollowed_at is not None
    kinds = list(Interaction.objects.order_by("occurred_at").values_list("kind", flat=True))
    assert kinds == ["follow", "unfollow"]
    assert all(i.external_id.startswith("event:o-1:") for i in Interaction.objects.all())
    # Other events (a publish result) are not interactions.
    push.push_event_record(
        connection=wechat,
        message={**_event("gh_sys", "PUBLISHJOBFINISH", now), "PublishEventInfo": {"publish_id": "1"}},
    )
    assert Interaction.objects.count() == 2


@pytest.fixture
def hook_down() -> Iterator[None]:
    """The fans receiver not connected (as if it failed or fans were not installed yet)."""
    push_event_stored.disconnect(receivers._push_event_stored)
    try:
        yield
    finally:
        push_event_stored.connect(receivers._push_event_stored)


def test_the_catch_up_converts_pushes_the_hook_missed(
    workspace: Any, wechat: PlatformConnection, hook_down: None
) -> None:
    for n in range(3):
        push.push_event_record(connection=wechat, message=_message(str(1000 + n), f"o-{n % 2}", f"第{n}条"))
    assert not Interaction.objects.exists()

    assert sources.push_events_catch_up(connection=wechat) == 3
    assert Interaction.objects.filter(source=InteractionSource.PUSH).count() == 3
    assert Fan.objects.filter(account=wechat.account).count() == 2
    assert sources.push_events_catch_up(connection=wechat) == 0
    push.push_event_record(connection=wechat, message=_message("2000", "o-9", "新的"))
    assert sources.push_events_catch_up(connection=wechat) == 1


def test_a_failing_receiver_does_not_refuse_the_push(
    workspace: Any, wechat: PlatformConnection, monkeypatch: Any
) -> None:
    def broken(**kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(sources, "push_event_convert", broken)
    event, created = push.push_event_record(connection=wechat, message=_message("77", "o-1", "hi"))
    assert created and event.pk
    assert not Interaction.objects.exists()
    monkeypatch.undo()
    assert sources.push_events_catch_up(connection=wechat) == 1
    assert Interaction.objects.filter(~Q(text="")).count() == 1
