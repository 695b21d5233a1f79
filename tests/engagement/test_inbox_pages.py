"""The inbox pages: three panes, replying (and being refused), thread actions, setup pages, the report."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from socialops.engagement.models import Reply, SavedReply, Thread, ThreadNote, ThreadStatus
from socialops.engagement.services import setup
from socialops.engagement.services import threads as thread_services
from socialops.fans.models import InteractionKind, InteractionSource
from socialops.fans.services.people import interaction_record
from socialops.workspaces.roles import Role
from tests.factories import connect, make_account, make_fan

pytestmark = pytest.mark.django_db


@pytest.fixture
def thread(workspace: Any) -> Thread:
    account = make_account(workspace, "acme_weibo", "weibo", display_name="星曜科技")
    fan = make_fan(account, "uid-77", display_name="张小花")
    interaction_record(
        workspace=workspace, fan=fan, kind=InteractionKind.COMMENT, occurred_at=timezone.now(),
        source=InteractionSource.PULL, text="包装破损了，怎么退换？", external_id="c-1", post_external_id="p-1",
    )  # fmt: skip
    return Thread.objects.get()


def _url(workspace: Any, path: str = "") -> str:
    return f"/w/{workspace.slug}/inbox/{path}"


def test_the_operator_sees_the_queue_the_thread_and_the_fan(
    web: Any, workspace: Any, operator: Any, thread: Thread
) -> None:
    page = web(operator).get(_url(workspace), {"queue": "open", "thread": thread.pk})
    html = page.content.decode()

    assert page.status_code == 200
    assert 'data-testid="thread-list"' in html and "包装破损了" in html
    assert 'data-testid="conversation"' in html and 'data-testid="fan-pane"' in html
    assert "张小花" in html  # operators may see who fans are
    assert "星曜科技 · " in html  # the account with its platform
    assert 'data-testid="thread-timer"' in html


def test_the_analyst_sees_pseudonyms_and_no_reply_box(
    web: Any, workspace: Any, analyst: Any, thread: Thread
) -> None:
    html = web(analyst).get(_url(workspace), {"thread": thread.pk}).content.decode()
    assert "张小花" not in html and f"#{thread.person_id:06d}" in html
    assert 'data-testid="reply-form"' not in html


def test_a_refused_reply_keeps_the_text_and_shows_the_finding(
    web: Any, workspace: Any, operator: Any, thread: Thread
) -> None:
    client = web(operator)
    page = client.post(
        _url(workspace, f"threads/{thread.pk}/reply/"),
        {
            "text": "放心，我们的价格全网最低",
            "version": thread.version,
            "next": _url(workspace) + f"?thread={thread.pk}",
        },
    )
    html = page.content.decode()

    assert page.status_code == 200
    assert 'data-testid="reply-error"' in html and "全网最低" in html
    assert "放心，我们的价格全网最低</textarea>" in html
    assert not Reply.objects.exists()


def test_a_reply_is_queued_and_the_thread_waits_for_the_fan(
    web: Any, workspace: Any, operator: Any, thread: Thread
) -> None:
    here = _url(workspace) + f"?queue=open&thread={thread.pk}"
    page = web(operator).post(
        _url(workspace, f"threads/{thread.pk}/reply/"),
        {"text": "抱歉给您添麻烦了，请私信订单号，我们马上处理。", "version": thread.version, "next": here},
    )

    assert page.status_code == 302 and page["Location"] == here
    thread.refresh_from_db()
    assert thread.status == ThreadStatus.PENDING
    assert Reply.objects.get().author == operator


def test_thread_actions_assign_close_note_and_snooze(
    web: Any, workspace: Any, operator: Any, thread: Thread
) -> None:
    client = web(operator)
    client.post(_url(workspace, f"threads/{thread.pk}/status/"), {"action": "mine"})
    thread.refresh_from_db()
    assert thread.assignee == operator

    client.post(_url(workspace, f"threads/{thread.pk}/note/"), {"text": "需要售后同事跟进"})
    assert ThreadNote.objects.get().text == "需要售后同事跟进"

    until = (timezone.localtime(timezone.now(), workspace.tz) + timezone.timedelta(hours=2)).replace(
        tzinfo=None
    )
    client.post(
        _url(workspace, f"threads/{thread.pk}/snooze/"), {"until": until.isoformat(timespec="minutes")}
    )
    thread.refresh_from_db()
    assert thread.snoozed_until is not None
    assert "包装破损了" not in client.get(_url(workspace), {"queue": "open"}).content.decode()

    client.post(_url(workspace, f"threads/{thread.pk}/status/"), {"action": "closed"})
    thread.refresh_from_db()
    assert thread.status == ThreadStatus.CLOSED


def test_the_analyst_cannot_post_to_any_inbox_action(
    web: Any, workspace: Any, analyst: Any, thread: Thread
) -> None:
    client = web(analyst)
    for path, data in (
        (f"threads/{thread.pk}/reply/", {"text": "x"}),
        (f"threads/{thread.pk}/status/", {"action": "closed"}),
        (f"threads/{thread.pk}/note/", {"text": "x"}),
        (f"threads/{thread.pk}/snooze/", {"until": ""}),
        ("saved-replies/new/", {"title": "x", "body": "y"}),
        (
            "auto-replies/new/",
            {"name": "x", "match": "welcome", "channel": "messages", "reply_text": "y", "position": 0},
        ),
        ("settings/", {}),
    ):
        assert client.post(_url(workspace, path), data).status_code == 403, path
    thread.refresh_from_db()
    assert thread.status == ThreadStatus.OPEN and not Reply.objects.exists()


def test_a_saved_reply_that_would_fail_is_flagged_on_its_page(
    web: Any, workspace: Any, operator: Any
) -> None:
    client = web(operator)
    page = client.post(
        _url(workspace, "saved-replies/new/"), {"title": "低价", "body": "全网最低价，手慢无"}, follow=True
    )
    html = page.content.decode()

    assert SavedReply.objects.get().flagged
    assert 'data-testid="saved-reply-flag"' in html and "全网最低" in html


def test_the_setup_pages_and_the_report_render(
    web: Any, workspace: Any, admin: Any, thread: Thread, member: Any
) -> None:
    member(Role.COMMUNITY, username="amy")
    setup.rule_create(workspace=workspace, actor=admin, name="欢迎", match="welcome", reply_text="欢迎关注！")
    client = web(admin)
    for path in ("saved-replies/", "auto-replies/", "auto-replies/new/", "settings/", "report/", "replies/"):
        assert client.get(_url(workspace, path)).status_code == 200, path

    page = client.post(
        _url(workspace, "settings/"),
        {"work_start": "09:30", "work_end": "18:30", "weekdays": ["0", "1", "2", "3", "4", "5"],
         "respect_holidays": "on", "urgent_minutes": 20, "high_minutes": 60, "normal_minutes": 240,
         "low_minutes": 1440, "targets_in_working_hours": "on", "assign_mode": "round_robin",
         "high_value_threshold": "800", "spike_factor": 3, "spike_minimum": 5},
    )  # fmt: skip
    assert page.status_code == 302
    settings = thread_services.settings_for(workspace)
    assert settings.urgent_minutes == 20 and settings.weekdays == [0, 1, 2, 3, 4, 5]

    report = client.get(_url(workspace, "report/")).content.decode()
    assert 'data-echarts="inbox-volume"' in report and 'data-testid="report-accounts"' in report


def test_the_inbox_says_which_accounts_cannot_feed_it(
    web: Any, workspace: Any, operator: Any, thread: Thread
) -> None:
    douyin = make_account(workspace, "acme_douyin", "douyin", display_name="星曜抖音")
    connect(
        douyin,
        "douyin",
        client_id="awkey123",
        client_secret="secret-0123456789",
        access_token="act.abc",
        account_id="open-id-1",
    )
    html = web(operator).get(_url(workspace)).content.decode()
    silent = html[html.index('data-testid="silent-accounts"') :].split("</p>")[0]
    assert "星曜抖音" in silent and "does not let us read its comments or messages" in silent
    assert "星曜科技" in silent and "not connected" in silent  # the Weibo account has no connection
