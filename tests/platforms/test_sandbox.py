"""The sandbox platform over real HTTP on 127.0.0.1, driven through the Mastodon connector."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from socialops.platforms.connectors.base import (
    AuthExpired,
    AuthRevoked,
    MediaFile,
    OutcomeUnknown,
    PermanentError,
    PostRequest,
    RetryableError,
)
from socialops.platforms.connectors.mastodon import MastodonConnector, password_grant, register_app
from socialops.platforms.credentials import Credentials
from socialops.platforms.sandbox import Faults, SandboxAdmin, SandboxServer

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def test_publish_is_recorded_once_per_key(mastodon: MastodonConnector, sandbox_admin: SandboxAdmin) -> None:
    first = mastodon.publish(PostRequest(text="你好，沙盒 #新品"), idempotency_key="key-1")
    again = mastodon.publish(PostRequest(text="你好，沙盒 #新品"), idempotency_key="key-1")
    other = mastodon.publish(PostRequest(text="你好，沙盒 #新品"), idempotency_key="key-2")
    assert first.external_id == again.external_id != other.external_id
    assert first.url == f"{mastodon.base_url}/@acme/{first.external_id}"
    record = sandbox_admin.posts()
    assert record["count"] == 2 and record["by_account"] == {"acme": 2}
    assert record["idempotent_replays"] == 1
    assert record["duplicate_texts"] == 1  # two keys, same text: two posts, as asked
    assert {p["idempotency_key"] for p in record["posts"]} == {"key-1", "key-2"}


def test_status_entity_and_verify(mastodon: MastodonConnector) -> None:
    info = mastodon.verify()
    assert info.handle == "acme" and info.external_id
    result = mastodon.publish(PostRequest(text="see https://acme.example/x #科技"), idempotency_key="k")
    raw = result.raw
    assert raw["content"].startswith('<p>see <a href="https://acme.example/x"')
    assert raw["tags"][0]["name"] == "科技" and raw["visibility"] == "public"
    assert {"favourites_count", "reblogs_count", "replies_count"} <= set(raw)


def test_platform_limits_enforced_by_the_sandbox(
    sandbox: SandboxServer, sandbox_credentials: Credentials
) -> None:
    headers = {"Authorization": f"Bearer {sandbox_credentials.access_token}"}
    response = httpx.post(f"{sandbox.url}/api/v1/statuses", json={"status": "x" * 501}, headers=headers)
    assert response.status_code == 422 and "character limit of 500" in response.json()["error"]
    response = httpx.post(
        f"{sandbox.url}/api/v1/statuses", json={"status": "x", "media_ids": ["1"] * 5}, headers=headers
    )
    assert response.status_code == 422 and "more than 4" in response.json()["error"]
    response = httpx.post(
        f"{sandbox.url}/api/v1/statuses", json={"status": "x"}, headers={"Authorization": "Bearer nope"}
    )
    assert response.status_code == 401 and response.json()["error"] == "The access token is invalid"
    # Form-encoded, as most Mastodon clients send it, works too.
    response = httpx.post(f"{sandbox.url}/api/v1/statuses", data={"status": "form post"}, headers=headers)
    assert response.status_code == 200 and response.json()["content"] == "<p>form post</p>"


def test_media_upload_with_processing_delay(mastodon: MastodonConnector, sandbox_admin: SandboxAdmin) -> None:
    sandbox_admin.set_faults(media_processing_ms=200)
    started = time.monotonic()
    result = mastodon.publish(
        PostRequest(
            text="两张图", media=(MediaFile("1.png", "image/png", PNG), MediaFile("2.png", "image/png", PNG))
        ),
        idempotency_key="m",
    )
    assert time.monotonic() - started >= 0.2
    assert len(result.raw["media_attachments"]) == 2
    assert all(m["url"] for m in result.raw["media_attachments"])
    assert sandbox_admin.posts()["posts"][0]["media_count"] == 2


def test_latency(mastodon: MastodonConnector, sandbox_admin: SandboxAdmin) -> None:
    sandbox_admin.set_faults(latency_ms=150)
    started = time.monotonic()
    mastodon.verify()
    assert time.monotonic() - started >= 0.15


def test_5xx_fault_is_retryable_and_records_nothing(
    mastodon: MastodonConnector, sandbox_admin: SandboxAdmin
) -> None:
    sandbox_admin.set_faults(error_next=2)
    with pytest.raises(RetryableError) as info:
        mastodon.publish(PostRequest(text="x"), idempotency_key="k")
    assert info.value.status_code == 503
    with pytest.raises(RetryableError):
        mastodon.publish(PostRequest(text="x"), idempotency_key="k")
    assert mastodon.publish(PostRequest(text="x"), idempotency_key="k").external_id
    assert sandbox_admin.posts()["count"] == 1
    assert sandbox_admin.stats()["injected_errors"] == 2


def test_500_on_a_write_is_outcome_unknown(mastodon: MastodonConnector, sandbox_admin: SandboxAdmin) -> None:
    sandbox_admin.set_faults(error_next=1, error_status=500)
    with pytest.raises(OutcomeUnknown):
        mastodon.publish(PostRequest(text="x"), idempotency_key="k")
    since = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    # Reconciliation: the platform has nothing, so publishing again with the same key is right.
    assert mastodon.find_published(idempotency_key="k", since=since, post=PostRequest(text="x")) is None


def test_error_rate_is_seeded(sandbox_admin: SandboxAdmin, mastodon: MastodonConnector) -> None:
    sandbox_admin.set_faults(error_rate=0.5, seed=7)
    outcomes = []
    for _ in range(20):
        try:
            mastodon.verify()
            outcomes.append(True)
        except RetryableError:
            outcomes.append(False)
    assert 3 <= outcomes.count(False) <= 17


def test_429_burst_with_retry_after(mastodon: MastodonConnector, sandbox_admin: SandboxAdmin) -> None:
    sandbox_admin.set_faults(burst_429=2, retry_after_s=2)
    for _ in range(2):
        with pytest.raises(RetryableError) as info:
            mastodon.publish(PostRequest(text="x"), idempotency_key="k")
        assert info.value.status_code == 429 and info.value.retry_after == 2
    mastodon.publish(PostRequest(text="x"), idempotency_key="k")
    assert sandbox_admin.posts()["count"] == 1


def test_rate_limit_window(mastodon: MastodonConnector, sandbox_admin: SandboxAdmin) -> None:
    sandbox_admin.set_faults(rate_limit=3, rate_window_s=60)
    for _ in range(3):
        mastodon.verify()
    assert mastodon.rate_limit is not None and mastodon.rate_limit.remaining == 0
    with pytest.raises(RetryableError) as info:
        mastodon.verify()
    assert info.value.retry_after is not None and 50 <= info.value.retry_after <= 60


def test_timeout_after_accept_then_reconcile(
    sandbox: SandboxServer, sandbox_credentials: Credentials, sandbox_admin: SandboxAdmin
) -> None:
    sandbox_admin.set_faults(timeout_next=1, hang_seconds=3)
    post = PostRequest(text="不会重复的帖子")
    since = dt.datetime.now(dt.UTC)
    with MastodonConnector(
        base_url=sandbox.url, credentials=sandbox_credentials, timeout=httpx.Timeout(5.0, read=0.5)
    ) as client:
        with pytest.raises(OutcomeUnknown):
            client.publish(post, idempotency_key="unknown-1")
        # The platform did record it: the truth is on the platform, not in the lost answer.
        assert sandbox_admin.posts()["count"] == 1
        found = client.find_published(idempotency_key="unknown-1", since=since, post=post)
        assert found is not None and found.external_id == sandbox_admin.posts()["posts"][0]["id"]
        # Even a blind retry with the same key would not duplicate it within the hour.
        assert client.publish(post, idempotency_key="unknown-1").external_id == found.external_id
    assert sandbox_admin.posts()["count"] == 1
    assert sandbox_admin.stats()["timeouts_after_accept"] == 1


def test_dropped_connection_after_accept(mastodon: MastodonConnector, sandbox_admin: SandboxAdmin) -> None:
    sandbox_admin.set_faults(timeout_next=1, hang_seconds=0)
    with pytest.raises(OutcomeUnknown):
        mastodon.publish(PostRequest(text="dropped"), idempotency_key="d")
    assert sandbox_admin.posts()["count"] == 1


def test_token_expiry_and_refresh(sandbox: SandboxServer, sandbox_admin: SandboxAdmin) -> None:
    sandbox_admin.set_faults(token_ttl=3600)
    app = register_app(sandbox.url)
    creds = password_grant(sandbox.url, app, username="expiring", password="pw")
    assert creds.expires_at is not None and creds.refresh_token
    # Our clock thinks the token is fine; the platform's clock has moved on two hours.
    sandbox_admin.set_faults(time_offset_s=7200)
    with MastodonConnector(base_url=sandbox.url, credentials=creds) as client:
        with pytest.raises(AuthExpired, match="The access token expired"):
            client.verify()
        new = client.refresh()
        assert new.access_token != creds.access_token and new.refresh_token != creds.refresh_token
        assert client.verify().handle == "expiring"
    # The old refresh token was rotated away: using it again is refused.
    with MastodonConnector(base_url=sandbox.url, credentials=creds) as stale, pytest.raises(AuthRevoked):
        stale.refresh()
    assert sandbox_admin.stats()["refreshed"] == 1


def test_admin_expire_and_revoke(sandbox: SandboxServer, sandbox_admin: SandboxAdmin) -> None:
    created = sandbox_admin.create_account("bench_1")
    creds = Credentials(
        access_token=created["access_token"],
        refresh_token=created["refresh_token"],
        client_id=created["client_id"],
        client_secret=created["client_secret"],
    )
    with MastodonConnector(base_url=sandbox.url, credentials=creds) as client:
        assert client.verify().handle == "bench_1"
        assert sandbox_admin.expire("bench_1") == 1
        with pytest.raises(AuthExpired):
            client.verify()
        client.refresh()
        client.verify()
        sandbox_admin.revoke("bench_1")
        with pytest.raises(AuthRevoked, match="revoked"):
            client.verify()
        with pytest.raises(AuthRevoked):
            client.refresh()


def test_engagement_grows_with_age_and_is_deterministic(
    mastodon: MastodonConnector, sandbox_admin: SandboxAdmin
) -> None:
    ids = [
        mastodon.publish(PostRequest(text=f"post {i}"), idempotency_key=f"e{i}").external_id for i in range(5)
    ]
    fresh = [mastodon.fetch_post_metrics(i).likes for i in ids]
    assert fresh == [0] * 5
    sandbox_admin.set_faults(time_offset_s=3 * 3600)
    later = [mastodon.fetch_post_metrics(i) for i in ids]
    sandbox_admin.set_faults(time_offset_s=3 * 86400)
    much_later = [mastodon.fetch_post_metrics(i) for i in ids]
    assert all((b.likes or 0) >= (a.likes or 0) for a, b in zip(later, much_later, strict=True))
    assert sum(m.likes or 0 for m in much_later) > sum(m.likes or 0 for m in later) > 0
    assert sum(m.shares or 0 for m in much_later) > 0
    again = [mastodon.fetch_post_metrics(i).likes for i in ids]
    assert again == [m.likes for m in much_later]
    followers_now = mastodon.fetch_account_metrics()
    assert followers_now.posts_total == 5 and (followers_now.followers_total or 0) > 100


def test_comments_messages_and_replies(mastodon: MastodonConnector, sandbox_admin: SandboxAdmin) -> None:
    ids = [
        mastodon.publish(PostRequest(text=f"互动 {i}"), idempotency_key=f"c{i}").external_id for i in range(6)
    ]
    sandbox_admin.set_faults(time_offset_s=2 * 86400)
    comments = mastodon.fetch_comments(limit=80)
    messages = mastodon.fetch_messages(limit=80)
    assert comments.items and messages.items
    assert all(c.in_reply_to in ids and not c.is_private for c in comments.items)
    assert all(m.is_private for m in messages.items)
    assert comments.items == sorted(comments.items, key=lambda c: c.created_at)
    assert mastodon.fetch_comments(cursor=comments.cursor, limit=80).items == []
    total_replies = sum(mastodon.fetch_post_metrics(i).comments or 0 for i in ids)
    assert total_replies == len(comments.items)
    target = comments.items[0]
    mastodon.reply(in_reply_to=target.external_id, text="谢谢关注！", idempotency_key="reply-1")
    thread = mastodon.fetch_comments(post_id=target.in_reply_to)
    assert target.external_id in [c.external_id for c in thread.items]
    posts = sandbox_admin.posts()["posts"]
    assert [p["in_reply_to_id"] for p in posts if p["text"] == "谢谢关注！"] == [target.external_id]


def test_followers_pages(mastodon: MastodonConnector) -> None:
    first = mastodon.fetch_followers(limit=40)
    second = mastodon.fetch_followers(cursor=first.next_cursor, limit=40)
    assert len(first.items) == 40 and second.items
    assert not {f.external_id for f in first.items} & {f.external_id for f in second.items}


def test_delete(mastodon: MastodonConnector, sandbox_admin: SandboxAdmin) -> None:
    result = mastodon.publish(PostRequest(text="delete me"), idempotency_key="del")
    mastodon.delete(result.external_id)
    mastodon.delete(result.external_id)
    assert sandbox_admin.posts()["count"] == 0
    assert sandbox_admin.posts(include_deleted=True)["posts"][0]["deleted"] is True
    with pytest.raises(PermanentError):
        mastodon.fetch_post_metrics(result.external_id)


def test_faults_endpoint_validates(sandbox_admin: SandboxAdmin) -> None:
    with pytest.raises(httpx.HTTPStatusError):
        sandbox_admin.set_faults(error_rate=2)
    with pytest.raises(httpx.HTTPStatusError):
        sandbox_admin.set_faults(nonsense=1)
    with pytest.raises(httpx.HTTPStatusError):
        sandbox_admin.set_faults(latency_ms=-5)
    assert sandbox_admin.faults()["error_rate"] == 0.0
    assert sandbox_admin.set_faults(latency_ms=10)["latency_ms"] == 10
    sandbox_admin.reset()
    assert sandbox_admin.faults()["latency_ms"] == 0


@pytest.mark.usefixtures("egress_loopback")  # a server (or closed port) on 127.0.0.1
def test_posts_survive_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "truth.sqlite3"
    with SandboxServer(db_path=db) as first:
        created = SandboxAdmin(first.url).create_account("keeper")
        with MastodonConnector(
            base_url=first.url, credentials=Credentials(access_token=created["access_token"])
        ) as c:
            c.publish(PostRequest(text="still here"), idempotency_key="keep")
    with SandboxServer(db_path=db) as second, SandboxAdmin(second.url) as admin:
        assert admin.posts()["count"] == 1
        with MastodonConnector(
            base_url=second.url, credentials=Credentials(access_token=created["access_token"])
        ) as c:
            assert c.publish(PostRequest(text="still here"), idempotency_key="keep").external_id
        assert admin.posts()["count"] == 1


@pytest.mark.usefixtures("egress_loopback")  # a server (or closed port) on 127.0.0.1
def test_initial_faults_from_constructor(tmp_path: Path) -> None:
    with SandboxServer(db_path=tmp_path / "s.sqlite3", faults=Faults(burst_429=1)) as server:
        created = SandboxAdmin(server.url).create_account("x")
        with MastodonConnector(
            base_url=server.url, credentials=Credentials(access_token=created["access_token"])
        ) as c:
            with pytest.raises(RetryableError):
                c.verify()
            c.verify()


@pytest.mark.slow
def test_sandbox_command_as_a_subprocess(tmp_path: Path) -> None:
    env = {**os.environ, "SOCIALOPS_DATA_DIR": str(tmp_path)}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "socialops.cli",
            "sandbox",
            "--port",
            "0",
            "--latency-ms",
            "5",
            "--token-ttl",
            "60",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert "sandbox listening on http://127.0.0.1:" in line, line
        url = line.split()[3]
        with SandboxAdmin(url) as admin:
            assert admin.wait_until_up(timeout=5)
            assert admin.faults()["latency_ms"] == 5 and admin.faults()["token_ttl"] == 60
            assert admin.create_account("sub")["expires_in"] == 60
        assert (tmp_path / "sandbox.sqlite3").exists()
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert process.returncode == 0


def test_an_account_audience_can_start_at_a_given_size(
    mastodon: MastodonConnector, sandbox_admin: SandboxAdmin
) -> None:
    sandbox_admin.set_followers("acme", 78_882)
    followers = mastodon.fetch_account_metrics().followers_total
    assert followers is not None and 78_882 <= followers < 78_882 + 100
    with pytest.raises(httpx.HTTPStatusError) as bad:
        sandbox_admin.set_followers("acme", -1)
    assert bad.value.response.status_code == 400
    with pytest.raises(httpx.HTTPStatusError) as missing:
        sandbox_admin.set_followers("nobody", 10)
    assert missing.value.response.status_code == 404
