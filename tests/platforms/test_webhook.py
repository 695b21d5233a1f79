"""The webhook connector: signed JSON to the customer's URL, and how each answer is read."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import respx

from socialops.platforms.connectors.base import (
    AuthRevoked,
    MediaFile,
    OutcomeUnknown,
    PermanentError,
    PostRequest,
    RetryableError,
)
from socialops.platforms.connectors.webhook import WebhookConnector, sign, verify_signature
from socialops.platforms.credentials import Credentials

URL = "https://hooks.example.com/socialops"
SECRET = "whsec_0123456789abcdef"


class Receiver:
    """A customer endpoint that checks the signature and de-duplicates on the idempotency key."""

    def __init__(self) -> None:
        self.posts: dict[str, dict[str, Any]] = {}
        self.requests: list[httpx.Request] = []
        self.canned: list[Any] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.canned:
            item = self.canned.pop(0)
            if isinstance(item, Exception):
                raise item
            return item
        if not verify_signature(SECRET, request.headers, request.content):
            return httpx.Response(401, json={"error": "bad signature"})
        body = json.loads(request.content)
        assert body["idempotency_key"] == request.headers["Idempotency-Key"]
        if body["event"] != "post.publish":
            return httpx.Response(204)
        key = body["idempotency_key"]
        if key in self.posts:
            return httpx.Response(409, json=self.posts[key])
        self.posts[key] = {
            "id": f"cms-{len(self.posts) + 1}",
            "url": f"https://cms.example/p/{len(self.posts) + 1}",
        }
        return httpx.Response(201, json=self.posts[key])


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    with respx.mock(assert_all_called=False) as router:
        router.post(URL).mock(side_effect=receiver)
        yield receiver


@pytest.fixture
def hook() -> Iterator[WebhookConnector]:
    connector = WebhookConnector(base_url=URL, credentials=Credentials(signing_secret=SECRET))
    yield connector
    connector.close()


def test_publish_is_signed_json_with_the_key(receiver: Receiver, hook: WebhookConnector) -> None:
    result = hook.publish(
        PostRequest(
            text="新品上市",
            title="标题",
            hashtags=("新品",),
            media=(MediaFile("a.png", "image/png", url="https://cdn.example/a.png", description="alt"),),
        ),
        idempotency_key="pub-1",
    )
    request = receiver.requests[0]
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Idempotency-Key"] == "pub-1"
    assert request.headers["X-SocialOps-Event"] == "post.publish"
    assert request.headers["X-SocialOps-Delivery"]
    timestamp = request.headers["X-SocialOps-Timestamp"]
    assert abs(int(timestamp) - time.time()) < 5
    assert request.headers["X-SocialOps-Signature"] == sign(SECRET, timestamp, request.content)
    body = json.loads(request.content)
    assert body["event"] == "post.publish" and body["idempotency_key"] == "pub-1"
    assert (
        body["post"]["text"] == "新品上市"
        and body["post"]["title"] == "标题"
        and body["post"]["kind"] == "images"
    )
    assert body["post"]["media"] == [
        {
            "filename": "a.png",
            "content_type": "image/png",
            "description": "alt",
            "url": "https://cdn.example/a.png",
        }
    ]
    assert (result.external_id, result.url, result.duplicate) == ("cms-1", "https://cms.example/p/1", False)


def test_resending_the_same_key_is_recognised(receiver: Receiver, hook: WebhookConnector) -> None:
    first = hook.publish(PostRequest(text="x"), idempotency_key="k")
    again = hook.publish(PostRequest(text="x"), idempotency_key="k")
    assert again.duplicate and again.external_id == first.external_id
    assert len(receiver.posts) == 1
    # Each attempt is its own delivery, with a fresh signature over its own timestamp.
    assert (
        receiver.requests[0].headers["X-SocialOps-Delivery"]
        != receiver.requests[1].headers["X-SocialOps-Delivery"]
    )


def test_2xx_without_a_body_uses_the_key_as_id(receiver: Receiver, hook: WebhookConnector) -> None:
    receiver.canned.append(httpx.Response(204))
    result = hook.publish(PostRequest(text="x"), idempotency_key="key-9")
    assert result.external_id == "key-9" and result.is_published


def test_inline_media_when_there_is_no_url(receiver: Receiver, hook: WebhookConnector) -> None:
    hook.publish(
        PostRequest(text="x", media=(MediaFile("a.png", "image/png", data=b"PNGDATA"),)), idempotency_key="k"
    )
    media = json.loads(receiver.requests[0].content)["post"]["media"][0]
    assert base64.b64decode(media["data_base64"]) == b"PNGDATA"


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (httpx.Response(400, json={"message": "title too long"}), PermanentError),
        (httpx.Response(422, text="nope"), PermanentError),
        (httpx.Response(401, json={"error": "bad signature"}), AuthRevoked),
        (httpx.Response(403, text="forbidden"), AuthRevoked),
        (httpx.Response(429, headers={"Retry-After": "3"}), RetryableError),
        (httpx.Response(503, text="maintenance"), RetryableError),
        (httpx.Response(500, text="crash"), OutcomeUnknown),
        (httpx.ConnectError("refused"), RetryableError),
        (httpx.ConnectTimeout("slow"), RetryableError),
        (httpx.ReadTimeout("no answer"), OutcomeUnknown),
    ],
)
def test_answers_classified(
    receiver: Receiver, hook: WebhookConnector, answer: Any, expected: type[Exception]
) -> None:
    receiver.canned.append(answer)
    with pytest.raises(expected):
        hook.publish(PostRequest(text="x"), idempotency_key="k")


def test_permanent_error_carries_the_receivers_message(receiver: Receiver, hook: WebhookConnector) -> None:
    receiver.canned.append(httpx.Response(400, json={"message": "title too long"}))
    with pytest.raises(PermanentError, match="title too long"):
        hook.publish(PostRequest(text="x"), idempotency_key="k")


def test_wrong_secret_is_refused_by_the_receiver(receiver: Receiver) -> None:
    with (
        WebhookConnector(
            base_url=URL, credentials=Credentials(signing_secret="another_secret_value")
        ) as wrong,
        pytest.raises(AuthRevoked, match="refused our signature"),
    ):
        wrong.publish(PostRequest(text="x"), idempotency_key="k")
    with WebhookConnector(base_url=URL, credentials=Credentials()) as none, pytest.raises(AuthRevoked):
        none.publish(PostRequest(text="x"), idempotency_key="k")
    assert not receiver.posts


def test_ping_and_delete(receiver: Receiver, hook: WebhookConnector) -> None:
    info = hook.verify()
    assert info.handle == "hooks.example.com"
    assert json.loads(receiver.requests[0].content)["event"] == "ping"
    hook.delete("cms-1")
    assert json.loads(receiver.requests[1].content) | {"sent_at": None} == {
        "event": "post.delete",
        "idempotency_key": "delete-cms-1",
        "sent_at": None,
        "account": {},
        "external_id": "cms-1",
    }
    receiver.canned.append(httpx.Response(404))
    hook.delete("gone")  # already gone: fine


def test_empty_post_is_refused_before_sending(receiver: Receiver, hook: WebhookConnector) -> None:
    with pytest.raises(PermanentError, match="needs text or media"):
        hook.publish(PostRequest(text="  "), idempotency_key="k")
    assert not receiver.requests


def test_receiver_side_verification() -> None:
    body = b'{"event":"ping"}'
    now = int(time.time())
    headers = {"X-SocialOps-Timestamp": str(now), "X-SocialOps-Signature": sign(SECRET, str(now), body)}
    assert verify_signature(SECRET, headers, body)
    assert not verify_signature(SECRET, headers, body + b" ")  # tampered
    assert not verify_signature("other-secret-value", headers, body)
    stale = {
        "X-SocialOps-Timestamp": str(now - 600),
        "X-SocialOps-Signature": sign(SECRET, str(now - 600), body),
    }
    assert not verify_signature(SECRET, stale, body)  # replayed
