"""Daily budgets for rationed platform endpoints, counted in the database so every worker shares them."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F

from .models import ApiCallCount, PlatformConnection


def api_call_spend(*, connection: PlatformConnection, endpoint: str, day: dt.date, limit: int) -> bool:
    """Count one call of ``endpoint`` for the connection on ``day``; False (nothing counted) once ``limit`` is used.

    Operational bookkeeping of the workers, like a connection's last error: no audit entry. The
    conditional UPDATE makes two processes spending the last call race safely: one of them wins.
    """
    if limit <= 0:
        return False
    rows = ApiCallCount.objects.filter(connection=connection, endpoint=endpoint, day=day)
    with transaction.atomic():
        if not rows.exists():
            try:
                with transaction.atomic():
                    ApiCallCount.objects.create(
                        workspace_id=connection.workspace_id,
                        connection=connection,
                        endpoint=endpoint,
                        day=day,
                    )
            except IntegrityError:  # another worker created today's row first
                pass
        return bool(rows.filter(calls__lt=limit).update(calls=F("calls") + 1))


def api_calls_used(*, connection: PlatformConnection, endpoint: str, day: dt.date) -> int:
    """Calls of ``endpoint`` counted for the connection on ``day``."""
    row = ApiCallCount.objects.filter(connection=connection, endpoint=endpoint, day=day).first()
    return row.calls if row else 0
