"""Telling the winners: an inbox reply once, a coupon once, and "tell by hand" where no channel exists."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from socialops.engagement.models import Reply, ThreadChannel
from socialops.engagement.models.draws import DrawWinner, NoticeStatus
from socialops.engagement.services import draw_notices
from socialops.engagement.services import draws as svc
from socialops.fans.models import Coupon
from socialops.fans.services.coupons import campaign_create
from tests.factories import make_account

from .draw_helpers import direct_message, keyword_draw

pytestmark = pytest.mark.django_db


def _drawn(workspace: Any, **fields: Any) -> tuple[Any, list[Any]]:
    draw, fans = keyword_draw(workspace, entrants=3, winners_count=3, **fields)
    svc.draw_freeze(workspace=workspace, actor=None, draw=draw)
    return svc.draw_run(workspace=workspace, actor=None, draw=draw), fans


def test_winners_are_told_once_through_the_inbox_or_marked_manual(workspace: Any) -> None:
    account = make_account(workspace, "shop", "weibo")
    coupons = campaign_create(
        workspace=workspace, actor=None, name="中奖券", account=account, value="50",
        valid_from=timezone.now(), valid_until=timezone.now() + dt.timedelta(days=30), budget_count=10,
    )  # fmt: skip
    draw, fans = _drawn(workspace, coupon_campaign=coupons)
    # Two winners wrote to us in direct messages; the third only commented (no thread).
    direct_message(fans[0], "请问什么时候开奖？", "m-0")
    direct_message(fans[1], "你好", "m-1")

    counts = draw_notices.winners_notify(
        workspace=workspace, actor=None, draw=draw, link="https://x.example/p/"
    )
    assert counts == {"replied": 2, "manual": 1}
    replies = list(Reply.objects.filter(workspace=workspace).select_related("thread"))
    assert len(replies) == 2 and all(r.thread.channel == ThreadChannel.MESSAGES for r in replies)
    codes = dict(Coupon.objects.filter(campaign=coupons).values_list("person_id", "code"))
    assert len(codes) == 3  # every winner got one coupon, told or not
    for reply in replies:
        assert codes[reply.thread.person_id] in reply.text and draw.name in reply.text
        assert "https://x.example/p/" in reply.text
    manual = DrawWinner.objects.get(draw=draw, notice=NoticeStatus.MANUAL)
    assert manual.entrant.person_id == fans[2].person_id and "by hand" in manual.notice_note

    # Again (the button, or the job running twice): nobody is told twice, no second coupon.
    again = draw_notices.winners_notify(workspace=workspace, actor=None, draw=draw)
    assert again == {"replied": 0, "manual": 0}
    assert Reply.objects.count() == 2 and Coupon.objects.filter(campaign=coupons).count() == 3

    told = draw_notices.winner_mark_told(workspace=workspace, actor=None, winner=manual)
    assert told.notice == NoticeStatus.TOLD and told.notified_at is not None


def test_a_public_thread_never_shows_the_code(workspace: Any) -> None:
    account = make_account(workspace, "shop", "weibo")
    coupons = campaign_create(
        workspace=workspace, actor=None, name="券", account=account, value="20",
        valid_from=timezone.now(), valid_until=timezone.now() + dt.timedelta(days=30), budget_count=10,
    )  # fmt: skip
    draw, fans = _drawn(workspace, coupon_campaign=coupons)
    from socialops.fans.models import InteractionKind, InteractionSource
    from socialops.fans.services.people import interaction_record

    interaction_record(
        workspace=workspace, fan=fans[0], kind=InteractionKind.COMMENT, occurred_at=timezone.now(),
        source=InteractionSource.PULL, text="期待", external_id="c-1", post_external_id="post-1",
    )  # fmt: skip
    draw_notices.winners_notify(workspace=workspace, actor=None, draw=draw)
    reply = Reply.objects.get()
    assert reply.thread.channel == ThreadChannel.COMMENTS
    code = Coupon.objects.get(campaign=coupons, person=fans[0].person).code
    assert code not in reply.text and "direct message" in reply.text


def test_the_draw_queues_the_notification_after_commit(
    workspace: Any, django_capture_on_commit_callbacks: Any
) -> None:
    called: list[int] = []
    saved = list(svc.notify_later)
    svc.notify_later[:] = [called.append]
    try:
        draw, _fans = keyword_draw(workspace, entrants=2)
        svc.draw_freeze(workspace=workspace, actor=None, draw=draw)
        with django_capture_on_commit_callbacks(execute=True):
            svc.draw_run(workspace=workspace, actor=None, draw=draw)
    finally:
        svc.notify_later[:] = saved
    assert called == [draw.pk]
