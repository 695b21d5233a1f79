"""The review workflow's API: the four permission cases on every endpoint, and what each returns."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from socialops.review.models import ApprovalChain, Notification, ReviewComment
from socialops.review.services import chains as chain_services
from socialops.review.services import comments as comment_services
from socialops.review.services import revisions as revision_services
from socialops.review.services import rounds as round_services
from socialops.workspaces.roles import Role
from tests.access import assert_four_cases
from tests.factories import Team, make_post, make_team, make_theme
from tests.review.test_workflow import BLOCKING_BODY

BASE = "/api/v1/workspaces"


@dataclass
class Foreign:
    """Another workspace's item, comment, notification and chain (each must be a 404 from ours)."""

    item: Any
    comment: ReviewComment
    notification: Notification
    chain: ApprovalChain


@pytest.fixture
def team(workspace: Any, member: Callable[..., Any]) -> Team:
    return make_team(workspace, member)


@pytest.fixture
def foreign(other_workspace: Any, member: Callable[..., Any]) -> Foreign:
    boss = member(Role.ADMIN, ws=other_workspace, username="other-boss")
    reviewer = member(Role.REVIEWER, ws=other_workspace, username="other-reviewer")
    item = make_post(other_workspace, boss, make_theme(other_workspace))
    round_services.item_submit(workspace=other_workspace, actor=boss, item=item)
    revision = revision_services.latest_revision(item)
    assert revision is not None
    comment = comment_services.comment_create(
        workspace=other_workspace, actor=reviewer, item=item, revision=revision, body="外部"
    )
    chain = chain_services.approval_chain_create(
        workspace=other_workspace,
        actor=boss,
        name="外部流程",
        steps=[{"name": "x", "assignee_role": "reviewer"}],
    )
    notification = Notification.objects.filter(workspace=other_workspace).first()
    assert notification is not None
    return Foreign(item, comment, notification, chain)


def _post(client: Any, url: str, data: Any = None) -> Any:
    return client.post(url, data=json.dumps(data or {}), content_type="application/json")


def test_review_state_and_submit(api: Any, workspace: Any, team: Team, foreign: Foreign) -> None:
    item = make_post(workspace, team.writer, make_theme(workspace))
    url = f"{BASE}/acme/items/{item.pk}/review"
    state = assert_four_cases(
        api, "GET", url, f"{BASE}/acme/items/{foreign.item.pk}/review", permitted=team.analyst, denied=None
    ).json()
    assert state["status"] == "draft" and state["round"] is None and state["can_submit"] is False
    assert state["latest_revision"]["number"] == 1 and state["next_statuses"] == ["in_review"]

    response = assert_four_cases(
        api, "POST", f"{BASE}/acme/items/{item.pk}/submit", f"{BASE}/acme/items/{foreign.item.pk}/submit",
        permitted=team.writer, denied=team.editor, data={},
    )  # fmt: skip
    body = response.json()
    assert body["status"] == "in_review" and body["status_label"] == "In review"
    assert body["current_step"] == "编辑审核"
    assert [s["name"] for s in body["round"]["steps"]] == ["编辑审核", "法务审核"]
    assert body["round"]["steps"][0]["current"] is True and body["round"]["submitted_by"] == "writer"
    again = _post(api(team.writer), f"{BASE}/acme/items/{item.pk}/submit")
    assert again.status_code == 400
    assert "“In review”" in again.json()["message"]


