"""Background jobs of segments: the daily refresh of every workspace and "refresh now" (Huey).

Jobs take ids only; a refresh run twice in a row changes nothing the second time.
"""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from socialops.workspaces.models import Workspace

from ..models import Person
from ..services import segments as svc

log = logging.getLogger(__name__)


@db_task()
def segments_refresh_workspace(workspace_id: int) -> int:
    """Refresh one workspace's scores, tiers and segments; returns how many segments were refreshed."""
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is None:
        return 0
    return len(svc.segments_refresh(workspace=workspace, actor=None))


@db_periodic_task(crontab(hour="3", minute="30"))
def segments_refresh_daily() -> int:
    """Every night: refresh every workspace that has people (so each day gets its tier sizes)."""
    refreshed = 0
    ids = Person.objects.values_list("workspace_id", flat=True).distinct()
    for workspace in Workspace.objects.filter(pk__in=list(ids)):
        try:
            svc.segments_refresh(workspace=workspace, actor=None)
        except Exception:  # one workspace's failure must not stop the others' refresh
            log.exception("segments refresh failed for workspace %s", workspace.pk)
            continue
        refreshed += 1
    return refreshed
