"""Reads of post history, column mappings and post import runs; any member may read them."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, F, QuerySet
from django.shortcuts import get_object_or_404

from socialops.accounts.models import SocialAccount
from socialops.accounts.selectors import account_get, account_list
from socialops.core.imports import mapping_find
from socialops.workspaces.models import Workspace
from socialops.workspaces.selectors import member_rows

from .models import ColumnMapping, PostImport, PostRecord


def analytics_account_list(*, workspace: Workspace, user: Any) -> QuerySet[SocialAccount]:
    """The workspace's accounts (ours first), each with ``post_count``, its number of recorded posts."""
    return account_list(workspace=workspace, user=user).annotate(post_count=Count("post_records"))


def analytics_account_get(*, workspace: Workspace, user: Any, account_id: int) -> SocialAccount:
    """One account of this workspace, or Http404."""
    return account_get(workspace=workspace, user=user, account_id=account_id)


def post_list(*, workspace: Workspace, user: Any, account: SocialAccount) -> QuerySet[PostRecord]:
    """An account's posts, newest first; posts without a date keep the order of their import."""
    return (
        member_rows(PostRecord, workspace=workspace, user=user)
        .filter(account=account)
        .order_by(F("published_at").desc(nulls_last=True), "id")
    )


def column_mapping_list(*, workspace: Workspace, user: Any) -> QuerySet[ColumnMapping]:
    """The workspace's saved column mappings by name."""
    return (
        member_rows(ColumnMapping, workspace=workspace, user=user)
        .select_related("created_by")
        .order_by("name", "id")
    )


def column_mapping_get(*, workspace: Workspace, user: Any, mapping_id: int) -> ColumnMapping:
    """One mapping of this workspace, or Http404."""
    return get_object_or_404(column_mapping_list(workspace=workspace, user=user), pk=mapping_id)


def column_mapping_find(*, workspace: Workspace, ref: Any) -> ColumnMapping | None:
    """A mapping by id or by name (case-insensitive), for code that already checked access; None if none."""
    return mapping_find(ColumnMapping.objects.filter(workspace=workspace), ref)


def post_import_list(
    *, workspace: Workspace, user: Any, account: SocialAccount | None = None
) -> QuerySet[PostImport]:
    """Runs of post imports in the workspace (optionally of one account), newest first."""
    qs = member_rows(PostImport, workspace=workspace, user=user).select_related(
        "created_by", "mapping", "account"
    )
    if account is not None:
        qs = qs.filter(account=account)
    return qs.order_by("-created_at", "-id")


def last_mapping_id(*, workspace: Workspace, account: SocialAccount) -> int | None:
    """The column mapping the account's latest post import used (None when it has none)."""
    return (
        PostImport.objects.filter(workspace=workspace, account=account, mapping__isnull=False)
        .order_by("-pk")
        .values_list("mapping_id", flat=True)
        .first()
    )
