"""Metrics sync: pull account and post figures through the connectors into snapshots and post records.

The periodic task runs ``sync_all`` every 15 minutes. For each connected account it asks the
platform for the account's counters (today's ``MetricSnapshot``, source "sync") and for the
counters of every post we published there (one ``PostRecord`` per platform post id), so goals
and analytics move as posts gain engagement. Network calls happen outside the database
transaction; each account's writes are one transaction. A failing account is logged and noted
on its connection without stopping the others.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from socialops.accounts.selectors import workspace_today
from socialops.analytics.services import post_record_upsert
from socialops.goals.models import MetricSnapshot
from socialops.goals.services.metrics import snapshot_upsert
from socialops.platforms.connectors.base import (
    AccountMetrics,
    AuthExpired,
    AuthRevoked,
    Capability,
    ConnectorError,
    NotSupported,
    PostMetrics,
    RenewalLimitReached,
)
from socialops.platforms.credentials import CredentialsUnreadable
from socialops.platforms.models import ConnectionStatus, PlatformConnection
from socialops.platforms.registry import connector_for
from socialops.platforms.services import connections as connection_services
from socialops.workspaces.models import Workspace

from . import services
from .engine import build_post
from .models import Publication, PublicationState

log = logging.getLogger(__name__)

T = TypeVar("T")

# AccountMetrics fields that MetricSnapshot also has (the rest, e.g. following_total, have no column).
ACCOUNT_FIELDS = ("followers_total", "new_followers", "lost_followers", "impressions", "reach")
POST_FIELDS = ("likes", "comments", "shares", "saves", "impressions", "reach", "clicks")
# The figures whose sum is a post's engagements (as the import's "sum" option counts them).
ENGAGEMENT_FIELDS = ("likes", "comments", "shares", "saves")
# Marks our own note on a connection, so a later successful sync clears it and nothing else.
ERROR_PREFIX = "metrics sync: "


class SyncAuthRevoked(Exception):
    """The platform refused the account's authorisation; the connection now needs re-authorisation."""


def _options() -> dict[str, Any]:
    return {"timeout": float(getattr(settings, "PUBLISHING_CONNECTOR_TIMEOUT", 20.0))}


def _call(connection: PlatformConnection, capability: Capability, fn: Callable[[Any], T]) -> T | None:
    """Run ``fn(connector)``; None when the connector lacks the capability.

    An expired token is refreshed once and the call repeated; a revoked one marks the connection
    as needing re-authorisation (as the publishing engine does) and raises SyncAuthRevoked.
    """
    refreshed = False
    while True:
        try:
            connector = connector_for(connection, **_options())
        except CredentialsUnreadable as exc:
            _revoked(connection, str(exc) or _("The stored credentials cannot be decrypted."))
        if not connector.supports(capability):
            connector.close()
            return None
        try:
            with connector:
                return fn(connector)
        except AuthExpired as exc:
            if refreshed:
                _revoked(connection, exc.message or str(exc))
            try:
                connection_services.connection_refresh(connection=connection)
            except (AuthRevoked, NotSupported, CredentialsUnreadable) as exc2:
                _revoked(connection, str(exc2) or exc.message)
            refreshed = True
        except AuthRevoked as exc:
            _revoked(connection, exc.message or str(exc))


def _revoked(connection: PlatformConnection, message: str) -> Any:
    services.connection_lost(connection=connection, message=message)
    raise SyncAuthRevoked(message)


def sync_account_metrics(
    *, workspace: Workspace, connection: PlatformConnection, today: dt.date | None = None
) -> tuple[MetricSnapshot | None, str]:
    """Store the account figures the platform reports (today's, or the finished day it reports): (snapshot, "created"/"updated"/"unchanged"/"skipped")."""
    if not connection.is_publishable:
        return None, "skipped"
    metrics: AccountMetrics | None = _call(
        connection, Capability.ACCOUNT_METRICS, lambda c: c.fetch_account_metrics()
    )
    if metrics is None:
        return None, "skipped"
    values = {name: getattr(metrics, name) for name in ACCOUNT_FIELDS if getattr(metrics, name) is not None}
    if not values:
        return None, "skipped"
    # Figures for a finished day (WeChat's data cube reports yesterday) belong to that day.
    day = min(today or workspace_today(workspace), timezone.localtime(metrics.as_of, workspace.tz).date())
    return snapshot_upsert(
        workspace=workspace,
        actor=None,
        account=connection.account,
        date=day,
        values=values,
        source="sync",
    )