def test_approve_and_request_changes(api: Any, workspace: Any, team: Team, foreign: Foreign) -> None:
    item = make_post(workspace, team.writer, make_theme(workspace))
    round_services.item_submit(workspace=workspace, actor=team.writer, item=item)
    body = assert_four_cases(
        api, "POST", f"{BASE}/acme/items/{item.pk}/approve", f"{BASE}/acme/items/{foreign.item.pk}/approve",
        permitted=team.editor, denied=team.writer, data={"comment": "可以"},
    ).json()  # fmt: skip
    assert body["current_step"] == "法务审核"
    assert body["round"]["steps"][0]["state"] == "approved" and body["round"]["steps"][0]["comment"] == "可以"
    assert body["round"]["steps"][0]["decided_by"] == "editor" and body["round"]["steps"][0]["revision"] == 1

    # The second reviewer sends it back; the comment is required.
    empty = _post(api(team.legal), f"{BASE}/acme/items/{item.pk}/request-changes", {"comment": ""})
    assert empty.status_code == 400 and "comment" in empty.json()["errors"]
    missing = _post(api(team.legal), f"{BASE}/acme/items/{item.pk}/request-changes", {})
    assert missing.status_code == 422
    body = assert_four_cases(
        api, "POST", f"{BASE}/acme/items/{item.pk}/request-changes",
        f"{BASE}/acme/items/{foreign.item.pk}/request-changes", permitted=team.legal, denied=team.writer,
        data={"comment": "请补充数据来源"},
    ).json()  # fmt: skip
    assert body["status"] == "changes_requested" and body["round"]["outcome"] == "changes_requested"
    # A decision on an item not in review is an illegal transition.
    late = _post(api(team.editor), f"{BASE}/acme/items/{item.pk}/approve", {"comment": ""})
    assert late.status_code == 400 and "“Changes requested”" in late.json()["message"]


def test_blocking_findings_and_the_override(api: Any, workspace: Any, team: Team, foreign: Foreign) -> None:
    item = make_post(workspace, team.writer, make_theme(workspace), body=BLOCKING_BODY)
    round_services.item_submit(workspace=workspace, actor=team.writer, item=item)
    blocked = _post(api(team.editor), f"{BASE}/acme/items/{item.pk}/approve")
    assert blocked.status_code == 400 and "findings" in blocked.json()["errors"]
    short = _post(api(team.admin), f"{BASE}/acme/items/{item.pk}/override", {"reason": "短"})
    assert short.status_code == 400 and "reason" in short.json()["errors"]
    reason = "第三方评测报告原文引用，法务已书面确认。"
    body = assert_four_cases(
        api, "POST", f"{BASE}/acme/items/{item.pk}/override", f"{BASE}/acme/items/{foreign.item.pk}/override",
        permitted=team.admin, denied=team.editor, data={"reason": reason},
    ).json()  # fmt: skip
    assert body["blocking_findings"] is True and body["override_active"] is True
    [override] = body["overrides"]
    assert override["reason"] == reason and override["actor"] == "boss" and override["revision"] == 1
    assert override["findings"][0]["matched"] == "全网最好"
    assert _post(api(team.editor), f"{BASE}/acme/items/{item.pk}/approve").status_code == 200
    state = api(team.analyst).get(f"{BASE}/acme/items/{item.pk}/review").json()
    assert state["overrides"][0]["reason"] == reason


def test_revisions_list_detail_and_compare(api: Any, workspace: Any, team: Team, foreign: Foreign) -> None:
    from socialops.content.services import items as content

    item = make_post(workspace, team.writer, make_theme(workspace), body="周五发布。")
    content.content_item_update(
        workspace=workspace, actor=team.writer, item=item, expected_version=1, body="周六发布。"
    )
    listed = assert_four_cases(
        api, "GET", f"{BASE}/acme/items/{item.pk}/revisions",
        f"{BASE}/acme/items/{foreign.item.pk}/revisions", permitted=team.analyst, denied=None,
    ).json()  # fmt: skip
    assert listed["count"] == 2 and [r["number"] for r in listed["items"]] == [2, 1]
    assert listed["items"][0]["changed_fields"] == ["body"] and listed["items"][0]["author"] == "writer"
    assert listed["items"][0]["changed_labels"] == ["body"]
    detail = assert_four_cases(
        api, "GET", f"{BASE}/acme/items/{item.pk}/revisions/1",
        f"{BASE}/acme/items/{foreign.item.pk}/revisions/1", permitted=team.analyst, denied=None,
    ).json()  # fmt: skip
    assert detail["snapshot"]["item"]["body"] == "周五发布。"
    compared = assert_four_cases(
        api, "GET", f"{BASE}/acme/items/{item.pk}/revisions/compare?a=1&b=2&changed_only=true",
        f"{BASE}/acme/items/{foreign.item.pk}/revisions/compare?a=1&b=1", permitted=team.analyst, denied=None,
    ).json()  # fmt: skip
    [body] = compared["fields"]
    assert body["key"] == "body" and body["changed"]
    assert {"kind": "del", "text": "五"} in body["a_segments"] and {"kind": "ins", "text": "六"} in body[
        "b_segments"
    ]
    assert api(team.analyst).get(f"{BASE}/acme/items/{item.pk}/revisions/compare?a=1&b=9").status_code == 404
    assert api(team.analyst).get(f"{BASE}/acme/items/{item.pk}/revisions/compare?a=0&b=1").status_code == 422
    assert api(team.analyst).get(f"{BASE}/acme/items/{item.pk}/revisions/7").status_code == 404


