"""The audit log: every service write records who, what, when, before and after."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Callable
from typing import Any

from django.db import models

from socialops.core.actors import user_or_none

from .models import AuditEntry, Workspace

# Fields that must never be copied into the audit log.
SECRET_FIELDS = {"password", "key_hash", "credentials", "secret", "token"}


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    return value


def snapshot(obj: models.Model, *, exclude: set[str] | None = None) -> dict[str, Any]:
    """A JSON-safe dict of an object's concrete fields and many-to-many ids."""
    skip = SECRET_FIELDS | (exclude or set())
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if field.name in skip:
            continue
        data[field.name] = _json_value(getattr(obj, field.attname))
    if obj.pk is not None:
        for m2m in obj._meta.many_to_many:
            if m2m.name not in skip:
                data[m2m.name] = sorted(getattr(obj, m2m.name).values_list("pk", flat=True))
    return data


def edit_snapshot(obj: models.Model) -> dict[str, Any]:
    """``snapshot`` without ``updated_at``, which every save changes: the audit entry then diffs only the edit."""
    return snapshot(obj, exclude={"updated_at"})


def audit_record(
    *,
    workspace: Workspace | None,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    object_repr: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """Write one audit entry; call it inside the service's transaction."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)
    if before is not None and after is not None:
        # Keep only what changed, so the log reads as a diff.
        changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
        before = {k: before.get(k) for k in sorted(changed)}
        after = {k: after.get(k) for k in sorted(changed)}
    user = user_or_none(actor)
    return AuditEntry.objects.create(
        workspace=workspace,
        actor=user,
        actor_name=getattr(user, "username", "") or "system",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        object_repr=object_repr[:200],
        before=_json_value(before) if before is not None else None,
        after=_json_value(after) if after is not None else None,
    )


def audit_saved(
    obj: models.Model,
    *,
    workspace: Workspace | None,
    actor: Any,
    action: str,
    before: dict[str, Any] | None = None,
    snap: Callable[[Any], dict[str, Any]] = snapshot,
) -> AuditEntry:
    """Record ``action`` on ``obj`` just written: ``before`` (None for a creation) against ``snap(obj)`` now."""
    return audit_record(
        workspace=workspace, actor=actor, action=action, obj=obj, before=before, after=snap(obj)
    )


def audit_delete(
    obj: models.Model,
    *,
    workspace: Workspace | None,
    actor: Any,
    action: str,
    before: dict[str, Any] | None = None,
    snap: Callable[[Any], dict[str, Any]] = snapshot,
) -> None:
    """Record ``action`` with ``obj``'s last state (``before``, else ``snap(obj)``), then delete it."""
    # Recorded first: after the deletion the object has no pk (and its relations are gone).
    audit_record(
        workspace=workspace,
        actor=actor,
        action=action,
        obj=obj,
        before=snap(obj) if before is None else before,
    )
    obj.delete()
