"""Huey jobs of the community app: groups.

The periodic sync reads every Telegram group's new updates and every WeCom group's members; it
is idempotent (a message is stored once by its platform id, the cursor only moves forward).
"""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from ..models.groups import Group, GroupKind

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*/2"))
def sync_groups() -> int:
    """Every two minutes: new messages, joins and leaves of the Telegram groups (WeCom members hourly)."""
    from django.utils import timezone

    from ..services.groups import group_sync

    count = 0
    minute = timezone.now().minute
    for group in Group.objects.exclude(kind=GroupKind.MANUAL).select_related("workspace", "account"):
        if group.kind == GroupKind.WECOM and minute >= 2:
            continue
        try:
            count += group_sync(workspace=group.workspace, group=group)
        except Exception:  # noqa: BLE001 - one group's failure must not stop the others
            log.exception("groups: sync of group %s failed", group.pk)
    return count


@db_task()
def sync_group(workspace_id: int, group_id: int) -> int:
    """One group now; ids only, a gone group is a no-op."""
    from ..services.groups import group_sync

    group = Group.objects.filter(pk=group_id, workspace_id=workspace_id).select_related("workspace").first()
    if group is None:
        return 0
    return group_sync(workspace=group.workspace, group=group)