def _post_fields(workspace: Workspace, pub: Publication, metrics: PostMetrics) -> dict[str, Any]:
    published_at = pub.published_at or metrics.as_of
    local = timezone.localtime(published_at, workspace.tz)
    item = pub.item
    fields: dict[str, Any] = {
        "published_at": published_at,
        "month": local.month,
        "weekday": local.isoweekday(),
        "hour": local.hour,
        "text": build_post(pub, media=False).text,
        "content_item": item,
        "form": item.form,
        "theme": item.theme,
        "source": "sync",
    }
    for name in POST_FIELDS:
        value = getattr(metrics, name)
        if value is not None:
            fields[name] = value
    reported = [getattr(metrics, name) for name in ENGAGEMENT_FIELDS if getattr(metrics, name) is not None]
    if reported:
        fields["engagements"] = sum(reported)
    return fields


def sync_post_metrics(
    *, workspace: Workspace, connection: PlatformConnection, since: dt.datetime
) -> dict[str, int]:
    """Upsert a post record for every post of the account published since ``since``; counts by outcome."""
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    if not connection.is_publishable:
        return counts
    pubs = list(
        Publication.objects.filter(
            workspace=workspace,
            account_id=connection.account_id,
            state=PublicationState.PUBLISHED,
            published_at__gte=since,
        )
        .exclude(external_id="")
        .select_related("item", "item__theme", "variant")
        .order_by("published_at", "pk")
    )
    if not pubs:
        return counts

    def fetch(connector: Any) -> list[PostMetrics]:
        return [connector.fetch_post_metrics(pub.external_id) for pub in pubs]

    fetched = _call(connection, Capability.POST_METRICS, fetch)
    if fetched is None:
        return counts
    with transaction.atomic():
        for pub, metrics in zip(pubs, fetched, strict=True):
            _record, outcome = post_record_upsert(
                workspace=workspace,
                actor=None,
                account=connection.account,
                external_id=pub.external_id,
                **_post_fields(workspace, pub, metrics),
            )
            counts[outcome] += 1
    return counts


def _note_error(connection: PlatformConnection, message: str | None) -> None:
    # Operational status of the connection, like the engine's own bookkeeping: not a user edit.
    rows = PlatformConnection.objects.filter(pk=connection.pk)
    if message is None:
        rows.filter(last_error__startswith=ERROR_PREFIX).update(last_error="", last_error_at=None)
    else:
        rows.update(last_error=(ERROR_PREFIX + message)[:2000], last_error_at=timezone.now())


def sync_connection(
    *, workspace: Workspace, connection: PlatformConnection, since: dt.datetime | None = None
) -> bool:
    """Sync one account's figures and posts; False when it failed (logged and noted on the connection)."""
    if since is None:
        days = float(getattr(settings, "METRICS_SYNC_POST_DAYS", 30))
        since = timezone.now() - dt.timedelta(days=days)
    try:
        sync_account_metrics(workspace=workspace, connection=connection)
        sync_post_metrics(workspace=workspace, connection=connection, since=since)
    except SyncAuthRevoked:
        log.warning("metrics sync: account %s needs re-authorisation", connection.account_id)
        return False
    except Exception as exc:  # noqa: BLE001 — one account's failure must not stop the others
        log.exception("metrics sync: account %s failed", connection.account_id)
        _note_error(connection, getattr(exc, "message", "") or f"{type(exc).__name__}: {exc}")
        return False
    _note_error(connection, None)
    return True


