"""The Mastodon connector against a respx fake that enforces Mastodon's documented request shapes."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

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
    PostKind,
    PostRequest,
    QuotaExceeded,
    RetryableError,
)
from socialops.platforms.connectors.mastodon import (
    MastodonConnector,
    compose_text,
    counted_length,
    html_to_text,
)
from socialops.platforms.credentials import Credentials

from .fakes import BASE, TOKEN, FakeMastodon

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def fake() -> Iterator[FakeMastodon]:
    with respx.mock(assert_all_called=False) as router:
        yield FakeMastodon(router)


@pytest.fixture
def client() -> Iterator[MastodonConnector]:
    connector = MastodonConnector(
        base_url=BASE, credentials=Credentials(access_token=TOKEN), sleep=lambda s: None, account_ref="1"
    )
    yield connector
    connector.close()


def image(name: str = "a.png") -> MediaFile:
    return MediaFile(name, "image/png", data=PNG, description="产品图")


def test_publish_sends_documented_shape(fake: FakeMastodon, client: MastodonConnector) -> None:
    result = client.publish(
        PostRequest(
            text="新品发布 🎉",
            hashtags=("科技", "#新品"),
            link_url="https://acme.example/p/1",
            language="zh-CN",
        ),
        idempotency_key="pub-1",
    )
    request = fake.router.routes["post_status"].calls.last.request
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.headers["Idempotency-Key"] == "pub-1"
    body = json.loads(request.content)
    assert body == {
        "status": "新品发布 🎉\n\nhttps://acme.example/p/1\n\n#科技 #新品",
        "visibility": "public",
        "language": "zh",
    }
    assert result.external_id == fake.statuses[0]["id"]
    assert result.url.endswith(f"/@acme/{result.external_id}")
    assert result.published_at is not None and result.is_published


def test_same_idempotency_key_returns_the_same_status(fake: FakeMastodon, client: MastodonConnector) -> None:
    first = client.publish(PostRequest(text="hello"), idempotency_key="same")
    second = client.publish(PostRequest(text="hello"), idempotency_key="same")
    assert first.external_id == second.external_id
    assert len(fake.statuses) == 1


def test_text_limit_checked_before_sending(fake: FakeMastodon, client: MastodonConnector) -> None:
    with pytest.raises(PermanentError, match="501 characters long; Mastodon allows 500"):
        client.publish(PostRequest(text="字" * 501), idempotency_key="k")
    assert not fake.router.routes["post_status"].called
    # A link counts as 23 characters whatever its length, as Mastodon counts it.
    long_link = "https://acme.example/" + "a" * 600
    assert counted_length(f"hi {long_link}") == 3 + 23
    client.publish(PostRequest(text="字" * 470 + " " + long_link), idempotency_key="k2")
    assert len(fake.statuses) == 1


def test_length_is_graphemes_and_includes_the_content_warning(
    fake: FakeMastodon, client: MastodonConnector
) -> None:
    # A flag and an emoji with a skin tone are one character each, as Mastodon counts them.
    assert counted_length("🇨🇳👍🏽é") == 3
    client.publish(PostRequest(text="👍🏽" * 500), idempotency_key="g1")
    # The content warning counts towards the same 500.
    warned = PostRequest(text="字" * 490, options={"spoiler_text": "剧透警告：结局" + "！" * 4})
    with pytest.raises(PermanentError, match="content warning are 501 characters"):
        client.publish(warned, idempotency_key="g2")
    ok = PostRequest(text="字" * 489, options={"spoiler_text": "剧透警告：结局" + "！" * 4})
    client.publish(ok, idempotency_key="g3")
    assert len(fake.statuses) == 2


def test_media_limits_checked_before_sending(fake: FakeMastodon, client: MastodonConnector) -> None:
    with pytest.raises(PermanentError, match="at most 4 images"):
        client.publish(
            PostRequest(text="x", media=tuple(image(f"{i}.png") for i in range(5))), idempotency_key="k"
        )
    video = MediaFile("v.mp4", "video/mp4", data=b"\x00" * 10)
    with pytest.raises(PermanentError, match="either images or one video"):
        client.publish(PostRequest(text="x", media=(image(), video)), idempotency_key="k")
    with pytest.raises(PermanentError, match="has no file to upload"):
        client.publish(
            PostRequest(text="x", media=(MediaFile("u.png", "image/png", url="https://x/u.png"),)),
            idempotency_key="k",
        )
    assert not fake.router.routes["media"].called and not fake.router.routes["post_status"].called


def test_async_media_upload_is_polled_then_attached_in_order(client: MastodonConnector) -> None:
    with respx.mock(assert_all_called=False) as router:
        fake = FakeMastodon(router, media_polls=2)
        result = client.publish(
            PostRequest(text="三张图", media=(image("1.png"), image("2.png"), image("3.png"))),
            idempotency_key="m",
        )
        media_ids = list(fake.media)
        assert fake.statuses[0]["_media_ids"] == media_ids
        assert all(fake.polls[m] == 3 for m in media_ids)  # 206, 206, 200
        assert fake.media[media_ids[0]]["description"] == "产品图"
        assert result.external_id == fake.statuses[0]["id"]


def test_media_processing_timeout_is_retryable(client: MastodonConnector) -> None:
    client.media_timeout = 0.0
    with respx.mock(assert_all_called=False) as router:
        fake = FakeMastodon(router, media_polls=1000)
        with pytest.raises(RetryableError, match="still processing"):
            client.publish(PostRequest(text="x", media=(image(),)), idempotency_key="m")
        assert not fake.router.routes["post_status"].called


def test_validation_error_is_permanent_with_platform_message(
    fake: FakeMastodon, client: MastodonConnector
) -> None:
    fake.fail("post_status", httpx.Response(422, json={"error": "Validation failed: Text is spam"}))
    with pytest.raises(PermanentError) as info:
        client.publish(PostRequest(text="x"), idempotency_key="k")
    assert info.value.message == "Validation failed: Text is spam" and info.value.status_code == 422


def test_429_burst_is_retryable_with_wait(fake: FakeMastodon, client: MastodonConnector) -> None:
    reset = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=30)).isoformat()
    fake.fail(
        "post_status",
        httpx.Response(
            429,
            json={"error": "Too many requests"},
            headers={"X-RateLimit-Reset": reset, "X-RateLimit-Remaining": "0"},
        ),
    )
    with pytest.raises(RetryableError) as info:
        client.publish(PostRequest(text="x"), idempotency_key="k")
    assert info.value.retry_after is not None and 25 <= info.value.retry_after <= 30
    assert client.rate_limit is not None and client.rate_limit.remaining == 0
    assert not fake.statuses


def test_429_with_distant_reset_is_a_quota(fake: FakeMastodon, client: MastodonConnector) -> None:
    reset = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=3)).isoformat()
    fake.fail(
        "post_status",
        httpx.Response(429, json={"error": "Too many requests"}, headers={"X-RateLimit-Reset": reset}),
    )
    with pytest.raises(QuotaExceeded) as info:
        client.publish(PostRequest(text="x"), idempotency_key="k")
    assert info.value.reset_at is not None and info.value.reset_at > dt.datetime.now(dt.UTC) + dt.timedelta(
        hours=2
    )


def test_retry_after_header_wins(fake: FakeMastodon, client: MastodonConnector) -> None:
    fake.fail("verify", httpx.Response(503, json={"error": "down"}, headers={"Retry-After": "7"}))
    with pytest.raises(RetryableError) as info:
        client.verify()
    assert info.value.retry_after == 7


@pytest.mark.parametrize(
    ("failure", "expected"),
    [
        (httpx.Response(503, json={"error": "Service Unavailable"}), RetryableError),
        (httpx.Response(500, json={"error": "boom"}), OutcomeUnknown),
        (httpx.Response(502, text="Bad Gateway"), OutcomeUnknown),
        (httpx.Response(504, text="Gateway Timeout"), OutcomeUnknown),
        (httpx.ConnectTimeout("connect timed out"), RetryableError),
        (httpx.ConnectError("connection refused"), RetryableError),
        (httpx.PoolTimeout("pool"), RetryableError),
        (httpx.ReadTimeout("read timed out"), OutcomeUnknown),
        (httpx.WriteTimeout("write timed out"), OutcomeUnknown),
        (httpx.RemoteProtocolError("Server disconnected without sending a response."), OutcomeUnknown),
        (httpx.ReadError("connection reset"), OutcomeUnknown),
    ],
)
def test_publish_failures_classified(
    fake: FakeMastodon, client: MastodonConnector, failure: object, expected: type[Exception]
) -> None:
    fake.fail("post_status", failure)
    with pytest.raises(expected):
        client.publish(PostRequest(text="x"), idempotency_key="k")


@pytest.mark.parametrize(
    "failure",
    [
        httpx.ReadTimeout("read"),
        httpx.RemoteProtocolError("dropped"),
        httpx.Response(500, json={"error": "boom"}),
    ],
)
def test_reads_are_always_retryable(fake: FakeMastodon, client: MastodonConnector, failure: object) -> None:
    fake.fail("get_status", failure)
    with pytest.raises(RetryableError):
        client.fetch_post_metrics("1")


def test_lost_answer_of_a_media_upload_is_retryable(fake: FakeMastodon, client: MastodonConnector) -> None:
    # An unattached upload is invisible and cleaned up by the server: repeating it cannot duplicate a post.
    fake.fail("media", httpx.ReadTimeout("read"))
    with pytest.raises(RetryableError):
        client.publish(PostRequest(text="x", media=(image(),)), idempotency_key="k")


def test_expired_and_revoked_tokens(fake: FakeMastodon, client: MastodonConnector) -> None:
    fake.fail("verify", httpx.Response(401, json={"error": "The access token expired"}))
    with pytest.raises(AuthExpired):
        client.verify()
    fake.fail("verify", httpx.Response(401, json={"error": "The access token was revoked"}))
    with pytest.raises(AuthRevoked):
        client.verify()
    client.credentials = Credentials(access_token="wrong")
    with pytest.raises(AuthRevoked, match="invalid"):
        client.verify()
    client.credentials = Credentials()
    with pytest.raises(AuthRevoked, match="No access token"):
        client.verify()


def test_known_expiry_refreshes_before_any_request(fake: FakeMastodon, client: MastodonConnector) -> None:
    client.credentials = Credentials(
        access_token=TOKEN,
        refresh_token="refresh-1",
        client_id="cid",
        client_secret="csecret",
        expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1),
    )
    with pytest.raises(AuthExpired):
        client.publish(PostRequest(text="x"), idempotency_key="k")
    assert not fake.router.routes["post_status"].called
    new = client.refresh()
    request = fake.router.routes["token"].calls.last.request
    assert b"grant_type=refresh_token" in request.content and b"refresh_token=refresh-1" in request.content
    assert new.access_token == "tok-2" and new.refresh_token == "refresh-2"
    assert new.expires_at is not None and new.expires_at > dt.datetime.now(dt.UTC) + dt.timedelta(minutes=100)
    assert new.client_id == "cid" and new.client_secret == "csecret"
    assert client.publish(PostRequest(text="after refresh"), idempotency_key="k").external_id


def test_refresh_refused_or_impossible_is_revoked(fake: FakeMastodon, client: MastodonConnector) -> None:
    client.credentials = Credentials(
        access_token=TOKEN, refresh_token="stale", client_id="c", client_secret="s"
    )
    with pytest.raises(AuthRevoked, match="authorization grant is invalid"):
        client.refresh()
    client.credentials = Credentials(access_token=TOKEN)
    with pytest.raises(AuthRevoked, match="no refresh token"):
        client.refresh()


def test_delete_and_already_deleted(fake: FakeMastodon, client: MastodonConnector) -> None:
    result = client.publish(PostRequest(text="bye"), idempotency_key="k")
    client.delete(result.external_id)
    assert not fake.statuses
    client.delete(result.external_id)  # 404: already gone, fine


def test_metrics(fake: FakeMastodon, client: MastodonConnector) -> None:
    result = client.publish(PostRequest(text="x"), idempotency_key="k")
    metrics = client.fetch_post_metrics(result.external_id)
    assert (metrics.likes, metrics.shares, metrics.comments) == (7, 2, 3)
    assert metrics.impressions is None  # Mastodon does not report it
    account = client.fetch_account_metrics()
    assert (account.followers_total, account.following_total, account.posts_total) == (1234, 56, 78)
    assert (
        client.rate_limit is not None
        and client.rate_limit.limit == 300
        and client.rate_limit.remaining == 299
    )


def test_find_published_matches_text_and_stops_at_since(
    fake: FakeMastodon, client: MastodonConnector
) -> None:
    now = dt.datetime.now(dt.UTC)
    post = PostRequest(text="第一行\n\n第二行 <b>&", hashtags=("新品",))
    fake.statuses.append(fake.status("something else", created_at=now))
    fake.statuses.append(
        fake.status("第一行\n\n第二行 &lt;b&gt;&amp;\n\n#新品", created_at=now - dt.timedelta(minutes=1))
    )
    found = client.find_published(idempotency_key="k", since=now - dt.timedelta(minutes=10), post=post)
    assert found is not None and found.external_id == fake.statuses[1]["id"] and found.duplicate
    # Older than `since` (beyond the clock-skew margin): not looked at.
    assert client.find_published(idempotency_key="k", since=now + dt.timedelta(minutes=5), post=post) is None
    assert (
        client.find_published(
            idempotency_key="k", since=now - dt.timedelta(minutes=10), post=PostRequest(text="nope")
        )
        is None
    )
    # Same text but a different number of media is another post.
    with_media = PostRequest(text=post.text, hashtags=post.hashtags, media=(image(),))
    assert (
        client.find_published(idempotency_key="k", since=now - dt.timedelta(minutes=10), post=with_media)
        is None
    )


def test_find_published_pages_back(fake: FakeMastodon, client: MastodonConnector) -> None:
    now = dt.datetime.now(dt.UTC)
    fake.statuses.append(fake.status("target", created_at=now - dt.timedelta(minutes=1)))
    for i in range(45):
        fake.statuses.append(fake.status(f"later {i}", created_at=now))
    found = client.find_published(
        idempotency_key="k", since=now - dt.timedelta(hours=1), post=PostRequest(text="target")
    )
    assert found is not None and found.external_id == fake.statuses[0]["id"]
    assert fake.router.routes["account_statuses"].call_count == 2


def test_comments_and_messages_from_mentions(fake: FakeMastodon, client: MastodonConnector) -> None:
    for i, visibility in enumerate(["public", "direct", "public"], start=1):
        status = fake.status(
            f"@acme 问题 {i}", visibility=visibility, in_reply_to_id="55" if visibility == "public" else None
        )
        status["account"] = {"id": f"9{i}", "acct": f"fan{i}@x.social", "display_name": f"粉丝{i}"}
        fake.notifications.append({"id": str(100 + i), "type": "mention", "status": status})
    comments = client.fetch_comments()
    assert [c.text for c in comments.items] == ["@acme 问题 1", "@acme 问题 3"]
    assert comments.items[0].author_handle == "fan1@x.social" and comments.items[0].in_reply_to == "55"
    assert comments.cursor == "103"
    messages = client.fetch_messages()
    assert [m.text for m in messages.items] == ["@acme 问题 2"] and messages.items[0].is_private
    assert client.fetch_comments(cursor=comments.cursor).items == []
    assert fake.router.routes["notifications"].calls.last.request.url.params["min_id"] == "103"


def test_followers_paging_from_link_header(fake: FakeMastodon, client: MastodonConnector) -> None:
    page = client.fetch_followers(limit=2)
    assert [f.handle for f in page.items] == ["fan9", "fan8"] and page.next_cursor == "8"
    last = client.fetch_followers(cursor=page.next_cursor)
    assert [f.external_id for f in last.items] == ["7"] and last.next_cursor == ""


def test_reply_threads_under_the_comment(fake: FakeMastodon, client: MastodonConnector) -> None:
    client.reply(in_reply_to="555", text="谢谢支持！", idempotency_key="r1")
    body = json.loads(fake.router.routes["post_status"].calls.last.request.content)
    assert body["in_reply_to_id"] == "555" and body["status"] == "谢谢支持！"


def test_absent_capabilities_raise_not_supported(client: MastodonConnector) -> None:
    assert not client.supports(Capability.TAG_FOLLOWERS)
    with pytest.raises(NotSupported):
        client.tag_followers(tag="vip", follower_ids=["1"])
    with pytest.raises(NotSupported):
        client.send_to_tag(tag="vip", post=PostRequest(text="x"), idempotency_key="k")
    with pytest.raises(NotSupported):
        client.withdraw(idempotency_key="k")
    with pytest.raises(NotSupported):
        client.publish(PostRequest(text="x", title="t", kind=PostKind.ARTICLE), idempotency_key="k")


def test_html_round_trip() -> None:
    html = '<p>Hi <a href="https://x.example/a"><span class="invisible">https://</span><span>x.example/a</span></a></p><p>line<br />two &amp; more</p>'
    assert html_to_text(html) == "Hi https://x.example/a\n\nline\ntwo & more"
    assert compose_text(PostRequest(text="#科技 news", hashtags=("科技", "AI"))) == "#科技 news\n\n#AI"
