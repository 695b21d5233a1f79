"""The Telegram connector against a respx fake of the Bot API that enforces its documented shapes.

The fake checks the token in the path, the chat id, text ≤ 4096, caption ≤ 1024, a media group
of 2–10 photos with ``attach://`` names matching uploaded parts, and answers errors the Bot API
way: {"ok": false, "error_code", "description", "parameters": {"retry_after"}}.
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
    assert all(f.filter(record) for f in logging.getLogger("httpx").filters)
    assert TOKEN not in record.getMessage() and "/bot***/sendMessage" in record.getMessage()
    assert redact(f"/bot{TOKEN}/x") == "/bot***/x"
