"""Reads of the checks: term lists, settings, link results (any member of the workspace reads them)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404

from socialops.workspaces.access import membership_get
from socialops.workspaces.models import Workspace
from socialops.workspaces.roles import Perm
from socialops.workspaces.selectors import member_row_or_404, member_rows

from ..models import (
    AdLawEntry,
    BannedTerm,
    BrandTerm,
    CheckSettings,
    ItemCheckRun,
    LinkCheck,
    OriginalityIndexState,
    SensitiveList,
    SensitiveTerm,
)


def can_edit_terms(*, workspace: Workspace, user: Any) -> bool:
    """Whether the user may edit the term lists (reviewers and admins)."""
    membership = membership_get(workspace=workspace, user=user)
    return membership.has_perm(Perm.CONTENT_REVIEW) or membership.has_perm(Perm.WORKSPACE_MANAGE)


def check_settings_get(*, workspace: Workspace, user: Any) -> CheckSettings:
    """The workspace's check settings (an unsaved row with the defaults when never changed)."""
    row = member_rows(CheckSettings, workspace=workspace, user=user).first()
    return row or CheckSettings(workspace=workspace)


def adlaw_entry_list(*, workspace: Workspace, user: Any, kind: str | None = None) -> QuerySet[AdLawEntry]:
    """The workspace's Advertising-Law entries, by kind then term."""
    qs = member_rows(AdLawEntry, workspace=workspace, user=user).order_by("kind", "term", "pk")
    return qs.filter(kind=kind) if kind else qs


def adlaw_entry_get(*, workspace: Workspace, user: Any, entry_id: int) -> AdLawEntry:
    """One entry of this workspace (404 otherwise)."""
    return member_row_or_404(AdLawEntry, workspace=workspace, user=user, pk=entry_id)


def sensitive_list_list(*, workspace: Workspace, user: Any) -> QuerySet[SensitiveList]:
    """The workspace's sensitive-word lists with their word counts."""
    return (
        member_rows(SensitiveList, workspace=workspace, user=user)
        .annotate(term_count=Count("terms"))
        .order_by("name", "pk")
    )


def sensitive_list_get(*, workspace: Workspace, user: Any, list_id: int) -> SensitiveList:
    """One list of this workspace (404 otherwise), with its word count."""
    return get_object_or_404(sensitive_list_list(workspace=workspace, user=user), pk=list_id)


def sensitive_term_list(
    *, workspace: Workspace, user: Any, sensitive_list: SensitiveList, q: str | None = None
) -> QuerySet[SensitiveTerm]:
    """The words of a list, alphabetically; ``q`` filters by substring."""
    qs = member_rows(SensitiveTerm, workspace=workspace, user=user).filter(term_list=sensitive_list)
    qs = qs.order_by("term", "pk")
    return qs.filter(term__icontains=q) if q else qs


def sensitive_term_get(
    *, workspace: Workspace, user: Any, sensitive_list: SensitiveList, term_id: int
) -> SensitiveTerm:
    """One word of a list (404 otherwise)."""
    return member_row_or_404(
        SensitiveTerm, workspace=workspace, user=user, term_list=sensitive_list, pk=term_id
    )


def brand_term_list(*, workspace: Workspace, user: Any) -> QuerySet[BrandTerm]:
    """The workspace's brand terms."""
    return member_rows(BrandTerm, workspace=workspace, user=user).order_by("preferred", "pk")


def brand_term_get(*, workspace: Workspace, user: Any, term_id: int) -> BrandTerm:
    """One brand term of this workspace (404 otherwise)."""
    return member_row_or_404(BrandTerm, workspace=workspace, user=user, pk=term_id)


def banned_term_list(*, workspace: Workspace, user: Any) -> QuerySet[BannedTerm]:
    """The workspace's banned slang."""
    return member_rows(BannedTerm, workspace=workspace, user=user).order_by("term", "pk")


def banned_term_get(*, workspace: Workspace, user: Any, term_id: int) -> BannedTerm:
    """One banned term of this workspace (404 otherwise)."""
    return member_row_or_404(BannedTerm, workspace=workspace, user=user, pk=term_id)


def link_check_list(*, workspace: Workspace, user: Any, failed_only: bool = False) -> QuerySet[LinkCheck]:
    """Reachability results of the workspace's links, most recent first."""
    qs = member_rows(LinkCheck, workspace=workspace, user=user).order_by("-checked_at", "url")
    return qs.filter(ok=False) if failed_only else qs


def item_check_run(*, workspace: Workspace, user: Any, item: Any) -> ItemCheckRun | None:
    """The item's last check run (None before the first one)."""
    return member_rows(ItemCheckRun, workspace=workspace, user=user).filter(item=item).first()


def originality_index_info(*, workspace: Workspace, user: Any) -> Any:
    """Size and age of the workspace's originality index (None before it is first built)."""
    return (
        member_rows(OriginalityIndexState, workspace=workspace, user=user)
        .values("doc_count", "built_at", "threshold", "version")
        .first()
    )
