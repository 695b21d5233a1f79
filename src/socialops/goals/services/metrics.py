"""Writes on daily metric snapshots and metrics file imports (R1.3, R4.2), each one audited."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from socialops.accounts.models import SocialAccount
from socialops.accounts.selectors import workspace_today
from socialops.core.actors import user_or_none
from socialops.core.imports import ImportRejected, Progress, TwoPassProgress, batches, import_record_fields
from socialops.workspaces.access import ensure_perm
from socialops.workspaces.audit import audit_record, snapshot
from socialops.workspaces.models import Workspace
from socialops.workspaces.roles import Perm

from ..imports import parse_metrics_file, validate_values
from ..models import MetricImport, MetricSnapshot

# Rows per bulk INSERT/UPDATE: small enough for SQLite's bound-parameter limit, large enough that
# the demo seed's ~1,300 rows take a handful of queries.
BATCH_SIZE = 500

_SOURCE = re.compile(r"^[a-z_]{1,20}$")


class MetricsImportRejected(ImportRejected):
    """A metrics file had problems; nothing was written. ``errors`` lists every one of them."""


def _check_actor(workspace: Workspace, actor: Any) -> None:
    if actor is not None:
        ensure_perm(workspace=workspace, user=actor, perm=Perm.METRICS_EDIT)


def _check_source(source: str) -> None:
    if not isinstance(source, str) or not _SOURCE.match(source):
        raise ValidationError({"source": [_("Unknown source.")]})


def _validate_day(
    *, workspace: Workspace, account: Any, date: Any, values: Any, today: dt.date
) -> tuple[dt.date, dict[str, Any]]:
    """Clean one account-day or raise ValidationError naming each bad field."""
    errors: dict[str, list[str]] = {}
    if not isinstance(account, SocialAccount) or account.workspace_id != workspace.pk:
        errors["account"] = [_("Choose an account of this workspace.")]
    if isinstance(date, dt.datetime):
        date = date.date()
    if not isinstance(date, dt.date):
        errors["date"] = [_("Enter a valid date.")]
    elif date > today:
        errors["date"] = [_("The date is in the future.")]
    if not isinstance(values, dict):
        errors["__all__"] = [_("Figures must be given as field: value pairs.")]
        clean: dict[str, Any] = {}
    else:
        clean, value_errors = validate_values(values)
        for name, message in value_errors.items():
            errors.setdefault(name, []).append(message)
    if errors:
        raise ValidationError(errors)
    return date, clean


def _label(account: SocialAccount, date: dt.date) -> str:
    return f"{account.handle} {date.isoformat()}"


@transaction.atomic
def snapshot_upsert(
    *,
    workspace: Workspace,
    actor: Any,
    account: SocialAccount,
    date: dt.date,
    values: dict[str, Any],
    source: str = "manual",
) -> tuple[MetricSnapshot, str]:
    """Create or correct one account's figures for one day: "created", "updated" or "unchanged".

    Only the fields named in ``values`` are set (None clears a figure to unknown); an unchanged
    day writes nothing and leaves no audit entry.
    """
    _check_actor(workspace, actor)
    _check_source(source)
    date, clean = _validate_day(
        workspace=workspace, account=account, date=date, values=values, today=workspace_today(workspace)
    )
    existing = (
        MetricSnapshot.objects.select_for_update()
        .filter(workspace=workspace, account=account, date=date)
        .first()
    )
    if existing is None:
        if all(v is None for v in clean.values()):
            raise ValidationError({"__all__": [_("Enter at least one figure.")]})
        created = MetricSnapshot(workspace=workspace, account=account, date=date, source=source, **clean)
        created.save()
        audit_record(
            workspace=workspace,
            actor=actor,
            action="metric_snapshot.create",
            obj=created,
            object_repr=_label(account, date),
            after=snapshot(created, exclude={"updated_at"}),
        )
        return created, "created"

    changed = {name: value for name, value in clean.items() if getattr(existing, name) != value}
    if not changed:
        return existing, "unchanged"
    before = snapshot(existing, exclude={"updated_at"})
    for name, value in changed.items():
        setattr(existing, name, value)
    existing.source = source
    existing.save()
    audit_record(
        workspace=workspace,
        actor=actor,
        action="metric_snapshot.update",
        obj=existing,
        object_repr=_label(account, date),
        before=before,
        after=snapshot(existing, exclude={"updated_at"}),
    )
    return existing, "updated"


def _write_rows(
    *,
    workspace: Workspace,
    rows: Sequence[tuple[SocialAccount, dt.date, dict[str, Any]]],
    source: str,
    on_progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Upsert already-validated rows with one read and a few bulk writes; call inside a transaction."""
    counts = {"rows": len(rows), "created": 0, "updated": 0, "unchanged": 0}
    if not rows:
        return counts
    dates = [day for _account, day, _values in rows]
    existing = {
        (snap.account_id, snap.date): snap
        for snap in MetricSnapshot.objects.select_for_update().filter(
            workspace=workspace,
            account_id__in={account.pk for account, _day, _values in rows},
            date__gte=min(dates),
            date__lte=max(dates),
        )
    }
    now = timezone.now()
    to_create: list[MetricSnapshot] = []
    to_update: list[MetricSnapshot] = []
    changed_fields: set[str] = set()
    for account, day, values in rows:
        snap = existing.get((account.pk, day))
        if snap is None:
            to_create.append(
                MetricSnapshot(workspace=workspace, account=account, date=day, source=source, **values)
            )
            continue
        changed = [name for name, value in values.items() if getattr(snap, name) != value]
        if not changed:
            counts["unchanged"] += 1
            continue
        for name in changed:
            setattr(snap, name, values[name])
        snap.source = source
        snap.updated_at = now  # bulk_update does not run auto_now
        changed_fields.update(changed)
        to_update.append(snap)

    done = counts["unchanged"]
    if on_progress is not None:
        on_progress(done)
    try:
        for batch in batches(to_create, BATCH_SIZE):
            MetricSnapshot.objects.bulk_create(batch)
            done += len(batch)
            if on_progress is not None:
                on_progress(done)
        # Every object in to_update carries its other fields as read, so one field list serves all.
        update_fields = [*sorted(changed_fields), "source", "updated_at"]
        for batch in batches(to_update, BATCH_SIZE):
            MetricSnapshot.objects.bulk_update(batch, update_fields)
            done += len(batch)
            if on_progress is not None:
                on_progress(done)
    except IntegrityError as exc:
        # Another writer added the same account-day (or removed an account) since we read.
        raise ValidationError(
            {"__all__": [_("These figures were changed by someone else at the same time; try again.")]}
        ) from exc
    counts["created"] = len(to_create)
    counts["updated"] = len(to_update)
    return counts


