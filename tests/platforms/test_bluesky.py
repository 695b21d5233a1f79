"""The Bluesky connector against a respx fake of the AT Protocol XRPC endpoints it uses.

The fake enforces the documented shapes: createSession needs identifier + password,
refreshSession the refresh JWT as bearer, every other call the access JWT; putRecord needs repo,
collection app.bsky.feed.post, a TID record key (the post lexicon's key type: the AppView indexes
no other) and a record whose text is ≤ 300 graphemes and ≤ 3,000 bytes with at most 4 images; uploadBlob takes raw bytes ≤ 1,000,000 with a Content-Type. An expired access
token answers 400 {"error": "ExpiredToken"}; a bad one 401. A reply record's ``reply`` must hold
``root`` and ``parent`` strong refs (an at:// uri and a cid). listNotifications takes ``limit``
1–100, ``reasons`` from the lexicon's known values and the opaque ``cursor`` it gave; it answers
newest first. getPosts takes 1–25 ``uris`` and leaves out the posts it does not have.
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
    Capability,
    MediaFile,
    NotSupported,
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
    rkey_of,
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
FAN = "did:plc:fan111fan111fan111fan111"
OUR_POST = f"at://{DID}/app.bsky.feed.post/3lbxyzabc2222"
# app.bsky.notification.listNotifications#notification reason values.
REASONS = {
    "like",
    "repost",
    "follow",
    "mention",
    "reply",
    "quote",
    "starterpack-joined",
    "verified",
    "unverified",
    "like-via-repost",
    "repost-via-repost",
    "subscribed-post",
}


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
        # Notifications, newest first (as listNotifications answers), and post views by uri.
        self.notifications: list[dict[str, Any]] = []
        self.posts: dict[str, dict[str, Any]] = {}
        self.notification_calls: list[dict[str, Any]] = []
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
            ("GET", "app.bsky.notification.listNotifications", self._notifications),
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
        if "reply" in record:
            reply = record["reply"]
            for part in ("root", "parent"):
                ref = reply.get(part) if isinstance(reply, dict) else None
                if (
                    not isinstance(ref, dict)
                    or not str(ref.get("uri", "")).startswith("at://")
                    or not ref.get("cid")
                ):
                    return _err(400, "InvalidRequest", f"Record/reply/{part} must be a strongRef")
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
        denied = self._authed(request)
        if denied:
            return denied
        uris = request.url.params.get_list("uris")
        if not 1 <= len(uris) <= 25 or not all(u.startswith("at://") for u in uris):
            return _err(400, "InvalidRequest", "uris must be 1-25 at-uris")
        counts = {"likeCount": 7, "repostCount": 2, "replyCount": 3, "quoteCount": 1}
        found = []
        for uri in uris:
            if uri in self.posts:
                found.append(self.posts[uri])
            elif uri.startswith(f"at://{DID}/") and rkey_of(uri) in self.records:
                found.append({"uri": uri, "cid": "bafy", "record": self.records[rkey_of(uri)], **counts})
            elif uri.startswith(f"at://{DID}/"):
                found.append({"uri": uri, "cid": "bafy", **counts})
        return httpx.Response(200, json={"posts": found})

    def _notifications(self, request: httpx.Request) -> httpx.Response:
        denied = self._authed(request)
        if denied:
            return denied
        params = request.url.params
        limit = int(params.get("limit", "50"))
        assert 1 <= limit <= 100, limit
        reasons = params.get_list("reasons")
        assert set(reasons) <= REASONS, reasons
        assert not params.get("seenAt")
        self.notification_calls.append({"limit": limit, "reasons": reasons, "cursor": params.get("cursor")})
        items = [n for n in self.notifications if not reasons or n["reason"] in reasons]
        start = int(params["cursor"].removeprefix("page-")) if params.get("cursor") else 0
        page = items[start : start + limit]
        body: dict[str, Any] = {"notifications": page}
        if start + limit < len(items):
            body["cursor"] = f"page-{start + limit}"
        return httpx.Response(200, json=body)

    def notify(
        self,
        reason: str,
        text: str,
        *,
        at: dt.datetime,
        author: str = FAN,
        handle: str = "fan.bsky.social",
        reply_to: str = "",
        quote: str = "",
        rkey: str = "",
    ) -> str:
        """A notification (newest first) of a post by ``author``; returns the post's uri."""
        uri = f"at://{author}/app.bsky.feed.post/{rkey or tid(int(at.timestamp() * 1e6), 7)}"
        record: dict[str, Any] = {
            "$type": "app.bsky.feed.post",
            "text": text,
            "createdAt": at.isoformat().replace("+00:00", "Z"),
        }
        if reply_to:
            ref = {"uri": reply_to, "cid": "bafyparent"}
            record["reply"] = {"root": ref, "parent": ref}
        if quote:
            record["embed"] = {"$type": "app.bsky.embed.record", "record": {"uri": quote, "cid": "bafyq"}}
        note = {
            "uri": uri,
            "cid": "bafy" + uri[-6:],
            "author": {"did": author, "handle": handle, "displayName": "粉丝小王"},
            "reason": reason,
            "reasonSubject": reply_to or quote or None,
            "record": record,
            "isRead": False,
            "indexedAt": (at + dt.timedelta(milliseconds=300)).isoformat().replace("+00:00", "Z"),
        }
        self.notifications.insert(0, note)
        self.notifications.sort(key=lambda n: n["indexedAt"], reverse=True)
        self.posts[uri] = {"uri": uri, "cid": note["cid"], "author": note["author"], "record": record}
        return uri

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


