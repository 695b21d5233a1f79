"""The Telegram connector against a respx fake of the Bot API that enforces its documented shapes.

The fake checks the token in the path, the chat id, text ≤ 4096, caption ≤ 1024, a media group
of 2–10 photos with ``attach://`` names matching uploaded parts, and answers errors the Bot API
way: {"ok": false, "error_code", "description", "parameters": {"retry_after"}}. getUpdates takes
``offset``, ``limit`` 1–100, ``timeout`` and ``allowed_updates``; an offset confirms (forgets)
every update below it, as the Bot API does, and with a webhook set it answers 409. sendMessage to
a fan's chat needs a chat the bot has heard from and ``reply_parameters`` naming a message in it.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import respx

from socialops.platforms.connectors.base import (
    AuthRevoked,
    Capability,
    MediaFile,
    NotSupported,
    OutcomeUnknown,
    PermanentError,
    PostRequest,
    RetryableError,
)
from socialops.platforms.connectors.telegram import TelegramConnector, redact
from socialops.platforms.credentials import Credentials
from socialops.platforms.registry import connector_class

API = "https://api.telegram.org"
TOKEN = "123456789:AAHsecretTOKENvalue_-xyz"
CHAT = "@shop_channel"
CHANNEL_ID = -1001234567890
GROUP_ID = -1009876543210
FAN_ID = 777001
BOT_ID = 123456789
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _fail(code: int, description: str, **parameters: Any) -> httpx.Response:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return httpx.Response(code, json=body)


class FakeBotAPI:
    """Messages the bot has posted in the channel."""

    def __init__(self, router: respx.MockRouter) -> None:
        self.messages: dict[int, dict[str, Any]] = {}
        self.next_id = 100
        self.queued: list[httpx.Response | Exception] = []
        self.calls: list[str] = []
        # The bot's update queue (unconfirmed updates, oldest first), the chats it has heard from
        # (chat id -> message ids) and what getUpdates / sendMessage were sent.
        self.updates: list[dict[str, Any]] = []
        self.next_update = 500
        self.chats: dict[int, set[int]] = {}
        self.webhook = False
        self.polls: list[dict[str, Any]] = []
        self.sent: list[dict[str, Any]] = []
        router.route(url__regex=rf"{API}/bot[^/]+/\w+$").mock(side_effect=self._handle)

    def _params(self, request: httpx.Request) -> tuple[dict[str, Any], dict[str, bytes]]:
        ctype = request.headers.get("content-type", "")
        if ctype.startswith("application/json"):
            return json.loads(request.content), {}
        if ctype.startswith("multipart/form-data"):
            boundary = ctype.split("boundary=")[1].encode()
            fields: dict[str, Any] = {}
            files: dict[str, bytes] = {}
            for part in request.content.split(b"--" + boundary):
                if b"\r\n\r\n" not in part:
                    continue
                head, _sep, value = part.partition(b"\r\n\r\n")
                name = head.split(b'name="')[1].split(b'"')[0].decode()
                value = value.removesuffix(b"\r\n")
                if b"filename=" in head:
                    files[name] = value
                else:
                    fields[name] = value.decode()
            return fields, files
        from urllib.parse import parse_qsl

        return dict(parse_qsl(request.content.decode())), {}

    def _message(self, chat: str, **extra: Any) -> dict[str, Any]:
        self.next_id += 1
        message = {
            "message_id": self.next_id,
            "date": 1767225600,
            "chat": {"id": -1001234567890, "type": "channel", "username": chat.lstrip("@")},
            **extra,
        }
        self.messages[self.next_id] = message
        return message

    def _handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        token, method = path.split("/")[1][3:], path.split("/")[2]
        self.calls.append(method)
        if self.queued:
            item = self.queued.pop(0)
            if isinstance(item, Exception):
                raise item
            return item
        if token != TOKEN:
            return _fail(401, "Unauthorized")
        params, files = self._params(request)
        if method == "getMe":
            return httpx.Response(
                200, json={"ok": True, "result": {"id": 123456789, "is_bot": True, "username": "shop_bot"}}
            )
        if method == "getUpdates":
            return self._get_updates(params)
        if method == "sendMessage" and params.get("chat_id") in self.chats:
            return self._answer(params)
        if params.get("chat_id") != CHAT:
            return _fail(400, "Bad Request: chat not found")
        if method == "getChat":
            return httpx.Response(
                200,
                json={
                    "ok": True,
                    "result": {"id": -1001234567890, "title": "小店", "username": "shop_channel"},
                },
            )
        if method == "sendMessage":
            text = params.get("text", "")
            if not text:
                return _fail(400, "Bad Request: message text is empty")
            if len(text) > 4096:
                return _fail(400, "Bad Request: message is too long")
            return httpx.Response(200, json={"ok": True, "result": self._message(CHAT, text=text)})
        if method == "sendPhoto":
            if len(params.get("caption", "")) > 1024:
                return _fail(400, "Bad Request: message caption is too long")
            if "photo" not in files and not str(params.get("photo", "")).startswith("https://"):
                return _fail(400, "Bad Request: there is no photo in the request")
            return httpx.Response(200, json={"ok": True, "result": self._message(CHAT, photo=[{}])})
        if method == "sendMediaGroup":
            media = json.loads(params.get("media", "[]"))
            if not 2 <= len(media) <= 10:
                return _fail(400, "Bad Request: wrong number of media in the group")
            for item in media:
                ref = item["media"]
                if ref.startswith("attach://") and ref[9:] not in files:
                    return _fail(400, "Bad Request: wrong file identifier/HTTP URL specified")
                if len(item.get("caption", "")) > 1024:
                    return _fail(400, "Bad Request: message caption is too long")
            result = [self._message(CHAT, photo=[{}], media_group_id="g1") for _ in media]
            return httpx.Response(200, json={"ok": True, "result": result})
        if method == "deleteMessage":
            if self.messages.pop(int(params["message_id"]), None) is None:
                return _fail(400, "Bad Request: message to delete not found")
            return httpx.Response(200, json={"ok": True, "result": True})
        return _fail(404, "Not Found")

    # ---- the fans' side ----------------------------------------------------------------------

    def receive(self, chat: dict[str, Any], sender: dict[str, Any] | None, **fields: Any) -> dict[str, Any]:
        """A message the bot sees (an update in its queue); returns the message."""
        self.next_id += 1
        self.next_update += 1
        message: dict[str, Any] = {
            "message_id": self.next_id,
            "date": 1767225600 + self.next_id,
            "chat": chat,
        }
        if sender is not None:
            message["from"] = sender
        message.update(fields)
        self.chats.setdefault(chat["id"], set()).add(self.next_id)
        self.updates.append({"update_id": self.next_update, "message": message})
        return message

    def _get_updates(self, params: dict[str, Any]) -> httpx.Response:
        if self.webhook:
            return _fail(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
            )
        assert set(params) <= {"offset", "limit", "timeout", "allowed_updates"}, params
        limit = params.get("limit", 100)
        assert isinstance(limit, int) and 1 <= limit <= 100, limit
        assert params.get("timeout", 0) == 0
        assert params.get("allowed_updates", ["message"]) == ["message"]
        offset = params.get("offset", 0)
        assert isinstance(offset, int)
        self.polls.append(params)
        if offset:
            # Confirmed: Telegram forgets every update below the offset.
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        return httpx.Response(200, json={"ok": True, "result": self.updates[:limit]})

    def _answer(self, params: dict[str, Any]) -> httpx.Response:
        chat_id = params["chat_id"]
        assert set(params) <= {"chat_id", "text", "reply_parameters"}, params
        text = params.get("text", "")
        if not text:
            return _fail(400, "Bad Request: message text is empty")
        if len(text) > 4096:
            return _fail(400, "Bad Request: message is too long")
        quoted = params.get("reply_parameters")
        assert isinstance(quoted, dict) and isinstance(quoted.get("message_id"), int), quoted
        assert set(quoted) <= {"message_id", "chat_id", "allow_sending_without_reply", "quote"}
        if quoted["message_id"] not in self.chats[chat_id] and not quoted.get("allow_sending_without_reply"):
            return _fail(400, "Bad Request: message to be replied not found")
        self.sent.append(params)
        self.next_id += 1
        chat = {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"}
        message = {"message_id": self.next_id, "date": 1767225600, "chat": chat, "text": text}
        message["from"] = {"id": BOT_ID, "is_bot": True, "username": "shop_bot"}
        self.chats[chat_id].add(self.next_id)
        return httpx.Response(200, json={"ok": True, "result": message})


@pytest.fixture
def fake() -> Iterator[FakeBotAPI]:
    with respx.mock(assert_all_called=False) as router:
        yield FakeBotAPI(router)


@pytest.fixture
def client() -> Iterator[TelegramConnector]:
    connector = TelegramConnector(credentials=Credentials(access_token=TOKEN, client_id=CHAT))
    yield connector
    connector.close()


def test_registered_and_declares_no_dedupe() -> None:
    cls = connector_class("telegram")
    assert cls is TelegramConnector
    assert cls.dedupe_window == dt.timedelta(0)
    assert not cls.supports(Capability.FIND_PUBLISHED)


def test_find_published_is_not_supported(client: TelegramConnector) -> None:
    with pytest.raises(NotSupported):
        client.find_published(idempotency_key="k", since=dt.datetime.now(dt.UTC), post=PostRequest(text="x"))


def test_text_post(fake: FakeBotAPI, client: TelegramConnector) -> None:
    result = client.publish(PostRequest(text="上新了", link_url="https://shop.example"), idempotency_key="k1")
    assert result.external_id == "101"
    assert result.url == "https://t.me/shop_channel/101"
    assert fake.messages[101]["text"] == "上新了\n\nhttps://shop.example"


def test_one_photo_and_an_album(fake: FakeBotAPI, client: TelegramConnector) -> None:
    one = client.publish(
        PostRequest(text="图", media=(MediaFile("a.png", "image/png", data=PNG),)), idempotency_key="k"
    )
    assert fake.calls[-1] == "sendPhoto" and one.external_id == "101"
    by_url = MediaFile("b.png", "image/png", url="https://cdn.example/b.png")
    media = (MediaFile("a.png", "image/png", data=PNG), by_url, MediaFile("c.png", "image/png", data=PNG))
    album = client.publish(PostRequest(text="三张", media=media), idempotency_key="k2")
    assert fake.calls[-1] == "sendMediaGroup"
    assert album.external_id == "102,103,104"
    client.delete(album.external_id)
    assert set(fake.messages) == {101}


def test_limits_are_checked_before_sending(fake: FakeBotAPI, client: TelegramConnector) -> None:
    with pytest.raises(PermanentError, match="4096"):
        client.publish(PostRequest(text="字" * 4097), idempotency_key="k")
    photo = MediaFile("a.png", "image/png", data=PNG)
    with pytest.raises(PermanentError, match="1024"):
        client.publish(PostRequest(text="字" * 1025, media=(photo,)), idempotency_key="k")
    with pytest.raises(PermanentError, match="10"):
        client.publish(PostRequest(text="x", media=(photo,) * 11), idempotency_key="k")
    assert fake.calls == []
    client.publish(PostRequest(text="字" * 4096), idempotency_key="k")


def test_error_codes(fake: FakeBotAPI, client: TelegramConnector) -> None:
    fake.queued = [
        _fail(429, "Too Many Requests: retry after 17", retry_after=17),
        _fail(400, "Bad Request: chat not found"),
        _fail(403, "Forbidden: bot was kicked from the channel chat"),
        _fail(401, "Unauthorized"),
    ]
    with pytest.raises(RetryableError) as limited:
        client.publish(PostRequest(text="x"), idempotency_key="k")
    assert limited.value.retry_after == 17
    with pytest.raises(PermanentError, match="chat not found"):
        client.publish(PostRequest(text="x"), idempotency_key="k")
    with pytest.raises(AuthRevoked, match="kicked"):
        client.publish(PostRequest(text="x"), idempotency_key="k")
    with pytest.raises(AuthRevoked):
        client.verify()


def test_unreadable_answer_to_a_send_is_outcome_unknown(fake: FakeBotAPI, client: TelegramConnector) -> None:
    album = tuple(MediaFile(f"{i}.png", "image/png", data=PNG) for i in range(2))
    fake.queued = [
        httpx.Response(200, text="<html>OK</html>"),
        httpx.Response(200, json={"result": {"message_id": 5}}),
        httpx.Response(200, json={"ok": True, "result": []}),
        httpx.Response(200, json={"ok": True, "result": None}),
    ]
    # Not JSON, no "ok", an empty album, no message: Telegram may have posted; never "try again".
    for post in (PostRequest(text="x"), PostRequest(text="x"), PostRequest(text="x", media=album)):
        with pytest.raises(OutcomeUnknown):
            client.publish(post, idempotency_key="k")
    with pytest.raises(OutcomeUnknown):
        client.publish(PostRequest(text="x"), idempotency_key="k")
    # The same answer to a read is only "ask again".
    fake.queued = [httpx.Response(200, text="<html>OK</html>")]
    with pytest.raises(RetryableError):
        client.verify()


def test_deleting_a_gone_message_is_fine(fake: FakeBotAPI, client: TelegramConnector) -> None:
    client.delete("999")


def test_verify(fake: FakeBotAPI, client: TelegramConnector) -> None:
    info = client.verify()
    assert (info.external_id, info.handle, info.display_name) == ("-1001234567890", "@shop_channel", "小店")


def test_token_never_in_errors_or_logs(
    fake: FakeBotAPI, client: TelegramConnector, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client.publish(PostRequest(text="x"), idempotency_key="k")
    fake.queued = [httpx.ReadTimeout(f"timed out reading {API}/bot{TOKEN}/sendMessage")]
    with pytest.raises(OutcomeUnknown) as unknown:
        client.publish(PostRequest(text="x"), idempotency_key="k")
    fake.queued = [httpx.ConnectError(f"failed {API}/bot{TOKEN}/sendMessage")]
    with pytest.raises(RetryableError) as retry:
        client.publish(PostRequest(text="x"), idempotency_key="k")
    for err in (unknown.value, retry.value):
        assert TOKEN not in str(err) and TOKEN not in repr(err.args)
        assert err.__cause__ is None
    assert TOKEN not in repr(client) and TOKEN not in repr(client.credentials)
    assert TOKEN not in caplog.text
    # httpx logs every request's URL; the filter on its logger masks the token in the record.
    record = logging.LogRecord(
        "httpx",
        logging.INFO,
        __file__,
        1,
        'HTTP Request: %s %s "%s"',
        ("POST", f"{API}/bot{TOKEN}/sendMessage", "HTTP/1.1 200 OK"),
        None,
    )
    assert all(f.filter(record) for f in logging.getLogger("httpx").filters if isinstance(f, logging.Filter))
    assert TOKEN not in record.getMessage() and "/bot***/sendMessage" in record.getMessage()
    assert redact(f"/bot{TOKEN}/x") == "/bot***/x"


# ---- the inbox: updates in, replies out ------------------------------------------------------

FAN = {"id": FAN_ID, "is_bot": False, "first_name": "小王", "last_name": "粉丝", "username": "fan_wang"}
FAN_CHAT = {"id": FAN_ID, "type": "private", "first_name": "小王"}
GROUP = {"id": GROUP_ID, "type": "supergroup", "title": "小店 讨论"}
CHANNEL = {"id": CHANNEL_ID, "type": "channel", "title": "小店", "username": "shop_channel"}


def _channel_copy(fake: FakeBotAPI, post_id: int) -> dict[str, Any]:
    """Our channel post as Telegram copies it into the linked discussion group."""
    return fake.receive(
        GROUP,
        {"id": 777000, "is_bot": False, "first_name": "Telegram"},
        sender_chat=CHANNEL,
        is_automatic_forward=True,
        forward_origin={"type": "channel", "chat": CHANNEL, "message_id": post_id, "date": 1767225600},
        text="上新了",
    )


def test_comments_and_direct_messages_are_pulled_once(fake: FakeBotAPI, client: TelegramConnector) -> None:
    assert {Capability.COMMENTS, Capability.MESSAGES, Capability.REPLY} <= client.capabilities
    post = client.publish(PostRequest(text="上新了"), idempotency_key="k1")
    copy = _channel_copy(fake, int(post.external_id))
    comment = fake.receive(GROUP, FAN, text="多少钱？", reply_to_message=copy)
    dm = fake.receive(FAN_CHAT, FAN, text="在吗，想问优惠码")
    fake.receive(GROUP, FAN, text="大家好")  # group chatter, not a comment
    ours = fake.receive(GROUP, {"id": BOT_ID, "is_bot": True, "username": "shop_bot"}, text="99 元")
    answer = fake.receive(GROUP, FAN, photo=[{"file_id": "x"}], reply_to_message=ours)
    last_update = fake.next_update

    page = client.fetch_comments()
    assert [c.external_id for c in page.items] == [
        f"{GROUP_ID}:{comment['message_id']}",
        f"{FAN_ID}:{dm['message_id']}",
        f"{GROUP_ID}:{answer['message_id']}",
    ]
    first, private, photo = page.items
    # A comment answers the channel post under the id the connector stored for the publication.
    assert first.in_reply_to == post.external_id and not first.is_private
    assert (first.author_id, first.author_handle, first.author_name) == (str(FAN_ID), "fan_wang", "小王 粉丝")
    assert first.text == "多少钱？"
    assert first.created_at == dt.datetime.fromtimestamp(comment["date"], dt.UTC)
    assert first.url == f"https://t.me/c/9876543210/{comment['message_id']}"
    assert private.is_private and private.in_reply_to == "" and private.url == ""
    assert photo.in_reply_to == f"{GROUP_ID}:{ours['message_id']}" and photo.text == "[photo]"
    assert page.cursor == str(last_update + 1)

    again = client.fetch_comments(cursor=page.cursor)
    assert again.items == [] and again.cursor == page.cursor
    assert fake.updates == []  # confirmed
    assert fake.polls[0] == {"limit": 40, "timeout": 0, "allowed_updates": ["message"]}
    assert fake.polls[1]["offset"] == last_update + 1

    # Direct messages on their own stream: only private chats, next offset as the cursor.
    later = fake.receive(FAN_CHAT, FAN, text="发货了吗")
    messages = client.fetch_messages(cursor=page.cursor)
    assert [m.external_id for m in messages.items] == [f"{FAN_ID}:{later['message_id']}"]
    assert messages.items[0].is_private
    assert messages.cursor == str(fake.next_update + 1)
    assert client.fetch_messages(cursor=messages.cursor).items == []


def test_a_messages_pull_never_confirms_a_comment(fake: FakeBotAPI, client: TelegramConnector) -> None:
    copy = _channel_copy(fake, 101)
    copy_update = fake.next_update
    dm1 = fake.receive(FAN_CHAT, FAN, text="一")
    comment = fake.receive(GROUP, FAN, text="评论", reply_to_message=copy)
    comment_update = fake.next_update
    dm2 = fake.receive(FAN_CHAT, FAN, text="二")

    messages = client.fetch_messages()
    assert [m.external_id for m in messages.items] == [f"{FAN_ID}:{dm1['message_id']}"]
    # Stopped before the comment: the next offset is the comment's own update, not past it.
    assert messages.cursor == str(comment_update)
    assert client.fetch_messages(cursor=messages.cursor).items == []
    assert [u["update_id"] for u in fake.updates][0] == comment_update
    assert copy_update < comment_update

    # The comments pull gets the comment, and the direct message behind it (it is gone after).
    comments = client.fetch_comments()
    assert [c.external_id for c in comments.items] == [
        f"{GROUP_ID}:{comment['message_id']}",
        f"{FAN_ID}:{dm2['message_id']}",
    ]
    assert [c.is_private for c in comments.items] == [False, True]
    assert comments.items[0].in_reply_to == "101"
    assert client.fetch_comments(cursor=comments.cursor).items == []
    assert client.fetch_messages(cursor=messages.cursor).items == []


def test_reply_answers_in_the_fans_chat(fake: FakeBotAPI, client: TelegramConnector) -> None:
    dm = fake.receive(FAN_CHAT, FAN, text="在吗")
    result = client.reply(
        in_reply_to=f"{FAN_ID}:{dm['message_id']}",
        text="在的，优惠码 SAVE10",
        idempotency_key="r1",
        recipient="fan_wang",
        private=True,
    )
    assert fake.sent[-1] == {
        "chat_id": FAN_ID,
        "text": "在的，优惠码 SAVE10",
        "reply_parameters": {"message_id": dm["message_id"], "allow_sending_without_reply": True},
    }
    assert result.external_id == f"{FAN_ID}:{fake.next_id}" and result.url == ""

    comment = fake.receive(GROUP, FAN, text="多少钱？", reply_to_message=_channel_copy(fake, 101))
    public = client.reply(
        in_reply_to=f"{GROUP_ID}:{comment['message_id']}", text="99 元", idempotency_key="r2"
    )
    assert fake.sent[-1]["chat_id"] == GROUP_ID
    assert fake.sent[-1]["reply_parameters"]["message_id"] == comment["message_id"]
    assert public.external_id == f"{GROUP_ID}:{fake.next_id}"
    # Telegram has no idempotency key: the same key sends again (the engine never retries blindly).
    client.reply(in_reply_to=f"{GROUP_ID}:{comment['message_id']}", text="99 元", idempotency_key="r2")
    assert len(fake.sent) == 3


def test_reply_checks_before_sending(fake: FakeBotAPI, client: TelegramConnector) -> None:
    comment = fake.receive(GROUP, FAN, text="？")
    with pytest.raises(PermanentError, match="privately"):
        client.reply(
            in_reply_to=f"{GROUP_ID}:{comment['message_id']}", text="私聊", idempotency_key="r", private=True
        )
    with pytest.raises(PermanentError):
        client.reply(in_reply_to="101", text="x", idempotency_key="r")
    with pytest.raises(PermanentError, match="4096"):
        client.reply(in_reply_to=f"{GROUP_ID}:{comment['message_id']}", text="字" * 4097, idempotency_key="r")
    with pytest.raises(PermanentError):
        client.reply(in_reply_to=f"{GROUP_ID}:{comment['message_id']}", text="  ", idempotency_key="r")
    assert fake.sent == [] and "sendMessage" not in fake.calls


def test_lost_answer_to_a_reply_is_an_unknown_outcome(fake: FakeBotAPI, client: TelegramConnector) -> None:
    dm = fake.receive(FAN_CHAT, FAN, text="在吗")
    target = f"{FAN_ID}:{dm['message_id']}"
    fake.queued = [
        httpx.Response(200, text="<html>OK</html>"),
        httpx.Response(200, json={"ok": True, "result": None}),
        httpx.ReadTimeout("slow"),
        _fail(502, "Bad Gateway"),
    ]
    for _attempt in range(4):
        with pytest.raises(OutcomeUnknown):
            client.reply(in_reply_to=target, text="在的", idempotency_key="r", private=True)
    # The same unreadable answer to a pull is only "ask again".
    fake.queued = [httpx.Response(200, text="<html>OK</html>")]
    with pytest.raises(RetryableError):
        client.fetch_messages()


def test_a_webhook_on_the_bot_is_explained(fake: FakeBotAPI, client: TelegramConnector) -> None:
    fake.webhook = True
    with pytest.raises(PermanentError, match="webhook"):
        client.fetch_comments()
    fake.webhook = False
    fake.queued = [_fail(409, "Conflict: terminated by other getUpdates request")]
    with pytest.raises(RetryableError):
        client.fetch_messages()
