"""API: daily metric snapshots, one-day corrections, and metrics file imports with their history."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, File, Form, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate
from ninja.params import P, PathEx, QueryEx

from socialops.accounts.selectors import account_get
from socialops.core.api import IsoDate, attribute, username_of
from socialops.core.imports import (
    INT32_MAX,
    INT64_MAX,
    MAX_IMPORT_BYTES,
    ImportRejectedOut,
    file_too_large,
    rejected_report,
)
from socialops.workspaces.access import ensure_perm
from socialops.workspaces.api import api_select, api_workspace
from socialops.workspaces.roles import Perm

from ..imports import REVENUE_MAX_DIGITS
from ..selectors import metrics as selectors
from ..services import metrics as services

router = Router(tags=["metrics"])


class SnapshotOut(Schema):
    id: int
    account_id: int
    account_handle: str
    date: dt.date
    followers_total: int | None
    new_followers: int | None
    lost_followers: int | None
    impressions: int | None
    reach: int | None
    likes: int | None
    comments: int | None
    shares: int | None
    saves: int | None
    link_clicks: int | None
    leads: int | None
    coupon_redemptions: int | None
    orders: int | None
    revenue: Decimal | None
    posts: int | None
    engagements: int | None = Field(
        None, description="likes + comments + shares + saves (None when all unknown)"
    )
    source: str
    updated_at: dt.datetime

    resolve_account_handle = attribute("account.handle")


class SnapshotWriteOut(SnapshotOut):
    result: str = Field(..., description="created, updated or unchanged")


class SnapshotIn(Schema):
    """Figures of one day. Fields left out stay as they are; null clears a figure to unknown."""

    followers_total: int | None = Field(None, ge=0, le=INT32_MAX)
    new_followers: int | None = Field(None, ge=0, le=INT32_MAX)
    lost_followers: int | None = Field(None, ge=0, le=INT32_MAX)
    impressions: int | None = Field(None, ge=0, le=INT64_MAX)
    reach: int | None = Field(None, ge=0, le=INT64_MAX)
    likes: int | None = Field(None, ge=0, le=INT32_MAX)
    comments: int | None = Field(None, ge=0, le=INT32_MAX)
    shares: int | None = Field(None, ge=0, le=INT32_MAX)
    saves: int | None = Field(None, ge=0, le=INT32_MAX)
    link_clicks: int | None = Field(None, ge=0, le=INT32_MAX)
    leads: int | None = Field(None, ge=0, le=INT32_MAX)
    coupon_redemptions: int | None = Field(None, ge=0, le=INT32_MAX)
    orders: int | None = Field(None, ge=0, le=INT32_MAX)
    revenue: Decimal | None = Field(None, ge=0, max_digits=REVENUE_MAX_DIGITS, decimal_places=2)
    posts: int | None = Field(None, ge=0, le=INT32_MAX)


class MetricImportOut(Schema):
    id: int
    file_name: str
    sha256: str
    rows: int
    created: int
    updated: int
    unchanged: int
    created_by: str
    created_at: dt.datetime

    resolve_created_by = username_of("created_by", missing="")


@router.get("/workspaces/{slug}/metrics", response=list[SnapshotOut], summary="Daily metric snapshots")
@paginate
def snapshot_list(
    request: HttpRequest,
    slug: str,
    account: QueryEx[str | None, P(max_length=100, description="account id or handle")] = None,
    since: IsoDate | None = None,
    until: IsoDate | None = None,
) -> Any:
    workspace = api_workspace(request, slug)
    chosen = None
    if account:
        chosen = selectors.metrics_account_get(workspace=workspace, user=request.user, ref=account)
    return selectors.snapshot_list(
        workspace=workspace, user=request.user, account=chosen, since=since, until=until
    )


@router.put(
    "/workspaces/{slug}/accounts/{account_id}/metrics/{date}",
    response=SnapshotWriteOut,
    summary="Enter or correct one account's figures for one day",
)
def snapshot_put(
    request: HttpRequest,
    slug: str,
    account_id: PathEx[int, P(ge=1, le=INT64_MAX)],
    date: dt.date,
    payload: SnapshotIn,
) -> Any:
    workspace = api_workspace(request, slug)
    account = account_get(workspace=workspace, user=request.user, account_id=account_id)
    snap, result = services.snapshot_upsert(
        workspace=workspace,
        actor=request.user,
        account=account,
        date=date,
        values=payload.dict(exclude_unset=True),
        source="api",
    )
    snap.result = result  # type: ignore[attr-defined]
    return snap


@router.post(
    "/workspaces/{slug}/metrics/import",
    response={200: MetricImportOut, 400: ImportRejectedOut},
    summary="Import a CSV or XLSX metrics file (whole or not at all)",
)
def metrics_import(
    request: HttpRequest,
    slug: str,
    file: File[UploadedFile],
    account: Form[str | None] = None,
) -> Any:
    workspace = api_workspace(request, slug)
    # Checked before the upload is read, so a member without the role learns nothing from it.
    ensure_perm(workspace=workspace, user=request.user, perm=Perm.METRICS_EDIT)
    default_account = None
    if account:
        default_account = selectors.metrics_account_get(
            workspace=workspace, user=request.user, ref=account[:100]
        )
    if file.size is not None and file.size > MAX_IMPORT_BYTES:
        return Status(400, rejected_report([file_too_large()]))
    try:
        record = services.metrics_import(
            workspace=workspace,
            actor=request.user,
            file_name=file.name or "upload",
            content=file.read(),
            account=default_account,
        )
    except services.MetricsImportRejected as exc:
        return Status(400, rejected_report(exc.errors))
    return Status(200, record)


@router.get(
    "/workspaces/{slug}/metrics/imports", response=list[MetricImportOut], summary="Metrics import history"
)
@paginate
def metric_import_list(request: HttpRequest, slug: str) -> Any:
    return api_select(request, slug, selectors.metric_import_list)
