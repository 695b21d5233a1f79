"""The review workflow's services: revisions, states, approval chains, overrides, comments, queue, notifications.

Items are made through the content services, so every save runs the real checks and records a
revision exactly as in the product.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from socialops.accounts.services import account_create
from socialops.content.services import items as content
from socialops.content.services import variants as variant_services
from socialops.review.models import (
    ApprovalChain,
    ApprovalOverride,
    ItemStatus,
    Notification,
    ReviewComment,
    Revision,
)
from socialops.review.presenters import notification_text
from socialops.review.selectors import workflow as sel
from socialops.review.services import chains as chain_services
from socialops.review.services import comments as comment_services
from socialops.review.services import notifications as notification_services
from socialops.review.services import revisions as revision_services
from socialops.review.services import rounds as round_services
from socialops.review.services import transitions as transition_services
from socialops.workspaces.models import AuditEntry
from socialops.workspaces.roles import Role
from tests.factories import CLEAN_BODY, Team, make_post, make_team, make_theme

BLOCKING_BODY = "我们的产品是全网最好的选择。"


def person_chain(workspace: Any, team: Team) -> ApprovalChain:
    """编辑审核 (the editor) → 法务审核 (the legal reviewer) → 专家审核 (reviewers who are experts)."""
    default = chain_services.approval_chain_default(workspace=workspace)
    return chain_services.approval_chain_update(
        workspace=workspace,
        actor=team.admin,
        chain=default,
        steps=[
            {"name": "编辑审核", "assignee_user": team.editor},
            {"name": "法务审核", "assignee_user": team.legal.pk},
            {"name": "专家审核", "assignee_role": Role.REVIEWER, "expert_only": True},
        ],
    )


@pytest.fixture
def team(workspace: Any, member: Callable[..., Any]) -> Team:
    return make_team(workspace, member)


def _message(exc: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(exc.value.messages)


# ---- revisions ------------------------------------------------------------------------------


def test_every_save_of_item_or_variant_records_a_revision(workspace: Any, team: Team) -> None:
    theme = make_theme(workspace)
    item = make_post(workspace, team.writer, theme)
    account = account_create(
        workspace=workspace, actor=None, platform="weibo", handle="acme", display_name="Acme 微博"
    )
    content.content_item_update(
        workspace=workspace, actor=team.writer, item=item, expected_version=1, body="今天发布新款，欢迎体验！"
    )
    variant = variant_services.variant_create(
        workspace=workspace, actor=team.writer, item=item, account=account, body="微博版正文"
    )
    variant_services.variant_update(
        workspace=workspace,
        actor=team.writer,
        variant=variant,
        expected_version=1,
        hashtags=["新品"],
    )
    revisions = list(Revision.objects.filter(item=item).order_by("number"))
    assert [r.number for r in revisions] == [1, 2, 3, 4]
    assert [r.action for r in revisions] == ["item.create", "item.update", "variant.create", "variant.update"]
    assert all(r.author_name == "writer" for r in revisions)
    first, second, third, fourth = revisions
    assert "body" in first.changed_fields and "title" in first.changed_fields
    assert second.changed_fields == ["body"]
    assert second.snapshot["item"]["body"] == "今天发布新款，欢迎体验！"
    assert first.snapshot["item"]["body"] == CLEAN_BODY
    assert first.snapshot["item"]["theme"] == "行业动态"
    key = str(account.pk)
    assert third.snapshot["variants"][key]["body"] == "微博版正文"
    assert third.snapshot["variants"][key]["account"] == "Acme 微博"
    assert f"variants.{key}.body" in third.changed_fields
    assert fourth.changed_fields == [f"variants.{key}.hashtags"]
    # A save that changes nothing records nothing.
    content.content_item_update(
        workspace=workspace, actor=team.writer, item=item, expected_version=2, body="今天发布新款，欢迎体验！"
    )
    assert Revision.objects.filter(item=item).count() == 4
    # Deleting a variant is a change of the item too.
    variant_services.variant_delete(workspace=workspace, actor=team.writer, variant=variant)
    last = revision_services.latest_revision(item)
    assert last is not None and last.number == 5 and last.snapshot["variants"] == {}
    assert AuditEntry.objects.filter(workspace=workspace, action="revision.create").count() == 5


def test_compare_two_revisions_with_a_character_diff(workspace: Any, team: Team) -> None:
    item = make_post(workspace, team.writer, make_theme(workspace), body="春季新品发布会将于周五举行。")
    content.content_item_update(
        workspace=workspace,
        actor=team.writer,
        item=item,
        expected_version=1,
        body="春季新品品鉴会将于周六举行。",
    )
    rev_a, rev_b, rows = sel.revision_compare(workspace=workspace, user=team.editor, item=item, a=1, b=2)
    assert (rev_a.number, rev_b.number) == (1, 2)
    body = next(r for r in rows if r.key == "body")
    assert body.changed and body.label
    assert ("del", "发布") in body.a_segments and ("ins", "品鉴") in body.b_segments
    assert ("del", "五") in body.a_segments and ("ins", "六") in body.b_segments
    assert "".join(t for _k, t in body.a_segments) == "春季新品发布会将于周五举行。"
    assert "".join(t for _k, t in body.b_segments) == "春季新品品鉴会将于周六举行。"
    title = next(r for r in rows if r.key == "title")
    assert not title.changed
    _a, _b, changed = sel.revision_compare(
        workspace=workspace, user=team.editor, item=item, a=1, b=2, changed_only=True
    )
    assert [r.key for r in changed] == ["body"]


def test_long_texts_are_compared_line_by_line_then_by_character() -> None:
    lines_a = [f"第{i}段：内容保持不变。\n" for i in range(2000)]
    lines_b = list(lines_a)
    lines_b[1000] = "第1000段：内容有了修改。\n"
    left, right = sel.text_diff("".join(lines_a), "".join(lines_b))
    assert ("del", "保持不变") in left and ("ins", "有了修改") in right
    assert "".join(t for _k, t in right) == "".join(lines_b)


# ---- states -----------------------------------------------------------------------------------


def test_illegal_transitions_are_clear_errors_naming_both_states(workspace: Any, team: Team) -> None:
    item = make_post(workspace, team.writer, make_theme(workspace))
    with pytest.raises(ValidationError) as exc:
        round_services.item_approve(workspace=workspace, actor=team.editor, item=item)
    assert "“Draft”" in _message(exc) and "“Approved”" in _message(exc)
    assert exc.value.message_dict.keys() == {"status"}
    with pytest.raises(ValidationError) as exc:
        transition_services.item_mark_published(workspace=workspace, actor=None, item=item)
    assert "“Draft”" in _message(exc) and "“Published”" in _message(exc)
    with pytest.raises(ValidationError) as exc:
        transition_services.item_mark_scheduled(workspace=workspace, actor=None, item=item)
    assert "“Scheduled”" in _message(exc)
    item.refresh_from_db()
    assert item.status == ItemStatus.DRAFT
    round_services.item_submit(workspace=workspace, actor=team.writer, item=item)
    with pytest.raises(ValidationError) as exc:
        round_services.item_submit(workspace=workspace, actor=team.writer, item=item)
    assert "“In review”" in _message(exc)


def test_publishing_states_follow_the_state_machine(workspace: Any, team: Team) -> None:
    item = make_post(workspace, team.writer, make_theme(workspace))
    chain_services.approval_chain_update(
        workspace=workspace,
        actor=team.admin,
        chain=chain_services.approval_chain_default(workspace=workspace),
        steps=[{"name": "编辑审核", "assignee_role": Role.REVIEWER}],
    )
    round_services.item_submit(workspace=workspace, actor=team.writer, item=item)
    round_services.item_approve(workspace=workspace, actor=team.editor, item=item)
    assert item.status == ItemStatus.APPROVED
    with pytest.raises(ValidationError):
        transition_services.item_mark_publishing(
            workspace=workspace, actor=None, item=item
        )  # not scheduled yet
    transition_services.item_mark_scheduled(workspace=workspace, actor=None, item=item)
    transition_services.item_unschedule(workspace=workspace, actor=team.writer, item=item)
    assert item.status == ItemStatus.APPROVED
    transition_services.item_mark_scheduled(workspace=workspace, actor=None, item=item)
    transition_services.item_mark_publishing(workspace=workspace, actor=None, item=item)
    transition_services.item_mark_unknown(workspace=workspace, actor=None, item=item)
    with pytest.raises(ValidationError):
        transition_services.item_mark_unknown(workspace=workspace, actor=None, item=item)
    transition_services.item_mark_failed(workspace=workspace, actor=None, item=item)
    transition_services.item_mark_scheduled(workspace=workspace, actor=None, item=item)
    transition_services.item_mark_publishing(workspace=workspace, actor=None, item=item)
    transition_services.item_mark_published(workspace=workspace, actor=None, item=item)
    with pytest.raises(ValidationError) as exc:
        transition_services.item_mark_failed(workspace=workspace, actor=None, item=item)
    assert "final state" in _message(exc)
    item.refresh_from_db()
    assert item.status == ItemStatus.PUBLISHED
    changes = list(
        AuditEntry.objects.filter(workspace=workspace, action="content_item.status", object_id=str(item.pk))
        .order_by("id")
        .values_list("after", flat=True)
    )
    assert [(c or {}).get("status") for c in changes] == [
        "in_review",
        "approved",
        "scheduled",
        "approved",
        "scheduled",
        "publishing",
        "unknown",
        "failed",
        "scheduled",
        "publishing",
        "published",
    ]
    # A member without the content role cannot drive the states.
    with pytest.raises(PermissionDenied):
        transition_services.item_mark_failed(workspace=workspace, actor=team.analyst, item=item)


def test_status_labels_are_translated(settings: Any) -> None:
    from django.utils import translation

    with translation.override("zh-hans"):
        assert transition_services.status_label("in_review") == "审核中"
        assert transition_services.status_label("changes_requested") == "需修改"
    assert transition_services.status_label("unknown") == "Outcome unknown"


# ---- the chain --------------------------------------------------------------------------------


def test_default_chain_is_created_on_first_use_in_the_workspace_language(workspace: Any, team: Team) -> None:
    assert not ApprovalChain.objects.filter(workspace=workspace).exists()
    chains = list(sel.approval_chain_list(workspace=workspace, user=team.analyst))
    assert len(chains) == 1 and chains[0].is_default
    steps = list(chains[0].steps.order_by("position"))
    assert [(s.name, s.assignee_role, s.expert_only) for s in steps] == [
        ("编辑审核", "reviewer", False),
        ("法务审核", "reviewer", False),
        ("专家审核", "reviewer", True),
    ]
    # Created once.
    sel.approval_chain_list(workspace=workspace, user=team.analyst)
    assert ApprovalChain.objects.filter(workspace=workspace).count() == 1


def test_whole_chain_editor_legal_then_expert_when_the_theme_needs_it(workspace: Any, team: Team) -> None:
    person_chain(workspace, team)
    theme = make_theme(workspace, "专家观点", expert=True)
    item = make_post(workspace, team.writer, theme, title="量子计算入门")
    round_ = round_services.item_submit(workspace=workspace, actor=team.writer, item=item)
    assert item.status == ItemStatus.IN_REVIEW
    assert [t.name for t in round_.tasks.order_by("position")] == ["编辑审核", "法务审核", "专家审核"]

    def queue(user: Any) -> list[int]:
        return [t.item_id for t in sel.review_queue(workspace=workspace, user=user)]

    assert queue(team.editor) == [item.pk]
    assert queue(team.legal) == [] and queue(team.expert) == []
    # The legal reviewer cannot decide the editor's step.
    with pytest.raises(ValidationError) as exc:
        round_services.item_approve(workspace=workspace, actor=team.legal, item=item)
    assert "editor" in _message(exc)
    round_services.item_approve(workspace=workspace, actor=team.editor, item=item, comment="文字通顺")
    assert item.status == ItemStatus.IN_REVIEW
    assert queue(team.editor) == [] and queue(team.legal) == [item.pk]
    round_services.item_approve(workspace=workspace, actor=team.legal, item=item)
    # Only a subject expert may sign off the expert step, whatever their role.
    assert queue(team.expert) == [item.pk] and queue(team.editor) == []
    other_reviewer = team.editor
    with pytest.raises(ValidationError) as exc:
        round_services.item_approve(workspace=workspace, actor=other_reviewer, item=item)
    assert "subject experts" in _message(exc)
    with pytest.raises(ValidationError):
        round_services.item_approve(
            workspace=workspace, actor=team.admin, item=item
        )  # an admin who is no expert either
    round_services.item_approve(workspace=workspace, actor=team.expert, item=item)
    item.refresh_from_db()
    assert item.status == ItemStatus.APPROVED
    state = sel.item_review_state(workspace=workspace, user=team.writer, item=item)
    assert [t.state for t in state.tasks] == ["approved", "approved", "approved"]
    assert [t.decided_by for t in state.tasks] == [team.editor, team.legal, team.expert]
    assert state.approved_revision is not None and state.approved_revision.approved_by == team.expert
    assert state.round is not None and state.round.outcome == "approved"
    # The editor's note is kept with the revision.
    assert ReviewComment.objects.filter(item=item, kind="approval", body="文字通顺").exists()
    kinds = list(
        Notification.objects.filter(workspace=workspace, item=item)
        .order_by("id")
        .values_list("user__username", "kind")
    )
    assert kinds == [
        ("editor", "assigned"),
        ("legal", "assigned"),
        ("expert", "assigned"),
        ("writer", "approved"),
    ]
    assert AuditEntry.objects.filter(workspace=workspace, action="review.approve").count() == 3


def test_expert_step_is_skipped_when_the_theme_needs_no_expert(workspace: Any, team: Team) -> None:
    item = make_post(workspace, team.writer, make_theme(workspace))
    round_ = round_services.item_submit(workspace=workspace, actor=team.writer, item=item)
    assert [t.name for t in round_.tasks.order_by("position")] == ["编辑审核", "法务审核"]
    # Role steps: any reviewer (not the author) may decide; two approvals approve the item.
    round_services.item_approve(workspace=workspace, actor=team.editor, item=item)
    round_services.item_approve(workspace=workspace, actor=team.legal, item=item)
    assert item.status == ItemStatus.APPROVED


def test_a_theme_can_follow_its_own_chain(workspace: Any, team: Team) -> None:
    product = make_theme(workspace, "产品介绍")
    chain = chain_services.approval_chain_create(
        workspace=workspace,
        actor=team.admin,
        name="产品内容",
        themes=[product.pk],
        steps=[{"name": "法务审核", "assignee_user": team.legal}],
    )
    item = make_post(workspace, team.writer, product)
    round_ = round_services.item_submit(workspace=workspace, actor=team.writer, item=item)
    assert round_.chain == chain and [t.name for t in round_.tasks.all()] == ["法务审核"]
    other = make_post(workspace, team.writer, make_theme(workspace), title="另一篇")
    assert (
        round_services.item_submit(workspace=workspace, actor=team.writer, item=other).chain_name
        == "默认审核流程"
    )


def test_chain_configuration_is_validated(workspace: Any, team: Team) -> None:
    theme = make_theme(workspace)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"steps": []}, "at least one step"),
        ({"steps": [{"name": "x", "assignee_role": Role.OPERATOR}]}, "cannot review content"),
        ({"steps": [{"name": "x", "assignee_user": team.writer}]}, "cannot review content"),
        ({"steps": [{"name": "x", "assignee_user": team.legal, "expert_only": True}]}, "subject expert"),
        ({"steps": [{"name": "x", "assignee_role": Role.REVIEWER, "assignee_user": team.legal}]}, "not both"),
        ({"steps": [{"name": "", "assignee_role": Role.REVIEWER}]}, "required"),
        ({"steps": [{"name": "x", "assignee_role": Role.REVIEWER, "expert_only": True}]}, "every item"),
    ]
    for fields, expected in cases:
        with pytest.raises(ValidationError) as exc:
            chain_services.approval_chain_create(
                workspace=workspace, actor=team.admin, name="新流程", **fields
            )
        assert expected in _message(exc), (fields, _message(exc))
    chain_services.approval_chain_create(
        workspace=workspace,
        actor=team.admin,
        name="新流程",
        themes=[theme],
        steps=[{"name": "x", "assignee_role": Role.REVIEWER}],
    )
    with pytest.raises(ValidationError) as exc:
        chain_services.approval_chain_create(
            workspace=workspace,
            actor=team.admin,
            name="再一个",
            themes=[theme],
            steps=[{"name": "x", "assignee_role": Role.REVIEWER}],
        )
    assert "新流程" in _message(exc)
    with pytest.raises(ValidationError):
        chain_services.approval_chain_create(
            workspace=workspace,
            actor=team.admin,
            name="新流程",
            steps=[{"name": "x", "assignee_role": "admin"}],
        )
    default = chain_services.approval_chain_default(workspace=workspace)
    with pytest.raises(ValidationError):
        chain_services.approval_chain_delete(workspace=workspace, actor=team.admin, chain=default)
    with pytest.raises(ValidationError):
        chain_services.approval_chain_update(
            workspace=workspace, actor=team.admin, chain=default, is_default=False
        )
    with pytest.raises(PermissionDenied):
        chain_services.approval_chain_create(
            workspace=workspace,
            actor=team.editor,
            name="y",
            steps=[{"name": "x", "assignee_role": "reviewer"}],
        )
    # Making another chain the default moves the flag.
    other = ApprovalChain.objects.get(workspace=workspace, name="新流程")
    chain_services.approval_chain_update(workspace=workspace, actor=team.admin, chain=other, is_default=True)
    assert list(ApprovalChain.objects.filter(workspace=workspace, is_default=True)) == [other]
    chain_services.approval_chain_delete(workspace=workspace, actor=team.admin, chain=default)


def test_an_expert_theme_always_gets_an_expert_step(workspace: Any, team: Team) -> None:
    chain_services.approval_chain_update(
        workspace=workspace,
        actor=team.admin,
        chain=chain_services.approval_chain_default(workspace=workspace),
        steps=[{"name": "编辑审核", "assignee_user": team.editor}],
    )
    item = make_post(workspace, team.writer, make_theme(workspace, "技术解读", expert=True))
    round_ = round_services.item_submit(workspace=workspace, actor=team.writer, item=item)
    assert [(t.name, t.expert_only) for t in round_.tasks.order_by("position")] == [
        ("编辑审核", False),
        ("专家审核", True),
    ]
    round_services.item_approve(workspace=workspace, actor=team.editor, item=item)
    with pytest.raises(ValidationError):
        round_services.item_approve(workspace=workspace, actor=team.legal, item=item)
    round_services.item_approve(workspace=workspace, actor=team.expert, item=item)
    assert item.status == ItemStatus.APPROVED


def test_editing_a_chain_does_not_change_a_review_under_way(workspace: Any, team: Team) -> None:
    item = make_post(workspace, team.writer, make_theme(workspace))
    round_services.item_submit(workspace=workspace, actor=team.writer, item=item)
    chain_services.approval_chain_update(
        workspace=workspace,
        actor=team.admin,
        chain=chain_services.approval_chain_default(workspace=workspace),
        steps=[{"name": "只需一步", "assignee_role": Role.REVIEWER}],
    )
    state = sel.item_review_state(workspace=workspace, user=team.editor, item=item)
    assert [t.name for t in state.tasks] == ["编辑审核", "法务审核"]


# ---- authors, changes requested, edits ------------------------------------------------------


def test_nobody_approves_their_own_item_admins_included(workspace: Any, team: Team, member: Any) -> None:
    item = make_post(workspace, team.admin, make_theme(workspace))
    round_services.item_submit(workspace=workspace, actor=team.admin, item=item)
    with pytest.raises(ValidationError) as exc:
        round_services.item_approve(workspace=workspace, actor=team.admin, item=item)
    assert "someone else must approve" in _message(exc)
    # An item a reviewer owns (the owner field) is theirs too.
    owned = content.content_item_create(
        workspace=workspace,
        actor=team.writer,
        title="编辑自己的稿",
        form="short_post",
        theme=item.theme,
        body=CLEAN_BODY,
        evergreen=True,
        owner=team.editor,
    )
    round_services.item_submit(workspace=workspace, actor=team.writer, item=owned)
    assert owned.pk not in [t.item_id for t in sel.review_queue(workspace=workspace, user=team.editor)]
    with pytest.raises(ValidationError):
        round_services.item_approve(workspace=workspace, actor=team.editor, item=owned)
    # Another admin may stand in for a step's assignee.
    second_admin = member(Role.ADMIN, username="boss2")
    round_services.item_approve(workspace=workspace, actor=second_admin, item=item)


def test_request_changes_needs_a_comment_and_the_author_resubmits(workspace: Any, team: Team) -> None:
    item = make_post(workspace, team.writer, make_theme(workspace))
    round_services.item_submit(workspace=workspace, actor=team.writer, item=item)
    with pytest.raises(ValidationError) as exc:
        round_services.item_request_changes(workspace=workspace, actor=team.editor, item=item, comment="  ")
    assert exc.value.message_dict.keys() == {"comment"}
    with pytest.raises(PermissionDenied):
        round_services.item_request_changes(
            workspace=workspace, actor=team.writer, item=item, comment="自己退回"
        )
    round_services.item_request_changes(
        workspace=workspace, actor=team.editor, item=item, comment="第二段数据需要来源"
    )
    item.refresh_from_db()
    assert item.status == ItemStatus.CHANGES_REQUESTED
    note = Notification.objects.get(workspace=workspace, user=team.writer, kind="changes_requested")
    assert note.detail == "第二段数据需要来源"
    assert "第二段数据需要来源" in notification_text(note)
    assert ReviewComment.objects.filter(item=item, kind="changes_requested").count() == 1
    assert sel.review_queue_count(workspace=workspace, user=team.editor) == 0
    content.content_item_update(
        workspace=workspace, actor=team.writer, item=item, expected_version=1, body="补充了数据来源。"
    )
    assert item.status == ItemStatus.CHANGES_REQUESTED  # editing does not resubmit on its own
    round_ = round_services.item_submit(workspace=workspace, actor=team.writer, item=item)
    assert round_.number == 2 and item.status == ItemStatus.IN_REVIEW
    assert sel.review_queue_count(workspace=workspace, user=team.editor) == 1


def test_editing_an_approved_item_sends_it_back_and_keeps_the_approved_revision(
    workspace: Any, team: Team
) -> None:
    item = make_post(workspace, team.writer, make_theme(workspace))
    round_services.item_submit(workspace=workspace, actor=team.writer, item=item)
    round_services.item_approve(workspace=workspace, actor=team.editor, item=item)
    round_services.item_approve(workspace=workspace, actor=team.legal, item=item)
    approved = revision_services.latest_revision(item)
    assert approved is not None and approved.approved_at is not None
    transition_services.item_mark_scheduled(workspace=workspace, actor=None, item=item)
    Notification.objects.all().delete()

    content.content_item_update(
        workspace=workspace, actor=team.writer, item=item, expected_version=1, body="改了一个字。"
    )
    item.refresh_from_db()
    assert item.status == ItemStatus.IN_REVIEW
    state = sel.item_review_state(workspace=workspace, user=team.writer, item=item)
    assert state.approved_revision == approved and state.edited_since_approval
    assert state.latest_revision is not None and state.latest_revision.number == approved.number + 1
    assert state.round is not None and state.round.number == 2 and state.current is not None
    assert state.current.name == "编辑审核"
    # The reviewers are told again.
    assert set(Notification.objects.filter(kind="assigned").values_list("user__username", flat=True)) == {
        "editor",
        "legal",
        "expert",
    }
    # The publishing engine cannot send the edited text.
    with pytest.raises(ValidationError):
        transition_services.item_mark_publishing(workspace=workspace, actor=None, item=item)
    rev_a, rev_b, rows = sel.revision_compare(
        workspace=workspace,
        user=team.editor,
        item=item,
        a=approved.number,
        b=state.latest_revision.number,
        changed_only=True,
    )
    assert [r.key for r in rows] == ["body"]


def test_an_edit_after_a_step_approved_restarts_the_chain(workspace: Any, team: Team) -> None:
    item = make_post(workspace, team.writer, make_theme(workspace))
    round_services.item_submit(workspace=workspace, actor=team.writer, item=item)
    # An edit before any decision keeps the round.
    content.content_item_update(
        workspace=workspace, actor=team.writer, item=item, expected_version=1, body="开头改了。"
    )
    assert item.review_rounds.count() == 1
    round_services.item_approve(workspace=workspace, actor=team.editor, item=item)
    content.content_item_update(
        workspace=workspace, actor=team.writer, item=item, expected_version=2, body="结尾也改了。"
    )
    rounds = list(item.review_rounds.order_by("number"))
    assert [r.outcome for r in rounds] == ["restarted", "open"]
    state = sel.item_review_state(workspace=workspace, user=team.editor, item=item)
    assert state.current is not None and state.current.name == "编辑审核"
    # A theme that now needs an expert adds the expert step.
    expert_theme = make_theme(workspace, "专家观点", expert=True)
    content.content_item_update(
        workspace=workspace, actor=team.writer, item=item, expected_version=3, theme=expert_theme
    )
    state = sel.item_review_state(workspace=workspace, user=team.editor, item=item)
    assert [t.name for t in state.tasks] == ["编辑审核", "法务审核", "专家审核"]


# ---- blocking findings and the override -----------------------------------------------------


def test_blocking_finding_prevents_approval_until_an_admin_overrides(workspace: Any, team: Team) -> None:
    item = make_post(workspace, team.writer, make_theme(workspace), body=BLOCKING_BODY)
    round_services.item_submit(workspace=workspace, actor=team.writer, item=item)
    with pytest.raises(ValidationError) as exc:
        round_services.item_approve(workspace=workspace, actor=team.editor, item=item)
    assert "blocking" in _message(exc) and exc.value.message_dict.keys() == {"findings"}
    state = sel.item_review_state(workspace=workspace, user=team.admin, item=item)
    assert state.blocking and state.can_override and not state.override_active

    with pytest.raises(PermissionDenied):
        round_services.item_override(
            workspace=workspace, actor=team.editor, item=item, reason="这是一个足够长的理由。"
        )
    with pytest.raises(ValidationError) as exc:
        round_services.item_override(workspace=workspace, actor=team.admin, item=item, reason="太短了")
    assert "at least 10" in _message(exc)
    reason = "“全网最好”出自第三方评测报告原文引用，法务已确认可用。"
    override = round_services.item_override(workspace=workspace, actor=team.admin, item=item, reason=reason)
    assert override.revision == revision_services.latest_revision(item)
    assert override.findings and override.findings[0]["matched"] == "全网最好"
    assert override.findings[0]["check"] == "adlaw" and override.findings[0]["severity"] == "block"
    entry = AuditEntry.objects.get(workspace=workspace, action="review.override")
    assert entry.actor == team.admin and (entry.after or {}).get("reason") == reason
    with pytest.raises(ValidationError):
        round_services.item_override(
            workspace=workspace, actor=team.admin, item=item, reason=reason
        )  # once per revision

    round_services.item_approve(workspace=workspace, actor=team.editor, item=item)
    round_services.item_approve(workspace=workspace, actor=team.legal, item=item)
    assert item.status == ItemStatus.APPROVED
    # Kept for good, also after later edits (which need their own override).
    content.content_item_update(
        workspace=workspace,
        actor=team.writer,
        item=item,
        expected_version=1,
        body=BLOCKING_BODY + "补充一句。",
    )
    state = sel.item_review_state(workspace=workspace, user=team.writer, item=item)
    assert [o.reason for o in state.overrides] == [reason] and not state.override_active
    with pytest.raises(ValidationError):
        round_services.item_approve(workspace=workspace, actor=team.editor, item=item)
    # The item can still be deleted; the audit log keeps the override.
    content.content_item_delete(workspace=workspace, actor=team.writer, item=item)
    assert not ApprovalOverride.objects.exists()
    assert AuditEntry.objects.filter(workspace=workspace, action="review.override").exists()


def test_override_needs_blocking_findings_and_a_state_before_approval(workspace: Any, team: Team) -> None:
    item = make_post(workspace, team.writer, make_theme(workspace))
    with pytest.raises(ValidationError) as exc:
        round_services.item_override(
            workspace=workspace, actor=team.admin, item=item, reason="没有问题也想放行一下。"
        )
    assert "no blocking findings" in _message(exc)
    assert not ApprovalOverride.objects.exists()


# ---- comments -------------------------------------------------------------------------------


def test_passage_comments_store_the_quote_and_its_offsets(workspace: Any, team: Team) -> None:
    body = "👍新品上市，限时八折。欢迎到店体验！"
    item = make_post(workspace, team.writer, make_theme(workspace), body=body)
    revision = revision_services.latest_revision(item)
    assert revision is not None
    start = body.index("限时八折")
    comment = comment_services.comment_create(
        workspace=workspace,
        actor=team.editor,
        item=item,
        revision=revision,
        body="折扣需写明活动时间",
        field="body",
        quote="限时八折",
        start=start,
        end=start + 4,
    )
    assert (comment.field, comment.quote, comment.start, comment.end) == ("body", "限时八折", 6, 10)
    # Offsets count characters (code points): the emoji is one.
    assert body[comment.start : comment.end] == "限时八折"
    bad: list[tuple[dict[str, Any], str]] = [
        ({"field": "body", "quote": "欢迎", "start": start, "end": start + 4}, "quote"),
        ({"field": "body", "start": 5, "end": 500}, "start"),
        ({"field": "body", "start": 5, "end": 5}, "start"),
        ({"field": "nope", "start": 0, "end": 1}, "field"),
        ({"field": "body", "start": None, "end": 3}, "start"),
    ]
    for passage, key in bad:
        with pytest.raises(ValidationError) as exc:
            comment_services.comment_create(
                workspace=workspace, actor=team.editor, item=item, revision=revision, body="x", **passage
            )
        assert key in exc.value.message_dict, passage
    # The passage stays tied to its revision after the text changes.
    content.content_item_update(
        workspace=workspace, actor=team.writer, item=item, expected_version=1, body="全部重写。"
    )
    comment.refresh_from_db()
    assert comment.revision == revision and comment.quote == "限时八折"
    # The author is told; whole-revision comments work too; analysts cannot comment.
    assert Notification.objects.filter(user=team.writer, kind="commented").count() == 1
    comment_services.comment_create(
        workspace=workspace, actor=team.legal, item=item, revision=revision, body="整体没问题"
    )
    with pytest.raises(PermissionDenied):
        comment_services.comment_create(
            workspace=workspace, actor=team.analyst, item=item, revision=revision, body="x"
        )


def test_comments_are_changed_and_deleted_by_their_author_or_an_admin(workspace: Any, team: Team) -> None:
    item = make_post(workspace, team.writer, make_theme(workspace))
    revision = revision_services.latest_revision(item)
    assert revision is not None
    comment = comment_services.comment_create(
        workspace=workspace, actor=team.editor, item=item, revision=revision, body="初稿"
    )
    with pytest.raises(PermissionDenied):
        comment_services.comment_update(
            workspace=workspace, actor=team.legal, comment=comment, body="改别人的"
        )
    comment_services.comment_update(workspace=workspace, actor=team.editor, comment=comment, body="改后")
    assert ReviewComment.objects.get(pk=comment.pk).body == "改后"
    with pytest.raises(PermissionDenied):
        comment_services.comment_delete(workspace=workspace, actor=team.legal, comment=comment)
    comment_services.comment_delete(workspace=workspace, actor=team.admin, comment=comment)
    assert not ReviewComment.objects.filter(pk=comment.pk).exists()


# ---- the queue and notifications ------------------------------------------------------------


def test_queue_contents_per_role(workspace: Any, team: Team) -> None:
    theme = make_theme(workspace)
    expert_theme = make_theme(workspace, "专家观点", expert=True)
    chain_services.approval_chain_update(
        workspace=workspace,
        actor=team.admin,
        chain=chain_services.approval_chain_default(workspace=workspace),
        steps=[
            {"name": "专家审核", "assignee_role": Role.REVIEWER, "expert_only": True},
            {"name": "编辑审核", "assignee_role": Role.REVIEWER},
        ],
    )
    plain = make_post(workspace, team.writer, theme, title="普通稿")
    expert_item = make_post(workspace, team.writer, expert_theme, title="专业稿")
    by_editor = content.content_item_create(
        workspace=workspace,
        actor=team.writer,
        title="编辑写的稿",
        form="short_post",
        theme=theme,
        body=CLEAN_BODY,
        evergreen=True,
        owner=team.editor,
    )
    draft = make_post(workspace, team.writer, theme, title="草稿")
    for item in (plain, expert_item, by_editor):
        round_services.item_submit(workspace=workspace, actor=team.admin, item=item)

    def titles(user: Any) -> set[str]:
        return {t.item.title for t in sel.review_queue(workspace=workspace, user=user)}

    assert titles(team.editor) == {"普通稿"}  # not the expert step, not their own item
    assert titles(team.legal) == {"普通稿", "编辑写的稿"}
    assert titles(team.expert) == {"普通稿", "专业稿", "编辑写的稿"}
    assert titles(team.writer) == set() and titles(team.analyst) == set()
    assert titles(team.admin) == set()  # steps assigned to reviewers, not admins
    assert draft.title not in titles(team.expert)
    assert sel.review_queue_count(workspace=workspace, user=team.expert) == 3


def test_notifications_are_listed_and_marked_read(workspace: Any, other_workspace: Any, team: Team) -> None:
    item = make_post(workspace, team.writer, make_theme(workspace))
    round_services.item_submit(workspace=workspace, actor=team.writer, item=item)
    assert sel.notification_unread_count(workspace=workspace, user=team.editor) == 1
    mine = sel.notification_list(workspace=workspace, user=team.editor).get()
    assert mine.kind == "assigned" and "waits for your review" in notification_text(mine)
    with pytest.raises(ValidationError):
        notification_services.notification_mark_read(workspace=workspace, actor=team.legal, notification=mine)
    notification_services.notification_mark_read(workspace=workspace, actor=team.editor, notification=mine)
    assert sel.notification_unread_count(workspace=workspace, user=team.editor) == 0
    assert notification_services.notifications_mark_all_read(workspace=workspace, actor=team.legal) == 1
    assert notification_services.notifications_mark_all_read(workspace=workspace, actor=team.legal) == 0
