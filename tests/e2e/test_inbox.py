"""The demo's inbox in Chromium: the community member finds a waiting thread, is stopped by the
Advertising-Law check, answers with a saved reply and closes it by keyboard; the analyst sees pseudonyms."""

from __future__ import annotations

import os
from typing import Any

import pytest

from socialops.demo.seed import demo_seed
from socialops.demo.specs import demo_password
from socialops.engagement.models import Reply, Thread
from tests.e2e.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)

SCREENSHOTS = os.environ.get("SOCIALOPS_SCREENSHOTS", "")


def _shot(page: Any, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


def test_the_community_member_answers_a_fan_from_the_inbox(page: Any) -> None:
    demo_seed()
    login(page, "community", demo_password())
    page.click("[data-testid=nav-inbox]")
    page.click(".dropdown-menu >> text=收件箱")
    page.wait_for_selector("[data-testid=thread-list]")
    assert "全部待处理" in page.locator("[data-testid=queues]").inner_text()
    page.locator("[data-thread-link]").first.click()
    page.wait_for_selector("[data-testid=conversation]")
    thread_id = int(page.url.split("thread=")[1].split("&")[0])
    fan_pane = page.locator("[data-testid=fan-pane]").inner_text()
    assert "90 天价值" in fan_pane and "会话" in fan_pane
    _shot(page, "inbox-thread")

    # An absolute claim is stopped before it is stored, with the words that break the law named.
    page.fill("[data-reply-box]", "放心，我们的价格全网最低！")
    page.click("[data-testid=send-reply]")
    error = page.locator("[data-testid=reply-error]").inner_text()
    assert "全网最低" in error
    assert not Reply.objects.filter(thread_id=thread_id).exclude(author=None).exists()
    _shot(page, "inbox-refused")

    # A saved reply, found by typing, fills the box with the fan's name in it.
    page.fill("[data-saved-search]", "发货")
    page.select_option(
        "[data-saved-picker]",
        label=page.locator("[data-saved-picker] option:not([hidden])").first.inner_text(),
    )
    text = page.input_value("[data-reply-box]")
    assert text.startswith(("您好", "")) and "{昵称}" not in text and "48 小时内发货" in text
    page.click("[data-testid=send-reply]")
    page.wait_for_selector("text=回复已排队")
    assert Reply.objects.filter(thread_id=thread_id, author__username="community").count() == 1
    assert "48 小时内发货" in page.locator("[data-testid=conversation]").inner_text()

    # c closes the thread from the keyboard.
    page.keyboard.press("c")
    page.wait_for_selector("text=会话已关闭")
    assert Thread.objects.get(pk=thread_id).status == "closed"
    assert page.problems == []

    # On a phone the thread takes the screen, with a way back to the queue.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{page.base}/w/demo/inbox/?queue=all&thread={thread_id}")
    assert page.locator("text=返回队列").is_visible()
    _shot(page, "inbox-phone")


def test_the_analyst_reads_the_inbox_and_the_report_without_names(page: Any) -> None:
    demo_seed()
    login(page, "analyst", demo_password())
    page.goto(f"{page.base}/w/demo/inbox/?queue=all")
    page.locator("[data-thread-link]").first.click()
    page.wait_for_selector("[data-testid=conversation]")
    assert page.locator("[data-testid=reply-form]").count() == 0
    name = page.locator("[data-testid=fan-pane] h2").inner_text()
    assert name.startswith("#")
    page.goto(f"{page.base}/w/demo/inbox/report/")
    page.wait_for_selector("[data-echarts] canvas")
    assert "首次响应中位数" in page.locator("main").inner_text()
    _shot(page, "inbox-report")
    assert page.problems == []