# ---- the inbox: notifications in, replies out ----------------------------------------------

T0 = dt.datetime(2026, 12, 7, 8, 0, tzinfo=dt.UTC)


def test_comments_are_replies_mentions_and_quotes_once(fake: FakePDS, client: BlueskyConnector) -> None:
    reply = fake.notify("reply", "多少钱？", at=T0, reply_to=OUR_POST)
    mention = fake.notify("mention", "@shop.bsky.social 在吗", at=T0 + dt.timedelta(minutes=1))
    quote = fake.notify("quote", "推荐这家", at=T0 + dt.timedelta(minutes=2), quote=OUR_POST)
    fake.notify("like", "", at=T0 + dt.timedelta(minutes=3))
    fake.notify("reply", "我们自己的", at=T0 + dt.timedelta(minutes=4), author=DID, reply_to=reply)
    assert client.supports(Capability.COMMENTS) and client.supports(Capability.REPLY)

    page = client.fetch_comments()
    assert [c.external_id for c in page.items] == [reply, mention, quote]
    assert [c.in_reply_to for c in page.items] == [OUR_POST, "", OUR_POST]
    first = page.items[0]
    assert (first.author_id, first.author_handle, first.author_name) == (FAN, "fan.bsky.social", "粉丝小王")
    assert first.text == "多少钱？" and not first.is_private
    assert first.created_at == T0
    assert first.url == f"https://bsky.app/profile/fan.bsky.social/post/{rkey_of(reply)}"
    # The cursor is the newest indexedAt seen (our own reply included: it is not new next time).
    assert page.cursor == "2026-12-07T08:04:00.300000Z"
    assert fake.notification_calls[0] == {
        "limit": 100,
        "reasons": ["reply", "mention", "quote"],
        "cursor": None,
    }

    again = client.fetch_comments(cursor=page.cursor)
    assert again.items == [] and again.cursor == page.cursor
    later = fake.notify("reply", "发货了吗", at=T0 + dt.timedelta(hours=1), reply_to=OUR_POST)
    third = client.fetch_comments(cursor=page.cursor)
    assert [c.external_id for c in third.items] == [later]
    assert client.fetch_comments(cursor=third.cursor).items == []


def test_comments_walk_back_through_pages_and_hand_out_the_oldest_first(
    fake: FakePDS, client: BlueskyConnector
) -> None:
    uris = [
        fake.notify("reply", f"第{i}条", at=T0 + dt.timedelta(seconds=i), reply_to=OUR_POST)
        for i in range(250)
    ]
    pulled: list[str] = []
    cursor = ""
    for _call in range(10):
        page = client.fetch_comments(cursor=cursor, limit=40)
        assert len(page.items) <= 40
        if not page.items:
            break
        pulled += [c.external_id for c in page.items]
        cursor = page.cursor
    assert pulled == uris
    # The API's own cursor was followed back through the pages, 100 at a time.
    assert {"page-100", "page-200"} <= {c["cursor"] for c in fake.notification_calls}
    assert all(c["limit"] == 100 for c in fake.notification_calls)


