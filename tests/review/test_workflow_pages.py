"""Pages of the review workflow: the item's review panel and buttons, revisions, comparison, passage
comments, the queue with its count in the navigation, notifications and the approval chains."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from socialops.content.models import ContentItem
from socialops.content.services import items as content
from socialops.review.models import ApprovalChain, ApprovalOverride, Notification, ReviewComment, Revision
from socialops.review.services import chains as chain_services
from socialops.review.services import revisions as revision_services
from socialops.review.services import rounds as round_services
from socialops.review.views.workflow import source_offsets
from socialops.workspaces.models import AuditEntry
from socialops.workspaces.roles import Role
from tests.access import assert_four_cases
from tests.factories import Team, make_post, make_team, make_theme
from tests.review.test_workflow import BLOCKING_BODY


@pytest.fixture
def team(workspace: Any, member: Callable[..., Any]) -> Team:
    return make_team(workspace, member)


@pytest.fixture
def foreign_item(other_workspace: Any, member: Callable[..., Any]) -> ContentItem:
    boss = member(Role.ADMIN, ws=other_workspace, username="other-boss")
    item = make_post(other_workspace, boss, make_theme(other_workspace))
    round_services.item_submit(workspace=other_workspace, actor=boss, item=item)
    return item


def _html(response: Any) -> str:
    return str(response.content.decode())


def _follow_messages(client: Client, url: str) -> str:
    return _html(client.get(url))


# ---- the item page --------------------------------------------------------------------------


def test_item_page_shows_state_steps_and_only_allowed_buttons(web: Any, workspace: Any, team: Team) -> None:
    item = make_post(workspace, team.writer, make_theme(workspace))
    detail = f"/w/acme/content/{item.pk}/"
    writer_html = _html(web(team.writer).get(detail))
    assert 'data-testid="review-panel"' in writer_html and "Status: Draft" in writer_html
    assert 'data-testid="review-submit"' in writer_html and "1 revision" in writer_html
    assert 'data-testid="findings-summary"' in writer_html and "no findings" in writer_html
    analyst_html = _html(web(team.analyst).get(detail))
    assert 'data-testid="review-submit"' not in analyst_html

    round_services.item_submit(workspace=workspace, actor=team.writer, item=item)
    editor_html = _html(web(team.editor).get(detail))
    assert 'data-testid="review-approve"' in editor_html and "Approve “编辑审核”" in editor_html
    assert 'data-testid="review-request-changes"' in editor_html
    assert editor_html.count('data-testid="review-step"') == 2
    assert 'data-testid="review-submit"' not in editor_html
    # The writer sees the steps but has no decision buttons.
    writer_html = _html(web(team.writer).get(detail))
    assert 'data-testid="review-approve"' not in writer_html and "In review" in writer_html
    # An admin who wrote the item is told why they cannot approve.
    own = make_post(workspace, team.admin, item.theme, title="管理员的稿")
    round_services.item_submit(workspace=workspace, actor=team.admin, item=own)
    admin_html = _html(web(team.admin).get(f"/w/acme/content/{own.pk}/"))
    assert "someone else must approve it" in admin_html and 'data-testid="review-approve"' not in admin_html


def test_item_page_in_chinese_by_default(workspace: Any, team: Team) -> None:
    item = make_post(workspace, team.writer, make_theme(workspace))
    round_services.item_submit(workspace=workspace, actor=team.writer, item=item)
    client = Client()
    client.force_login(team.editor)
    html = _html(client.get(f"/w/acme/content/{item.pk}/"))
    assert "审核中" in html and "待我审核" in html and "退回修改" in html
    assert 'data-testid="nav-review-count">1<' in html


def test_submit_approve_request_changes_pages(
    web: Any, workspace: Any, team: Team, foreign_item: Any
) -> None:
    item = make_post(workspace, team.writer, make_theme(workspace))
    detail = f"/w/acme/content/{item.pk}/"
    assert_four_cases(
        web, "POST", f"/w/acme/content/{item.pk}/review/submit/",
        f"/w/acme/content/{foreign_item.pk}/review/submit/", permitted=team.writer, denied=team.editor,
        data={}, ok=(302,),
    )  # fmt: skip
    item.refresh_from_db()
    assert item.status == "in_review"
    assert_four_cases(
        web, "POST", f"/w/acme/content/{item.pk}/review/approve/",
        f"/w/acme/content/{foreign_item.pk}/review/approve/", permitted=team.editor, denied=team.writer,
        data={"approve-comment": "通顺"}, ok=(302,),
    )  # fmt: skip
    editor = web(team.editor)
    assert "编辑审核" in _html(editor.get(detail)) and "通顺" in _html(editor.get(detail))
    assert item.review_rounds.get().tasks.get(position=1).state == "approved"
    # Request changes without a comment: refused with a message, nothing changes.
    legal = web(team.legal)
    assert (
        legal.post(f"/w/acme/content/{item.pk}/review/request-changes/", {"changes-comment": ""}).status_code
        == 302
    )
    assert "the comment is required" in _follow_messages(legal, detail)
    assert ContentItem.objects.get(pk=item.pk).status == "in_review"
    assert_four_cases(
        web, "POST", f"/w/acme/content/{item.pk}/review/request-changes/",
        f"/w/acme/content/{foreign_item.pk}/review/request-changes/", permitted=team.legal,
        denied=team.analyst, data={"changes-comment": "请核对价格"}, ok=(302,),
    )  # fmt: skip
    html = _html(legal.get(detail))
    assert "请核对价格" in html and "Status: Changes requested" in html
    # Illegal: approving an item no longer in review shows the states.
    editor.post(f"/w/acme/content/{item.pk}/review/approve/", {})
    assert "cannot go from “Changes requested” to “Approved”" in _follow_messages(editor, detail)
    writer_html = _html(web(team.writer).get(detail))
    assert "Resubmit for review" in writer_html


def test_override_page_banner_and_audit(web: Any, workspace: Any, team: Team, foreign_item: Any) -> None:
    item = make_post(workspace, team.writer, make_theme(workspace), body=BLOCKING_BODY)
    round_services.item_submit(workspace=workspace, actor=team.writer, item=item)
    detail = f"/w/acme/content/{item.pk}/"
    editor_html = _html(web(team.editor).get(detail))
    assert "1 blocking" in editor_html
    assert re.search(r'data-testid="review-approve"[^>]*disabled', editor_html)
    assert 'data-testid="override-form"' not in editor_html
    admin_html = _html(web(team.admin).get(detail))
    assert 'data-testid="override-form"' in admin_html
    short = web(team.admin)
    short.post(f"/w/acme/content/{item.pk}/review/override/", {"reason": "太短"})
    assert not ApprovalOverride.objects.exists()
    reason = "引用的是第三方报告原话，已获法务书面确认。"
    assert_four_cases(
        web, "POST", f"/w/acme/content/{item.pk}/review/override/",
        f"/w/acme/content/{foreign_item.pk}/review/override/", permitted=team.admin, denied=team.editor,
        data={"reason": reason}, ok=(302,),
    )  # fmt: skip
    assert AuditEntry.objects.filter(workspace=workspace, action="review.override").count() == 1
    for user in (team.analyst, team.writer, team.editor):
        html = _html(web(user).get(detail))
        assert 'data-testid="override-banner"' in html and reason in html and "全网最好" in html
    editor_html = _html(web(team.editor).get(detail))
    assert not re.search(r'data-testid="review-approve"[^>]*disabled', editor_html)
    web(team.editor).post(f"/w/acme/content/{item.pk}/review/approve/", {})
    web(team.legal).post(f"/w/acme/content/{item.pk}/review/approve/", {})
    assert ContentItem.objects.get(pk=item.pk).status == "approved"
    # Still shown after approval and after a later edit.
    content.content_item_update(
        workspace=workspace, actor=team.writer, item=item, expected_version=1, body=BLOCKING_BODY + "！"
    )
    assert reason in _html(web(team.analyst).get(detail))


def test_edit_form_warns_and_stale_save_keeps_the_text(
    web: Any, workspace: Any, team: Team, member: Any
) -> None:
    theme = make_theme(workspace)
    item = make_post(workspace, team.writer, theme)
    round_services.item_submit(workspace=workspace, actor=team.writer, item=item)
    round_services.item_approve(workspace=workspace, actor=team.editor, item=item)
    round_services.item_approve(workspace=workspace, actor=team.legal, item=item)
    edit = f"/w/acme/content/{item.pk}/edit/"
    assert 'data-testid="reopen-notice"' in _html(web(team.writer).get(edit))
    # Two people open the form at version 1; the colleague saves first.
    colleague = member(Role.OPERATOR, username="xiaowang")
    content.content_item_update(
        workspace=workspace, actor=colleague, item=item, expected_version=1, body="同事的修改。"
    )
    data = {
        "form": "short_post",
        "title": "新品发布",
        "importance": "normal",
        "evergreen": "on",
        "theme": theme.pk,
        "body": "我写了很久的一段话。",
        "version": 1,
    }
    response = web(team.writer).post(edit, data)
    html = _html(response)
    assert response.status_code == 409
    assert "was changed by xiaowang" in html and "Nothing was saved" in html
    assert "我写了很久的一段话。" in html
    item.refresh_from_db()
    assert item.body == "同事的修改。" and item.status == "in_review"
    assert Revision.objects.filter(item=item).count() == 2  # the refused save left no revision


# ---- revisions, comparison, comments ----------------------------------------------------------


def test_revision_pages_and_compare(web: Any, workspace: Any, team: Team, foreign_item: Any) -> None:
    item = make_post(workspace, team.writer, make_theme(workspace), body="周五<b>发布</b>。")
    content.content_item_update(
        workspace=workspace, actor=team.writer, item=item, expected_version=1, body="周六<b>发布</b>。"
    )
    listing = assert_four_cases(
        web, "GET", f"/w/acme/content/{item.pk}/revisions/", f"/w/acme/content/{foreign_item.pk}/revisions/",
        permitted=team.analyst, denied=None,
    )  # fmt: skip
    html = _html(listing)
    assert html.count('data-testid="revision-row"') == 2 and ">body<" in html
    compared = assert_four_cases(
        web, "GET", f"/w/acme/content/{item.pk}/revisions/compare/?a=1&b=2",
        f"/w/acme/content/{foreign_item.pk}/revisions/compare/?a=1&b=1", permitted=team.analyst, denied=None,
    )  # fmt: skip
    html = _html(compared)
    assert "<del>五</del>" in html and "<ins>六</ins>" in html
    assert "&lt;b&gt;发布&lt;/b&gt;" in html  # the text is escaped, only our marks are HTML
    assert 'style="' not in html and "<script>" not in html.split("</head>")[1]
    assert html.count('data-testid="diff-row"') == 1
    every = _html(web(team.analyst).get(f"/w/acme/content/{item.pk}/revisions/compare/?a=1&b=2&all=1"))
    assert every.count('data-testid="diff-row"') > 1
    detail = assert_four_cases(
        web, "GET", f"/w/acme/content/{item.pk}/revisions/1/",
        f"/w/acme/content/{foreign_item.pk}/revisions/1/", permitted=team.analyst, denied=None,
    )  # fmt: skip
    html = _html(detail)
    assert 'data-passage-field="body"' in html and "review/workflow.js" in html
    assert 'data-testid="comment-form"' not in html  # analysts do not comment
    assert web(team.analyst).get(f"/w/acme/content/{item.pk}/revisions/9/").status_code == 404


def test_passage_comment_from_the_page(web: Any, workspace: Any, team: Team, foreign_item: Any) -> None:
    body = "第一行：新品上市\r\n第二行：限时八折"
    item = make_post(workspace, team.writer, make_theme(workspace, "实用技巧"), body="占位")
    content.content_item_update(
        workspace=workspace, actor=team.writer, item=item, expected_version=1, body=body
    )
    revision = revision_services.latest_revision(item)
    assert revision is not None and revision.snapshot["item"]["body"] == body
    # The browser sees "\n" where the text has "\r\n": its offsets are mapped back.
    browser_text = body.replace("\r\n", "\n")
    start = browser_text.index("限时八折")
    url = f"/w/acme/content/{item.pk}/revisions/{revision.number}/comments/"
    data = {"body": "写明活动日期", "field": "body", "quote": "限时八折", "start": start, "end": start + 4}
    assert_four_cases(
        web, "POST", url, f"/w/acme/content/{foreign_item.pk}/revisions/1/comments/",
        permitted=team.editor, denied=team.analyst, data=data, ok=(302,),
    )  # fmt: skip
    comment = ReviewComment.objects.get(item=item)
    assert comment.quote == "限时八折" and body[comment.start : comment.end] == "限时八折"
    assert comment.start == body.index("限时八折")
    html = _html(web(team.writer).get(f"/w/acme/content/{item.pk}/revisions/{revision.number}/"))
    assert 'data-testid="comment-quote"' in html and "«限时八折»" in html and "写明活动日期" in html
    # A selection that no longer matches is refused on the form, with what was typed kept.
    stale = web(team.editor).post(url, {**data, "quote": "新品上市", "body": "我的意见"})
    assert stale.status_code == 400 and "select it again" in _html(stale) and "我的意见" in _html(stale)
    assert source_offsets("a\r\nb\r\nc", 2, 3) == (3, 4)
    # Edit and delete.
    foreign_comment = foreign_comment_id(foreign_item)
    edit_url = f"/w/acme/review/comments/{comment.pk}/edit/"
    form = assert_four_cases(
        client_for=web,
        method="GET",
        url=edit_url,
        foreign_url=f"/w/acme/review/comments/{foreign_comment}/edit/",
        permitted=team.editor,
        denied=team.legal,  # not the author
        api=False,
    )
    assert "写明活动日期" in _html(form)
    assert web(team.legal).post(edit_url, {"body": "别人改"}).status_code == 403
    assert web(team.editor).post(edit_url, {"body": "写明活动起止日期"}).status_code == 302
    assert ReviewComment.objects.get(pk=comment.pk).body == "写明活动起止日期"
    assert web(team.legal).post(f"/w/acme/review/comments/{comment.pk}/delete/").status_code == 403
    assert_four_cases(
        web, "POST", f"/w/acme/review/comments/{comment.pk}/delete/",
        f"/w/acme/review/comments/{foreign_comment}/delete/", permitted=team.admin, denied=team.analyst,
        data={}, ok=(302,),
    )  # fmt: skip
    assert not ReviewComment.objects.filter(pk=comment.pk).exists()


def foreign_comment_id(item: ContentItem) -> int:
    revision = revision_services.latest_revision(item)
    assert revision is not None
    return ReviewComment.objects.create(
        workspace_id=item.workspace_id, item=item, revision=revision, author_name="x", body="外部"
    ).pk


# ---- queue, navigation count, notifications -------------------------------------------------


def test_queue_page_and_the_count_in_the_navigation(web: Any, workspace: Any, team: Team) -> None:
    theme = make_theme(workspace)
    first = make_post(workspace, team.writer, theme, title="第一篇稿子")
    second = make_post(workspace, team.writer, theme, title="另一篇稿子")
    for item in (first, second):
        round_services.item_submit(workspace=workspace, actor=team.writer, item=item)
    response = assert_four_cases(
        web, "GET", "/w/acme/review/queue/", "/w/other/review/queue/", permitted=team.editor, denied=None
    )
    html = _html(response)
    assert html.count('data-testid="queue-row"') == 2 and "第一篇稿子" in html
    assert 'data-testid="nav-review-count">2<' in html
    round_services.item_request_changes(workspace=workspace, actor=team.legal, item=first, comment="重写开头")
    assert 'data-testid="nav-review-count">1<' in _html(web(team.editor).get("/w/acme/content/"))
    writer_html = _html(web(team.writer).get("/w/acme/review/queue/"))
    # Nothing waiting: the link stays, without a count badge.
    assert "Waiting for my review" in writer_html and "nav-review-count" not in writer_html
    assert 'data-testid="queue-empty"' in writer_html


def test_notifications_page_and_marking_read(
    web: Any, workspace: Any, team: Team, other_workspace: Any, foreign_item: Any
) -> None:
    item = make_post(workspace, team.writer, make_theme(workspace))
    round_services.item_submit(workspace=workspace, actor=team.writer, item=item)
    round_services.item_request_changes(workspace=workspace, actor=team.editor, item=item, comment="标题太长")
    page = assert_four_cases(
        web, "GET", "/w/acme/review/notifications/", "/w/other/review/notifications/",
        permitted=team.writer, denied=None,
    )  # fmt: skip
    html = _html(page)
    assert "editor requested changes to “新品发布”: 标题太长" in html
    assert 'data-testid="nav-unread"' in html
    note = Notification.objects.get(user=team.writer)
    assert web(team.editor).post(f"/w/acme/review/notifications/{note.pk}/read/").status_code == 404
    foreign_note = Notification.objects.create(
        workspace=other_workspace, user=foreign_item.owner, kind="assigned", item=foreign_item
    )
    opened = assert_four_cases(
        web, "POST", f"/w/acme/review/notifications/{note.pk}/read/",
        f"/w/acme/review/notifications/{foreign_note.pk}/read/", permitted=team.writer, denied=None,
        data={"open": "1"}, ok=(302,),
    )  # fmt: skip
    assert opened["Location"] == f"/w/acme/content/{item.pk}/"
    assert Notification.objects.get(pk=note.pk).read_at is not None
    assert_four_cases(
        web, "POST", "/w/acme/review/notifications/read-all/", "/w/other/review/notifications/read-all/",
        permitted=team.legal, denied=None, data={}, ok=(302,),
    )  # fmt: skip
    assert not Notification.objects.filter(user=team.legal, read_at__isnull=True).exists()


# ---- approval chains ------------------------------------------------------------------------


def test_chain_pages(web: Any, workspace: Any, team: Team, other_workspace: Any) -> None:
    theme = make_theme(workspace, "产品介绍")
    listing = assert_four_cases(
        web, "GET", "/w/acme/review/chains/", "/w/other/review/chains/", permitted=team.analyst, denied=None
    )
    html = _html(listing)
    assert html.count('data-testid="chain-step"') == 3 and "编辑审核" in html
    assert "New approval chain" not in html
    assert "New approval chain" in _html(web(team.admin).get("/w/acme/review/chains/"))
    assert_four_cases(
        web, "GET", "/w/acme/review/chains/new/", "/w/other/review/chains/new/",
        permitted=team.admin, denied=team.editor,
    )  # fmt: skip
    data = {
        "name": "产品内容",
        "themes": [str(theme.pk)],
        "steps-TOTAL_FORMS": "3",
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "20",
        "steps-0-name": "专家审核",
        "steps-0-assignee": "role:reviewer",
        "steps-0-expert_only": "on",
        "steps-0-ORDER": "2",
        "steps-1-name": "法务审核",
        "steps-1-assignee": f"user:{team.legal.pk}",
        "steps-1-ORDER": "1",
        "steps-2-name": "",
        "steps-2-assignee": "",
        "steps-2-ORDER": "",
    }
    bad = web(team.admin).post("/w/acme/review/chains/new/", {**data, "steps-1-expert_only": "on"})
    assert bad.status_code == 400 and "legal is not marked as a subject expert" in _html(bad)
    assert 'value="法务审核"' in _html(bad)  # what was typed is kept
    created = web(team.admin).post("/w/acme/review/chains/new/", data)
    assert created.status_code == 302
    chain = ApprovalChain.objects.get(workspace=workspace, name="产品内容")
    assert [(s.name, s.assignee_user_id, s.expert_only) for s in chain.steps.order_by("position")] == [
        ("法务审核", team.legal.pk, False),
        ("专家审核", None, True),
    ]
    assert list(chain.themes.all()) == [theme]
    foreign_chain = chain_services.approval_chain_default(workspace=other_workspace)
    edit = assert_four_cases(
        web, "GET", f"/w/acme/review/chains/{chain.pk}/edit/",
        f"/w/acme/review/chains/{foreign_chain.pk}/edit/", permitted=team.admin, denied=team.editor,
    )  # fmt: skip
    assert 'value="法务审核"' in _html(edit)
    edited = web(team.admin).post(
        f"/w/acme/review/chains/{chain.pk}/edit/",
        {
            **data,
            "name": "产品类",
            "steps-TOTAL_FORMS": "2",
            "steps-INITIAL_FORMS": "2",
            "steps-0-DELETE": "on",
        },
    )
    assert edited.status_code == 302
    chain.refresh_from_db()
    assert chain.name == "产品类" and [s.name for s in chain.steps.all()] == ["法务审核"]
    assert_four_cases(
        web, "POST", f"/w/acme/review/chains/{chain.pk}/delete/",
        f"/w/acme/review/chains/{foreign_chain.pk}/delete/", permitted=team.admin, denied=team.editor,
        data={}, ok=(302,),
    )  # fmt: skip
    assert not ApprovalChain.objects.filter(pk=chain.pk).exists()
