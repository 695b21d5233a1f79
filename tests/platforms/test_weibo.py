"""The Weibo connector against a respx fake of the Weibo Open API that enforces its documented shapes.

The fake checks the ``access_token`` parameter on every call, statuses/share's rules (status ≤ 140
汉字 counted Weibo's way, a link on the app's safe domain, no #topic#, one JPEG/GIF/PNG ``pic``
under 5 MB in multipart), comments/reply's comment-belongs-to-status rule, and answers errors the
Weibo way: ``{"error", "error_code", "request"}``. Like Weibo it rewrites links to t.cn short links.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
import respx
import time_machine

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
from socialops.platforms.connectors.weibo import WeiboConnector, parse_weibo_time
from socialops.platforms.credentials import Credentials
from socialops.textkit.links import find_urls
from socialops.textkit.platform_rules import count_text

TOKEN = "2.00WeiboAccessTokenSECRET_abc123"
REFRESH = "2.00WeiboRefreshTokenSECRET_xyz"
UID = "1404376560"
SAFE = "shop.example.com"
LINK = f"https://{SAFE}/p/1"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
BMP = b"BM" + b"\x00" * 64
TZ8 = dt.timezone(dt.timedelta(hours=8))
USER = {"id": int(UID), "idstr": UID, "screen_name": "acme"}
APP = {"client_id": "app-key", "client_secret": "app-secret"}


def _err(path: str, code: int, message: str, status: int = 400) -> httpx.Response:
    return httpx.Response(status, json={"error": message, "error_code": code, "request": path})


def _weibo_time(when: dt.datetime) -> str:
    return when.astimezone(TZ8).strftime("%a %b %d %H:%M:%S +0800 %Y")


def parse_body(request: httpx.Request) -> tuple[dict[str, str], list[tuple[str, bytes]]]:
    """Form fields and uploaded files of a POST (URL-encoded or multipart/form-data)."""
    ctype = request.headers.get("content-type", "")
    if not ctype.startswith("multipart/form-data"):
        return dict(parse_qsl(request.content.decode())), []
    boundary = ctype.split("boundary=")[1].encode()
    fields: dict[str, str] = {}
    files: list[tuple[str, bytes]] = []
    for part in request.content.split(b"--" + boundary):
        head, sep, value = part.partition(b"\r\n\r\n")
        if not sep:
            continue
        name = head.split(b'name="')[1].split(b'"')[0].decode()
        value = value.removesuffix(b"\r\n")
        if b"filename=" in head:
            files.append((name, value))
        else:
            fields[name] = value.decode()
    return fields, files


class FakeWeibo:
    """One Weibo account (UID) with its statuses and comments, newest first."""

    def __init__(self, router: respx.MockRouter) -> None:
        self.token, self.refresh_token, self.expired = TOKEN, REFRESH, False
        self.statuses: list[dict[str, Any]] = []
        self.comments: list[dict[str, Any]] = []
        self.next_id = 4_900_000_000_000_000
        self.queued: list[httpx.Response | Exception] = []
        self.lose_next_answer = False
        self.calls: list[str] = []
        self.shares: list[dict[str, Any]] = []
        router.route(host="api.weibo.com").mock(side_effect=self._handle)

    def _new(self, key: str, text: str, user: dict[str, Any]) -> dict[str, Any]:
        self.next_id += 1
        when = _weibo_time(dt.datetime.now(dt.UTC))
        return {"id": self.next_id, "idstr": str(self.next_id), key: text, "created_at": when, "user": user}

    def add_comment(self, status_id: str, text: str, user: dict[str, Any] | None = None) -> dict[str, Any]:
        fan = {"id": 42, "idstr": "42", "screen_name": "fan", "name": "Fan"}
        comment = {
            **self._new("text", text, user or fan),
            "status": {"id": int(status_id), "idstr": status_id},
        }
        self.comments.insert(0, comment)
        return comment

    def _handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        self.calls.append(path)
        if self.queued:
            item = self.queued.pop(0)
            if isinstance(item, Exception):
                raise item
            return item
        if request.method == "GET":
            params: dict[str, str] = dict(request.url.params)
            files: list[tuple[str, bytes]] = []
        else:
            params, files = parse_body(request)
        if path == "/oauth2/access_token":
            return self._refresh(params)
        token = params.get("access_token", "")
        if not token:
            return _err(path, 21301, "auth by Null spi!", 403)
        if token != self.token:
            return _err(path, 21332, "invalid_access_token", 401)
        if self.expired:
            return _err(path, 21327, "expired_token", 401)
        handler = getattr(self, "_" + path.strip("/").replace("/", "_").removesuffix(".json"), None)
        if handler is None:
            return _err(path, 10020, "Request api not found!", 404)
        want = "POST" if path.endswith(("share.json", "destroy.json", "create.json", "reply.json")) else "GET"
        if request.method != want:
            return _err(path, 10021, "HTTP method is not suported for this request!")
        return handler(path, params, files)

    def _refresh(self, form: dict[str, str]) -> httpx.Response:
        wanted = {**APP, "grant_type": "refresh_token", "refresh_token": self.refresh_token}
        if any(form.get(k) != v for k, v in wanted.items()):
            refused = {
                "error": "invalid_grant",
                "error_code": 21325,
                "error_description": "invalid refresh_token",
            }
            return httpx.Response(400, json=refused)
        self.token, self.refresh_token, self.expired = TOKEN + "-2", REFRESH + "-2", False
        body = {"access_token": self.token, "expires_in": 86400, "refresh_token": self.refresh_token}
        return httpx.Response(200, json={**body, "uid": UID})

    def _2_statuses_share(
        self, path: str, form: dict[str, str], files: list[tuple[str, bytes]]
    ) -> httpx.Response:
        status = form.get("status", "")
        if not status:
            return _err(path, 10016, "Miss required parameter (status) , see doc for more info.")
        pics = [data for name, data in files if name == "pic"]
        if len(pics) > 1 or any(name != "pic" for name, _ in files):
            return _err(path, 10017, "Parameter (pic)'s value invalid, expect (one picture)")
        if pics and not pics[0].startswith((b"\xff\xd8", b"GIF8", b"\x89PNG")):
            return _err(path, 20005, "Unsupport image type, only suport JPG, GIF, PNG!")
        if pics and len(pics[0]) >= 5 * 1024 * 1024:
            return _err(path, 20006, "Image size too large.")
        if "rip" in form and not re.fullmatch(r"\d{1,3}(\.\d{1,3}){3}", form["rip"]):
            return _err(path, 10017, "Parameter (rip)'s value invalid")
        hosts = [m.url.split("/")[2] for m in find_urls(status)]
        if not any(h == SAFE or h.endswith("." + SAFE) for h in hosts):
            return _err(path, 10017, "appkey not bind domain!")
        if re.search(r"#[^#\n]+#", re.sub(r"https?://\S+", "", status)):
            return _err(path, 10017, "Parameter (status)'s value invalid, topics are not allowed")
        if count_text(status, "weibo") > 140:
            return _err(path, 20012, "Text too long, please input text less than 140 characters!")
        shortened = re.sub(r"https?://\S+", "http://t.cn/A6abcd", status)
        if any(s["text"] == shortened for s in self.statuses):
            return _err(path, 20019, "Repeated weibo text!")
        item = {**self._new("text", shortened, USER), "pic_ids": ["71666d49jw1dy6q8t3p0rj"] if pics else []}
        self.statuses.insert(0, item)
        self.shares.append({"form": form, "pics": pics})
        if self.lose_next_answer:
            self.lose_next_answer = False
            raise httpx.ReadTimeout("The read operation timed out")
        return httpx.Response(200, json=item)

    def _2_statuses_user_timeline(self, path: str, q: dict[str, str], _f: Any) -> httpx.Response:
        if q.get("uid") != UID:
            return _err(path, 20003, "User does not exists!")
        count = int(q.get("count", 20))
        if count > 100:
            return _err(path, 10017, "Parameter (count)'s value invalid, expect (count <= 100)")
        max_id = int(q.get("max_id") or 0)
        items = [s for s in self.statuses if not max_id or s["id"] <= max_id]
        return httpx.Response(200, json={"statuses": items[:count], "total_number": len(self.statuses)})

    def _2_statuses_destroy(self, path: str, form: dict[str, str], _f: Any) -> httpx.Response:
        found = [s for s in self.statuses if s["idstr"] == form.get("id")]
        if not found:
            return _err(path, 20101, "Target weibo does not exist!")
        self.statuses.remove(found[0])
        return httpx.Response(200, json=found[0])

    def _2_statuses_count(self, path: str, q: dict[str, str], _f: Any) -> httpx.Response:
        wanted = set(q.get("ids", "").split(","))
        counts = {"comments": 3, "reposts": 5, "attitudes": 17}
        return httpx.Response(
            200, json=[{"id": s["id"], **counts} for s in self.statuses if s["idstr"] in wanted]
        )

    def _2_account_get_uid(self, path: str, q: dict[str, str], _f: Any) -> httpx.Response:
        return httpx.Response(200, json={"uid": int(UID)})

    def _2_users_show(self, path: str, q: dict[str, str], _f: Any) -> httpx.Response:
        if q.get("uid") != UID:
            return _err(path, 20003, "User does not exists!")
        counts = {"followers_count": 1200, "friends_count": 80, "statuses_count": len(self.statuses)}
        return httpx.Response(200, json={**USER, "name": "Acme 科技", "profile_url": "acmeshop", **counts})

    def _2_comments_show(self, path: str, q: dict[str, str], _f: Any) -> httpx.Response:
        if not q.get("id"):
            return _err(path, 10016, "Miss required parameter (id) , see doc for more info.")
        return self._comments([c for c in self.comments if c["status"]["idstr"] == q["id"]], q)

    def _2_comments_to_me(self, path: str, q: dict[str, str], _f: Any) -> httpx.Response:
        return self._comments([c for c in self.comments if c["user"]["idstr"] != UID], q)

    def _comments(self, items: list[dict[str, Any]], q: dict[str, str]) -> httpx.Response:
        since = int(q.get("since_id") or 0)
        items = [c for c in items if c["id"] > since][: int(q.get("count", 50))]
        return httpx.Response(200, json={"comments": items, "total_number": len(items)})

    def _2_comments_create(self, path: str, form: dict[str, str], _f: Any) -> httpx.Response:
        if not any(s["idstr"] == form.get("id") for s in self.statuses):
            return _err(path, 20101, "Target weibo does not exist!")
        return httpx.Response(200, json=self.add_comment(form["id"], form.get("comment", ""), USER))

    def _2_comments_reply(self, path: str, form: dict[str, str], _f: Any) -> httpx.Response:
        if not any(
            (c["idstr"], c["status"]["idstr"]) == (form.get("cid"), form.get("id")) for c in self.comments
        ):
            return _err(path, 20201, "Target weibo comment does not exist!")
        return httpx.Response(200, json=self.add_comment(form["id"], form.get("comment", ""), USER))


@pytest.fixture
def fake() -> Iterator[FakeWeibo]:
    with respx.mock(assert_all_called=False) as router:
        yield FakeWeibo(router)


def _connector(refresh: str = REFRESH, **creds: Any) -> WeiboConnector:
    values = {"access_token": TOKEN, "refresh_token": refresh, **APP, **creds}
    return WeiboConnector(credentials=Credentials(**values), account_ref=UID, rip="203.0.113.7")


@pytest.fixture
def client() -> Iterator[WeiboConnector]:
    connector = _connector()
    yield connector
    connector.close()


def _post(text: str = "新品上市,点击了解", **kw: Any) -> PostRequest:
    return PostRequest(text=text, link_url=kw.pop("link_url", LINK), **kw)


def test_declared_limits_and_no_dedupe() -> None:
    assert WeiboConnector.kind == "weibo"
    assert WeiboConnector.dedupe_window is None
    limits = WeiboConnector.limits
    assert (limits.max_text_chars, limits.max_images, limits.max_videos) == (140, 1, 0)
    when = dt.datetime(2011, 5, 31, 9, 46, 55, tzinfo=dt.UTC)
    assert parse_weibo_time("Tue May 31 17:46:55 +0800 2011") == when


def test_text_post_appends_the_link_and_sends_rip(fake: FakeWeibo, client: WeiboConnector) -> None:
    result = client.publish(_post(hashtags=("新品",)), idempotency_key="k1")
    sent = fake.shares[0]["form"]
    # The link is appended, the hashtag is not (share refuses #topic#), rip is passed on.
    assert sent["status"] == f"新品上市,点击了解\n{LINK}"
    assert sent["rip"] == "203.0.113.7" and not fake.shares[0]["pics"]
    assert result.external_id == fake.statuses[0]["idstr"]
    assert result.url == f"https://weibo.com/{UID}/{result.external_id}"
    assert result.published_at is not None and not result.duplicate
    # One picture goes multipart, in the documented ``pic`` field.
    client.publish(_post("配图", media=(MediaFile("a.png", "image/png", data=PNG),)), idempotency_key="k2")
    assert fake.shares[1]["pics"] == [PNG] and fake.statuses[0]["pic_ids"]


def test_limits_are_checked_before_sending(fake: FakeWeibo, client: WeiboConnector) -> None:
    picture = MediaFile("a.png", "image/png", data=PNG)
    refused = {
        "safe domain": PostRequest(text="没有链接的微博"),
        "shop.example.com": _post(link_url="https://other.example/x", options={"safe_domain": SAFE}),
        "Weibo allows 140": _post("字" * 131),
        "1 picture per post": _post(media=(picture, picture)),
        "JPEG, GIF or PNG": _post(media=(MediaFile("a.bmp", "image/bmp", data=BMP),)),
        "under 5 MB": _post(media=(MediaFile("big.png", "image/png", data=PNG * 90_000),)),
        "#topic#": _post("#新品# 上市"),
    }
    for message, post in refused.items():
        with pytest.raises(PermanentError, match=message):
            client.publish(post, idempotency_key="k")
    assert fake.calls == []
    # 129 汉字 + a line break (½) + the link (10) round up to exactly 140: accepted by both.
    assert count_text(f"{'字' * 129}\n{LINK}", "weibo") == 140
    client.publish(_post("字" * 129), idempotency_key="k")
    assert len(fake.statuses) == 1


def test_safe_domain(fake: FakeWeibo, client: WeiboConnector) -> None:
    # The option may be a URL; subdomains count; the link may already be in the text.
    post = PostRequest(text=f"看这里 https://m.{SAFE}/a", options={"safe_domain": f"https://{SAFE}"})
    assert client.check(post) == []
    client.publish(post, idempotency_key="k")
    assert fake.shares[0]["form"]["status"] == f"看这里 https://m.{SAFE}/a"
    # Without the option the check cannot know the registered domain: Weibo's 10017 explains it.
    post = PostRequest(text="看这里", link_url="https://unregistered.example/a")
    with pytest.raises(PermanentError, match="安全域名") as refused:
        client.publish(post, idempotency_key="k")
    assert refused.value.platform_code == "10017"


def test_expired_token_with_and_without_refresh_token(fake: FakeWeibo) -> None:
    fake.expired = True
    with _connector() as can_refresh, pytest.raises(AuthExpired):
        can_refresh.publish(_post(), idempotency_key="k")
    with _connector(refresh="") as web_app, pytest.raises(AuthRevoked, match="authorise the app again"):
        web_app.publish(_post(), idempotency_key="k")
    calls = len(fake.calls)
    # A stored expiry that has passed is known before any request.
    past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    with _connector(refresh="", expires_at=past) as stale, pytest.raises(AuthRevoked, match="authorise"):
        stale.verify()
    with _connector(expires_at=past) as stale, pytest.raises(AuthExpired):
        stale.verify()
    assert len(fake.calls) == calls


def test_refresh_rotates_tokens(fake: FakeWeibo) -> None:
    fake.expired = True
    with _connector() as connector:
        new = connector.refresh()
        assert (new.access_token, new.refresh_token) == (TOKEN + "-2", REFRESH + "-2")
        assert new.expires_at is not None and new.expires_at > dt.datetime.now(dt.UTC)
        assert connector.credentials is new
        assert connector.publish(_post(), idempotency_key="k").external_id
    with _connector() as old, pytest.raises(AuthRevoked, match="authorise the app again") as refused:
        old.refresh()  # the old refresh token was rotated away
    assert refused.value.platform_code == "21325" and REFRESH not in str(refused.value)
    with _connector(refresh="") as web_app, pytest.raises(AuthRevoked, match="no refresh token"):
        web_app.refresh()


@pytest.mark.parametrize("code", [10022, 10023, 10024, 20016])
def test_hourly_limits(fake: FakeWeibo, client: WeiboConnector, code: int) -> None:
    limited = _err("/2/statuses/share.json", code, "User requests out of rate limit!", 403)
    with time_machine.travel(dt.datetime(2025, 5, 1, 2, 20, tzinfo=dt.UTC), tick=False):
        fake.queued = [limited]
        with pytest.raises(QuotaExceeded) as quota:
            client.publish(_post(), idempotency_key="k")
    assert quota.value.reset_at == dt.datetime(2025, 5, 1, 3, 0, tzinfo=dt.UTC)
    with time_machine.travel(dt.datetime(2025, 5, 1, 2, 58, tzinfo=dt.UTC), tick=False):
        fake.queued = [limited]
        with pytest.raises(RetryableError) as burst:
            client.publish(_post(), idempotency_key="k")
    assert burst.value.retry_after == 120 and burst.value.platform_code == str(code)


def test_repeated_post_returns_the_existing_one(fake: FakeWeibo, client: WeiboConnector) -> None:
    first = client.publish(_post(), idempotency_key="k1")
    again = client.publish(_post(), idempotency_key="k1")
    assert fake.calls.count("/2/statuses/share.json") == 2  # Weibo answered 20019 the second time
    assert again.duplicate and again.external_id == first.external_id and len(fake.statuses) == 1
    # 20019 for a post that is not on the account: a clear refusal.
    fake.queued = [_err("/2/statuses/share.json", 20019, "Repeated weibo text!")]
    with pytest.raises(PermanentError, match="repeated post") as refused:
        client.publish(_post("另一条微博"), idempotency_key="k2")
    assert refused.value.platform_code == "20019"


def test_share_answered_with_html_is_outcome_unknown(fake: FakeWeibo, client: WeiboConnector) -> None:
    # A 200 that is not JSON after statuses/share: the post may be there; never "try again".
    fake.queued = [httpx.Response(200, text="<html>系统繁忙</html>")]
    with pytest.raises(OutcomeUnknown):
        client.publish(_post(), idempotency_key="k1")
    # The same answer to a read is only "ask again".
    fake.queued = [httpx.Response(200, text="<html>系统繁忙</html>")]
    with pytest.raises(RetryableError):
        client.fetch_account_metrics()


def test_lost_answer_is_outcome_unknown_then_found(fake: FakeWeibo, client: WeiboConnector) -> None:
    since = dt.datetime.now(dt.UTC)
    client.publish(_post("旧的一条"), idempotency_key="old")
    fake.lose_next_answer = True
    post = _post(media=(MediaFile("a.png", "image/png", data=PNG),))
    with pytest.raises(OutcomeUnknown):
        client.publish(post, idempotency_key="k1")
    found = client.find_published(idempotency_key="k1", since=since, post=post)
    assert found is not None and found.duplicate
    assert found.external_id == fake.statuses[0]["idstr"]
    # Same text without the picture, or a post from before `since`, is not a match.
    assert client.find_published(idempotency_key="k1", since=since, post=_post()) is None
    assert client.find_published(idempotency_key="x", since=since, post=_post("没发过")) is None
    later = since + dt.timedelta(hours=1)
    assert client.find_published(idempotency_key="k1", since=later, post=post) is None


def test_metrics(fake: FakeWeibo, client: WeiboConnector) -> None:
    result = client.publish(_post(), idempotency_key="k")
    metrics = client.fetch_post_metrics(result.external_id)
    assert (metrics.likes, metrics.shares, metrics.comments) == (17, 5, 3)
    account = client.fetch_account_metrics()
    assert (account.followers_total, account.following_total, account.posts_total) == (1200, 80, 1)
    with pytest.raises(PermanentError, match="deleted"):
        client.fetch_post_metrics("123")


def test_comments_and_replies(fake: FakeWeibo, client: WeiboConnector) -> None:
    status_id = client.publish(_post(), idempotency_key="k").external_id
    first = fake.add_comment(status_id, "多少钱?")
    fake.add_comment(status_id, "有货吗?")
    page = client.fetch_comments()
    assert [c.text for c in page.items] == ["多少钱?", "有货吗?"]  # oldest first
    assert page.items[0].external_id == f"{status_id}:{first['idstr']}"
    assert page.items[0].in_reply_to == status_id and page.items[0].author_handle == "fan"
    assert client.fetch_comments(cursor=page.cursor).items == []
    answer = client.reply(in_reply_to=page.items[0].external_id, text="99 元", idempotency_key="r1")
    assert fake.calls[-1] == "/2/comments/reply.json" and answer.external_id.startswith(f"{status_id}:")
    client.reply(in_reply_to=status_id, text="谢谢大家", idempotency_key="r2")
    assert fake.calls[-1] == "/2/comments/create.json"
    on_post = client.fetch_comments(post_id=status_id)
    assert len(on_post.items) == 4
    assert client.fetch_comments(cursor=page.cursor).items == []  # our own replies are not "to me"
    with pytest.raises(PermanentError, match="comment does not exist"):
        client.reply(in_reply_to=f"{status_id}:1", text="?", idempotency_key="r3")
    with pytest.raises(PermanentError, match="140"):
        client.reply(in_reply_to=status_id, text="字" * 141, idempotency_key="r4")


def test_delete_and_already_deleted(fake: FakeWeibo, client: WeiboConnector) -> None:
    external_id = client.publish(_post(), idempotency_key="k").external_id
    client.delete(external_id)
    assert fake.statuses == []
    client.delete(external_id)  # 20101: already gone is fine


def test_app_permission_errors(fake: FakeWeibo, client: WeiboConnector) -> None:
    fake.queued = [_err("/2/statuses/share.json", 10014, "Insufficient app permissions!", 403)]
    with pytest.raises(PermanentError, match="lacks the permission") as refused:
        client.publish(_post(), idempotency_key="k")
    assert refused.value.platform_code == "10014"
    fake.queued = [_err("/2/statuses/share.json", 10001, "System error!", 500)]
    with pytest.raises(OutcomeUnknown):
        client.publish(_post(), idempotency_key="k")
    fake.queued = [_err("/2/statuses/user_timeline.json", 10001, "System error!", 500)]
    with pytest.raises(RetryableError):
        client.find_published(idempotency_key="k", since=dt.datetime.now(dt.UTC), post=_post())


def test_verify(fake: FakeWeibo) -> None:
    with WeiboConnector(credentials=Credentials(access_token=TOKEN)) as connector:
        info = connector.verify()
        assert (info.external_id, info.handle, info.display_name) == (UID, "acme", "Acme 科技")
        assert info.url == "https://weibo.com/acmeshop" and connector.account_ref == UID


def test_tokens_never_in_errors_or_logs(
    fake: FakeWeibo, client: WeiboConnector, caplog: pytest.LogCaptureFixture
) -> None:
    # Settings keep httpx at WARNING; open it up to see the request lines it would log.
    caplog.set_level(logging.INFO, logger="httpx")
    client.fetch_account_metrics()
    url = f"https://api.weibo.com/2/users/show.json?access_token={TOKEN}&uid={UID}"
    fake.queued = [httpx.ConnectError(f"failed {url}")]
    with pytest.raises(RetryableError) as retry:
        client.fetch_account_metrics()
    fake.queued = [httpx.ReadTimeout(f"timed out {url}")]
    with pytest.raises(RetryableError) as timeout:
        client.fetch_account_metrics()
    fake.queued = [_err(f"/2/users/show.json?access_token={TOKEN}", 10017, f"bad token {TOKEN}")]
    with pytest.raises(PermanentError) as refused:
        client.fetch_account_metrics()
    for err in (retry.value, timeout.value, refused.value):
        assert TOKEN not in str(err) and TOKEN not in repr(err.args) and err.__cause__ is None
    assert TOKEN not in repr(client) and TOKEN not in repr(client.credentials)
    assert TOKEN not in caplog.text and "access_token=***" in caplog.text
