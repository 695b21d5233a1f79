"""The demo's campaign on the workspace `make demo` seeds: running, with figures, a topic and ideas."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from socialops.demo.campaigns import seed_campaigns
from socialops.demo.seed import demo_seed
from socialops.engagement.models.campaigns import Campaign, Idea, IdeaStatus, Topic
from socialops.engagement.selectors import campaigns as sel

pytestmark = pytest.mark.django_db


def test_seed_campaigns_on_the_demo_workspace() -> None:
    result = demo_seed()
    workspace, today = result.workspace, result.calendar.today
    campaign = seed_campaigns(workspace, today)
    assert seed_campaigns(workspace, today) == campaign and Campaign.objects.count() == 1
    admin = get_user_model().objects.get(username="admin")
    assert sel.campaign_state(campaign, today) == "running"
    assert campaign.goal is not None and campaign.accounts.count() == 2 and campaign.owner is not None
    topic = Topic.objects.get(campaign=campaign)
    participation = sel.campaign_participation(workspace=workspace, user=admin, campaign=campaign)
    assert participation.people > 5 and participation.interactions >= 2 * 10
    counts = sel.topic_counts(workspace=workspace, user=admin, topic=topic, today=today)
    assert counts.total_mentions == participation.interactions
    movement = sel.campaign_goal_movement(workspace=workspace, user=admin, campaign=campaign, today=today)
    assert movement.window is not None and movement.caveat
    reach = sel.campaign_reach(workspace=workspace, user=admin, campaign=campaign)
    assert reach.posts >= 2 and reach.reach > 0 and reach.impressions > reach.reach and reach.engagements > 0
    ideas = Idea.objects.filter(campaign=campaign)
    assert ideas.count() == 4 and ideas.filter(status=IdeaStatus.PRODUCT).count() == 1
