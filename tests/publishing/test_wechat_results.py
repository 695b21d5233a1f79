"""WeChat's own answers settle publications: the PUBLISHJOBFINISH push for a freepublish job we
stopped waiting on, the MASSSENDJOBFINISH push for a duplicate mass send's msg_data_id, and
freepublish's 53501 ("请勿频繁请求") as "not now" rather than a failure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import respx
from django.utils import timezone

from socialops.platforms.connectors.wechat import WechatConnector
from socialops.platforms.models import PlatformConnection
from socialops.platforms.push import push_event_record
from socialops.publishing.models import Publication
from tests.factories import make_publication
from tests.platforms.wechat_fake import APPID, SECRET, FakeWeChat
from tests.publishing.test_unreadable_answers import _connect, _with_media, settle

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.PUBLISHING_RECONCILE_DELAY_SECONDS = 0.0
    settings.PUBLISHING_BACKOFF_BASE_SECONDS = 0.001
    settings.PUBLISHING_BACKOFF_MAX_SECONDS = 0.001
    monkeypatch.setattr(WechatConnector, "poll_interval", 0.0)
    monkeypatch.setattr(WechatConnector, "max_wait", 0.0)


@pytest.fixture
def router() -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_called=False) as mock:
        yield mock


def _publish_finished(connection: PlatformConnection, publish_id: str, status: int, **info: Any) -> None:
    push_event_record(
        connection=connection,
        message={
            "ToUserName": "gh_7f083739789a",
            "FromUserName": "oV5CrjpxgaGXNHIQigzNlgLTnwic",
            "CreateTime": str(int(timezone.now().timestamp())),
            "MsgType": "event",
            "Event": "PUBLISHJOBFINISH",
            "PublishEventInfo": {"publish_id": publish_id, "publish_status": str(status), **info},
        },
    )


def _still_publishing(workspace: Any, fake: FakeWeChat) -> tuple[Publication, PlatformConnection]:
    """A freepublish the platform is still working on when we stop polling: an unknown outcome."""
    fake.publishing_polls = 10**6  # freepublish/get keeps saying "publishing"
    account = _connect(workspace, "wechat_mp", "wechat_mp", client_id=APPID, client_secret=SECRET)
    pub = make_publication(workspace, _with_media(workspace, account, "公众号文章"), account)
    pub = settle(pub, rounds=1)
    assert pub.state == "unknown"
    (publish_id,) = fake.jobs
    assert pub.pending_ref == publish_id
    return pub, PlatformConnection.objects.get(account=account)


def test_the_publish_result_push_settles_a_publication_we_stopped_waiting_on(
    workspace: Any, router: respx.MockRouter
) -> None:
    fake = FakeWeChat(router)
    pub, connection = _still_publishing(workspace, fake)
    batchgets = len(fake.by_path("/cgi-bin/freepublish/batchget"))
    detail = {"count": "1", "item": {"idx": "1", "article_url": "https://mp.weixin.qq.com/s/pushed"}}

    _publish_finished(connection, pub.pending_ref, 0, article_id="ART_pushed", article_detail=detail)
    pub.refresh_from_db()
    assert pub.next_attempt_at is not None and pub.next_attempt_at <= timezone.now()  # woken at once
    pub = settle(pub)

    assert pub.state == "published"
    assert (pub.external_id, pub.url) == ("ART_pushed", "https://mp.weixin.qq.com/s/pushed")
    assert len(fake.by_path("/cgi-bin/freepublish/submit")) == 1  # never submitted twice
    assert len(fake.by_path("/cgi-bin/freepublish/batchget")) == batchgets  # no poll needed
    assert pub.item.status == "published"


def test_a_failed_publish_result_push_fails_the_publication_with_wechats_reason(
    workspace: Any, router: respx.MockRouter
) -> None:
    fake = FakeWeChat(router)
    pub, connection = _still_publishing(workspace, fake)

    _publish_finished(connection, pub.pending_ref, 4, fail_idx={"idx": "1"})
    pub = settle(pub)

    assert pub.state == "failed"
    assert "review" in pub.last_error
    assert len(fake.by_path("/cgi-bin/freepublish/submit")) == 1


def test_a_result_pushed_before_we_gave_up_polling_is_still_read(
    workspace: Any, router: respx.MockRouter
) -> None:
    fake = FakeWeChat(router)
    pub, connection = _still_publishing(workspace, fake)
    # The push arrived while the worker was still polling (nothing waited on it yet): stored only.
    Publication.objects.filter(pk=pub.pk).update(state="publishing")
    _publish_finished(connection, pub.pending_ref, 0, article_id="ART_early")
    Publication.objects.filter(pk=pub.pk).update(state="unknown")

    pub = settle(pub)

    assert pub.state == "published" and pub.external_id == "ART_early"


def test_frequent_publishing_is_not_now_not_never(workspace: Any, router: respx.MockRouter) -> None:
    fake = FakeWeChat(router)
    account = _connect(workspace, "wechat_mp", "wechat_mp", client_id=APPID, client_secret=SECRET)
    pub = make_publication(workspace, _with_media(workspace, account, "公众号文章"), account)
    fake.fail("/cgi-bin/freepublish/submit", 53501, "请勿频繁请求")

    pub = settle(pub, rounds=1)

    assert pub.state == "scheduled"
    assert pub.next_attempt_at is not None
    assert pub.next_attempt_at - timezone.now() > dt.timedelta(minutes=4)
    assert "so often" in pub.last_error
    fake.publishing_polls = 0
    Publication.objects.filter(pk=pub.pk).update(next_attempt_at=timezone.now())
    pub = settle(pub)
    assert pub.state == "published" and len(fake.jobs) == 1


def test_a_duplicate_mass_send_gets_its_msg_data_id_from_the_result_push(
    workspace: Any, router: respx.MockRouter
) -> None:
    FakeWeChat(router)
    account = _connect(workspace, "wechat_mp", "wechat_mp", client_id=APPID, client_secret=SECRET)
    pub = make_publication(workspace, _with_media(workspace, account, "群发文章"), account)
    Publication.objects.filter(pk=pub.pk).update(state="published", external_id="mass:1000001625")
    connection = PlatformConnection.objects.get(account=account)
    url = "http://mp.weixin.qq.com/s?__biz=MzI4MDQ0MTQ5Mg==&mid=2247483661&idx=1&sn=5d2b8e0c"

    push_event_record(
        connection=connection,
        message={
            "FromUserName": "oV5CrjpxgaGXNHIQigzNlgLTnwic",
            "CreateTime": "1714112442",
            "MsgType": "event",
            "Event": "MASSSENDJOBFINISH",
            "MsgID": "1000001625",
            "Status": "send success",
            "ArticleUrlResult": {
                "Count": "1",
                "ResultList": {"item": {"ArticleIdx": "1", "ArticleUrl": url}},
            },
        },
    )

    pub.refresh_from_db()
    assert pub.external_id == "mass:1000001625:2247483661"
