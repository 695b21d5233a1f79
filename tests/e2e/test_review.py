"""The review workflow in Chromium: submit, approve through the chain, the queue count in the navigation,
and a comment on a passage selected with the mouse."""

from __future__ import annotations

from typing import Any

import pytest

from socialops.content.models import ContentItem
from socialops.content.services import items as content
from socialops.content.services import themes as theme_services
from socialops.review.models import Notification, ReviewComment
from socialops.review.services import chains as chain_services
from socialops.workspaces import services
from socialops.workspaces.roles import Role
from tests.e2e.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "pa55-word-ok"
BODY = "秋季新品今日上市，限时八折，欢迎到店体验。"


def _setup() -> ContentItem:
    workspace = services.workspace_create(actor=None, name="星曜科技", slug="xy")
    people = {"writer": Role.OPERATOR, "editor": Role.REVIEWER, "legal": Role.REVIEWER, "boss": Role.ADMIN}
    users = {}
    for name, role in people.items():
        users[name] = services.user_create(actor=None, username=name, password=PASSWORD)
        services.membership_add(workspace=workspace, actor=None, user=users[name], role=role)
    chain_services.approval_chain_update(
        workspace=workspace,
        actor=users["boss"],
        chain=chain_services.approval_chain_default(workspace=workspace),
        steps=[
            {"name": "编辑审核", "assignee_user": users["editor"]},
            {"name": "法务审核", "assignee_user": users["legal"]},
        ],
    )
    theme = theme_services.theme_create(workspace=workspace, actor=None, name="产品介绍")
    return content.content_item_create(
        workspace=workspace,
        actor=users["writer"],
        title="秋季新品上市",
        form="short_post",
        theme=theme,
        body=BODY,
        evergreen=True,
    )


def _switch(page: Any, username: str) -> None:
    page.context.clear_cookies()
    login(page, username, PASSWORD)


def _nav_count(page: Any) -> str:
    # "待我审核" followed by a count badge only when something waits ("待我审核 1").
    return " ".join(str(page.get_by_test_id("nav-review-queue").inner_text()).split())


def test_submit_approve_through_the_ui_and_the_queue_count_changes(page: Any) -> None:
    item = _setup()
    detail = f"{page.base}/w/xy/content/{item.pk}/"

    # The writer submits.
    login(page, "writer", PASSWORD)
    page.goto(detail)
    assert "草稿" in page.get_by_test_id("review-status").inner_text()
    page.get_by_test_id("review-submit").click()
    page.wait_for_load_state("networkidle")
    assert "审核中" in page.get_by_test_id("review-status").inner_text()
    assert "已提交审核" in page.locator(".alert-success").inner_text()

    # The editor sees it waiting, comments on a passage, and approves.
    _switch(page, "editor")
    page.goto(f"{page.base}/w/xy/review/queue/")
    assert _nav_count(page) == "待我审核 1"
    page.get_by_test_id("queue-row").get_by_role("link", name="秋季新品上市").click()
    page.wait_for_load_state("networkidle")
    page.get_by_role("link", name="最新版本的评论").click()
    page.wait_for_load_state("networkidle")
    passage = page.get_by_test_id("passage-body")
    passage.evaluate(
        """(el) => {
            const text = el.firstChild;
            const start = text.data.indexOf("限时八折");
            const range = document.createRange();
            range.setStart(text, start);
            range.setEnd(text, start + 4);
            const sel = window.getSelection();
            sel.removeAllRanges();
            sel.addRange(range);
            el.dispatchEvent(new MouseEvent("mouseup", {bubbles: true}));
        }"""
    )
    assert "限时八折" in page.locator("[data-passage-quote]").inner_text()
    page.fill("textarea[name=body]", "请写明活动的起止日期")
    page.get_by_role("button", name="发表评论").click()
    page.wait_for_load_state("networkidle")
    assert "«限时八折»" in page.get_by_test_id("comment-quote").inner_text()
    comment = ReviewComment.objects.get(item=item)
    assert (comment.field, comment.quote) == ("body", "限时八折")
    assert BODY[comment.start : comment.end] == "限时八折"

    page.goto(detail)
    page.fill("textarea[name=approve-comment]", "文字没问题")
    page.get_by_test_id("review-approve").click()
    page.wait_for_load_state("networkidle")
    assert "你通过了“编辑审核”环节" in page.locator(".alert-success").inner_text()
    assert _nav_count(page) == "待我审核"

    # The legal reviewer now has it, and approves it: the item is approved.
    _switch(page, "legal")
    page.goto(f"{page.base}/w/xy/content/")
    assert _nav_count(page) == "待我审核 1"
    page.get_by_test_id("nav-review-queue").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("queue-row").count() == 1
    page.get_by_test_id("queue-row").get_by_role("link", name="秋季新品上市").click()
    page.wait_for_load_state("networkidle")
    page.get_by_test_id("review-approve").click()
    page.wait_for_load_state("networkidle")
    assert "已通过" in page.get_by_test_id("review-status").inner_text()
    assert _nav_count(page) == "待我审核"
    item.refresh_from_db()
    assert item.status == "approved"

    # The writer is told.
    _switch(page, "writer")
    page.goto(f"{page.base}/w/xy/review/notifications/")
    assert "legal 审核通过了“秋季新品上市”" in page.get_by_test_id("notification-list").inner_text()
    page.get_by_test_id("read-all").click()
    page.wait_for_load_state("networkidle")
    assert not Notification.objects.filter(user__username="writer", read_at__isnull=True).exists()
    assert page.problems == []
