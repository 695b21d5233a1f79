"""Campaigns, topics and ideas over the API: the four permission cases of every endpoint and what each answers."""

from __future__ import annotations

import json
from typing import Any

import pytest

from socialops.engagement.models.campaigns import Campaign, Idea, IdeaStatus, Topic
from socialops.engagement.services import ideas as idea_svc
from tests.access import assert_four_cases
from tests.factories import make_account, make_campaign, make_goal, make_item, make_theme, make_topic

pytestmark = pytest.mark.django_db


def url(path: str, slug: str = "acme") -> str:
    return f"/api/v1/workspaces/{slug}{path}"


@pytest.fixture
def reviewer_user(member: Any) -> Any:
    """A member whose role may not edit campaigns."""
    return member("reviewer", username="rita")


@pytest.fixture
def rows(workspace: Any, other_workspace: Any) -> dict[str, Any]:
    account = make_account(workspace, "acme_weibo")
    theme = make_theme(workspace)
    item = make_item(workspace, theme, title="新品海报")
    return {
        "account": account,
        "theme": theme,
        "item": item,
        "goal": make_goal(workspace, accounts=[account]),
        "mine": make_campaign(workspace, items=[item]),
        "theirs": make_campaign(other_workspace),
        "topic": make_topic(workspace),
        "their_topic": make_topic(other_workspace),
        "idea": idea_svc.idea_create(workspace=workspace, actor=None, text="出个粉色款"),
        "their_idea": idea_svc.idea_create(workspace=other_workspace, actor=None, text="别的"),
    }


def test_campaign_list_and_detail(api: Any, analyst: Any, rows: dict[str, Any]) -> None:
    listed = assert_four_cases(
        api, "GET", url("/campaigns"), url("/campaigns", "other"), permitted=analyst, denied=None
    ).json()
    assert listed["count"] == 1 and listed["items"][0]["name"] == "星曜新品周"
    mine, theirs = rows["mine"], rows["theirs"]
    detail = assert_four_cases(
        api,
        "GET",
        url(f"/campaigns/{mine.pk}"),
        url(f"/campaigns/{theirs.pk}"),
        permitted=analyst,
        denied=None,
    ).json()
    assert detail["items"] == [
        {"id": rows["item"].pk, "title": "新品海报", "status": "draft", "status_label": "Draft"}
    ]
    figures = detail["figures"]
    assert figures["people"] == 0 and len(figures["per_day"]) == 20 and figures["reach"] == 0
    assert figures["goal"] == [] and figures["reason"] and detail["state"] == "finished"


def test_campaign_create_patch_delete(
    api: Any, operator: Any, reviewer_user: Any, rows: dict[str, Any]
) -> None:
    body = {
        "name": "夏季", "goal_id": rows["goal"].pk, "account_ids": [rows["account"].pk],
        "start_date": "2024-06-01", "end_date": "2024-06-10", "budget": "1200.50", "owner_id": operator.pk,
        "item_ids": [rows["item"].pk],
    }  # fmt: skip
    created = assert_four_cases(
        api, "POST", url("/campaigns"), url("/campaigns", "other"), permitted=operator, denied=reviewer_user,
        data=body, ok=(201,),
    ).json()  # fmt: skip
    assert created["goal_id"] == rows["goal"].pk and created["item_ids"] == [rows["item"].pk]
    assert created["budget"] == "1200.50" and created["owner"] == "olivia"
    bad = api(operator).post(
        url("/campaigns"),
        data=json.dumps({**body, "end_date": "2024-05-01"}),
        content_type="application/json",
    )
    assert bad.status_code == 400 and "end_date" in bad.json()["errors"]
    pk, theirs = created["id"], rows["theirs"].pk
    patched = assert_four_cases(
        api, "PATCH", url(f"/campaigns/{pk}"), url(f"/campaigns/{theirs}"), permitted=operator,
        denied=reviewer_user, data={"name": "夏季大促", "goal_id": None},
    ).json()  # fmt: skip
    assert (
        patched["name"] == "夏季大促"
        and patched["goal_id"] is None
        and patched["item_ids"] == [rows["item"].pk]
    )
    assert_four_cases(
        api, "DELETE", url(f"/campaigns/{pk}"), url(f"/campaigns/{theirs}"), permitted=operator,
        denied=reviewer_user, ok=(204,),
    )  # fmt: skip
    assert not Campaign.objects.filter(pk=pk).exists() and Campaign.objects.filter(pk=theirs).exists()


