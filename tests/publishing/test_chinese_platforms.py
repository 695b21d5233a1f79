"""End to end through the engine to WeChat (against the fake of its API): connect with AppID and
AppSecret, publish an approved item as an article with its cover, then sync yesterday's figures."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import respx
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from socialops.analytics.models import PostRecord
from socialops.content.models import ContentItem
from socialops.content.services import variants as variant_services
from socialops.content.services.media import media_asset_upload
from socialops.goals.models import MetricSnapshot
from socialops.platforms.connectors.wechat import WechatConnector
from socialops.platforms.models import PlatformConnection
from socialops.platforms.services import connections as connection_services
from socialops.publishing import engine, sync
from tests.factories import approved_item, image_bytes, make_account, make_publication
from tests.platforms.wechat_fake import APPID, SECRET, SHANGHAI, FakeWeChat


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeWeChat]:
    # The engine builds its own connector: make its status polling instant for the test.
    monkeypatch.setattr(WechatConnector, "poll_interval", 0.0)
    with respx.mock(assert_all_called=False) as router:
        yield FakeWeChat(router)


def _wechat_account(workspace: Any) -> Any:
    account = make_account(workspace, handle="xingyao", platform="wechat_mp")
    connection_services.connection_save(
        workspace=workspace,
        actor=None,
        account=account,
        kind="wechat_mp",
        client_id=APPID,
        client_secret=SECRET,
    )
    return account


def test_connection_fields_are_checked(workspace: Any) -> None:
    account = make_account(workspace, handle="gzh", platform="wechat_mp")
    with pytest.raises(ValidationError) as err:
        connection_services.connection_save(
            workspace=workspace,
            actor=None,
            account=account,
            kind="wechat_mp",
            client_id="not-an-appid",
            signing_secret="token123",
        )
    errors = err.value.message_dict
    assert "AppID" in errors["client_id"][0]
    assert "AppSecret" in errors["client_secret"][0]
    assert "EncodingAESKey" in errors["encoding_aes_key"][0]
    assert not PlatformConnection.objects.filter(account=account).exists()


def test_publish_article_then_sync_yesterday(workspace: Any, fake: FakeWeChat) -> None:
    account = _wechat_account(workspace)
    cover = media_asset_upload(
        workspace=workspace, actor=None, file_name="cover.png", content=image_bytes()
    ).asset
    item = approved_item(workspace, "冬季新品发布", body="## 亮点\n\n轻薄保暖")
    variant_services.variant_create(
        workspace=workspace, actor=None, item=item, account=account, media=[cover.pk], digest="三款新品"
    )
    ContentItem.objects.filter(pk=item.pk).update(status="approved")
    pub = make_publication(workspace, item, account)

    # No token stored yet: the engine refreshes through stable_token, stores it and publishes.
    assert engine.run(pub.pk, pub.version) == "published"
    pub.refresh_from_db()
    assert [a.outcome for a in pub.attempt_rows.order_by("pk")] == ["auth_refreshed", "published"]
    (published,) = fake.published
    article_id, msg_data_id = pub.external_id.split(":")
    assert article_id == published["article_id"] and pub.url.startswith("https://mp.weixin.qq.com/s/")
    (draft,) = fake.by_path("/cgi-bin/draft/add")
    article = draft["articles"][0]
    assert article["title"] == "冬季新品发布" and article["digest"] == "三款新品"
    assert "<h2>亮点</h2>" in article["content"] and article["thumb_media_id"] in fake.materials
    connection = PlatformConnection.objects.get(account=account)
    assert connection.get_credentials().access_token == fake.token

    # WeChat's data cube reports finished days: the figures land on yesterday's snapshot.
    with time_machine.travel(dt.datetime(2026, 11, 26, 9, 0, tzinfo=SHANGHAI), tick=False):
        fake.user_summary = [{"ref_date": "2026-11-25", "user_source": 0, "new_user": 12, "cancel_user": 2}]
        fake.user_cumulate = [{"ref_date": "2026-11-25", "cumulate_user": 5210}]
        snapshot, outcome = sync.sync_account_metrics(workspace=workspace, connection=connection)
    assert outcome == "created" and snapshot is not None
    stored = MetricSnapshot.objects.get(account=account)
    assert stored.date == dt.date(2026, 11, 25)
    assert (stored.followers_total, stored.new_followers, stored.lost_followers) == (5210, 12, 2)

    # The freepublished article's readers come from getarticleread, by the submit's msg_data_id.
    fake.article_read = [
        {"ref_date": "2026-11-25", "msgid": f"{msg_data_id}_1", "detail": {"read_user": 321}},
    ]
    with time_machine.travel(dt.datetime(2026, 11, 26, 9, 0, tzinfo=SHANGHAI), tick=False):
        counts = sync.sync_post_metrics(
            workspace=workspace, connection=connection, since=timezone.now() - dt.timedelta(days=365)
        )
    assert counts["created"] == 1
    assert PostRecord.objects.get(account=account, external_id=pub.external_id).reach == 321


def test_article_still_publishing_is_found_later_never_submitted_twice(
    workspace: Any, fake: FakeWeChat, monkeypatch: pytest.MonkeyPatch
) -> None:
    # WeChat is still publishing when the connector stops waiting: the outcome is unknown.
    monkeypatch.setattr(WechatConnector, "max_wait", 0.0)
    fake.publishing_polls = 1000
    account = _wechat_account(workspace)
    cover = media_asset_upload(
        workspace=workspace, actor=None, file_name="cover.png", content=image_bytes()
    ).asset
    item = approved_item(workspace, "慢慢发布")
    variant_services.variant_create(
        workspace=workspace, actor=None, item=item, account=account, media=[cover.pk]
    )
    ContentItem.objects.filter(pk=item.pk).update(status="approved")
    pub = make_publication(workspace, item, account)
    assert engine.run(pub.pk, pub.version) == "unknown"

    # Not listed yet, within the grace period: ask again later, do not submit again.
    later = timezone.now() + dt.timedelta(minutes=2)
    assert engine.run(pub.pk, pub.version, now=later) == "unknown"
    assert fake.calls.count("/cgi-bin/freepublish/submit") == 1

    # WeChat finishes in the background; the next reconciliation finds the article.
    fake.finish_pending()
    assert engine.run(pub.pk, pub.version, now=later + dt.timedelta(minutes=5)) == "published"
    pub.refresh_from_db()
    assert fake.calls.count("/cgi-bin/freepublish/submit") == 1 and len(fake.published) == 1
    assert pub.external_id == fake.published[0]["article_id"]
    outcomes = [a.outcome for a in pub.attempt_rows.order_by("pk")]
    assert outcomes == ["auth_refreshed", "unknown", "retry", "found"]
