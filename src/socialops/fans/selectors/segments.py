"""Reads of segments and tiers: lists, members, events and size history (members of the workspace)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import F, OuterRef, QuerySet, Subquery
from django.http import Http404
from django.utils.translation import gettext as _

from socialops.core.time import local_today
from socialops.workspaces.access import membership_get, user_can
from socialops.workspaces.models import Workspace
from socialops.workspaces.roles import Perm

from ..models import Person, Segment, SegmentDailySize, SegmentEvent, SegmentEventKind, SegmentKind


def segment_list(*, workspace: Workspace, user: Any, kind: str | None = None) -> QuerySet[Segment]:
    """The workspace's tiers (ladder order) then segments (by name)."""
    membership_get(workspace=workspace, user=user)
    qs = Segment.objects.filter(workspace=workspace).order_by("kind", "rank", "name", "pk")
    return qs.filter(kind=kind) if kind else qs


def segment_get(*, workspace: Workspace, user: Any, segment_id: int) -> Segment:
    """One segment or tier of this workspace, or Http404."""
    segment = segment_list(workspace=workspace, user=user).filter(pk=segment_id).first()
    if segment is None:
        raise Http404(_("Not found."))
    return segment


def segments_for_system(*, workspace: Workspace) -> QuerySet[Segment]:
    """Tiers then segments, for the command line (no user)."""
    return Segment.objects.filter(workspace=workspace).order_by("kind", "rank", "name", "pk")


def identity_visible(*, workspace: Workspace, user: Any) -> bool:
    """True when the user may see real names (fans.identity); others see pseudonyms."""
    return user_can(workspace=workspace, user=user, perm=Perm.FANS_IDENTITY)


def segment_members(*, workspace: Workspace, user: Any, segment: Segment) -> QuerySet[Person]:
    """The segment's current members, most recent entrants first.

    A tier's members are the people whose Person.tier it is (tiers have no membership rows);
    they are ordered by their last "entered" event of the tier.
    """
    membership_get(workspace=workspace, user=user)
    if segment.kind == SegmentKind.TIER:
        entered = SegmentEvent.objects.filter(
            workspace=workspace, segment=segment, person=OuterRef("pk"), kind=SegmentEventKind.ENTERED
        ).order_by("-at")
        return (
            Person.objects.filter(workspace=workspace, tier=segment)
            .select_related("tier")
            .annotate(entered_at=Subquery(entered.values("at")[:1]))
            .order_by(F("entered_at").desc(nulls_last=True), "pk")
        )
    return (
        Person.objects.filter(workspace=workspace, segment_memberships__segment=segment)
        .select_related("tier")
        .order_by("-segment_memberships__entered_at", "pk")
    )


def segment_events(*, workspace: Workspace, user: Any, segment: Segment) -> QuerySet[SegmentEvent]:
    """People entering and leaving the segment, newest first."""
    membership_get(workspace=workspace, user=user)
    return SegmentEvent.objects.filter(workspace=workspace, segment=segment).order_by("-at", "-pk")


def size_history(
    *,
    workspace: Workspace,
    user: Any,
    kind: str = SegmentKind.TIER,
    segment: Segment | None = None,
    days: int = 90,
) -> dict[str, Any]:
    """Daily sizes over the last ``days`` local days: {"dates": [...], "series": [{segment, sizes}]}.

    A day without a refresh repeats nothing: its size is None (a gap in the chart).
    """
    membership_get(workspace=workspace, user=user)
    end = local_today(workspace)
    start = end - dt.timedelta(days=days - 1)
    segments = (
        [segment] if segment is not None else list(segment_list(workspace=workspace, user=user, kind=kind))
    )
    rows = SegmentDailySize.objects.filter(
        workspace=workspace, segment__in=segments, date__gte=start, date__lte=end
    ).values_list("segment_id", "date", "size")
    sizes: dict[int, dict[dt.date, int]] = {}
    for segment_id, day, size in rows:
        sizes.setdefault(segment_id, {})[day] = size
    recorded = sorted({d for by_day in sizes.values() for d in by_day})
    return {
        "dates": recorded,
        "series": [{"segment": s, "sizes": [sizes.get(s.pk, {}).get(d) for d in recorded]} for s in segments],
    }
