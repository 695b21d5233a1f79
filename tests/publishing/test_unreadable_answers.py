"""Never twice: the platform accepts the post and its answer cannot be read (a 2xx that is not JSON,
``ok: true`` with an empty result). The engine reconciles instead of sending again, and when it is
done the (faked) platform holds exactly one post; Telegram, which cannot be asked, hands the
publication to a person with what happened."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import respx
from django.utils import timezone

from socialops.content.models import ContentItem
from socialops.content.services import variants as variant_services
from socialops.content.services.media import media_asset_upload
from socialops.platforms.connectors import bluesky
from socialops.platforms.connectors.wechat import WechatConnector
from socialops.platforms.services import connections as connection_services
from socialops.publishing import engine
from socialops.publishing.models import Publication, PublishingAlert
from tests.factories import approved_item, image_bytes, make_account, make_publication
from tests.platforms import test_bluesky as bsky
from tests.platforms import test_douyin as dy
from tests.platforms import test_telegram as tg
from tests.platforms import test_weibo as wb
from tests.platforms.fakes import BASE as MASTODON
from tests.platforms.fakes import TOKEN as MASTODON_TOKEN
from tests.platforms.fakes import FakeMastodon
from tests.platforms.wechat_fake import APPID, SECRET, FakeWeChat

NOT_JSON = "<html><body>OK</body></html>"


@pytest.fixture(autouse=True)
def _fast(settings: Any) -> None:
    settings.PUBLISHING_RECONCILE_DELAY_SECONDS = 0.0
    settings.PUBLISHING_BACKOFF_BASE_SECONDS = 0.001
    settings.PUBLISHING_BACKOFF_MAX_SECONDS = 0.001


@pytest.fixture
def router() -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_called=False) as mock:
        yield mock


def garble_next(
    router: respx.MockRouter,
    when: Callable[[httpx.Request], bool],
    answer: Callable[[], httpx.Response] = lambda: httpx.Response(200, text=NOT_JSON),
) -> list[str]:
    """The fake platform acts on the next request ``when`` matches; its answer is replaced by
    ``answer`` (by default a 200 that is not JSON). Returns the paths of every request seen."""
    seen: list[str] = []
    pending = [True]
    for route in router.routes:
        original = route.side_effect

        def wrapped(request: httpx.Request, _original: Any = original) -> httpx.Response:
            seen.append(request.url.path)
            response = _original(request)
            if pending and when(request):
                pending.clear()
                return answer()
            return response

        route.side_effect = wrapped
    return seen


def settle(pub: Publication, *, rounds: int = 12, between: Callable[[], None] | None = None) -> Publication:
    """Run the engine on the publication until it is done (or ``rounds`` runs)."""
    for _round in range(rounds):
        engine.run(pub.pk, None)
        pub.refresh_from_db()
        if pub.state not in ("scheduled", "publishing", "unknown"):
            break
        if between is not None:
            between()
    return pub


def _with_media(workspace: Any, account: Any, title: str, n: int = 1, **fields: Any) -> ContentItem:
    assets = [
        media_asset_upload(
            workspace=workspace,
            actor=None,
            file_name=f"p{i}.png",
            content=image_bytes(color=(i * 40, 30, 30)),
        ).asset
        for i in range(n)
    ]
    item = approved_item(workspace, title)
    variant_services.variant_create(
        workspace=workspace, actor=None, item=item, account=account, media=[a.pk for a in assets], **fields
    )
    ContentItem.objects.filter(pk=item.pk).update(status="approved")
    item.refresh_from_db()
    return item


def _connect(workspace: Any, platform: str, kind: str, **fields: Any) -> Any:
    account = make_account(workspace, handle=f"{kind}_shop", platform=platform)
    connection_services.connection_save(workspace=workspace, actor=None, account=account, kind=kind, **fields)
    return account


def test_weibo_share_answered_with_html(workspace: Any, router: respx.MockRouter) -> None:
    fake = wb.FakeWeibo(router)
    seen = garble_next(router, lambda r: r.url.path == "/2/statuses/share.json")
    account = _connect(workspace, "weibo", "weibo", access_token=wb.TOKEN, account_id=wb.UID)
    pub = make_publication(
        workspace, approved_item(workspace, "新品", body=f"冬季新品上架 {wb.LINK}"), account
    )
    pub = settle(pub)
    assert pub.state == "published"
    assert len(fake.statuses) == 1 and seen.count("/2/statuses/share.json") == 1
    assert pub.external_id == fake.statuses[0]["idstr"]


def test_douyin_create_answered_with_html(workspace: Any, router: respx.MockRouter) -> None:
    fake = dy.FakeDouyin(router)
    seen = garble_next(router, lambda r: r.url.path.endswith("/create_image_text/"))
    account = _connect(
        workspace,
        "douyin",
        "douyin",
        access_token=dy.TOKEN,
        refresh_token=dy.REFRESH,
        client_id=dy.CLIENT_KEY,
        client_secret="secret",
        account_id=dy.OPEN_ID,
    )
    pub = make_publication(workspace, _with_media(workspace, account, "图文新品"), account)
    pub = settle(pub)
    assert pub.state == "published"
    assert len(fake.items) == 1 and seen.count("/api/douyin/v1/video/create_image_text/") == 1
    assert pub.external_id == fake.items[0]["item_id"]


def test_mastodon_status_answered_with_html(workspace: Any, router: respx.MockRouter) -> None:
    fake = FakeMastodon(router)
    seen = garble_next(router, lambda r: r.method == "POST" and r.url.path == "/api/v1/statuses")
    account = _connect(workspace, "mastodon", "mastodon", base_url=MASTODON, access_token=MASTODON_TOKEN)
    pub = settle(make_publication(workspace, approved_item(workspace, "嘟文"), account))
    assert pub.state == "published"
    assert len(fake.statuses) == 1 and seen.count("/api/v1/statuses") == 1
    assert pub.external_id == fake.statuses[0]["id"]


def test_bluesky_record_answered_with_html(
    workspace: Any, router: respx.MockRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bluesky, "DEFAULT_PDS", bsky.PDS)
    fake = bsky.FakePDS(router)
    seen = garble_next(router, lambda r: r.url.path.endswith("com.atproto.repo.putRecord"))
    account = _connect(
        workspace, "bluesky", "bluesky", client_id="shop.bsky.social", client_secret="app-pass-1234"
    )
    pub = settle(make_publication(workspace, approved_item(workspace, "天空"), account))
    assert pub.state == "published"
    assert len(fake.records) == 1 and seen.count("/xrpc/com.atproto.repo.putRecord") == 1
    (rkey,) = fake.records
    assert bsky.TID.match(rkey) and pub.external_id.endswith("/" + rkey)


def test_wechat_submit_answered_with_html(
    workspace: Any, router: respx.MockRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(WechatConnector, "poll_interval", 0.0)
    fake = FakeWeChat(router)
    seen = garble_next(router, lambda r: r.url.path == "/cgi-bin/freepublish/submit")
    account = _connect(workspace, "wechat_mp", "wechat_mp", client_id=APPID, client_secret=SECRET)
    pub = make_publication(workspace, _with_media(workspace, account, "公众号文章"), account)
    # WeChat publishes in the background: not listed yet, asked again (never submitted again);
    # then it finishes.
    pub = settle(pub, rounds=3)
    assert pub.state == "unknown"
    fake.finish_pending()
    pub = settle(pub)
    assert pub.state == "published"
    assert len(fake.published) == 1 and seen.count("/cgi-bin/freepublish/submit") == 1


@pytest.mark.parametrize(
    ("images", "method", "answer"),
    [
        (0, "sendMessage", lambda: httpx.Response(200, text=NOT_JSON)),
        (2, "sendMediaGroup", lambda: httpx.Response(200, json={"ok": True, "result": []})),
    ],
)
def test_telegram_unreadable_answer_goes_to_a_person(
    workspace: Any,
    router: respx.MockRouter,
    admin: Any,
    images: int,
    method: str,
    answer: Callable[[], httpx.Response],
) -> None:
    fake = tg.FakeBotAPI(router)
    seen = garble_next(router, lambda r: r.url.path.endswith("/" + method), answer)
    account = _connect(workspace, "telegram", "telegram", access_token=tg.TOKEN, client_id=tg.CHAT)
    item = (
        _with_media(workspace, account, "频道消息", n=images)
        if images
        else approved_item(workspace, "频道消息")
    )
    pub = settle(make_publication(workspace, item, account))
    # Telegram cannot be asked whether the message exists: never sent again, a person checks.
    assert sum(1 for p in seen if p.endswith("/" + method)) == 1
    assert len(fake.messages) == max(images, 1)
    assert pub.state == "failed"
    assert "could not confirm whether the post went out" in pub.last_error
    assert "Telegram" in pub.last_error and "Check the account on the platform" in pub.last_error
    alert = PublishingAlert.objects.get(user=admin, account=account)
    assert pub.last_error in alert.message
    # The next post of the channel goes out.
    nxt = make_publication(
        workspace,
        approved_item(workspace, "下一条"),
        account,
        due_at=timezone.now() + dt.timedelta(seconds=1),
    )
    assert settle(nxt).state == "published"
