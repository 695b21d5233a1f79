"""The Bluesky connector against a respx fake of the AT Protocol XRPC endpoints it uses.

The fake enforces the documented shapes: createSession needs identifier + password,
refreshSession the refresh JWT as bearer, every other call the access JWT; putRecord needs repo,
collection app.bsky.feed.post, a TID record key (the post lexicon's key type: the AppView indexes
no other) and a record whose text is ≤ 300 graphemes and ≤ 3,000 bytes with at most 4 images; uploadBlob takes raw bytes ≤ 1,000,000 with a Content-Type. An expired access
token answers 400 {"error": "ExpiredToken"}; a bad one 401.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import respx

from socialops.platforms.connectors.base import (
    AuthExpired,
    AuthRevoked,
    MediaFile,
    OutcomeUnknown,
    PermanentError,
    PostRequest,
    QuotaExceeded,
    RetryableError,
)
from socialops.platforms.connectors.bluesky import (
    BlueskyConnector,
    facets,
    graphemes,
    legacy_record_key,
    tid,
    tid_for,
)
from socialops.platforms.credentials import Credentials
from socialops.platforms.registry import connector_class

PDS = "https://pds.example"
DID = "did:plc:abc123abc123abc123abc123"
# atproto.com/specs/tid: 13 characters, base32-sortable, the top bit 0.
TID = re.compile(r"^[234567a-j][234567a-z]{12}$")
DUE = dt.datetime(2026, 12, 7, 10, 30, tzinfo=dt.UTC)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _err(status: int, error: str, message: str = "", headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, json={"error": error, "message": message or error}, headers=headers)


class FakePDS:
    """Records and sessions of one account on a fake PDS."""

    def __init__(self, router: respx.MockRouter) -> None:
        self.records: dict[str, dict[str, Any]] = {}
        self.blobs = 0
        self.access = "acc-1"
        self.refresh = "ref-1"
        self.expired = False
        self.queued: dict[str, list[httpx.Response | Exception]] = {}
        for method, nsid, handler in [
            ("POST", "com.atproto.server.createSession", self._create),
            ("POST", "com.atproto.server.refreshSession", self._refresh),
            ("GET", "com.atproto.server.getSession", self._get_session),
            ("POST", "com.atproto.repo.putRecord", self._put),
            ("GET", "com.atproto.repo.getRecord", self._get),
            ("POST", "com.atproto.repo.deleteRecord", self._delete),
            ("POST", "com.atproto.repo.uploadBlob", self._upload),
            ("GET", "app.bsky.feed.getPosts", self._posts),
            ("GET", "app.bsky.actor.getProfile", self._profile),
        ]:
            router.route(method=method, url=f"{PDS}/xrpc/{nsid}", name=nsid).mock(
                side_effect=self._wrap(nsid, handler)
            )

    def fail(self, nsid: str, *responses: httpx.Response | Exception) -> None:
        self.queued.setdefault(nsid, []).extend(responses)

    def _wrap(self, nsid: str, handler: Any) -> Any:
        def run(request: httpx.Request) -> httpx.Response:
            queue = self.queued.get(nsid) or []
            if queue:
                item = queue.pop(0)
                if isinstance(item, Exception):
                    raise item
                return item
            return handler(request)

        return run

    def _session(self) -> dict[str, Any]:
        return {
            "accessJwt": self.access,
            "refreshJwt": self.refresh,
            "handle": "shop.bsky.social",
            "did": DID,
        }

    def _authed(self, request: httpx.Request) -> httpx.Response | None:
        if request.headers.get("authorization") != f"Bearer {self.access}":
            return _err(401, "AuthenticationRequired", "Invalid identifier or password")
        if self.expired:
            return _err(400, "ExpiredToken", "Token has expired")
        return None

    def _create(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        if set(body) != {"identifier", "password"}:
            return _err(400, "InvalidRequest", "identifier and password required")
        if body["password"] != "app-pass-1234":
            return _err(401, "AuthenticationRequired", "Invalid identifier or password")
        self.access, self.expired = "acc-new", False
        return httpx.Response(200, json=self._session())

    def _refresh(self, request: httpx.Request) -> httpx.Response:
        if request.headers.get("authorization") != f"Bearer {self.refresh}":
            return _err(400, "ExpiredToken", "Token has been revoked")
        self.access, self.refresh, self.expired = "acc-2", "ref-2", False
        return httpx.Response(200, json=self._session())

    def _get_session(self, request: httpx.Request) -> httpx.Response:
        return self._authed(request) or httpx.Response(200, json={"did": DID, "handle": "shop.bsky.social"})

    def _put(self, request: httpx.Request) -> httpx.Response:
        denied = self._authed(request)
        if denied:
            return denied
        body = json.loads(request.content)
        record = body.get("record") or {}
        if (
            body.get("repo") != DID
            or body.get("collection") != "app.bsky.feed.post"
            or not TID.match(body.get("rkey", ""))
            or record.get("$type") != "app.bsky.feed.post"
            or "createdAt" not in record
        ):
            return _err(400, "InvalidRequest", "bad record")
        if graphemes(record["text"]) > 300 or len(record["text"].encode()) > 3000:
            return _err(400, "InvalidRequest", "Record/text must not be longer than 300 graphemes")
        embed = record.get("embed")
        if embed and (embed["$type"] != "app.bsky.embed.images" or len(embed["images"]) > 4):
            return _err(400, "InvalidRequest", "Record/embed/images must not have more than 4 elements")
        uri = f"at://{DID}/app.bsky.feed.post/{body['rkey']}"
        self.records[body["rkey"]] = record
        return httpx.Response(200, json={"uri": uri, "cid": "bafyrei" + body["rkey"][:8]})

    def _get(self, request: httpx.Request) -> httpx.Response:
        params = request.url.params
        rkey = params.get("rkey", "")
        if rkey not in self.records:
            return _err(
                400, "RecordNotFound", f"Could not locate record: at://{DID}/app.bsky.feed.post/{rkey}"
            )
        uri = f"at://{DID}/app.bsky.feed.post/{rkey}"
        return httpx.Response(200, json={"uri": uri, "cid": "bafy", "value": self.records[rkey]})

    def _delete(self, request: httpx.Request) -> httpx.Response:
        denied = self._authed(request)
        if denied:
            return denied
        body = json.loads(request.content)
        self.records.pop(body["rkey"], None)
        return httpx.Response(200, json={})

    def _upload(self, request: httpx.Request) -> httpx.Response:
        denied = self._authed(request)
        if denied:
            return denied
        if not request.headers.get("content-type", "").startswith("image/"):
            return _err(400, "InvalidRequest", "Content-Type required")
        if len(request.content) > 1_000_000:
            return _err(400, "BlobTooLarge", "This file is too large")
        self.blobs += 1
        blob = {
            "$type": "blob",
            "ref": {"$link": f"bafkrei{self.blobs}"},
            "mimeType": "image/png",
            "size": 72,
        }
        return httpx.Response(200, json={"blob": blob})

    def _posts(self, request: httpx.Request) -> httpx.Response:
        uri = request.url.params.get("uris", "")
        if not uri.startswith("at://"):
            return _err(400, "InvalidRequest", "uris must be at-uris")
        counts = {"likeCount": 7, "repostCount": 2, "replyCount": 3, "quoteCount": 1}
        return httpx.Response(200, json={"posts": [{"uri": uri, "cid": "bafy", **counts}]})

    def _profile(self, request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, json={"did": DID, "followersCount": 120, "followsCount": 5, "postsCount": 44}
        )


@pytest.fixture
def fake() -> Iterator[FakePDS]:
    with respx.mock(assert_all_called=False) as router:
        yield FakePDS(router)


@pytest.fixture
def client() -> Iterator[BlueskyConnector]:
    connector = BlueskyConnector(
        base_url=PDS,
        credentials=Credentials(
            client_id="shop.bsky.social",
            client_secret="app-pass-1234",
            access_token="acc-1",
            refresh_token="ref-1",
        ),
        account_ref=DID,
    )
    yield connector
    connector.close()


def test_registered_as_a_connection_kind() -> None:
    assert connector_class("bluesky") is BlueskyConnector


def test_publish_puts_record_with_our_key_and_retry_makes_no_second_post(
    fake: FakePDS, client: BlueskyConnector
) -> None:
    post = PostRequest(text="新品上架 https://shop.example/a", hashtags=("好物",), due_at=DUE)
    first = client.publish(post, idempotency_key="pub-42-abc")
    again = client.publish(post, idempotency_key="pub-42-abc")
    rkey = tid_for("pub-42-abc", DUE)
    assert TID.match(rkey)
    assert first.external_id == again.external_id == f"at://{DID}/app.bsky.feed.post/{rkey}"
    assert list(fake.records) == [rkey]
    assert first.url == f"https://bsky.app/profile/shop.bsky.social/post/{rkey}"
    record = fake.records[rkey]
    kinds = [f["features"][0]["$type"] for f in record["facets"]]
    assert kinds == ["app.bsky.richtext.facet#link", "app.bsky.richtext.facet#tag"]
    link = record["facets"][0]["index"]
    assert record["text"].encode()[link["byteStart"] : link["byteEnd"]] == b"https://shop.example/a"


def test_record_key_is_a_tid_of_the_due_time_and_the_same_for_a_retry() -> None:
    keys = ["pub/1 with spaces", "x" * 600, "..", "发布-1", "pub-0123456789abcdef"]
    for key in keys:
        for due in (DUE, None, dt.datetime(2024, 2, 29, 23, 59, 59, tzinfo=dt.UTC)):
            rkey = tid_for(key, due)
            assert TID.match(rkey), rkey
            assert tid_for(key, due) == rkey
    # Two posts due in the same second get different keys (one must not overwrite the other).
    assert len({tid_for(key, DUE) for key in keys}) == len(keys)
    # The time is the due time: keys sort by it, as TIDs do.
    assert tid_for("a", DUE) < tid_for("a", DUE + dt.timedelta(seconds=1))
    # The spec's encoding: 0 is "2222222222222", the top of the 63-bit range starts with "b"/"j".
    assert tid(0, 0) == "2222222222222"
    assert TID.match(tid((1 << 53) - 1, 1023))
    assert tid(1_700_000_000_000_000, 0)[:1] in "234567abcdefghij"


def test_post_made_under_the_old_record_key_is_still_found(fake: FakePDS, client: BlueskyConnector) -> None:
    post = PostRequest(text="旧的键", due_at=DUE)
    fake.records[legacy_record_key("pub-old")] = {"text": "旧的键"}
    found = client.find_published(idempotency_key="pub-old", since=DUE, post=post)
    assert found is not None and found.external_id.endswith("/pub-old")


def test_find_published_is_get_record_by_key(fake: FakePDS, client: BlueskyConnector) -> None:
    post = PostRequest(text="hello", due_at=DUE)
    since = dt.datetime.now(dt.UTC)
    assert client.find_published(idempotency_key="k1", since=since, post=post) is None
    client.publish(post, idempotency_key="k1")
    found = client.find_published(idempotency_key="k1", since=since, post=post)
    assert found is not None and found.duplicate and found.external_id.endswith("/" + tid_for("k1", DUE))


def test_timeout_after_sending_is_outcome_unknown(fake: FakePDS, client: BlueskyConnector) -> None:
    fake.fail("com.atproto.repo.putRecord", httpx.ReadTimeout("slow"))
    with pytest.raises(OutcomeUnknown):
        client.publish(PostRequest(text="hi"), idempotency_key="k2")


def test_images_are_uploaded_and_embedded(fake: FakePDS, client: BlueskyConnector) -> None:
    media = tuple(MediaFile(f"{i}.png", "image/png", data=PNG, description="图") for i in range(2))
    client.publish(PostRequest(text="two", media=media), idempotency_key="k3")
    embed = fake.records[tid_for("k3", None)]["embed"]
    assert embed["$type"] == "app.bsky.embed.images"
    assert [i["image"]["ref"]["$link"] for i in embed["images"]] == ["bafkrei1", "bafkrei2"]


def test_limits_are_checked_before_sending(fake: FakePDS, client: BlueskyConnector) -> None:
    with pytest.raises(PermanentError, match="300"):
        client.publish(PostRequest(text="字" * 301), idempotency_key="k4")
    # 300 emoji with skin tones are 300 graphemes, not 600 code points: allowed.
    client.publish(PostRequest(text="👍🏽" * 300), idempotency_key="k5")
    five = tuple(MediaFile(f"{i}.png", "image/png", data=PNG) for i in range(5))
    with pytest.raises(PermanentError, match="4"):
        client.publish(PostRequest(text="x", media=five), idempotency_key="k6")
    big = MediaFile("big.png", "image/png", data=b"\x00" * 1_000_001)
    with pytest.raises(PermanentError, match="1,000 KB"):
        client.publish(PostRequest(text="x", media=(big,)), idempotency_key="k7")
    # 150 family emoji are 150 graphemes but 3,750 bytes: over the lexicon's 3,000-byte limit.
    with pytest.raises(PermanentError, match="3000"):
        client.publish(PostRequest(text="👨‍👩‍👧‍👦" * 150), idempotency_key="k9")
    assert fake.blobs == 0 and list(fake.records) == [tid_for("k5", None)]


def test_expired_token_is_auth_expired_and_refresh_renews(fake: FakePDS, client: BlueskyConnector) -> None:
    fake.expired = True
    with pytest.raises(AuthExpired):
        client.publish(PostRequest(text="hi"), idempotency_key="k8")
    new = client.refresh()
    assert (new.access_token, new.refresh_token) == ("acc-2", "ref-2")
    assert client.publish(PostRequest(text="hi"), idempotency_key="k8").external_id.endswith(
        "/" + tid_for("k8", None)
    )


def test_refused_refresh_falls_back_to_app_password(fake: FakePDS, client: BlueskyConnector) -> None:
    fake.refresh = "rotated-away"
    assert client.refresh().access_token == "acc-new"


def test_401_after_failed_refresh_is_auth_revoked(fake: FakePDS, client: BlueskyConnector) -> None:
    fake.access = "someone-else"
    fake.refresh = "rotated-away"
    client.credentials = client.credentials.replace(client_secret="revoked-app-password")
    with pytest.raises(AuthRevoked):
        client.publish(PostRequest(text="hi"), idempotency_key="k9")
    assert not fake.records


def test_401_is_retried_once_after_refresh(fake: FakePDS, client: BlueskyConnector) -> None:
    client.credentials = client.credentials.replace(access_token="stale")
    client.publish(PostRequest(text="hi"), idempotency_key="k10")
    assert client.credentials.access_token == "acc-2"
    assert list(fake.records) == [tid_for("k10", None)]


def test_rate_limits(fake: FakePDS, client: BlueskyConnector) -> None:
    soon = str(int(time.time()) + 30)
    later = str(int(time.time()) + 3600)
    fake.fail(
        "com.atproto.repo.putRecord",
        _err(429, "RateLimitExceeded", "Rate Limit Exceeded", {"ratelimit-reset": soon}),
        _err(429, "RateLimitExceeded", "Rate Limit Exceeded", {"ratelimit-reset": later}),
    )
    with pytest.raises(RetryableError) as burst:
        client.publish(PostRequest(text="hi"), idempotency_key="k11")
    assert burst.value.retry_after is not None and 0 < burst.value.retry_after <= 30
    with pytest.raises(QuotaExceeded) as quota:
        client.publish(PostRequest(text="hi"), idempotency_key="k11")
    assert quota.value.reset_at is not None


def test_invalid_request_is_permanent(fake: FakePDS, client: BlueskyConnector) -> None:
    fake.fail("com.atproto.repo.putRecord", _err(400, "InvalidRequest", "Invalid app.bsky.feed.post record"))
    with pytest.raises(PermanentError, match="Invalid app.bsky.feed.post record"):
        client.publish(PostRequest(text="hi"), idempotency_key="k12")


def test_delete_and_metrics(fake: FakePDS, client: BlueskyConnector) -> None:
    result = client.publish(PostRequest(text="hi"), idempotency_key="k13")
    metrics = client.fetch_post_metrics(result.external_id)
    assert (metrics.likes, metrics.shares, metrics.comments) == (7, 3, 3)
    client.delete(result.external_id)
    assert fake.records == {}
    account = client.fetch_account_metrics()
    assert (account.followers_total, account.posts_total) == (120, 44)


def test_signs_in_with_app_password_when_no_session(fake: FakePDS) -> None:
    connector = BlueskyConnector(
        base_url=PDS, credentials=Credentials(client_id="shop.bsky.social", client_secret="app-pass-1234")
    )
    with connector:
        info = connector.verify()
    assert (info.external_id, info.handle) == (DID, "shop.bsky.social")
    bad = BlueskyConnector(
        base_url=PDS, credentials=Credentials(client_id="shop.bsky.social", client_secret="wrong")
    )
    with bad, pytest.raises(AuthRevoked):
        bad.verify()


def test_facets_use_utf8_byte_offsets() -> None:
    text = "看这里 #上新 https://a.example/x."
    found = facets(text)
    raw = text.encode()
    spans = [raw[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode() for f in found]
    assert spans == ["https://a.example/x", "#上新"]


def _spans(text: str) -> list[str]:
    raw = text.encode()
    return [raw[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode() for f in facets(text)]


def test_links_are_found_only_where_bluesky_finds_them() -> None:
    # Glued to Chinese text: Bluesky detects no link here, and the text after it is never swallowed.
    assert _spans("详情见https://example.com/p?id=1，欢迎转发！#新品发布") == []
    # After whitespace: the link ends at the full-width comma; the hashtag after a space is a tag.
    assert _spans("详情见 https://example.com/p?id=1，欢迎转发！ #新品发布") == [
        "https://example.com/p?id=1",
        "#新品发布",
    ]
    # After "(": the closing bracket is not part of the link; trailing punctuation is dropped.
    assert _spans("(见 https://a.example/x) 和 (https://b.example/y).") == [
        "https://a.example/x",
        "https://b.example/y",
    ]
    assert _spans("https://en.wikipedia.org/wiki/Foo_(bar) end") == [
        "https://en.wikipedia.org/wiki/Foo_(bar)"
    ]