def test_comments_crud(api: Any, workspace: Any, team: Team, foreign: Foreign) -> None:
    item = make_post(workspace, team.writer, make_theme(workspace), body="新品上市，限时八折。")
    created = assert_four_cases(
        api, "POST", f"{BASE}/acme/items/{item.pk}/comments", f"{BASE}/acme/items/{foreign.item.pk}/comments",
        permitted=team.editor, denied=team.analyst, data={
            "revision": 1,
            "body": "写明活动时间",
            "field": "body",
            "quote": "限时八折",
            "start": 5,
            "end": 9,
        }, ok=(201,),
    ).json()  # fmt: skip
    assert created["quote"] == "限时八折" and (created["start"], created["end"]) == (5, 9)
    assert created["field_label"] == "body" and created["revision"] == 1 and created["author"] == "editor"
    wrong = _post(
        api(team.editor),
        f"{BASE}/acme/items/{item.pk}/comments",
        {"revision": 1, "body": "x", "field": "body", "quote": "八折限时", "start": 5, "end": 9},
    )
    assert wrong.status_code == 400 and "quote" in wrong.json()["errors"]
    assert (
        _post(
            api(team.editor), f"{BASE}/acme/items/{item.pk}/comments", {"revision": 5, "body": "x"}
        ).status_code
        == 404
    )

    listed = assert_four_cases(
        api, "GET", f"{BASE}/acme/items/{item.pk}/comments?revision=1",
        f"{BASE}/acme/items/{foreign.item.pk}/comments", permitted=team.analyst, denied=None,
    ).json()  # fmt: skip
    assert listed["count"] == 1 and [c["body"] for c in listed["items"]] == ["写明活动时间"]
    comment_id = listed["items"][0]["id"]
    assert_four_cases(
        api, "GET", f"{BASE}/acme/comments/{comment_id}", f"{BASE}/acme/comments/{foreign.comment.pk}",
        permitted=team.analyst, denied=None,
    )  # fmt: skip
    patched = assert_four_cases(
        client_for=api,
        method="PATCH",
        url=f"{BASE}/acme/comments/{comment_id}",
        foreign_url=f"{BASE}/acme/comments/{foreign.comment.pk}",
        permitted=team.editor,
        denied=team.legal,  # not the author
        data={"body": "请写明活动起止时间"},
    ).json()
    assert patched["body"] == "请写明活动起止时间"
    assert_four_cases(
        api, "DELETE", f"{BASE}/acme/comments/{comment_id}", f"{BASE}/acme/comments/{foreign.comment.pk}",
        permitted=team.editor, denied=team.analyst, ok=(204,),
    )  # fmt: skip
    assert not ReviewComment.objects.filter(pk=comment_id).exists()


def test_review_queue(api: Any, workspace: Any, team: Team, foreign: Foreign) -> None:
    item = make_post(workspace, team.writer, make_theme(workspace))
    round_services.item_submit(workspace=workspace, actor=team.writer, item=item)
    body = assert_four_cases(
        api, "GET", f"{BASE}/acme/review-queue", f"{BASE}/other/review-queue",
        permitted=team.editor, denied=None,
    ).json()  # fmt: skip
    assert body["count"] == 1
    [entry] = body["items"]
    assert entry["item_id"] == item.pk and entry["step"] == "编辑审核" and entry["submitted_by"] == "writer"
    assert api(team.writer).get(f"{BASE}/acme/review-queue").json()["count"] == 0


