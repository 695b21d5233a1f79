"""freepublish/get polls are rationed per account per day, in the database, across workers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import respx
import time_machine
from django.test import override_settings

from socialops.platforms.budget import api_calls_used
from socialops.platforms.connectors.base import OutcomeUnknown
from socialops.platforms.connectors.wechat import POLL_ENDPOINT, WechatConnector
from socialops.platforms.models import PlatformConnection
from tests.factories import make_workspace, wechat_push_connection

from .test_wechat import article, connect
from .wechat_fake import SHANGHAI, FakeWeChat

pytestmark = pytest.mark.django_db

MORNING = dt.datetime(2026, 3, 16, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture
def fake() -> Iterator[FakeWeChat]:
    with respx.mock(assert_all_called=False) as router:
        yield FakeWeChat(router)


@pytest.fixture
def connection() -> PlatformConnection:
    workspace = make_workspace()
    return wechat_push_connection(workspace, "brand", token="tok", aes_key="", app_id="wx1234567890abcdef")


def worker(fake: FakeWeChat, connection: PlatformConnection) -> WechatConnector:
    # A fresh connector per "process": the count lives in the database, not in the object.
    return connect(fake, connection=connection, max_wait=60.0)


@override_settings(WECHAT_FREEPUBLISH_POLLS_PER_DAY=3)
def test_spent_budget_waits_for_the_push_then_polling_resumes_next_day(
    fake: FakeWeChat, connection: PlatformConnection
) -> None:
    fake.publishing_polls = 2  # "publishing" twice, then done: three polls per article
    with time_machine.travel(MORNING, tick=False):
        first = worker(fake, connection).publish(article("第一篇"), idempotency_key="a")
        assert (
            first.external_id
            and api_calls_used(connection=connection, endpoint=POLL_ENDPOINT, day=MORNING.date()) == 3
        )
        polls_before = fake.calls.count("/cgi-bin/freepublish/get")
        with pytest.raises(OutcomeUnknown) as caught:
            worker(fake, connection).publish(article("第二篇"), idempotency_key="b")
    # Submitted, not polled: the publication keeps the publish_id for WeChat's PUBLISHJOBFINISH push.
    assert caught.value.platform_code == "poll_budget" and caught.value.pending_ref
    assert fake.calls.count("/cgi-bin/freepublish/get") == polls_before
    assert fake.calls.count("/cgi-bin/freepublish/submit") == 2

    with time_machine.travel(MORNING + dt.timedelta(days=1), tick=False):
        third = worker(fake, connection).publish(article("第三篇"), idempotency_key="c")
    assert third.external_id and fake.calls.count("/cgi-bin/freepublish/get") == polls_before + 3


@override_settings(WECHAT_FREEPUBLISH_POLLS_PER_DAY=3)
def test_budget_is_per_account(fake: FakeWeChat, connection: PlatformConnection) -> None:
    other = wechat_push_connection(
        connection.workspace, "other", token="tok", aes_key="", app_id="wx1234567890abcdef"
    )
    fake.publishing_polls = 2
    with time_machine.travel(MORNING, tick=False):
        worker(fake, connection).publish(article("第一篇"), idempotency_key="a")
        worker(fake, other).publish(article("第二篇"), idempotency_key="b")  # its own budget
        for conn in (connection, other):
            assert api_calls_used(connection=conn, endpoint=POLL_ENDPOINT, day=MORNING.date()) == 3


@override_settings(WECHAT_FREEPUBLISH_POLLS_PER_DAY=0)
def test_no_budget_means_no_polling(fake: FakeWeChat, connection: PlatformConnection) -> None:
    with time_machine.travel(MORNING, tick=False), pytest.raises(OutcomeUnknown):
        worker(fake, connection).publish(article(), idempotency_key="a")
    assert "/cgi-bin/freepublish/get" not in fake.calls
