"""Reads of daily metric snapshots and metrics import history; any member may read them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery

from socialops.accounts.models import SocialAccount
from socialops.accounts.selectors import account_get_by_ref, account_list
from socialops.workspaces.access import membership_get
from socialops.workspaces.models import Workspace

from ..models import MetricImport, MetricSnapshot


def metrics_account_list(*, workspace: Workspace, user: Any) -> QuerySet[SocialAccount]:
    """The workspace's accounts (ours first, then competitors') for pickers and filters."""
    return account_list(workspace=workspace, user=user)


def metrics_account_get(*, workspace: Workspace, user: Any, ref: Any) -> SocialAccount:
    """One account of the workspace by id or handle; Http404 if none, ValidationError if ambiguous."""
    return account_get_by_ref(workspace=workspace, user=user, ref=str(ref or "").strip()[:100])


def snapshot_list(
    *,
    workspace: Workspace,
    user: Any,
    account: SocialAccount | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    newest_first: bool = False,
) -> QuerySet[MetricSnapshot]:
    """Daily snapshots of the workspace, optionally of one account and within a date range."""
    membership_get(workspace=workspace, user=user)
    qs = MetricSnapshot.objects.filter(workspace=workspace).select_related("account")
    if account is not None:
        qs = qs.filter(account=account)
    if since is not None:
        qs = qs.filter(date__gte=since)
    if until is not None:
        qs = qs.filter(date__lte=until)
    if newest_first:
        return qs.order_by("-date", "account__handle", "id")
    return qs.order_by("date", "account__handle", "id")


def snapshot_for_day(
    *, workspace: Workspace, user: Any, account: SocialAccount, date: dt.date
) -> MetricSnapshot | None:
    """The account's snapshot of that day, if one was recorded."""
    return snapshot_list(workspace=workspace, user=user, account=account).filter(date=date).first()


def metric_import_list(*, workspace: Workspace, user: Any) -> QuerySet[MetricImport]:
    """Runs of metrics imports in the workspace, newest first."""
    membership_get(workspace=workspace, user=user)
    return (
        MetricImport.objects.filter(workspace=workspace)
        .select_related("created_by")
        .order_by("-created_at", "-id")
    )


def with_latest_followers(
    *, workspace: Workspace, accounts: QuerySet[SocialAccount]
) -> QuerySet[SocialAccount]:
    """``accounts`` each carrying ``latest_followers`` and ``latest_followers_date``.

    From the account's newest snapshot that has a follower figure (None if none), fetched in the
    same query. The accounts app asks for this through ``accounts.hooks.latest_followers``
    (connected in goals/receivers.py): it sits below goals and cannot read the snapshots itself.
    """
    latest = MetricSnapshot.objects.filter(
        workspace=workspace, account=OuterRef("pk"), followers_total__isnull=False
    ).order_by("-date")
    return accounts.annotate(
        latest_followers=Subquery(latest.values("followers_total")[:1]),
        latest_followers_date=Subquery(latest.values("date")[:1]),
    )