def test_notifications(api: Any, workspace: Any, team: Team, foreign: Foreign) -> None:
    item = make_post(workspace, team.writer, make_theme(workspace))
    round_services.item_submit(workspace=workspace, actor=team.writer, item=item)
    body = assert_four_cases(
        api, "GET", f"{BASE}/acme/notifications?unread=true", f"{BASE}/other/notifications",
        permitted=team.editor, denied=None,
    ).json()  # fmt: skip
    [note] = body["items"]
    assert note["kind"] == "assigned" and note["read_at"] is None and "新品发布" in note["text"]
    legal_note = Notification.objects.get(workspace=workspace, user=team.legal)
    # Someone else's notification is as unknown as another workspace's.
    assert _post(api(team.editor), f"{BASE}/acme/notifications/{legal_note.pk}/read").status_code == 404
    read = assert_four_cases(
        api, "POST", f"{BASE}/acme/notifications/{note['id']}/read",
        f"{BASE}/acme/notifications/{foreign.notification.pk}/read", permitted=team.editor, denied=None,
        data={},
    ).json()  # fmt: skip
    assert read["read_at"] is not None
    assert api(team.editor).get(f"{BASE}/acme/notifications?unread=true").json()["count"] == 0
    counted = assert_four_cases(
        api, "POST", f"{BASE}/acme/notifications/read-all", f"{BASE}/other/notifications/read-all",
        permitted=team.legal, denied=None, data={},
    ).json()  # fmt: skip
    assert counted == {"count": 1}


def test_approval_chains_crud(api: Any, workspace: Any, team: Team, foreign: Foreign) -> None:
    theme = make_theme(workspace, "产品介绍")
    listed = assert_four_cases(
        api, "GET", f"{BASE}/acme/approval-chains", f"{BASE}/other/approval-chains",
        permitted=team.analyst, denied=None,
    ).json()  # fmt: skip
    assert listed["count"] == 1 and listed["items"][0]["is_default"]
    assert [s["name"] for s in listed["items"][0]["steps"]] == ["编辑审核", "法务审核", "专家审核"]
    assert listed["items"][0]["steps"][2]["expert_only"] is True
    payload = {
        "name": "产品内容",
        "theme_ids": [theme.pk],
        "steps": [
            {"name": "法务审核", "assignee_user_id": team.legal.pk},
            {"name": "专家审核", "assignee_role": "reviewer", "expert_only": True},
        ],
    }
    created = assert_four_cases(
        api, "POST", f"{BASE}/acme/approval-chains", f"{BASE}/other/approval-chains",
        permitted=team.admin, denied=team.editor, data=payload, ok=(201,),
    ).json()  # fmt: skip
    assert created["themes"] == ["产品介绍"] and created["steps"][0]["assignee"] == "legal"
    duplicate = _post(api(team.admin), f"{BASE}/acme/approval-chains", {**payload, "name": "再来"})
    assert duplicate.status_code == 400 and "themes" in duplicate.json()["errors"]
    chain_id = created["id"]
    assert_four_cases(
        api, "GET", f"{BASE}/acme/approval-chains/{chain_id}",
        f"{BASE}/acme/approval-chains/{foreign.chain.pk}", permitted=team.analyst, denied=None,
    )  # fmt: skip
    patched = assert_four_cases(
        api, "PATCH", f"{BASE}/acme/approval-chains/{chain_id}",
        f"{BASE}/acme/approval-chains/{foreign.chain.pk}", permitted=team.admin, denied=team.writer,
        data={"name": "产品类内容", "steps": [{"name": "法务审核", "assignee_role": "reviewer"}]},
    ).json()  # fmt: skip
    assert patched["name"] == "产品类内容" and [s["assignee"] for s in patched["steps"]] == ["Reviewer"]
    bad = api(team.admin).patch(
        f"{BASE}/acme/approval-chains/{chain_id}",
        data=json.dumps({"steps": [{"name": "x", "assignee_role": "operator"}]}),
        content_type="application/json",
    )
    assert bad.status_code == 400 and "steps" in bad.json()["errors"]
    default_id = listed["items"][0]["id"]
    assert api(team.admin).delete(f"{BASE}/acme/approval-chains/{default_id}").status_code == 400
    assert_four_cases(
        api, "DELETE", f"{BASE}/acme/approval-chains/{chain_id}",
        f"{BASE}/acme/approval-chains/{foreign.chain.pk}", permitted=team.admin, denied=team.editor,
        ok=(204,),
    )  # fmt: skip
    assert not ApprovalChain.objects.filter(pk=chain_id).exists()
