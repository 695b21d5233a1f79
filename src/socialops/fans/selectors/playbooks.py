"""Reads of playbooks: the list, one playbook, its runs and what each run did for whom."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from socialops.content.models import ContentItem
from socialops.publishing.services import SCHEDULABLE_ITEM
from socialops.workspaces.models import Workspace
from socialops.workspaces.selectors import member_rows, member_users

from ..models import CouponCampaign, Playbook, PlaybookAction, PlaybookRun, Segment


def playbook_list(*, workspace: Workspace, user: Any) -> QuerySet[Playbook]:
    """The workspace's playbooks by name, with their segment."""
    return (
        member_rows(Playbook, workspace=workspace, user=user).select_related("segment").order_by("name", "pk")
    )


def playbook_get(*, workspace: Workspace, user: Any, playbook_id: int) -> Playbook:
    """One playbook of this workspace, or Http404."""
    return get_object_or_404(playbook_list(workspace=workspace, user=user), pk=playbook_id)


def playbook_runs(*, workspace: Workspace, user: Any, playbook: Playbook) -> QuerySet[PlaybookRun]:
    """The playbook's runs (dry runs too), latest first."""
    return (
        member_rows(PlaybookRun, workspace=workspace, user=user)
        .filter(playbook=playbook)
        .select_related("created_by")
        .order_by("-created_at", "-pk")
    )


def run_get(*, workspace: Workspace, user: Any, playbook: Playbook, run_id: int) -> PlaybookRun:
    """One run of the playbook, or Http404."""
    return get_object_or_404(playbook_runs(workspace=workspace, user=user, playbook=playbook), pk=run_id)


def run_actions(*, workspace: Workspace, user: Any, run: PlaybookRun) -> QuerySet[PlaybookAction]:
    """What the run did (or would do) for whom, by person."""
    return (
        member_rows(PlaybookAction, workspace=workspace, user=user)
        .filter(run=run)
        .select_related("person")
        .order_by("person_id", "pk")
    )


def playbook_choices(*, workspace: Workspace, user: Any) -> dict[str, Any]:
    """What the editor offers: segments and tiers, campaigns, approved content items, members."""
    return {
        "segments": member_rows(Segment, workspace=workspace, user=user).order_by("kind", "rank", "name"),
        "campaigns": member_rows(CouponCampaign, workspace=workspace, user=user).order_by("name"),
        "items": member_rows(ContentItem, workspace=workspace, user=user)
        .filter(status__in=SCHEDULABLE_ITEM)
        .order_by("title"),
        "users": member_users(workspace=workspace, user=user),
    }
