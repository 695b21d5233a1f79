"""The inbox's services: filing, priority and timers in working time, breaches, replies, checks, rules."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from socialops.content.services.calendar import holiday_override_set
from socialops.engagement.models import (
    InboxAlert,
    InboxAlertKind,
    Priority,
    Reply,
    ReplyStatus,
    Thread,
    ThreadChannel,
    ThreadItem,
    ThreadStatus,
)
from socialops.engagement.services import monitor, replies, setup, threads
from socialops.fans.models import InteractionKind, InteractionSource
from socialops.fans.services.people import interaction_record
from socialops.workspaces.roles import Role
from tests.factories import make_account, make_fan

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def message(
    fan: Any, text: str, *, ext: str, kind: str = InteractionKind.MESSAGE, post: str = "", when: Any = None
) -> Any:
    interaction, _created = interaction_record(
        workspace=fan.workspace,
        fan=fan,
        kind=kind,
        occurred_at=when or timezone.now(),
        source=InteractionSource.PULL,
        text=text,
        external_id=ext,
        post_external_id=post,
    )
    return interaction


@pytest.fixture
def fan(workspace: Any) -> Any:
    account = make_account(workspace, "acme_mp", "mastodon")
    return make_fan(account, "fan-1", display_name="小林")


def test_the_same_message_pulled_twice_and_pushed_once_is_one_thread_item(fan: Any) -> None:
    message(fan, "请问什么时候发货？", ext="m-1")
    message(fan, "请问什么时候发货？", ext="m-1")
    interaction_record(
        workspace=fan.workspace, fan=fan, kind=InteractionKind.MESSAGE, occurred_at=timezone.now(),
        source=InteractionSource.PUSH, text="请问什么时候发货？", external_id="m-1",
    )  # fmt: skip

    assert Thread.objects.count() == 1
    assert ThreadItem.objects.count() == 1
    thread = Thread.objects.get()
    assert thread.channel == ThreadChannel.MESSAGES
    assert thread.status == ThreadStatus.OPEN
    assert thread.intent == "question"


def test_comments_of_one_fan_under_one_post_are_one_thread_and_dms_another(fan: Any) -> None:
    message(fan, "好看！", ext="c-1", kind=InteractionKind.COMMENT, post="p-1")
    message(fan, "多少钱？", ext="c-2", kind=InteractionKind.COMMENT, post="p-1")
    message(fan, "私信问一下价格", ext="d-1")
    message(fan, "别的帖子", ext="c-3", kind=InteractionKind.COMMENT, post="p-2")

    assert Thread.objects.count() == 3
    assert Thread.objects.get(post_external_id="p-1").items.count() == 2


def test_a_follow_is_not_an_inbox_message(fan: Any) -> None:
    message(fan, "", ext="", kind=InteractionKind.FOLLOW)
    assert not Thread.objects.exists()


def test_a_complaint_is_urgent_and_its_target_pauses_outside_working_hours(workspace: Any, fan: Any) -> None:
    workspace.timezone = "Asia/Shanghai"
    workspace.save()
    # Friday 2026-12-04 17:50 in Shanghai; the target is 30 working minutes.
    friday = dt.datetime(2026, 12, 4, 17, 50, tzinfo=SHANGHAI)
    with time_machine.travel(friday, tick=False):
        message(fan, "客服态度太差了，再也不买了", ext="m-1")

    thread = Thread.objects.get()
    assert thread.priority == Priority.URGENT
    assert thread.sentiment == "negative"
    # 10 minutes on Friday, the other 20 from Monday 09:00.
    assert thread.due_at == dt.datetime(2026, 12, 7, 9, 20, tzinfo=SHANGHAI)


def test_a_holiday_is_not_working_time_and_a_makeup_saturday_is(workspace: Any, fan: Any) -> None:
    workspace.timezone = "Asia/Shanghai"
    workspace.save()
    holiday_override_set(
        workspace=workspace, actor=None, date=dt.date(2026, 12, 7), kind="holiday", name="公司假日"
    )
    friday = dt.datetime(2026, 12, 4, 17, 50, tzinfo=SHANGHAI)
    with time_machine.travel(friday, tick=False):
        message(fan, "客服态度太差了，再也不买了", ext="m-1")
    # Monday is a holiday: the remaining 20 minutes run from Tuesday 09:00.
    assert Thread.objects.get().due_at == dt.datetime(2026, 12, 8, 9, 20, tzinfo=SHANGHAI)

    holiday_override_set(
        workspace=workspace, actor=None, date=dt.date(2026, 12, 5), kind="makeup_workday", name="调休"
    )
    other = make_fan(fan.account, "fan-2")
    with time_machine.travel(friday, tick=False):
        message(other, "客服态度太差了，再也不买了", ext="m-2")
    # Saturday is a make-up workday (调休): it counts.
    assert Thread.objects.get(fan=other).due_at == dt.datetime(2026, 12, 5, 9, 20, tzinfo=SHANGHAI)


def test_a_thread_shows_a_breach_after_its_target_passes_and_alerts_the_team(
    workspace: Any, fan: Any, admin: Any
) -> None:
    setup.settings_update(workspace=workspace, actor=admin, targets_in_working_hours=False, urgent_minutes=30)
    start = dt.datetime(2026, 12, 8, 10, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        message(fan, "包装破损了，怎么退换？太失望了", ext="m-1")
    thread = Thread.objects.get()
    assert thread.priority == Priority.URGENT

    with time_machine.travel(start + dt.timedelta(minutes=29), tick=False):
        assert monitor.breaches_check() == 0
    with time_machine.travel(start + dt.timedelta(minutes=31), tick=False):
        assert monitor.breaches_check() == 1
        assert monitor.breaches_check() == 0  # once per wait

    thread.refresh_from_db()
    assert thread.breached_at == start + dt.timedelta(minutes=30)
    alert = InboxAlert.objects.get(kind=InboxAlertKind.BREACH)
    assert alert.user == admin and "包装破损" in alert.detail


def test_a_reply_with_an_absolute_claim_is_blocked_with_the_finding(
    workspace: Any, fan: Any, admin: Any
) -> None:
    message(fan, "有优惠吗？", ext="m-1")
    thread = Thread.objects.get()

    with pytest.raises(ValidationError) as caught:
        replies.reply_create(
            workspace=workspace, actor=admin, thread=thread, text="我们的价格全网最低，放心买！"
        )

    assert "全网最低" in str(caught.value.message_dict["text"])
    assert not Reply.objects.exists()


def test_a_saved_reply_that_would_fail_is_flagged_when_saved(workspace: Any, admin: Any) -> None:
    bad = setup.saved_reply_create(
        workspace=workspace, actor=admin, title="价格", body="全网最低价，仅限今天"
    )
    good = setup.saved_reply_create(
        workspace=workspace, actor=admin, title="发货", body="{昵称}您好，48 小时内发货。"
    )

    assert bad.flagged and any(f["matched"] == "全网最低" or "最低" in f["matched"] for f in bad.findings)
    assert not good.flagged


def test_a_reply_answers_the_latest_message_ends_the_wait_and_counts_first_response(
    workspace: Any, fan: Any, admin: Any, django_capture_on_commit_callbacks: Any
) -> None:
    start = timezone.now() - dt.timedelta(minutes=12)
    message(fan, "请问发货要几天？", ext="m-1", when=start)
    thread = Thread.objects.get()

    with django_capture_on_commit_callbacks() as callbacks:
        reply = replies.reply_create(
            workspace=workspace, actor=admin, thread=thread, text="您好，48 小时内发货。"
        )
    thread.refresh_from_db()

    assert reply.status == ReplyStatus.QUEUED and reply.in_reply_to == "m-1"
    assert len(callbacks) == 1  # the send job, after the commit
    assert thread.status == ThreadStatus.PENDING
    assert thread.awaiting_since is None and thread.due_at is None
    assert 700 <= (thread.first_response_seconds or 0) <= 800

    # The fan writes again: the thread reopens and the timer starts over.
    message(fan, "好的，谢谢", ext="m-2")
    thread.refresh_from_db()
    assert thread.status == ThreadStatus.OPEN and thread.awaiting_since is not None


def test_two_people_answering_at_once_the_second_is_told(
    workspace: Any, fan: Any, admin: Any, member: Any
) -> None:
    colleague = member(Role.COMMUNITY, username="colleague")
    message(fan, "在吗？", ext="m-1")
    thread = Thread.objects.get()
    seen = thread.version

    replies.reply_create(workspace=workspace, actor=colleague, thread=thread, text="在的，请讲", version=seen)
    with pytest.raises(ValidationError) as caught:
        replies.reply_create(workspace=workspace, actor=admin, thread=thread, text="您好！", version=seen)

    assert "colleague" in str(caught.value.message_dict["text"])
    assert Reply.objects.count() == 1


def test_new_threads_go_round_robin_to_the_community_team(workspace: Any, admin: Any, member: Any) -> None:
    first, second = member(Role.COMMUNITY, username="amy"), member(Role.COMMUNITY, username="bo")
    setup.settings_update(workspace=workspace, actor=admin, assign_mode="round_robin")
    account = make_account(workspace, "acme", "mastodon")
    owners = []
    for n in range(4):
        fan = make_fan(account, f"fan-{n}")
        message(fan, "你好", ext=f"m-{n}")
        owners.append(Thread.objects.get(fan=fan).assignee)

    assert owners == [first, second, first, second]
    assert InboxAlert.objects.filter(kind=InboxAlertKind.ASSIGNED, user=first).count() == 2


def test_a_keyword_rule_answers_a_matching_dm_once(
    workspace: Any, fan: Any, admin: Any, django_capture_on_commit_callbacks: Any
) -> None:
    rule = setup.rule_create(
        workspace=workspace, actor=admin, name="价格", match="contains", pattern="价格",
        reply_text="{昵称}您好，价格表见主页置顶。",
    )  # fmt: skip
    message(fan, "@acme 请问价格多少？", ext="m-1")
    message(fan, "@acme 请问价格多少？", ext="m-1")  # the same message pulled again
    message(fan, "发货快吗", ext="m-2")

    reply = Reply.objects.get()
    assert reply.rule == rule and reply.text == "小林您好，价格表见主页置顶。"
    rule.refresh_from_db()
    assert rule.fired == 1
    # An automatic answer does not stop the team's timer.
    assert Thread.objects.get().awaiting_since is not None


def test_a_rule_whose_reply_fails_the_checks_is_refused(workspace: Any, admin: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        setup.rule_create(
            workspace=workspace,
            actor=admin,
            name="x",
            match="contains",
            pattern="价格",
            reply_text="全网最低价",
        )
    assert "reply_text" in caught.value.message_dict


def test_a_bad_pattern_names_the_field(workspace: Any, admin: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        setup.rule_create(
            workspace=workspace, actor=admin, name="x", match="regex", pattern="([", reply_text="您好"
        )
    assert "pattern" in caught.value.message_dict


def test_analyst_cannot_reply_or_change_threads(workspace: Any, fan: Any, analyst: Any) -> None:
    message(fan, "你好", ext="m-1")
    thread = Thread.objects.get()
    with pytest.raises(PermissionDenied):
        replies.reply_create(workspace=workspace, actor=analyst, thread=thread, text="您好")
    with pytest.raises(PermissionDenied):
        threads.thread_update(workspace=workspace, actor=analyst, thread=thread, status="closed")
    assert not Reply.objects.exists()
    assert Thread.objects.get().status == ThreadStatus.OPEN


def test_a_negative_spike_alerts_once(workspace: Any, admin: Any) -> None:
    account = make_account(workspace, "acme", "mastodon")
    now = timezone.now()
    for n in range(6):
        fan = make_fan(account, f"f-{n}")
        message(fan, "质量太差了，退钱！", ext=f"m-{n}", when=now - dt.timedelta(minutes=n))

    found = monitor.spike_check(workspace=workspace, now=now)
    assert found is not None and found["last_hour"] == 6
    assert monitor.spike_check(workspace=workspace, now=now) is None
    assert InboxAlert.objects.filter(kind=InboxAlertKind.SPIKE, user=admin).count() == 1


def test_a_notes_mention_alerts_the_colleague(workspace: Any, fan: Any, admin: Any, member: Any) -> None:
    colleague = member(Role.COMMUNITY, username="colleague")
    message(fan, "你好", ext="m-1")
    threads.note_add(
        workspace=workspace, actor=admin, thread=Thread.objects.get(), text="@colleague 这个你来跟一下"
    )
    assert InboxAlert.objects.get(kind=InboxAlertKind.MENTION).user == colleague


def test_queue_counts_match_the_queues(workspace: Any, admin: Any, member: Any) -> None:
    from socialops.engagement.selectors.threads import QUEUES, queue_counts, thread_queue

    amy = member(Role.COMMUNITY, username="amy")
    account = make_account(workspace, "acme", "mastodon")
    for n in range(7):
        message(make_fan(account, f"f{n}"), "你好", ext=f"m-{n}")
    rows = list(Thread.objects.order_by("pk"))
    threads.thread_update(workspace=workspace, actor=admin, thread=rows[0], status="closed")
    threads.thread_update(workspace=workspace, actor=admin, thread=rows[1], status="pending")
    threads.thread_update(workspace=workspace, actor=admin, thread=rows[2], assignee=amy)
    threads.thread_update(
        workspace=workspace, actor=admin, thread=rows[3], snoozed_until=timezone.now() + dt.timedelta(hours=1)
    )
    Thread.objects.filter(pk=rows[4].pk).update(due_at=timezone.now() - dt.timedelta(minutes=1))

    counts = queue_counts(workspace=workspace, user=amy)

    assert counts == {q: thread_queue(workspace=workspace, user=amy, queue=q).count() for q in QUEUES}
    assert (counts["closed"], counts["pending"], counts["mine"], counts["snoozed"], counts["all"]) == (
        1,
        1,
        1,
        1,
        7,
    )
    assert counts["breached"] == 1 and counts["open"] == 4
