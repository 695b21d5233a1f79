"""Reads of groups: the list, one group, its members, its moderation log, its health and its sharing plan."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from socialops.content.models import ContentItem, Placement
from socialops.core.time import local_today
from socialops.fans.models import Interaction, InteractionKind
from socialops.publishing.models import Publication
from socialops.workspaces.models import Workspace

from ..models.groups import ActionStatus, AppealState, Group, GroupMember, ModerationAction

ATTENTION = (ActionStatus.UNKNOWN, ActionStatus.MANUAL, ActionStatus.FAILED)


def group_list(*, workspace: Workspace) -> QuerySet[Group]:
    """The workspace's groups with their present members and open moderation tasks counted."""
    return (
        Group.objects.filter(workspace=workspace)
        .select_related("account")
        .annotate(
            present=Count(
                "members", filter=Q(members__left_at__isnull=True, members__banned=False), distinct=True
            ),
            open_tasks=Count(
                "moderation_actions", filter=Q(moderation_actions__status__in=ATTENTION), distinct=True
            ),
        )
        .order_by("name", "pk")
    )


def group_get(*, workspace: Workspace, group_id: int) -> Group:
    """One group of the workspace (404 otherwise)."""
    return get_object_or_404(Group.objects.select_related("account"), workspace=workspace, pk=group_id)


def member_list(*, workspace: Workspace, group: Group, present_only: bool = False) -> QuerySet[GroupMember]:
    """A group's members, the present ones first, newest joins first."""
    rows = GroupMember.objects.filter(workspace=workspace, group=group).select_related("person")
    if present_only:
        rows = rows.filter(left_at__isnull=True, banned=False)
    return rows.order_by("left_at", "-joined_at", "pk")


def action_list(
    *, workspace: Workspace, group: Group | None = None, status: str = "", appeals: bool = False
) -> QuerySet[ModerationAction]:
    """Moderation actions, newest first; of one group, one status, or those with an appeal waiting."""
    rows = ModerationAction.objects.filter(workspace=workspace).select_related("group", "member", "message")
    if group is not None:
        rows = rows.filter(group=group)
    if status == "attention":
        rows = rows.filter(status__in=ATTENTION)
    elif status:
        rows = rows.filter(status=status)
    if appeals:
        rows = rows.filter(appeal_state=AppealState.PENDING)
    return rows.order_by("-created_at", "-pk")


def action_get(*, workspace: Workspace, action_id: int) -> ModerationAction:
    """One moderation action of the workspace (404 otherwise)."""
    return get_object_or_404(
        ModerationAction.objects.select_related("group", "member", "message"),
        workspace=workspace,
        pk=action_id,
    )


def group_messages(*, workspace: Workspace, group: Group, limit: int = 50) -> list[Interaction]:
    """The group's latest messages (group interactions), newest first."""
    return list(
        Interaction.objects.filter(
            workspace=workspace, kind=InteractionKind.GROUP_MESSAGE, meta__group=group.pk
        )
        .select_related("fan")
        .order_by("-occurred_at", "-pk")[:limit]
    )


def group_health(*, workspace: Workspace, group: Group, days: int = 30) -> dict[str, Any]:
    """Per local day: joins, leaves, messages and moderation actions; members now and active shares."""
    tz = workspace.tz
    today = local_today(workspace)
    first = today - dt.timedelta(days=days - 1)
    start = dt.datetime.combine(first, dt.time.min, tzinfo=tz)
    members = list(
        GroupMember.objects.filter(workspace=workspace, group=group).values("joined_at", "left_at", "banned")
    )
    joins = Counter(
        m["joined_at"].astimezone(tz).date() for m in members if m["joined_at"] and m["joined_at"] >= start
    )
    leaves = Counter(
        m["left_at"].astimezone(tz).date() for m in members if m["left_at"] and m["left_at"] >= start
    )
    messages = Interaction.objects.filter(
        workspace=workspace, kind=InteractionKind.GROUP_MESSAGE, meta__group=group.pk, occurred_at__gte=start
    ).values_list("occurred_at", "fan_id")
    per_day: Counter[dt.date] = Counter()
    speakers: dict[int, dt.datetime] = {}
    for at, fan_id in messages:
        per_day[at.astimezone(tz).date()] += 1
        if fan_id is not None and (fan_id not in speakers or at > speakers[fan_id]):
            speakers[fan_id] = at
    actions = Counter(
        at.astimezone(tz).date()
        for at in ModerationAction.objects.filter(
            workspace=workspace, group=group, created_at__gte=start
        ).values_list("created_at", flat=True)
    )
    present_fans = set(
        GroupMember.objects.filter(
            workspace=workspace, group=group, left_at__isnull=True, banned=False, fan__isnull=False
        ).values_list("fan_id", flat=True)
    )
    now = timezone.now()
    active_7 = sum(1 for f, at in speakers.items() if f in present_fans and at >= now - dt.timedelta(days=7))
    active_30 = sum(1 for f in speakers if f in present_fans)
    present = sum(1 for m in members if m["left_at"] is None and not m["banned"])
    rows = []
    for offset in range(days):
        day = first + dt.timedelta(days=offset)
        rows.append(
            {
                "day": day,
                "joins": joins[day],
                "leaves": leaves[day],
                "messages": per_day[day],
                "actions": actions[day],
            }
        )
    return {
        "days": rows,
        "members": present,
        "active_7": active_7,
        "active_30": active_30,
        "share_7": active_7 / present if present else 0.0,
        "share_30": active_30 / present if present else 0.0,
        "messages_total": sum(per_day.values()),
        "actions_total": sum(actions.values()),
    }


def group_plan(*, workspace: Workspace, group: Group) -> dict[str, Any]:
    """The group's sharing plan: its account's upcoming placements and recent publications."""
    if group.account_id is None:
        return {"upcoming": [], "past": []}
    now = timezone.now()
    upcoming = list(
        Placement.objects.filter(workspace=workspace, account_id=group.account_id, starts_at__gte=now)
        .select_related("item")
        .order_by("starts_at")[:30]
    )
    past = list(
        Publication.objects.filter(workspace=workspace, account_id=group.account_id)
        .select_related("item")
        .order_by("-due_at")[:30]
    )
    return {"upcoming": upcoming, "past": past}


def placeable_items(*, workspace: Workspace) -> QuerySet[ContentItem]:
    """Approved content items that could be placed on a group's plan."""
    return ContentItem.objects.filter(workspace=workspace, status="approved").order_by("-updated_at", "pk")
