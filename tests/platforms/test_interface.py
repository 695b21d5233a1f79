"""The connector interface: declared capabilities match what each connector implements."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import respx

from socialops.platforms.connectors import http
from socialops.platforms.connectors.base import (
    CAPABILITY_LABELS,
    Capability,
    Connector,
    ConnectorError,
    NotSupported,
    OutcomeUnknown,
    PostKind,
    PostRequest,
    RetryableError,
)
from socialops.platforms.connectors.http import HttpConnector
from socialops.platforms.registry import CONNECTORS, kinds_for_platform

# Which method serves each capability.
METHODS = {
    Capability.DELETE: "delete",
    Capability.POST_METRICS: "fetch_post_metrics",
    Capability.ACCOUNT_METRICS: "fetch_account_metrics",
    Capability.COMMENTS: "fetch_comments",
    Capability.MESSAGES: "fetch_messages",
    Capability.REPLY: "reply",
    Capability.FOLLOWERS: "fetch_followers",
    Capability.TAG_FOLLOWERS: "tag_followers",
    Capability.SEND_TO_TAG: "send_to_tag",
    Capability.FIND_PUBLISHED: "find_published",
    Capability.WITHDRAW: "withdraw",
    Capability.REFRESH: "refresh",
}
CALLS = {
    "delete": {"external_id": "1"},
    "fetch_post_metrics": {"external_id": "1"},
    "fetch_account_metrics": {},
    "fetch_comments": {},
    "fetch_messages": {},
    "reply": {"in_reply_to": "1", "text": "x", "idempotency_key": "k"},
    "fetch_followers": {},
    "tag_followers": {"tag": "vip", "follower_ids": ["1"]},
    "send_to_tag": {"tag": "vip", "post": PostRequest(text="x"), "idempotency_key": "k"},
    "find_published": {"idempotency_key": "k", "since": None, "post": PostRequest(text="x")},
    "withdraw": {"idempotency_key": "k"},
    "refresh": {},
}


def test_every_capability_has_a_label() -> None:
    assert set(CAPABILITY_LABELS) == set(Capability)


@pytest.mark.parametrize("kind", sorted(CONNECTORS))
def test_declared_capabilities_are_implemented(kind: str) -> None:
    cls = CONNECTORS[kind]
    assert cls.kind == kind
    for capability, method in METHODS.items():
        overridden = getattr(cls, method) is not getattr(Connector, method)
        assert overridden == (capability in cls.capabilities), (kind, capability)
    publishes = {c for c in cls.capabilities if c.value.startswith("publish_")}
    assert publishes == {Capability(f"publish_{k}") for k in PostKind} & cls.capabilities
    assert publishes, kind


@pytest.mark.parametrize("kind", sorted(CONNECTORS))
def test_absent_capabilities_raise_not_supported(kind: str) -> None:
    connector = CONNECTORS[kind](base_url="https://example.invalid")
    for capability, method in METHODS.items():
        if capability in connector.capabilities:
            continue
        with pytest.raises(NotSupported) as info:
            getattr(connector, method)(**CALLS[method])
        assert info.value.capability == capability
        assert isinstance(info.value, ConnectorError) and info.value.kind == "not_supported"


def test_kinds_offered_per_platform() -> None:
    assert [k for k, _label in kinds_for_platform("mastodon")] == ["mastodon", "sandbox", "webhook", "manual"]
    assert [k for k, _label in kinds_for_platform("xiaohongshu")] == ["sandbox", "webhook", "manual"]


def test_effective_kind() -> None:
    from socialops.platforms.connectors.base import MediaFile

    assert PostRequest(text="x").effective_kind == PostKind.TEXT
    assert PostRequest(text="x", media=(MediaFile("a.png", "image/png"),)).effective_kind == PostKind.IMAGES
    assert (
        PostRequest(
            text="x", media=(MediaFile("a.png", "image/png"), MediaFile("v.mp4", "video/mp4"))
        ).effective_kind
        == PostKind.VIDEO
    )
    assert PostRequest(text="x", kind=PostKind.ARTICLE).effective_kind == PostKind.ARTICLE


# ---- the write rule of the base class: a connector that forgets it is still safe --------------


class _Careless(HttpConnector):
    """A new connector that reads every answer naively: anything it cannot read is "try again"."""

    kind = "careless"

    def verify(self) -> Any:  # pragma: no cover - not used
        raise NotImplementedError

    def _send(self, method: str, path: str, *, mutating: bool) -> Any:
        response = http.send(self.client, self.client.build_request(method, path), mutating=mutating)
        http.raise_for_common(response, mutating=mutating)
        data = http.body_json(response)
        if not isinstance(data, dict):
            raise RetryableError("not JSON")
        if data.get("busy"):
            raise RetryableError("busy, try later", platform_code="busy")
        return data

    def publish(self, post: PostRequest, *, idempotency_key: str) -> Any:
        self._send("POST", "/upload", mutating=False)
        made = self._send("POST", "/posts", mutating=True)
        if post.options.get("then_read"):
            self._send("GET", "/posts/status", mutating=False)
        if not made.get("id"):
            raise RetryableError("no id in the answer")
        return made


@pytest.mark.parametrize(
    ("answers", "options", "expected"),
    [
        # The write was answered 200 but not JSON: the post may exist.
        ({"/posts": httpx.Response(200, text="<html>ok</html>")}, {}, OutcomeUnknown),
        # 200 JSON without the post: the same.
        ({"/posts": httpx.Response(200, json={})}, {}, OutcomeUnknown),
        # Accepted, then the status read failed: never send again.
        ({"/posts/status": httpx.Response(200, text="?")}, {"then_read": True}, OutcomeUnknown),
        # The platform's own "not now" in the write's 200 answer: nothing was made.
        ({"/posts": httpx.Response(200, json={"busy": True})}, {}, RetryableError),
        # Refused before acting (429, 503) or failed before the write: retry.
        ({"/posts": httpx.Response(429, json={})}, {}, RetryableError),
        ({"/posts": httpx.Response(503, text="down")}, {}, RetryableError),
        ({"/upload": httpx.Response(200, text="<html>")}, {}, RetryableError),
    ],
)
def test_retryable_after_an_accepted_write_becomes_outcome_unknown(
    answers: dict[str, httpx.Response], options: dict[str, Any], expected: type[Exception]
) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return answers.get(request.url.path) or httpx.Response(200, json={"id": "1", "ok": True})

    with respx.mock(assert_all_called=False) as router:
        router.route(host="careless.example").mock(side_effect=answer)
        connector = _Careless(base_url="https://careless.example")
        with connector, pytest.raises(ConnectorError) as err:
            connector.publish(PostRequest(text="x", options=options), idempotency_key="k")
    assert type(err.value) is expected
    # Guarded once per subclass, whatever the depth of inheritance.
    assert getattr(_Careless.publish, "__write_guarded__", False)
