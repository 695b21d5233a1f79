"""Campaign, topic and idea pages: they render for the admin and the read-only analyst, who cannot write."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from socialops.engagement.models import InboxAlert, InboxAlertKind, ThreadItem
from socialops.engagement.models.campaigns import Campaign, Idea, IdeaStatus
from socialops.engagement.services import ideas as idea_svc
from socialops.fans.models import InteractionKind, InteractionSource
from socialops.fans.services.people import interaction_record
from tests.access import assert_four_cases
from tests.factories import (
    make_account,
    make_campaign,
    make_fan,
    make_goal,
    make_item,
    make_theme,
    make_topic,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(workspace: Any) -> dict[str, Any]:
    account = make_account(workspace, "acme_weibo")
    theme = make_theme(workspace)
    item = make_item(workspace, theme, title="新品海报")
    campaign = make_campaign(
        workspace, goal=make_goal(workspace, accounts=[account]), items=[item], accounts=[account]
    )
    topic = make_topic(workspace, campaign=campaign)
    fan = make_fan(account, "w-1", display_name="小林")
    interaction, _ = interaction_record(
        workspace=workspace, fan=fan, kind=InteractionKind.COMMENT, occurred_at=timezone.now(),
        source=InteractionSource.PULL, text="#星曜新品# 想要粉色款", external_id="c-1",
    )  # fmt: skip
    idea = idea_svc.idea_create(workspace=workspace, actor=None, text="出一期收纳技巧", campaign=campaign)
    return {"campaign": campaign, "topic": topic, "idea": idea, "item": item, "theme": theme,
            "interaction": interaction, "fan": fan}  # fmt: skip


def pages(slug: str, s: dict[str, Any]) -> list[str]:
    return [
        f"/w/{slug}/campaigns/",
        f"/w/{slug}/campaigns/{s['campaign'].pk}/",
        f"/w/{slug}/topics/",
        f"/w/{slug}/topics/{s['topic'].pk}/",
        f"/w/{slug}/ideas/",
        f"/w/{slug}/ideas/?status=new&source=manual&campaign={s['campaign'].pk}&mine=1",
    ]


def test_pages_render_for_admin_and_analyst(
    web: Any, admin: Any, analyst: Any, setup: dict[str, Any]
) -> None:
    for user in (admin, analyst):
        client = web(user)
        for url in pages("acme", setup):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
    detail = web(admin).get(f"/w/acme/campaigns/{setup['campaign'].pk}/").content.decode()
    assert 'data-echarts="campaign-participation"' in detail and "data-caveat" in detail
    assert "新品海报" in detail and "Draft" in detail
    assert "Edit" in detail
    as_analyst = web(analyst).get(f"/w/acme/campaigns/{setup['campaign'].pk}/").content.decode()
    assert "/edit/" not in as_analyst
    # The analyst (no fans.identity) sees the topic's participants by pseudonym.
    topic_page = web(analyst).get(f"/w/acme/topics/{setup['topic'].pk}/").content.decode()
    person = setup["fan"].person
    assert person.pseudonym in topic_page and "小林" not in topic_page
    assert "小林" in web(admin).get(f"/w/acme/topics/{setup['topic'].pk}/").content.decode()


def test_analyst_cannot_write(web: Any, analyst: Any, setup: dict[str, Any]) -> None:
    client = web(analyst)
    c, t, i = setup["campaign"].pk, setup["topic"].pk, setup["idea"].pk
    for url in (
        "/w/acme/campaigns/new/", f"/w/acme/campaigns/{c}/edit/", f"/w/acme/campaigns/{c}/delete/",
        "/w/acme/topics/new/", f"/w/acme/topics/{t}/edit/", f"/w/acme/topics/{t}/delete/",
        "/w/acme/ideas/new/", f"/w/acme/ideas/{i}/content/", f"/w/acme/ideas/{i}/send/",
        f"/w/acme/ideas/{i}/dismiss/",
    ):  # fmt: skip
        assert client.post(url, {"name": "x"}).status_code == 403, url
    for url in pages("acme", setup):
        assert client.post(url).status_code == 405, url
    assert Campaign.objects.count() == 1 and Idea.objects.get().status == IdeaStatus.NEW


def test_campaign_form_creates_and_shows_errors_by_field(
    web: Any, operator: Any, setup: dict[str, Any]
) -> None:
    client = web(operator)
    bad = client.post(
        "/w/acme/campaigns/new/", {"name": "夏季", "start_date": "2024-06-10", "end_date": "2024-06-01"}
    )
    assert (
        bad.status_code == 200 and "The campaign must end on or after its first day." in bad.content.decode()
    )
    ok = client.post(
        "/w/acme/campaigns/new/",
        {"name": "夏季", "start_date": "2024-06-01", "end_date": "2024-06-10", "items": [setup["item"].pk]},
    )
    assert ok.status_code == 302
    row = Campaign.objects.get(name="夏季")
    assert list(row.items.all()) == [setup["item"]] and ok["Location"].endswith(f"/campaigns/{row.pk}/")


def test_topic_form_takes_a_tag_per_platform(web: Any, operator: Any, setup: dict[str, Any]) -> None:
    client = web(operator)
    form = client.get("/w/acme/topics/new/").content.decode()
    assert 'name="tag_weibo"' in form
    response = client.post("/w/acme/topics/new/", {"name": "秋季", "tag_weibo": "#秋季上新#"})
    assert response.status_code == 302
    empty = client.post("/w/acme/topics/new/", {"name": "冬季"})
    assert "at least one platform" in empty.content.decode()


def test_idea_flows_from_the_pages(web: Any, operator: Any, admin: Any, setup: dict[str, Any]) -> None:
    client = web(operator)
    idea = setup["idea"]
    assert client.post("/w/acme/ideas/new/", {"text": "做个开箱视频"}).status_code == 302
    to_content = client.post(
        f"/w/acme/ideas/{idea.pk}/content/",
        {"title": "收纳技巧", "form": "article", "theme": setup["theme"].pk},
    )
    assert to_content.status_code == 302
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.CONTENT and idea.content_item and idea.content_item.title == "收纳技巧"
    other = Idea.objects.get(text="做个开箱视频")
    assert client.post(f"/w/acme/ideas/{other.pk}/send/", {"owner": admin.pk}).status_code == 302
    other.refresh_from_db()
    assert other.status == IdeaStatus.PRODUCT and other.product_owner == admin
    mine = web(admin).get("/w/acme/ideas/?mine=1").content.decode()
    assert "做个开箱视频" in mine and "出一期收纳技巧" not in mine
    third = idea_svc.idea_create(workspace=idea.workspace, actor=None, text="不需要")
    assert client.post(f"/w/acme/ideas/{third.pk}/dismiss/").status_code == 302
    third.refresh_from_db()
    assert third.status == IdeaStatus.DISMISSED


def test_keep_as_idea_from_the_inbox(web: Any, operator: Any, analyst: Any, setup: dict[str, Any]) -> None:
    item = ThreadItem.objects.get(interaction=setup["interaction"])
    inbox = web(operator).get(f"/w/acme/inbox/?thread={item.thread_id}").content.decode()
    assert 'data-testid="keep-idea"' in inbox
    assert (
        'data-testid="keep-idea"'
        not in web(analyst).get(f"/w/acme/inbox/?thread={item.thread_id}").content.decode()
    )
    url = f"/w/acme/inbox/items/{item.pk}/keep-idea/"
    for _ in range(2):
        response = web(operator).post(url, {"next": f"/w/acme/inbox/?thread={item.thread_id}"})
        assert response.status_code == 302 and "/inbox/" in response["Location"]
    idea = Idea.objects.get(source="inbox")
    assert (
        idea.source_id == str(item.pk)
        and idea.text == "#星曜新品# 想要粉色款"
        and idea.person == item.interaction.person
    )
    assert web(analyst).post(url).status_code == 403


def test_other_workspace_rows_are_404(web: Any, operator: Any, other_workspace: Any, member: Any) -> None:
    theirs = make_campaign(other_workspace)
    assert_four_cases(
        web, "GET", "/w/acme/campaigns/", "/w/other/campaigns/", permitted=operator, denied=None
    )
    assert web(operator).get(f"/w/acme/campaigns/{theirs.pk}/").status_code == 404
    topic = make_topic(other_workspace)
    assert web(operator).get(f"/w/acme/topics/{topic.pk}/").status_code == 404


def test_an_idea_sent_to_a_product_owner_alerts_them_and_says_when(
    web: Any, operator: Any, admin: Any, setup: dict[str, Any]
) -> None:
    idea = idea_svc.idea_create(workspace=setup["idea"].workspace, actor=None, text="希望出夜景模式")
    client = web(operator)
    assert client.post(f"/w/acme/ideas/{idea.pk}/send/", {"owner": admin.pk}).status_code == 302
    idea.refresh_from_db()
    assert idea.sent_at is not None
    alert = InboxAlert.objects.get(user=admin)
    assert alert.kind == InboxAlertKind.IDEA and "夜景模式" in alert.detail
    assert not InboxAlert.objects.filter(user=operator).exists()
    inbox = web(admin).get("/w/acme/inbox/").content.decode()
    assert "Idea sent to you" in inbox and 'data-testid="alert-idea"' in inbox
    ideas = client.get("/w/acme/ideas/").content.decode()
    assert f"sent to {admin.get_username()} at {timezone.localtime(idea.sent_at):%Y-%m-%d %H:%M}" in ideas
