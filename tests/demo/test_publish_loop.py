"""`socialops demo_publish_loop`: the demo's accounts go to the sandbox and its approved posts get scheduled."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from socialops.accounts.selectors import workspace_today
from socialops.content.models import ContentItem
from socialops.demo.seed import demo_workspace
from socialops.engagement.models import Reply, Thread, ThreadItem
from socialops.goals.models import Goal, MetricSnapshot
from socialops.goals.selectors.goals import goal_progress
from socialops.platforms.models import ConnectorKind, PlatformConnection
from socialops.publishing import sync
from socialops.publishing.models import Publication
from socialops.review.models import ReviewTask


@pytest.mark.slow
@pytest.mark.django_db
def test_connects_approves_through_review_and_schedules_once(sandbox: Any) -> None:
    call_command("seed_demo", "--core-only", stdout=StringIO())
    workspace = demo_workspace()
    out = StringIO()
    call_command("demo_publish_loop", sandbox_url=sandbox.url, approve=2, stdout=out, stderr=StringIO())

    own_accounts = workspace.accounts.filter(is_competitor=False)
    connections = PlatformConnection.objects.filter(workspace=workspace, kind=ConnectorKind.SANDBOX)
    assert connections.count() == own_accounts.count() > 0
    # Two placed drafts went through every review step (decided by members, not forced).
    scheduled = ContentItem.objects.filter(workspace=workspace, status="scheduled")
    assert scheduled.count() == 2
    for item in scheduled:
        assert ReviewTask.objects.filter(
            round__item=item, state="approved", decided_by__isnull=False
        ).exists()
    pubs = Publication.objects.filter(workspace=workspace)
    assert pubs.count() == sum(item.placements.count() for item in scheduled)
    assert set(pubs.values_list("state", flat=True)) == {"scheduled"}
    assert "connected" in out.getvalue()

    # The synced follower counts continue the demo's history instead of starting a fresh audience.
    assert sync.sync_all() == own_accounts.count()
    for account in own_accounts:
        history = (
            MetricSnapshot.objects.filter(account=account, followers_total__isnull=False)
            .exclude(source="sync")
            .order_by("-date")
            .first()
        )
        synced = MetricSnapshot.objects.get(account=account, source="sync")
        assert history is not None and history.followers_total is not None
        assert synced.followers_total is not None
        assert 0 <= synced.followers_total - history.followers_total < 200, account.handle
    # …and move the followers goal: its latest figure is today's, from the platform.
    goal = Goal.objects.get(workspace=workspace, metric="followers_total")
    admin = workspace.memberships.get(user__username="admin").user
    progress = goal_progress(workspace=workspace, user=admin, goal=goal)
    assert progress.actual_date == workspace_today(workspace)
    assert (
        progress.actual
        == MetricSnapshot.objects.get(account__in=goal.accounts.all(), source="sync").followers_total
    )

    # The inbox filled from the sandbox's fans at once: their comments and DMs on the accounts'
    # recent posts, pulled (not the demo's own history), each filed in a thread.
    # (The sandbox's fans write "@account …"; the demo's own history does not.)
    pulled = ThreadItem.objects.filter(workspace=workspace, interaction__text__startswith="@")
    assert (
        pulled.filter(thread__channel="comments").exists()
        and pulled.filter(thread__channel="messages").exists()
    )
    assert "Inbox:" in out.getvalue()
    # The demo's auto-replies (keywords, then a welcome for a first message) answered their DMs.
    assert Reply.objects.filter(workspace=workspace, rule__isnull=False, thread__channel="messages").exists()
    threads, items = Thread.objects.filter(workspace=workspace).count(), pulled.count()

    # Run twice (make demo twice): nothing new is approved or scheduled, no post or message twice.
    call_command("demo_publish_loop", sandbox_url=sandbox.url, stdout=StringIO(), stderr=StringIO())
    assert Publication.objects.filter(workspace=workspace).count() == pubs.count()
    assert ContentItem.objects.filter(workspace=workspace, status="scheduled").count() == 2
    assert Thread.objects.filter(workspace=workspace).count() == threads
    assert pulled.count() == items


@pytest.mark.django_db
def test_needs_the_demo_workspace_and_a_running_sandbox() -> None:
    with pytest.raises(CommandError, match="socialops demo"):
        call_command("demo_publish_loop", stdout=StringIO())
    call_command("seed_demo", "--core-only", stdout=StringIO())
    with pytest.raises(CommandError, match="did not answer"):
        call_command("demo_publish_loop", sandbox_url="http://127.0.0.1:9", wait=0.2, stdout=StringIO())
