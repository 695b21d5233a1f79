"""Campaign, topic and idea services: validation names the field and changes nothing, writes are audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from socialops.content.models import ContentItem
from socialops.engagement.models import ThreadItem
from socialops.engagement.models.campaigns import Campaign, Idea, IdeaSource, IdeaStatus, Topic
from socialops.engagement.services import campaigns as svc
from socialops.engagement.services import ideas as idea_svc
from socialops.fans.models import InteractionKind, InteractionSource
from socialops.fans.services.people import interaction_record
from socialops.workspaces.models import AuditEntry
from socialops.workspaces.roles import Role
from tests.factories import (
    make_account,
    make_campaign,
    make_fan,
    make_goal,
    make_item,
    make_theme,
)

pytestmark = pytest.mark.django_db


def actions(workspace: Any) -> list[str]:
    return list(AuditEntry.objects.filter(workspace=workspace).values_list("action", flat=True))


def test_campaign_crud_is_audited_with_its_links(workspace: Any, operator: Any) -> None:
    account = make_account(workspace, "acme_weibo")
    goal = make_goal(workspace, accounts=[account])
    item = make_item(workspace)
    row = svc.campaign_create(
        workspace=workspace,
        actor=operator,
        name="新品周",
        goal=goal,
        accounts=[account],
        items=[item.pk],
        start_date="2024-03-01",
        end_date=dt.date(2024, 3, 20),
        budget="5000",
        owner=operator,
    )
    assert row.goal == goal and list(row.accounts.all()) == [account] and list(row.items.all()) == [item]
    assert str(row.budget) == "5000.00" and row.owner == operator
    svc.campaign_update(workspace=workspace, actor=operator, campaign=row, name="新品月", items=[])
    row.refresh_from_db()
    assert row.name == "新品月" and not row.items.exists()
    svc.campaign_delete(workspace=workspace, actor=operator, campaign=row)
    assert not Campaign.objects.filter(pk=row.pk).exists()
    assert {"campaign.create", "campaign.update", "campaign.delete"} <= set(actions(workspace))
    entry = AuditEntry.objects.get(workspace=workspace, action="campaign.create")
    assert entry.actor == operator


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 151}, "name"),
        ({"start_date": "soon"}, "start_date"),
        ({"end_date": dt.date(2024, 2, 1)}, "end_date"),
        ({"end_date": dt.date(2026, 3, 1)}, "end_date"),
        ({"budget": "-3"}, "budget"),
        ({"goal": 999_999}, "goal"),
        ({"owner": 999_999}, "owner"),
        ({"items": [999_999]}, "items"),
        ({"accounts": "all"}, "accounts"),
    ],
)
def test_campaign_validation_names_the_field_and_changes_nothing(
    workspace: Any, operator: Any, fields: dict[str, Any], field: str
) -> None:
    data = {"name": "新品周", "start_date": dt.date(2024, 3, 1), "end_date": dt.date(2024, 3, 20), **fields}
    with pytest.raises(ValidationError) as exc:
        svc.campaign_create(workspace=workspace, actor=operator, **data)
    assert field in exc.value.message_dict
    assert not Campaign.objects.exists() and not [a for a in actions(workspace) if a.startswith("campaign")]


def test_campaign_refuses_other_workspaces_rows_and_competitors(
    workspace: Any, other_workspace: Any, operator: Any
) -> None:
    theirs = make_goal(other_workspace)
    rival = make_account(workspace, "rival", competitor=True)
    with pytest.raises(ValidationError) as exc:
        make_campaign(workspace, goal=theirs, accounts=[rival])
    assert {"goal", "accounts"} <= set(exc.value.message_dict)
    row = make_campaign(workspace)
    with pytest.raises(ValidationError) as unknown:
        svc.campaign_update(workspace=workspace, actor=operator, campaign=row, workspace_id=2)
    assert "workspace_id" in unknown.value.message_dict


def test_campaign_writes_need_campaign_edit(workspace: Any, member: Any, analyst: Any) -> None:
    reviewer = member(Role.REVIEWER, username="rita")
    for user in (reviewer, analyst):
        with pytest.raises(PermissionDenied):
            svc.campaign_create(
                workspace=workspace, actor=user, name="x", start_date="2024-03-01", end_date="2024-03-02"
            )
    row = make_campaign(workspace)
    with pytest.raises(PermissionDenied):
        svc.campaign_delete(workspace=workspace, actor=analyst, campaign=row)


def test_topic_tags_are_checked_and_audited(workspace: Any, operator: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        svc.topic_create(workspace=workspace, actor=operator, name="", tags={})
    assert {"name", "tags"} <= set(exc.value.message_dict)
    with pytest.raises(ValidationError) as unknown:
        svc.topic_create(workspace=workspace, actor=operator, name="a", tags={"myspace": "#a"})
    assert "tags" in unknown.value.message_dict
    campaign = make_campaign(workspace)
    topic = svc.topic_create(
        workspace=workspace,
        actor=operator,
        name="星曜新品",
        campaign=campaign,
        tags={"weibo": " #星曜新品# ", "mastodon": "#starlight", "douyin": ""},
    )
    assert topic.tags == {"weibo": "#星曜新品#", "mastodon": "#starlight"}
    with pytest.raises(ValidationError) as dup:
        svc.topic_create(workspace=workspace, actor=operator, name="星曜新品", tags={"weibo": "#x#"})
    assert "name" in dup.value.message_dict
    topic.mastodon_cursor = "100"
    topic.save()
    svc.topic_update(workspace=workspace, actor=operator, topic=topic, tags={"mastodon": "#starlight2"})
    topic.refresh_from_db()
    assert topic.mastodon_cursor == "" and topic.tags == {"mastodon": "#starlight2"}
    svc.topic_delete(workspace=workspace, actor=operator, topic=topic)
    assert not Topic.objects.exists()
    assert {"topic.create", "topic.update", "topic.delete"} <= set(actions(workspace))


# ---- ideas -------------------------------------------------------------------------------------


def test_manual_idea_then_turned_into_a_draft_item(workspace: Any, operator: Any) -> None:
    theme = make_theme(workspace)
    campaign = make_campaign(workspace)
    idea = idea_svc.idea_create(
        workspace=workspace, actor=operator, text="出一期收纳技巧\n配图", campaign=campaign
    )
    assert idea.source == IdeaSource.MANUAL and idea.status == IdeaStatus.NEW and idea.created_by == operator
    item = idea_svc.idea_to_content(workspace=workspace, actor=operator, idea=idea, theme=theme)
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.CONTENT and idea.content_item == item
    assert item.status == "draft" and item.title == "出一期收纳技巧" and "配图" in item.body
    assert {"idea.collect", "idea.to_content", "content_item.create"} <= set(actions(workspace))
    with pytest.raises(ValidationError) as again:
        idea_svc.idea_dismiss(workspace=workspace, actor=operator, idea=idea)
    assert "status" in again.value.message_dict


def test_turning_into_content_without_a_theme_changes_nothing(workspace: Any, operator: Any) -> None:
    idea = idea_svc.idea_create(workspace=workspace, actor=operator, text="想法")
    with pytest.raises(ValidationError) as exc:
        idea_svc.idea_to_content(workspace=workspace, actor=operator, idea=idea, theme=None)
    assert "theme" in exc.value.message_dict
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.NEW and not ContentItem.objects.exists()


def test_send_to_product_owner_and_dismiss(
    workspace: Any, operator: Any, admin: Any, other_workspace: Any, make_user: Any
) -> None:
    idea = idea_svc.idea_create(workspace=workspace, actor=operator, text="希望出大容量版本")
    stranger = make_user("stranger")
    with pytest.raises(ValidationError) as exc:
        idea_svc.idea_send_to_product(workspace=workspace, actor=operator, idea=idea, owner=stranger)
    assert "product_owner" in exc.value.message_dict
    sent = idea_svc.idea_send_to_product(workspace=workspace, actor=operator, idea=idea, owner=admin.pk)
    assert sent.status == IdeaStatus.PRODUCT and sent.product_owner == admin
    other = idea_svc.idea_create(workspace=workspace, actor=operator, text="太贵了")
    assert (
        idea_svc.idea_dismiss(workspace=workspace, actor=operator, idea=other).status == IdeaStatus.DISMISSED
    )
    assert {"idea.send", "idea.dismiss"} <= set(actions(workspace))


def test_keeping_an_inbox_message_twice_is_one_idea(workspace: Any, operator: Any) -> None:
    fan = make_fan(make_account(workspace, "acme_mp", "mastodon"), "fan-1", display_name="小林")
    interaction, _ = interaction_record(
        workspace=workspace,
        fan=fan,
        kind=InteractionKind.MESSAGE,
        occurred_at=timezone.now(),
        source=InteractionSource.PULL,
        text="能不能出个粉色款？",
        external_id="m-1",
    )
    item = ThreadItem.objects.get(interaction=interaction)
    first = idea_svc.idea_collect(
        workspace=workspace,
        actor=operator,
        text=interaction.text,
        source="inbox",
        source_id=str(item.pk),
        person=interaction.person,
    )
    second = idea_svc.idea_collect(
        workspace=workspace, actor=operator, text=interaction.text, source="inbox", source_id=str(item.pk)
    )
    assert first == second and Idea.objects.count() == 1 and first.person == fan.person