def test_topics(api: Any, operator: Any, analyst: Any, reviewer_user: Any, rows: dict[str, Any]) -> None:
    listed = assert_four_cases(
        api, "GET", url("/topics"), url("/topics", "other"), permitted=analyst, denied=None
    )
    assert listed.json()["items"][0]["tags"] == {"weibo": "#星曜新品#", "mastodon": "#starlight"}
    mine, theirs = rows["topic"].pk, rows["their_topic"].pk
    detail = assert_four_cases(
        api, "GET", url(f"/topics/{mine}"), url(f"/topics/{theirs}"), permitted=analyst, denied=None
    ).json()
    assert len(detail["days"]) == 30 and sum(detail["mentions"]) == 0
    created = assert_four_cases(
        api, "POST", url("/topics"), url("/topics", "other"), permitted=operator, denied=reviewer_user,
        data={"name": "秋季", "tags": {"weibo": "#秋季#"}, "campaign_id": rows["mine"].pk}, ok=(201,),
    ).json()  # fmt: skip
    assert created["campaign_id"] == rows["mine"].pk
    bad = api(operator).post(
        url("/topics"), data=json.dumps({"name": "x", "tags": {}}), content_type="application/json"
    )
    assert bad.status_code == 400 and "tags" in bad.json()["errors"]
    patched = assert_four_cases(
        api, "PATCH", url(f"/topics/{mine}"), url(f"/topics/{theirs}"), permitted=operator,
        denied=reviewer_user, data={"campaign_id": None, "tags": {"mastodon": "#starlight"}},
    ).json()  # fmt: skip
    assert patched["tags"] == {"mastodon": "#starlight"}
    assert_four_cases(
        api, "DELETE", url(f"/topics/{mine}"), url(f"/topics/{theirs}"), permitted=operator,
        denied=reviewer_user, ok=(204,),
    )  # fmt: skip
    assert not Topic.objects.filter(pk=mine).exists()


def test_ideas(
    api: Any, operator: Any, analyst: Any, admin: Any, reviewer_user: Any, rows: dict[str, Any]
) -> None:
    listed = assert_four_cases(
        api, "GET", url("/ideas"), url("/ideas", "other"), permitted=analyst, denied=None
    )
    assert listed.json()["count"] == 1
    assert api(analyst).get(url("/ideas"), {"status": "dismissed"}).json()["count"] == 0
    assert api(analyst).get(url("/ideas"), {"status": "nonsense"}).status_code == 422
    mine, theirs = rows["idea"].pk, rows["their_idea"].pk
    assert_four_cases(
        api, "GET", url(f"/ideas/{mine}"), url(f"/ideas/{theirs}"), permitted=analyst, denied=None
    )
    created = assert_four_cases(
        api, "POST", url("/ideas"), url("/ideas", "other"), permitted=operator, denied=reviewer_user,
        data={"text": "开箱视频", "campaign_id": rows["mine"].pk}, ok=(201,),
    ).json()  # fmt: skip
    assert created["source"] == "manual" and created["campaign_id"] == rows["mine"].pk
    content = assert_four_cases(
        api, "POST", url(f"/ideas/{mine}/content"), url(f"/ideas/{theirs}/content"), permitted=operator,
        denied=reviewer_user, data={"theme_id": rows["theme"].pk, "title": "粉色款"},
    ).json()  # fmt: skip
    assert content["status"] == "content" and content["content_item_id"]
    again = api(operator).post(url(f"/ideas/{mine}/dismiss"))
    assert again.status_code == 400 and "status" in again.json()["errors"]
    sent = assert_four_cases(
        api, "POST", url(f"/ideas/{created['id']}/send"), url(f"/ideas/{theirs}/send"), permitted=operator,
        denied=reviewer_user, data={"owner_id": admin.pk},
    ).json()  # fmt: skip
    assert sent["status"] == "product" and sent["product_owner_id"] == admin.pk
    assert api(admin).get(url("/ideas"), {"mine": "true"}).json()["count"] == 1
    third = idea_svc.idea_create(workspace=rows["idea"].workspace, actor=None, text="算了")
    assert_four_cases(
        api, "POST", url(f"/ideas/{third.pk}/dismiss"), url(f"/ideas/{theirs}/dismiss"), permitted=operator,
        denied=reviewer_user,
    )  # fmt: skip
    assert Idea.objects.get(pk=third.pk).status == IdeaStatus.DISMISSED
