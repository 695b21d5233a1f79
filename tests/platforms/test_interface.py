"""The connector interface: declared capabilities match what each connector implements."""

from __future__ import annotations

import pytest

from socialops.platforms.connectors.base import (
    CAPABILITY_LABELS,
    Capability,
    Connector,
    ConnectorError,
    NotSupported,
    PostKind,
    PostRequest,
)
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
