"""The demo's poll: open, 300+ responses from the public page and keyword replies, over several days."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache

from socialops.demo.polls import seed_polls
from socialops.demo.seed import demo_seed
from socialops.engagement.models.polls import PollResponse
from socialops.engagement.selectors import polls as sel
from socialops.fans.models import Interaction, InteractionKind
from socialops.workspaces.models import Workspace
from socialops.workspaces.roles import Role

pytestmark = pytest.mark.django_db


def test_seed_polls_after_the_demo_seed() -> None:
    cache.clear()
    result = demo_seed()
    workspace = Workspace.objects.get(slug="demo")
    poll = seed_polls(workspace, result.calendar.today)
    responses = PollResponse.objects.filter(poll=poll)
    keyword = responses.filter(channel="keyword").count()
    assert poll.status == "open" and responses.count() >= 300
    assert keyword >= 50 and responses.filter(channel="page").count() >= 200
    assert len(responses.dates("submitted_at", "day")) >= 8
    votes = Interaction.objects.filter(workspace=workspace, kind=InteractionKind.VOTE, meta__poll=poll.pk)
    assert votes.count() == keyword
    admin = get_user_model().objects.get(memberships__workspace=workspace, memberships__role=Role.ADMIN)
    results = sel.poll_results(workspace=workspace, user=admin, poll=poll)
    colour, _matters, scale, text = results["questions"]
    assert sum(c["count"] for c in colour["choices"]) == responses.count()
    assert 3.5 < scale["scale"]["average"] < 4.5 and text["answered"] >= 50
