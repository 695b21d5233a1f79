"""One flow: approving a placed item schedules it, placing an approved item schedules it, the
publication follows its placement, and pages flag accounts that would stop a post."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from socialops.content.services import plan as plan_services
from socialops.publishing import flow
from socialops.publishing.models import Publication
from socialops.review.services import chains as chain_services
from socialops.review.services import rounds as round_services
from socialops.workspaces.roles import Role
from tests.factories import approved_item, connect, make_account, make_post, make_team, make_theme


def _soon(days: int = 2, hour: int = 10) -> dt.datetime:
    local = timezone.localtime(timezone.now(), timezone.get_fixed_timezone(480)) + dt.timedelta(days=days)
    return local.replace(hour=hour, minute=0, second=0, microsecond=0).replace(tzinfo=None)


def test_final_approval_schedules_the_items_placements(workspace: Any, member: Any) -> None:
    team = make_team(workspace, member)
    account = make_account(workspace, "acme_weibo")
    connect(account, "manual")
    item = make_post(workspace, team.writer, make_theme(workspace))
    chain_services.approval_chain_update(
        workspace=workspace,
        actor=team.admin,
        chain=chain_services.approval_chain_default(workspace=workspace),
        steps=[
            {"name": "编辑", "assignee_role": Role.REVIEWER},
            {"name": "法务", "assignee_role": Role.REVIEWER},
        ],
    )
    placement = plan_services.placement_create(
        workspace=workspace, actor=team.writer, item=item, account=account, starts_at=_soon()
    )
    assert not Publication.objects.filter(item=item).exists()  # a draft is only planned
    round_services.item_submit(workspace=workspace, actor=team.writer, item=item)
    round_services.item_approve(workspace=workspace, actor=team.editor, item=item)
    assert not Publication.objects.filter(item=item).exists()  # one step left
    round_services.item_approve(workspace=workspace, actor=team.legal, item=item)
    pub = Publication.objects.get(item=item)
    assert pub.placement == placement and pub.due_at == placement.starts_at and pub.state == "scheduled"
    item.refresh_from_db()
    assert item.status == "scheduled"


def test_placing_moving_and_removing_an_approved_item(workspace: Any, operator: Any) -> None:
    account = make_account(workspace, "acme_weibo")
    item = approved_item(workspace, "已审核的帖子")
    placement = plan_services.placement_create(
        workspace=workspace, actor=operator, item=item, account=account, starts_at=_soon()
    )
    pub = Publication.objects.get(item=item)
    assert pub.state == "scheduled" and pub.placement == placement
    plan_services.placement_move(workspace=workspace, actor=operator, placement=placement, starts_at=_soon(3))
    pub.refresh_from_db()
    placement.refresh_from_db()
    assert pub.due_at == placement.starts_at and pub.version == 2
    plan_services.placement_delete(workspace=workspace, actor=operator, placement=placement)
    pub.refresh_from_db()
    item.refresh_from_db()
    assert pub.state == "cancelled" and item.status == "approved"


def test_a_past_placement_is_not_sent_on_approval(workspace: Any) -> None:
    account = make_account(workspace, "acme_weibo")
    item = approved_item(workspace, "迟到的审核")
    from socialops.content.models import Placement

    Placement.objects.create(
        workspace=workspace, account=account, item=item, starts_at=timezone.now() - dt.timedelta(hours=1)
    )
    flow.on_item_approved(workspace=workspace, actor=None, item=item)
    assert not Publication.objects.filter(item=item).exists()


def test_accounts_that_would_stop_a_post_are_named(workspace: Any) -> None:
    connected = make_account(workspace, "acme_a")
    connect(connected, "manual")
    bare = make_account(workspace, "acme_b", platform="wechat_mp")
    blockers = flow.account_blockers(workspace=workspace)
    assert connected.pk not in blockers and "not connected" in blockers[bare.pk]
    item = approved_item(workspace, "去公众号")
    plan_services.placement_create(
        workspace=workspace, actor=None, item=item, account=bare, starts_at=_soon()
    )
    assert flow.attention_counts(workspace=workspace)["blocked"] == 1
