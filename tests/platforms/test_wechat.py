"""The WeChat Official Account connector against a respx fake of the 公众号 API (wechat_fake.py)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import respx
import time_machine

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
from socialops.platforms.connectors.http import redact
from socialops.platforms.connectors.wechat import WechatConnector, clientmsgid_for
from socialops.platforms.credentials import Credentials
from socialops.platforms.registry import connector_class

from .wechat_fake import API, APPID, SECRET, SHANGHAI, FakeWeChat

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def cover(name: str = "cover.png", data: bytes = PNG, ctype: str = "image/png") -> MediaFile:
    return MediaFile(name, ctype, data=data)


def article(title: str = "春季新品发布", **kwargs: Any) -> PostRequest:
    kwargs.setdefault("media", (cover(),))
    return PostRequest(text="正文第一段", title=title, kind=PostKind.ARTICLE, **kwargs)


@pytest.fixture
def fake() -> Iterator[FakeWeChat]:
    with respx.mock(assert_all_called=False) as router:
        yield FakeWeChat(router)


def connect(fake: FakeWeChat, **kwargs: Any) -> WechatConnector:
    """A connector already holding a valid token from the fake."""
    token = fake.issue_token()
    creds = Credentials(
        access_token=token,
        expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(hours=2),
        client_id=APPID,
        client_secret=SECRET,
    )
    kwargs.setdefault("poll_interval", 0.0)
    return WechatConnector(credentials=creds, **kwargs)


@pytest.fixture
def client(fake: FakeWeChat) -> Iterator[WechatConnector]:
    connector = connect(fake)
    yield connector
    connector.close()


def test_declares_what_it_does() -> None:
    cls = WechatConnector
    assert cls.kind == "wechat_mp" and not cls.needs_base_url and cls.dedupe_window is None
    assert cls.supports(Capability.PUBLISH_ARTICLE) and cls.supports(Capability.SEND_TO_TAG)
    assert not any(cls.supports(c) for c in (Capability.PUBLISH_TEXT, Capability.PUBLISH_IMAGES))
    assert WechatConnector().base_url == API
    assert connector_class("wechat_mp") is WechatConnector


def test_token_from_stable_token_then_publish(fake: FakeWeChat) -> None:
    connector = WechatConnector(
        credentials=Credentials(client_id=APPID, client_secret=SECRET), poll_interval=0
    )
    with pytest.raises(AuthExpired):
        connector.publish(article(), idempotency_key="k1")
    assert fake.calls == []  # refused before sending anything
    new = connector.refresh()
    assert fake.calls == ["/cgi-bin/stable_token"]
    assert fake.by_path("/cgi-bin/stable_token") == [
        {"grant_type": "client_credential", "appid": APPID, "secret": SECRET, "force_refresh": False}
    ]
    assert new.access_token == fake.token and new.client_secret == SECRET
    assert new.expires_at is not None
    assert abs((new.expires_at - dt.datetime.now(dt.UTC)).total_seconds() - 7200) < 5
    result = connector.publish(article(), idempotency_key="k1")
    assert result.external_id.startswith("ART_")
    assert "/cgi-bin/token" not in fake.calls


def test_expired_token_is_refused_before_sending(fake: FakeWeChat) -> None:
    token = fake.issue_token()
    past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    connector = WechatConnector(credentials=Credentials(access_token=token, expires_at=past, client_id=APPID))
    with pytest.raises(AuthExpired):
        connector.verify()
    assert fake.calls == []


@pytest.mark.parametrize(
    ("appid", "secret", "whitelisted", "code"),
    [("wx-wrong", SECRET, True, "40013"), (APPID, "wrong", True, "40125"), (APPID, SECRET, False, "40164")],
)
def test_refresh_refused_is_revoked(
    fake: FakeWeChat, appid: str, secret: str, whitelisted: bool, code: str
) -> None:
    fake.whitelisted = whitelisted
    connector = WechatConnector(credentials=Credentials(client_id=appid, client_secret=secret))
    with pytest.raises(AuthRevoked) as exc:
        connector.refresh()
    assert exc.value.platform_code == code
    if code == "40164":
        assert "203.0.113.7" in exc.value.message and "whitelist" in exc.value.message


def test_invalid_token_mid_publish_is_auth_expired(fake: FakeWeChat, client: WechatConnector) -> None:
    fake.fail("/cgi-bin/draft/add", 40001, "invalid credential, access_token is invalid or not latest")
    with pytest.raises(AuthExpired) as exc:
        client.publish(article(), idempotency_key="k")
    assert exc.value.platform_code == "40001"
    assert "/cgi-bin/freepublish/submit" not in fake.calls
    fake.token = "rotated-elsewhere"  # e.g. someone force-refreshed the stable token
    with pytest.raises(AuthExpired):
        client.publish(article(), idempotency_key="k")


def test_publish_article_with_cover_and_inline_images(fake: FakeWeChat, client: WechatConnector) -> None:
    post = article(
        body_html="<h2>亮点</h2><p>新品上市</p>",
        link_url="https://shop.example/spring",
        media=(
            cover(),
            MediaFile("a.jpg", "image/jpeg", data=JPG),
            MediaFile("b.png", "image/png", data=PNG),
        ),
        options={"author": "市场部", "digest": "三款新品", "need_open_comment": True},
    )
    result = client.publish(post, idempotency_key="k")
    (draft_body,) = fake.by_path("/cgi-bin/draft/add")
    (item,) = draft_body["articles"]
    assert item["title"] == "春季新品发布" and item["author"] == "市场部" and item["digest"] == "三款新品"
    assert item["thumb_media_id"] in fake.materials
    assert item["content_source_url"] == "https://shop.example/spring"
    assert (item["need_open_comment"], item["only_fans_can_comment"]) == (1, 0)
    first, second = fake.image_urls
    assert item["content"].startswith("<h2>亮点</h2><p>新品上市</p>")
    assert item["content"].index(first) < item["content"].index(second)
    assert fake.calls.count("/cgi-bin/freepublish/get") == 2  # "publishing" once, then done
    job = next(iter(fake.jobs.values()))
    assert result.external_id == f"{fake.published[0]['article_id']}:{job['msg_data_id']}"
    assert result.url.startswith("https://mp.weixin.qq.com/s/") and result.published_at is not None
    assert fake.drafts == {}  # published drafts leave the 草稿箱


def test_body_images_of_ours_are_uploaded_in_place(fake: FakeWeChat, client: WechatConnector) -> None:
    # The engine hands over the body with our images as asset:<id> and the files as media.
    post = article(
        body_html='<p>开头</p><p><img src="asset:7" alt="图"></p><p>结尾</p><img src="asset:99">',
        media=(cover(), MediaFile("in.png", "image/png", data=PNG, asset_id=7)),
    )
    client.publish(post, idempotency_key="k")
    (draft_body,) = fake.by_path("/cgi-bin/draft/add")
    content = draft_body["articles"][0]["content"]
    (url,) = fake.image_urls
    # In its place, not appended; the image that did not come with the post is left out.
    assert content == f'<p>开头</p><p><img src="{url}" alt="图"></p><p>结尾</p>'


def test_text_becomes_escaped_paragraphs(fake: FakeWeChat, client: WechatConnector) -> None:
    post = PostRequest(
        text="第一段 <b>\n第二行\n\n第二段", title="标题", kind=PostKind.ARTICLE, media=(cover(),)
    )
    client.publish(post, idempotency_key="k")
    content = fake.by_path("/cgi-bin/draft/add")[0]["articles"][0]["content"]
    assert content == "<p>第一段 &lt;b&gt;<br/>第二行</p><p>第二段</p>"


def test_still_publishing_is_unknown_then_found(fake: FakeWeChat) -> None:
    before = dt.datetime.now(dt.UTC)
    fake.publishing_polls = 10**6
    connector = connect(fake, max_wait=0.05, poll_interval=0.01)
    post = article("  春季   新品发布 ")
    with pytest.raises(OutcomeUnknown, match="still being published"):
        connector.publish(post, idempotency_key="k")
    assert connector.find_published(idempotency_key="k", since=before, post=post) is None
    fake.finish_pending()
    found = connector.find_published(idempotency_key="k", since=before, post=post)
    assert found is not None and found.external_id == fake.published[0]["article_id"]
    assert found.url == fake.published[0]["content"]["news_item"][0]["url"]
    later = before + dt.timedelta(hours=1)
    assert connector.find_published(idempotency_key="k", since=later, post=post) is None
    assert connector.find_published(idempotency_key="k", since=before, post=article("别的标题")) is None


def test_find_published_pages_through_batchget(fake: FakeWeChat, client: WechatConnector) -> None:
    before = dt.datetime.now(dt.UTC)
    client.publish(article("要找的那篇"), idempotency_key="k0")
    for n in range(45):
        client.publish(article(f"其他文章 {n}"), idempotency_key=f"k{n + 1}")
    found = client.find_published(idempotency_key="k0", since=before, post=article("要找的那篇"))
    assert found is not None and fake.calls.count("/cgi-bin/freepublish/batchget") == 3
    assert {b["count"] for b in fake.by_path("/cgi-bin/freepublish/batchget")} == {20}


@pytest.mark.parametrize(("status", "words"), [(2, "originality"), (3, "publishing failed"), (4, "review")])
def test_failed_publish_is_permanent(
    fake: FakeWeChat, client: WechatConnector, status: int, words: str
) -> None:
    fake.final_status = status
    with pytest.raises(PermanentError) as exc:
        client.publish(article(), idempotency_key="k")
    assert words in exc.value.message and exc.value.platform_code == f"publish_status_{status}"
    if status in (2, 4):
        assert "failed articles: 1" in exc.value.message


def test_errors_after_submit_never_allow_a_blind_retry(fake: FakeWeChat, client: WechatConnector) -> None:
    fake.fail("/cgi-bin/freepublish/get", -1, "system error")
    with pytest.raises(OutcomeUnknown):
        client.publish(article(), idempotency_key="k")
    fake.fail("/cgi-bin/freepublish/get", 42001, "access_token expired")
    with pytest.raises(OutcomeUnknown):
        client.publish(article(), idempotency_key="k2")
    fake.raise_on("/cgi-bin/freepublish/submit", httpx.ReadTimeout("timed out"))
    with pytest.raises(OutcomeUnknown):
        client.publish(article(), idempotency_key="k3")


def test_busy_is_retryable_for_reads_and_unknown_for_writes(
    fake: FakeWeChat, client: WechatConnector
) -> None:
    fake.fail("/cgi-bin/get_api_domain_ip", -1, "system error")
    with pytest.raises(RetryableError):
        client.verify()
    fake.fail("/cgi-bin/message/mass/sendall", -1, "system error")
    with pytest.raises(OutcomeUnknown):
        client.publish(article(options={"send_mode": "mass"}), idempotency_key="k")


def test_mass_send_twice_with_one_key_sends_once(fake: FakeWeChat, client: WechatConnector) -> None:
    post = article(options={"send_mode": "mass"})
    first = client.publish(post, idempotency_key="pub-42")
    (message,) = fake.mass.values()
    assert first.external_id == f"mass:{message['msg_id']}:{message['msg_data_id']}" and not first.duplicate
    assert message["filter"] == {"is_to_all": True}
    second = client.publish(post, idempotency_key="pub-42")
    assert second.duplicate and second.external_id == f"mass:{message['msg_id']}"
    assert len(fake.mass) == 1 and fake.drafts == {}  # the spare draft was removed
    assert [b["clientmsgid"] for b in fake.by_path("/cgi-bin/message/mass/sendall")] == ["pub-42"] * 2


def test_clientmsgid_fits_64_bytes() -> None:
    long_key = "发布-" * 40
    assert len(clientmsgid_for(long_key).encode()) <= 64
    assert clientmsgid_for(long_key) == clientmsgid_for(long_key) != clientmsgid_for(long_key + "x")
    assert clientmsgid_for("pub-7") == "pub-7"


@pytest.mark.parametrize(
    ("account_type", "allowed", "reset"),
    [
        ("subscription", 1, dt.datetime(2026, 3, 17, tzinfo=SHANGHAI)),
        ("service", 4, dt.datetime(2026, 4, 1, tzinfo=SHANGHAI)),
    ],
)
def test_mass_send_quota_by_account_type(
    fake: FakeWeChat, account_type: str, allowed: int, reset: dt.datetime
) -> None:
    fake.account_type = account_type
    with time_machine.travel(dt.datetime(2026, 3, 16, 15, 30, tzinfo=SHANGHAI), tick=False):
        client = connect(fake, account_type=account_type)
        post = article(options={"send_mode": "mass"})
        for n in range(allowed):
            client.publish(post, idempotency_key=f"k{n}")
        with pytest.raises(QuotaExceeded) as exc:
            client.publish(post, idempotency_key="one-more")
    assert exc.value.platform_code == "45028" and exc.value.reset_at == reset
    assert len(fake.mass) == allowed


def test_quota_errors(fake: FakeWeChat, client: WechatConnector) -> None:
    with time_machine.travel(dt.datetime(2026, 3, 16, 23, 10, tzinfo=SHANGHAI), tick=False):
        fake.fail(
            "/cgi-bin/get_api_domain_ip", 45011, "api minute-quota reach limit must slower retry next minute"
        )
        with pytest.raises(QuotaExceeded) as minute:
            client.verify()
        fake.fail("/cgi-bin/get_api_domain_ip", 45009, "reach max api daily quota limit")
        with pytest.raises(QuotaExceeded) as daily:
            client.verify()
        now = dt.datetime.now(dt.UTC)
    assert minute.value.reset_at == now + dt.timedelta(seconds=60)
    assert daily.value.reset_at == dt.datetime(2026, 3, 17, tzinfo=SHANGHAI)


def test_unauthorised_interface(fake: FakeWeChat, client: WechatConnector) -> None:
    fake.verified = False
    with pytest.raises(PermanentError) as exc:
        client.publish(article(options={"send_mode": "mass"}), idempotency_key="k")
    assert exc.value.platform_code == "48001"
    assert "not authorised" in exc.value.message and "mass-send" in exc.value.message


def test_ip_not_whitelisted_on_a_call(fake: FakeWeChat, client: WechatConnector) -> None:
    fake.whitelisted = False
    with pytest.raises(AuthRevoked, match="203.0.113.7"):
        client.verify()


def test_send_to_tag(fake: FakeWeChat, client: WechatConnector) -> None:
    result = client.send_to_tag(tag="星标组", post=article(), idempotency_key="t1")
    (message,) = fake.mass.values()
    assert message["filter"] == {"is_to_all": False, "tag_id": 2} and result.external_id.startswith("mass:")
    with pytest.raises(PermanentError, match="no follower tag"):
        client.send_to_tag(tag="不存在", post=article(), idempotency_key="t2")


def test_followers_paging(fake: FakeWeChat, client: WechatConnector) -> None:
    fake.followers = [f"o{n:02d}" for n in range(7)]
    fake.page_size = 3
    seen, cursor, pages = [], "", 0
    while True:
        page = client.fetch_followers(cursor=cursor)
        seen += [f.external_id for f in page.items]
        pages += 1
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert seen == fake.followers and pages == 4
    fake.page_size = 10000
    small = client.fetch_followers(limit=5)
    assert [f.handle for f in small.items] == fake.followers[:5] and small.next_cursor == "o04"
    rest = client.fetch_followers(cursor=small.next_cursor, limit=5)
    assert [f.handle for f in rest.items] == ["o05", "o06"]


def test_tag_followers_in_chunks_of_50(fake: FakeWeChat, client: WechatConnector) -> None:
    fake.followers = [f"openid{n:03d}" for n in range(120)]
    client.tag_followers(tag="老客户", follower_ids=fake.followers)
    bodies = fake.by_path("/cgi-bin/tags/members/batchtagging")
    assert [len(b["openid_list"]) for b in bodies] == [50, 50, 20]
    (tag_id,) = [i for i, n in fake.tags.items() if n == "老客户"]
    assert fake.tagged[tag_id] == set(fake.followers)
    client.tag_followers(tag=str(tag_id), follower_ids=fake.followers[:3])  # by id: no lookup
    assert fake.calls.count("/cgi-bin/tags/create") == 1


def test_comments_and_reply(fake: FakeWeChat, client: WechatConnector) -> None:
    fake.comments[(2247, 0)] = [
        {
            "user_comment_id": n,
            "openid": f"o{n}",
            "create_time": 1767225600 + n,
            "content": f"评论{n}",
            "comment_type": 0,
        }
        for n in range(1, 61)
    ]
    page = client.fetch_comments(post_id="mass:9:2247", limit=100)
    assert len(page.items) == 49 and page.cursor == "49"
    assert page.items[0].external_id == "2247:0:1" and page.items[0].author_id == "o1"
    assert page.items[0].created_at == dt.datetime.fromtimestamp(1767225601, dt.UTC)
    rest = client.fetch_comments(post_id="2247:0", cursor=page.cursor)
    assert [c.text for c in rest.items][-1] == "评论60" and rest.cursor == "60"
    client.reply(in_reply_to=rest.items[-1].external_id, text="谢谢支持", idempotency_key="r1")
    assert fake.comments[(2247, 0)][-1]["reply"]["content"] == "谢谢支持"
    with pytest.raises(PermanentError):
        client.fetch_comments()


def test_a_private_reply_is_a_customer_service_message_within_48_hours(
    fake: FakeWeChat, client: WechatConnector
) -> None:
    fake.last_written["oFAN1"] = dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)
    fake.last_written["oFAN2"] = dt.datetime.now(dt.UTC) - dt.timedelta(hours=49)

    client.reply(
        in_reply_to="6011", text="您好，已为您登记", idempotency_key="k1", recipient="oFAN1", private=True
    )
    assert fake.custom_messages == [
        {"touser": "oFAN1", "msgtype": "text", "text": {"content": "您好，已为您登记"}}
    ]

    with pytest.raises(PermanentError, match="48 hours"):
        client.reply(in_reply_to="6012", text="您好", idempotency_key="k2", recipient="oFAN2", private=True)
    assert len(fake.custom_messages) == 1


def test_account_metrics_from_datacube(fake: FakeWeChat, client: WechatConnector) -> None:
    with time_machine.travel(dt.datetime(2026, 3, 16, 9, 0, tzinfo=SHANGHAI), tick=False):
        fake.user_summary = [
            {"ref_date": "2026-03-15", "user_source": 0, "new_user": 5, "cancel_user": 1},
            {"ref_date": "2026-03-15", "user_source": 30, "new_user": 7, "cancel_user": 2},
            {"ref_date": "2026-03-14", "user_source": 0, "new_user": 99, "cancel_user": 99},
        ]
        fake.user_cumulate = [{"ref_date": "2026-03-15", "cumulate_user": 1234}]
        metrics = client.fetch_account_metrics()
    assert (metrics.followers_total, metrics.new_followers, metrics.lost_followers) == (1234, 12, 3)
    assert metrics.as_of.date() == dt.date(2026, 3, 15)


def test_post_metrics_from_article_summary(fake: FakeWeChat, client: WechatConnector) -> None:
    row = {
        "msgid": "2247_1",
        "int_page_read_user": 10,
        "int_page_read_count": 15,
        "share_count": 2,
        "add_to_fav_count": 1,
    }
    with time_machine.travel(dt.datetime(2026, 3, 16, 9, 0, tzinfo=SHANGHAI), tick=False):
        fake.article_summary = {"2026-03-15": [row, {**row, "msgid": "777_1"}], "2026-03-14": [row]}
        day = client.fetch_article_summary(dt.date(2026, 3, 15))
        metrics = client.fetch_post_metrics("mass:9:2247")
        with pytest.raises(PermanentError):
            client.fetch_article_summary(dt.date(2026, 3, 16))  # today's figures do not exist yet
    assert len(day) == 2
    assert (metrics.impressions, metrics.reach, metrics.shares, metrics.saves) == (30, 20, 4, 2)
    assert {b["begin_date"] for b in fake.by_path("/datacube/getarticlesummary")} >= {
        "2026-03-09",
        "2026-03-15",
    }
    assert all(b["begin_date"] == b["end_date"] for b in fake.by_path("/datacube/getarticlesummary"))
    unknown = client.fetch_post_metrics("ART_1")
    assert unknown.impressions is None and unknown.reach is None


def test_delete(fake: FakeWeChat, client: WechatConnector) -> None:
    result = client.publish(article(), idempotency_key="k")
    client.delete(result.external_id)
    assert fake.published == [] and fake.by_path("/cgi-bin/freepublish/delete")[0]["index"] == 0
    client.delete(result.external_id)  # already gone is fine
    mass = client.publish(article(options={"send_mode": "mass"}), idempotency_key="m")
    client.delete(mass.external_id)
    assert next(iter(fake.mass.values()))["deleted"]


def test_verify(fake: FakeWeChat, client: WechatConnector) -> None:
    info = client.verify()
    assert (info.external_id, info.handle) == (APPID, APPID)
    assert fake.calls == ["/cgi-bin/get_api_domain_ip"]


def test_check_limits_before_sending(fake: FakeWeChat, client: WechatConnector) -> None:
    def problems(post: PostRequest) -> str:
        return " ".join(client.check(post))

    assert problems(article()) == ""
    assert "32" in problems(article("标" * 33))
    assert "title" in problems(article(""))
    assert "128" in problems(article(options={"digest": "摘" * 129}))
    assert "16" in problems(article(options={"author": "作" * 17}))
    assert "cover" in problems(article(media=()))
    assert problems(article(media=(cover("c.gif", b"GIF89a", "image/gif"),))) == ""
    assert "JPEG or PNG" in problems(article(media=(cover(), cover("i.gif", b"GIF89a", "image/gif"))))
    assert "1 MB" in problems(
        article(media=(cover(), cover("big.jpg", b"\xff" * (1024 * 1024), "image/jpeg")))
    )
    assert "10 MB" in problems(article(media=(cover("huge.png", b"\x00" * (10 * 1024 * 1024 + 1)),)))
    assert "video" in problems(article(media=(cover(), MediaFile("v.mp4", "video/mp4", data=b"x"))))
    assert "20000" in problems(article(body_html="<p>" + "字" * 20000 + "</p>"))
    with pytest.raises(PermanentError, match="cover"):
        client.publish(article(media=()), idempotency_key="k")
    with pytest.raises(NotSupported):
        client.publish(PostRequest(text="只是文字"), idempotency_key="k")
    assert fake.calls == []


def test_token_never_in_errors_or_logs(
    fake: FakeWeChat, client: WechatConnector, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="httpx")  # the settings keep httpx at WARNING
    token = client.credentials.access_token
    client.verify()
    fake.raise_on("/cgi-bin/freepublish/submit", httpx.ReadTimeout(f"timed out {API}/x?access_token={token}"))
    with pytest.raises(OutcomeUnknown) as unknown:
        client.publish(article(), idempotency_key="k")
    fake.raise_on(
        "/cgi-bin/get_api_domain_ip", httpx.ConnectError(f"failed {API}/x?access_token={token}&a=1")
    )
    with pytest.raises(RetryableError) as retry:
        client.verify()
    fake.fail("/cgi-bin/get_api_domain_ip", 40097, f"invalid args, echo {token} {SECRET}")
    with pytest.raises(PermanentError) as permanent:
        client.verify()
    for error in (unknown.value, retry.value, permanent.value):
        assert token not in str(error) and token not in repr(error.args) and SECRET not in str(error)
        assert error.__cause__ is None
    assert token not in repr(client) and token not in repr(client.credentials)
    assert "access_token=***" in caplog.text and token not in caplog.text
    record = logging.LogRecord(
        "httpx", logging.INFO, __file__, 1, 'HTTP Request: %s %s "%s"',
        ("GET", f"{API}/cgi-bin/user/get?access_token={token}&next_openid=", "HTTP/1.1 200 OK"), None,
    )  # fmt: skip
    assert all(f.filter(record) for f in logging.getLogger("httpx").filters)
    assert token not in record.getMessage() and "access_token=***&next_openid=" in record.getMessage()
    assert redact(f"?access_token={token}") == "?access_token=***"


def test_freepublished_post_metrics_from_article_read(fake: FakeWeChat, client: WechatConnector) -> None:
    result = client.publish(article(), idempotency_key="k")
    article_id, msg_data_id = result.external_id.split(":")
    assert article_id == fake.published[0]["article_id"]

    def row(day: str, msgid: str, readers: int) -> dict[str, Any]:
        return {"ref_date": day, "msgid": msgid, "detail": {"read_user": readers, "read_user_source": []}}

    fake.article_read = [
        row("2026-03-15", f"{msg_data_id}_1", 40),
        row("2026-03-14", f"{msg_data_id}_1", 2),
        row("2026-03-15", "777_1", 999),  # another article
    ]
    with time_machine.travel(dt.datetime(2026, 3, 16, 9, 0, tzinfo=SHANGHAI), tick=False):
        metrics = client.fetch_post_metrics(result.external_id)
    # Readers summed over the days; what getarticleread does not report stays unknown.
    assert metrics.reach == 42 and metrics.impressions is None and metrics.shares is None
    assert metrics.as_of.date() == dt.date(2026, 3, 15)
    spans = fake.by_path("/datacube/getarticleread")
    assert len(spans) == client.post_metrics_days and all(b["begin_date"] == b["end_date"] for b in spans)
    assert fake.by_path("/datacube/getarticlesummary") == []  # mass sends only: not asked
    # Comments of the freepublished article are asked for by its msg_data_id, first article.
    fake.comments[(int(msg_data_id), 0)] = []
    client.fetch_comments(post_id=result.external_id)
    (listed,) = fake.by_path("/cgi-bin/comment/list")
    assert (listed["msg_data_id"], listed["index"]) == (int(msg_data_id), 0)
    client.delete(result.external_id)
    assert fake.by_path("/cgi-bin/freepublish/delete")[0]["article_id"] == article_id
