"""The Douyin connector against a respx fake of the Douyin Open Platform that enforces its documented shapes.

The fake checks the ``access-token`` header and the ``open_id`` query parameter, the scopes the app
holds, multipart field names (``video``, ``image``), the part upload (parts numbered from 1, every
part but the last ≥ 5 MB), that create calls name only video_ids / image_ids it handed out, 1–30
pictures and text ≤ 1,000 characters, and answers the Douyin way:
``{"data": {..., "error_code", "description"}, "extra": {"error_code", "description", "logid", …}}``.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
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
from socialops.platforms.connectors.douyin import DouyinConnector
from socialops.platforms.credentials import Credentials

from .test_weibo import parse_body

TOKEN = "act.1d1021d2aee3d41fee2d2add43456badSECRETvalue"
REFRESH = "rft.a736b70544519999a623d67SECRETrefresh"
OPEN_ID = "ba253642-0590-40bc-9bdf-9a1334b94059"
CLIENT_KEY = "tt10abc123"
MB = 1024 * 1024
MP4 = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64
JPG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
ALL_SCOPES = {"video.create.bind", "video.list.bind", "video.data.bind", "data.external.user", "user_info"}


def _answer(data: dict[str, Any] | None = None, code: int = 0, description: str = "") -> httpx.Response:
    status = {"error_code": code, "description": description}
    extra = {**status, "sub_error_code": 0, "sub_description": "", "logid": "2025"}
    return httpx.Response(200, json={"data": {**(data or {}), **status}, "extra": extra})


class FakeDouyin:
    """One authorised Douyin account (OPEN_ID): uploaded files and its posts, newest first."""

    CREATE = ("upload_video", "init_video_part_upload", "upload_video_part", "complete_video_part_upload")
    SCOPE = dict.fromkeys((*CREATE, "create_video", "upload_image", "create_image_text"), "video.create.bind")
    SCOPE |= {"video_list": "video.list.bind", "video_data": "video.data.bind"}

    def __init__(self, router: respx.MockRouter) -> None:
        self.token, self.refresh_token, self.expired = TOKEN, REFRESH, False
        self.scopes = set(ALL_SCOPES)
        self.videos: set[str] = set()
        self.images: set[str] = set()
        self.parts: dict[str, list[int]] = {}
        self.items: list[dict[str, Any]] = []
        self.bodies: list[dict[str, Any]] = []
        self.queued: list[httpx.Response | Exception] = []
        self.lose_next_create = False
        self.calls: list[str] = []
        self.n = 0
        self.completed_parts: list[int] = []
        router.route(host="open.douyin.com").mock(side_effect=self._handle)

    def _id(self, prefix: str) -> str:
        self.n += 1
        return f"{prefix}{self.n:04d}"

    def add_item(self, title: str, age: dt.timedelta, top: bool = False) -> dict[str, Any]:
        created = int((dt.datetime.now(dt.UTC) - age).timestamp())
        item_id = self._id("@9VwKzuuES8gm")
        stats = {
            "digg_count": 21,
            "comment_count": 4,
            "share_count": 6,
            "forward_count": 2,
            "play_count": 300,
        }
        item = {
            "item_id": item_id,
            "title": title,
            "create_time": created,
            "is_top": top,
            "statistics": stats,
        }
        item["share_url"] = f"https://www.iesdouyin.com/share/video/7{self.n}"
        self.items.insert(0, item)
        self.items.sort(key=lambda i: (not i["is_top"], -i["create_time"]))
        return item

    def _handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        self.calls.append(path.rstrip("/").rsplit("/", 1)[-1])
        if self.queued:
            item = self.queued.pop(0)
            if isinstance(item, Exception):
                raise item
            return item
        query = dict(request.url.params)
        if path == "/oauth/refresh_token/":
            return self._refresh(dict(parse_qsl(request.content.decode())))
        if path == "/oauth/userinfo/":
            form = dict(parse_qsl(request.content.decode()))
            if form.get("access_token") != self.token or form.get("open_id") != OPEN_ID:
                return _answer(code=2190002, description="access_token无效")
            return _answer(
                {"open_id": OPEN_ID, "nickname": "小店", "avatar": "https://p3.douyinpic.com/a.jpeg"}
            )
        if path == "/data/external/user/fans/":
            if query.get("access_token") != self.token or query.get("open_id") != OPEN_ID:
                return _answer(code=2190002, description="access_token无效")
            if self.expired:
                return _answer(code=2190008, description="access_token过期")
            if query.get("date_type") not in ("7", "15", "30"):
                return _answer(code=2100005, description="参数不合法")
            days = [{"date": f"2025-04-{d:02d}", "total_fans": 1000 + d, "new_fans": d} for d in (24, 30, 27)]
            return _answer({"result_list": days})
        name = path.removeprefix("/api/douyin/v1/video/").strip("/")
        if name not in self.SCOPE:
            return httpx.Response(404, json={"message": "not found"})
        if request.headers.get("access-token") != self.token:
            return _answer(code=28001003, description="access_token无效")
        if self.expired:
            return _answer(code=28001008, description="access_token过期,请刷新或重新授权")
        if not query.get("open_id"):
            return _answer(code=28001007, description="参数不合法: open_id")
        if query["open_id"] != OPEN_ID:
            return _answer(code=28001015, description="请求参数 access_token 和 openId不匹配")
        if self.SCOPE[name] not in self.scopes:
            return _answer(code=28001018, description="应用未获得该能力")
        if request.method != ("GET" if name == "video_list" else "POST"):
            return _answer(code=28001017, description="未知URI")
        return getattr(self, f"_{name}")(request, query)

    def _refresh(self, form: dict[str, str]) -> httpx.Response:
        if form.get("client_key") != CLIENT_KEY or form.get("grant_type") != "refresh_token":
            refused = {"error_code": 10005, "description": "参数缺失"}
        elif form.get("refresh_token") != self.refresh_token:
            refused = {"error_code": 10010, "description": "refresh_token过期"}
        else:
            self.token, self.refresh_token, self.expired = TOKEN + "-2", REFRESH + "-2", False
            data = {"access_token": self.token, "expires_in": "1296000", "refresh_token": self.refresh_token}
            data |= {
                "refresh_expires_in": "2592000",
                "open_id": OPEN_ID,
                "scope": "user_info",
                "error_code": 0,
            }
            return httpx.Response(200, json={"data": data, "message": "success"})
        return httpx.Response(200, json={"data": refused, "message": "error"})

    def _file(self, request: httpx.Request, field: str) -> bytes | None:
        if not request.headers.get("content-type", "").startswith("multipart/form-data"):
            return None
        files = [data for name, data in parse_body(request)[1] if name == field]
        return files[0] if len(files) == 1 else None

    def _json(self, request: httpx.Request) -> dict[str, Any] | None:
        if not request.headers.get("content-type", "").startswith("application/json"):
            return None
        body = json.loads(request.content or b"{}")
        return body if isinstance(body, dict) else None

    def _upload_video(self, request: httpx.Request, q: dict[str, str]) -> httpx.Response:
        data = self._file(request, "video")
        if data is None:
            return _answer(code=2100005, description="Parameter error")
        if len(data) > 128 * MB:
            return _answer(code=2190005, description="文件太大")
        return self._video_ready("v0200f450000bn8c6aa0")

    def _video_ready(self, prefix: str) -> httpx.Response:
        video_id = self._id(prefix)
        self.videos.add(video_id)
        return _answer({"video": {"video_id": video_id, "width": 720, "height": 1280}})

    def _init_video_part_upload(self, request: httpx.Request, q: dict[str, str]) -> httpx.Response:
        upload_id = self._id("@upload+/=")
        self.parts[upload_id] = []
        return _answer({"upload_id": upload_id})

    def _upload_video_part(self, request: httpx.Request, q: dict[str, str]) -> httpx.Response:
        parts = self.parts.get(q.get("upload_id", ""))
        data = self._file(request, "video")
        if parts is None or data is None or q.get("part_number") != str(len(parts) + 1):
            return _answer(code=2100005, description="Parameter error")
        parts.append(len(data))
        return _answer()

    def _complete_video_part_upload(self, request: httpx.Request, q: dict[str, str]) -> httpx.Response:
        parts = self.parts.pop(q.get("upload_id", ""), None)
        if not parts or any(size < 5 * MB for size in parts[:-1]):
            return _answer(code=2100005, description="分片大小不合法")
        self.completed_parts = parts
        return self._video_ready("v0200f450000partup")

    def _upload_image(self, request: httpx.Request, q: dict[str, str]) -> httpx.Response:
        data = self._file(request, "image")
        if data is None:
            return _answer(code=2100005, description="Parameter error")
        if len(data) > 20 * MB:
            return _answer(code=2190005, description="文件太大")
        image_id = self._id("tos-cn-i-0813/img")
        self.images.add(image_id)
        return _answer({"image": {"image_id": image_id, "width": 1080, "height": 1440}})

    def _create(self, body: dict[str, Any] | None, ok: bool) -> httpx.Response:
        if body is None or not ok:
            return _answer(code=28001007, description="参数不合法")
        text = str(body.get("text") or "")
        if len(text) > 1000:
            return _answer(code=2114001, description="标题文字超过1000字")
        self.bodies.append(body)
        item = self.add_item(text, dt.timedelta(0))
        if self.lose_next_create:
            self.lose_next_create = False
            raise httpx.ReadTimeout("The read operation timed out")
        return _answer({"item_id": item["item_id"]})

    def _create_video(self, request: httpx.Request, q: dict[str, str]) -> httpx.Response:
        body = self._json(request)
        return self._create(body, bool(body) and body.get("video_id") in self.videos)

    def _create_image_text(self, request: httpx.Request, q: dict[str, str]) -> httpx.Response:
        body = self._json(request) or {}
        ids = body.get("image_list")
        known = isinstance(ids, list) and all(isinstance(i, str) and i in self.images for i in ids)
        return self._create(body or None, known and 1 <= len(ids) <= 30)

    def _video_list(self, request: httpx.Request, q: dict[str, str]) -> httpx.Response:
        cursor, count = int(q.get("cursor", 0)), int(q.get("count", 10))
        if count > 20:
            return _answer(code=28001007, description="count 参数不合法")
        page = self.items[cursor : cursor + count]
        more = cursor + count < len(self.items)
        return _answer({"list": page, "has_more": more, "cursor": cursor + len(page)})

    def _video_data(self, request: httpx.Request, q: dict[str, str]) -> httpx.Response:
        ids = (self._json(request) or {}).get("item_ids")
        if not isinstance(ids, list) or not ids:
            return _answer(code=28001007, description="参数不合法")
        return _answer({"list": [i for i in self.items if i["item_id"] in ids]})


@pytest.fixture
def fake() -> Iterator[FakeDouyin]:
    with respx.mock(assert_all_called=False) as router:
        yield FakeDouyin(router)


def _connector(refresh: str = REFRESH, open_id: str = OPEN_ID, **kw: Any) -> DouyinConnector:
    creds = Credentials(
        access_token=TOKEN, refresh_token=refresh, client_id=CLIENT_KEY, client_secret="secret"
    )
    return DouyinConnector(credentials=creds, account_ref=open_id, **kw)


@pytest.fixture
def client() -> Iterator[DouyinConnector]:
    connector = _connector()
    yield connector
    connector.close()


def _video(data: bytes = MP4, **kw: Any) -> PostRequest:
    media = (MediaFile("a.mp4", "video/mp4", data=data),)
    return PostRequest(text="", title="春季新品", hashtags=("新品", "#上新"), media=media, **kw)


def _images(n: int = 3, **kw: Any) -> PostRequest:
    media = tuple(MediaFile(f"{i}.jpg", "image/jpeg", data=JPG) for i in range(n))
    return PostRequest(text="九宫格穿搭", title="今日穿搭", media=media, **kw)


def test_declared_capabilities_and_limits() -> None:
    assert DouyinConnector.kind == "douyin" and DouyinConnector.dedupe_window is None
    can = DouyinConnector.capabilities
    assert {Capability.PUBLISH_VIDEO, Capability.PUBLISH_IMAGES, Capability.FIND_PUBLISHED} <= can
    assert Capability.PUBLISH_TEXT not in can and Capability.DELETE not in can
    assert (DouyinConnector.limits.max_images, DouyinConnector.limits.max_text_chars) == (30, 1000)


def test_video_post(fake: FakeDouyin, client: DouyinConnector) -> None:
    result = client.publish(_video(options={"private_status": 1, "unknown": "dropped"}), idempotency_key="k1")
    assert fake.calls == ["upload_video", "create_video"]
    body = fake.bodies[0]
    assert body["text"] == "春季新品 #新品 #上新" and body["private_status"] == 1 and "unknown" not in body
    assert body["video_id"] in fake.videos
    assert result.external_id == fake.items[0]["item_id"] and not result.duplicate


def test_big_video_goes_through_the_part_upload(fake: FakeDouyin) -> None:
    with _connector(part_threshold=6 * MB, part_size=5 * MB) as connector:
        connector.publish(_video(data=b"\x00" * (11 * MB)), idempotency_key="k1")
    assert fake.calls == [
        "init_video_part_upload",
        *["upload_video_part"] * 3,
        "complete_video_part_upload",
        "create_video",
    ]
    assert fake.completed_parts == [5 * MB, 5 * MB, 1 * MB]


def test_image_text_post(fake: FakeDouyin, client: DouyinConnector) -> None:
    result = client.publish(_images(hashtags=("穿搭",)), idempotency_key="k1")
    assert fake.calls == ["upload_image"] * 3 + ["create_image_text"]
    body = fake.bodies[0]
    assert body["text"] == "今日穿搭\n九宫格穿搭 #穿搭"
    assert len(body["image_list"]) == 3 and set(body["image_list"]) <= fake.images
    assert result.external_id == fake.items[0]["item_id"]


def test_limits_are_checked_before_sending(fake: FakeDouyin, client: DouyinConnector) -> None:
    big = MediaFile("big.jpg", "image/jpeg", data=b"\xff" * (20 * MB + 1))
    by_url = MediaFile("u.jpg", "image/jpeg", url="https://cdn.example/x.jpg")
    refused = {
        "1 to 30 pictures": _images(31),
        "up to 20 MB": PostRequest(text="x", media=(big,)),
        "Douyin allows 1000": PostRequest(text="字" * 1001, media=_images(1).media),
        "exactly one video": PostRequest(text="x", media=(*_video().media, *_images(1).media)),
        "no file": PostRequest(text="x", media=(by_url,)),
    }
    for message, post in refused.items():
        with pytest.raises(PermanentError, match=message):
            client.publish(post, idempotency_key="k")
    with pytest.raises(NotSupported):
        client.publish(PostRequest(text="只有文字"), idempotency_key="k")
    assert client.check(PostRequest(text="x", kind=PostKind.ARTICLE)) == [
        "A Douyin post needs a video or pictures."
    ]
    assert fake.calls == []


def test_missing_open_id_asks_to_connect_again(fake: FakeDouyin) -> None:
    with _connector(open_id="") as connector:
        with pytest.raises(PermanentError, match="connect the Douyin account again"):
            connector.publish(_images(1), idempotency_key="k")
        with pytest.raises(PermanentError, match="open_id"):
            connector.fetch_post_metrics("@x")
    assert fake.calls == []


def test_expired_token_and_refresh(fake: FakeDouyin) -> None:
    fake.expired = True
    with _connector() as connector:
        with pytest.raises(AuthExpired, match="过期"):
            connector.publish(_images(1), idempotency_key="k")
        new = connector.refresh()
        assert (new.access_token, new.refresh_token) == (TOKEN + "-2", REFRESH + "-2")
        assert new.expires_at is not None and new.expires_at > dt.datetime.now(dt.UTC) + dt.timedelta(days=14)
        assert connector.publish(_images(1), idempotency_key="k").external_id
    with _connector() as stale, pytest.raises(AuthRevoked, match="refresh_token过期") as refused:
        stale.refresh()  # the old refresh token: Douyin's 10010
    assert refused.value.platform_code == "10010" and REFRESH not in str(refused.value)
    fake.token, fake.expired = TOKEN, True
    with _connector(refresh="") as no_refresh, pytest.raises(AuthRevoked, match="no refresh token"):
        no_refresh.fetch_account_metrics()


def test_auth_errors_name_the_missing_scope(fake: FakeDouyin, client: DouyinConnector) -> None:
    fake.scopes.discard("video.create.bind")
    with pytest.raises(AuthRevoked, match="video.create.bind") as missing:
        client.publish(_video(), idempotency_key="k")
    assert missing.value.platform_code == "28001018"
    fake.scopes.add("video.create.bind")
    fake.token = "act.someone-else"
    with pytest.raises(AuthRevoked, match="connect the account again"):
        client.fetch_post_metrics("@x")


def test_rate_limit_and_quota(fake: FakeDouyin, client: DouyinConnector) -> None:
    fake.queued = [_answer(code=28003018, description="请求频率过高")]
    with pytest.raises(RetryableError) as burst:
        client.publish(_images(1), idempotency_key="k")
    assert burst.value.retry_after == 60
    with time_machine.travel(dt.datetime(2025, 5, 1, 10, 0, tzinfo=dt.UTC), tick=False):
        fake.queued = [_answer(code=28003017, description="quota已用完")]
        with pytest.raises(QuotaExceeded) as quota:
            client.fetch_post_metrics("@x")
    # 18:00 in Beijing: the daily quota resets at midnight there, 16:00 UTC.
    assert quota.value.reset_at == dt.datetime(2025, 5, 1, 16, 0, tzinfo=dt.UTC)


def test_rejections_and_busy(fake: FakeDouyin, client: DouyinConnector) -> None:
    fake.queued = [
        _answer({"image": {"image_id": "tos-1"}}),
        _answer(code=2100005, description="图文内容违规"),
    ]
    fake.images.add("tos-1")
    with pytest.raises(PermanentError, match="图文内容违规") as rejected:
        client.publish(_images(1), idempotency_key="k")
    assert rejected.value.platform_code == "2100005"
    fake.queued = [_answer(code=28001005, description="系统繁忙,此时请开发者稍候再试")]
    with pytest.raises(RetryableError):
        client.publish(_images(1), idempotency_key="k")  # the upload: nothing visible was made
    fake.queued = [_answer({"image": {"image_id": "tos-1"}}), _answer(code=2100004, description="系统繁忙")]
    with pytest.raises(OutcomeUnknown):
        client.publish(_images(1), idempotency_key="k")  # the create: the post may exist


def test_lost_answer_then_find_published(fake: FakeDouyin, client: DouyinConnector) -> None:
    since = dt.datetime.now(dt.UTC)
    fake.add_item("置顶的老视频", dt.timedelta(days=30), top=True)
    for n in range(25):
        fake.add_item(f"老作品 {n}", dt.timedelta(days=2, minutes=n))
    fake.lose_next_create = True
    with pytest.raises(OutcomeUnknown):
        client.publish(_video(), idempotency_key="k1")
    found = client.find_published(idempotency_key="k1", since=since, post=_video())
    assert found is not None and found.duplicate
    assert found.external_id == next(i["item_id"] for i in fake.items if i["title"] == "春季新品 #新品 #上新")
    assert found.url.startswith("https://www.iesdouyin.com/")
    assert client.find_published(idempotency_key="k2", since=since, post=_images(1)) is None
    # An old post with the same text is not the one we are looking for.
    assert client.find_published(idempotency_key="k3", since=since, post=PostRequest(text="老作品 3")) is None
    old = client.find_published(
        idempotency_key="k3", since=since - dt.timedelta(days=3), post=PostRequest(text="老作品 24")
    )
    assert old is not None and old.raw["title"] == "老作品 24"  # found on the second page


def test_metrics(fake: FakeDouyin, client: DouyinConnector) -> None:
    item_id = client.publish(_video(), idempotency_key="k").external_id
    metrics = client.fetch_post_metrics(item_id)
    assert (metrics.likes, metrics.comments, metrics.shares, metrics.video_views) == (21, 4, 6, 300)
    with pytest.raises(PermanentError, match="no data"):
        client.fetch_post_metrics("@missing")
    account = client.fetch_account_metrics()
    assert (account.followers_total, account.new_followers) == (1030, 30)  # the latest day


def test_verify(fake: FakeDouyin, client: DouyinConnector) -> None:
    info = client.verify()
    assert (info.external_id, info.handle) == (OPEN_ID, "小店")
    assert info.raw["avatar"].startswith("https://")


def test_tokens_never_in_errors_or_logs(
    fake: FakeDouyin, client: DouyinConnector, caplog: pytest.LogCaptureFixture
) -> None:
    # Settings keep httpx at WARNING; open it up to see the request lines it would log.
    caplog.set_level(logging.INFO, logger="httpx")
    client.fetch_account_metrics()  # the data API takes the token in the query string
    url = f"https://open.douyin.com/data/external/user/fans/?open_id={OPEN_ID}&access_token={TOKEN}"
    fake.queued = [httpx.ReadTimeout(f"timed out {url}")]
    with pytest.raises(RetryableError) as timeout:
        client.fetch_account_metrics()
    fake.queued = [_answer(code=2100005, description=f"bad access_token={TOKEN}")]
    with pytest.raises(PermanentError) as refused:
        client.fetch_account_metrics()
    for err in (timeout.value, refused.value):
        assert TOKEN not in str(err) and TOKEN not in repr(err.args) and err.__cause__ is None
    assert TOKEN not in repr(client) and TOKEN not in repr(client.credentials)
    assert TOKEN not in caplog.text and "access_token=***" in caplog.text