def test_no_direct_messages_on_bluesky(fake: FakePDS, client: BlueskyConnector) -> None:
    assert not client.supports(Capability.MESSAGES)
    with pytest.raises(NotSupported):
        client.fetch_messages()
    with pytest.raises(PermanentError, match="direct messages"):
        client.reply(in_reply_to=OUR_POST, text="私信回复", idempotency_key="r0", recipient=FAN, private=True)
    assert fake.records == {}


def test_reply_is_a_post_with_root_and_parent_and_a_retry_writes_the_same_record(
    fake: FakePDS, client: BlueskyConnector
) -> None:
    # A fan's reply under our post: the answer's root is our post (from the fan's reply.root).
    fan_reply = fake.notify("reply", "多少钱？", at=T0, reply_to=OUR_POST)
    fake.posts[fan_reply]["record"]["reply"]["root"] = {"uri": OUR_POST, "cid": "bafyroot"}
    result = client.reply(in_reply_to=fan_reply, text="亲，99 元包邮 #好物", idempotency_key="reply-7")
    again = client.reply(in_reply_to=fan_reply, text="亲，99 元包邮 #好物", idempotency_key="reply-7")
    rkey = tid_for("reply-7", None)
    assert TID.match(rkey)
    assert list(fake.records) == [rkey]
    assert result.external_id == again.external_id == f"at://{DID}/app.bsky.feed.post/{rkey}"
    record = fake.records[rkey]
    assert record["text"] == "亲，99 元包邮 #好物"
    assert record["reply"] == {
        "root": {"uri": OUR_POST, "cid": "bafyroot"},
        "parent": {"uri": fan_reply, "cid": fake.posts[fan_reply]["cid"]},
    }
    assert record["facets"][0]["features"][0] == {"$type": "app.bsky.richtext.facet#tag", "tag": "好物"}

    # A mention that is a thread's first post: it is both root and parent.
    mention = fake.notify("mention", "@shop 在吗", at=T0 + dt.timedelta(minutes=5))
    client.reply(in_reply_to=mention, text="在的", idempotency_key="reply-8")
    parent = {"uri": mention, "cid": fake.posts[mention]["cid"]}
    assert fake.records[tid_for("reply-8", None)]["reply"] == {"root": parent, "parent": parent}


def test_reply_checks_before_sending(fake: FakePDS, client: BlueskyConnector) -> None:
    fan_reply = fake.notify("reply", "？", at=T0, reply_to=OUR_POST)
    with pytest.raises(PermanentError, match="300"):
        client.reply(in_reply_to=fan_reply, text="字" * 301, idempotency_key="r1")
    with pytest.raises(PermanentError):
        client.reply(in_reply_to="not-a-uri", text="hi", idempotency_key="r2")
    with pytest.raises(PermanentError, match="deleted"):
        client.reply(in_reply_to="at://did:plc:gone/app.bsky.feed.post/3l", text="hi", idempotency_key="r3")
    assert fake.records == {}


def test_lost_answer_to_a_reply_is_an_unknown_outcome(fake: FakePDS, client: BlueskyConnector) -> None:
    fan_reply = fake.notify("reply", "？", at=T0, reply_to=OUR_POST)
    fake.fail(
        "com.atproto.repo.putRecord",
        httpx.Response(200, text="<html>upstream</html>"),
        httpx.ReadTimeout("slow"),
        _err(502, "UpstreamFailure"),
    )
    for _attempt in range(3):
        with pytest.raises(OutcomeUnknown):
            client.reply(in_reply_to=fan_reply, text="在的", idempotency_key="r4")
    # A failed read of the parent is only "ask again": nothing was written.
    fake.fail("app.bsky.feed.getPosts", _err(502, "UpstreamFailure"))
    with pytest.raises(RetryableError):
        client.reply(in_reply_to=fan_reply, text="在的", idempotency_key="r4")