@transaction.atomic
def snapshots_upsert_many(
    *,
    workspace: Workspace,
    actor: Any,
    rows: Sequence[tuple[SocialAccount, dt.date, dict[str, Any]]],
    source: str,
) -> dict[str, int]:
    """Upsert many account-days in one transaction with one summary audit entry; all or nothing."""
    _check_actor(workspace, actor)
    _check_source(source)
    today = workspace_today(workspace)
    errors: dict[str, list[str]] = {}
    clean_rows: list[tuple[SocialAccount, dt.date, dict[str, Any]]] = []
    seen: dict[tuple[int, dt.date], int] = {}
    for number, (account, day, values) in enumerate(rows, start=1):
        try:
            day, clean = _validate_day(
                workspace=workspace, account=account, date=day, values=values, today=today
            )
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                errors.setdefault(name, []).extend(
                    _("row %(n)s: %(message)s") % {"n": number, "message": m} for m in messages
                )
            continue
        key = (account.pk, day)
        if key in seen:
            errors.setdefault("date", []).append(
                _("row %(n)s: same account and day as row %(other)s") % {"n": number, "other": seen[key]}
            )
            continue
        seen[key] = number
        clean_rows.append((account, day, clean))
    if errors:
        raise ValidationError(errors)
    counts = _write_rows(workspace=workspace, rows=clean_rows, source=source)
    if counts["created"] or counts["updated"]:
        audit_record(
            workspace=workspace,
            actor=actor,
            action="metric_snapshot.bulk_upsert",
            object_type=MetricSnapshot._meta.label_lower,
            object_repr=_("%(n)s daily snapshots") % {"n": len(clean_rows)},
            after={
                **counts,
                "source": source,
                "accounts": sorted({account.pk for account, _d, _v in clean_rows}),
                "since": min(day for _pk, day in seen),
                "until": max(day for _pk, day in seen),
            },
        )
    return counts


def metrics_import(
    *,
    workspace: Workspace,
    actor: Any,
    file_name: str,
    content: bytes,
    account: SocialAccount | None = None,
    progress: Progress | None = None,
) -> MetricImport:
    """Import a CSV/XLSX metrics file whole or not at all; raises MetricsImportRejected listing every bad row.

    Importing the same file again changes nothing (its rows all count as unchanged), but each run
    is recorded with the file's SHA-256 so the history shows it.
    """
    _check_actor(workspace, actor)
    if account is not None and account.workspace_id != workspace.pk:
        raise ValidationError({"account": [_("Choose an account of this workspace.")]})
    file_name = (file_name or "").replace("\\", "/").rsplit("/", 1)[-1][:255] or "upload"

    # Reading and validating happen before the write transaction opens, so a large file does not
    # hold SQLite's write lock while it is parsed; the writes below are one transaction.
    passes = TwoPassProgress(progress)
    parsed = parse_metrics_file(
        workspace=workspace,
        file_name=file_name,
        content=content,
        default_account=account,
        progress=passes.validating,
    )
    if parsed.errors:
        raise MetricsImportRejected(parsed.errors)

    rows = [(row.account, row.date, row.values) for row in parsed.rows]
    passes.rows = len(rows)

    try:
        with transaction.atomic():
            counts = _write_rows(workspace=workspace, rows=rows, source="import", on_progress=passes.writing)
            record = MetricImport.objects.create(
                workspace=workspace,
                file_name=file_name,
                created_by=user_or_none(actor),
                **import_record_fields(content, counts),
            )
            audit_record(
                workspace=workspace,
                actor=actor,
                action="metric_import.create",
                obj=record,
                after=snapshot(record, exclude={"created_at"}),
            )
    except IntegrityError as exc:
        raise ValidationError(
            {"__all__": [_("These figures were changed by someone else at the same time; try again.")]}
        ) from exc
    return record