def sync_workspace(workspace_id: int) -> int:
    """Sync every connected account of one workspace; returns how many synced cleanly."""
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is None:
        return 0
    ok = 0
    ids = list(
        PlatformConnection.objects.filter(workspace=workspace, status=ConnectionStatus.CONNECTED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for pk in ids:
        connection = PlatformConnection.objects.select_related("account").filter(pk=pk).first()
        if connection is not None and sync_connection(workspace=workspace, connection=connection):
            ok += 1
    return ok


def sync_all() -> int:
    """Sync every workspace's connected accounts; returns how many accounts synced cleanly."""
    ids = list(
        PlatformConnection.objects.filter(status=ConnectionStatus.CONNECTED)
        .order_by("workspace_id")
        .values_list("workspace_id", flat=True)
        .distinct()
    )
    return sum(sync_workspace(ws_id) for ws_id in ids)


def connector_call(
    connection: PlatformConnection, capability: Capability, fn: Callable[[Any], T]
) -> T | None:
    """``fn(connector)`` for other apps' reads and replies (fans sources, inbox replies), with the
    same token refresh and revocation handling as the metrics sync; None without the capability."""
    return _call(connection, capability, fn)


# ---- keeping authorisations alive ------------------------------------------------------------

# Renew a refresh token this long before it ends (the daily job gets several tries), and warn
# admins this long before an authorisation that can no longer be renewed ends.
RENEW_BEFORE = dt.timedelta(days=5)
WARN_BEFORE = dt.timedelta(days=7)


def connection_keep_alive(*, connection: PlatformConnection, now: dt.datetime | None = None) -> str:
    """Keep a connection's refresh token alive where the platform limits its life (Douyin).

    Returns what happened: "unsupported", "unknown" (the platform did not date the token),
    "ok", "renewed", "warned" (no renewal left and the end is near) or "revoked".
    """
    now = now or timezone.now()
    if connection.status != ConnectionStatus.CONNECTED:
        return "unsupported"
    try:
        with connector_for(connection, **_options()) as connector:
            limit = type(connector).refresh_renewal_limit
    except CredentialsUnreadable:
        return "unsupported"
    if limit is None:
        return "unsupported"
    credentials = connection.get_credentials()
    if not credentials.refresh_token:
        return "unsupported"
    try:
        if credentials.refresh_expires_at is None:
            # A refresh answer dates the refresh token without using up a renewal.
            credentials = connection_services.connection_refresh(connection=connection)
        if credentials.refresh_expires_at is None:
            return "unknown"
        left = credentials.refresh_expires_at - now
        if left <= RENEW_BEFORE and credentials.refresh_renewals < limit:
            try:
                connection_services.connection_renew_refresh_token(connection=connection)
                return "renewed"
            except RenewalLimitReached:
                credentials = connection.get_credentials()
    except AuthRevoked as exc:
        services.connection_lost(connection=connection, message=exc.message or str(exc))
        return "revoked"
    except ConnectorError as exc:
        # Tomorrow's run tries again; RENEW_BEFORE leaves several days for that.
        log.warning("keep-alive of connection %s failed: %s", connection.pk, exc)
        return "ok"
    ends_at = credentials.refresh_expires_at
    if credentials.refresh_renewals >= limit and ends_at is not None and left <= WARN_BEFORE:
        workspace = connection.workspace
        ends = ends_at.astimezone(workspace.tz)
        # Stored text: in the workspace's language, whoever's worker writes it.
        with translation.override(workspace.locale):
            message = _(
                "The authorisation of this account ends on %(date)s and the platform allows no further "
                "renewal: connect the account again before then, or publishing to it stops."
            ) % {"date": ends.strftime("%Y-%m-%d %H:%M")}
        services.alert_account_admins(workspace=workspace, account_id=connection.account_id, message=message)
        return "warned"
    return "ok"


def keep_alive_all(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Run connection_keep_alive for every connected account; counts by outcome."""
    counts: dict[str, int] = {}
    for connection in PlatformConnection.objects.filter(status=ConnectionStatus.CONNECTED).select_related(
        "workspace"
    ):
        outcome = connection_keep_alive(connection=connection, now=now)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts
