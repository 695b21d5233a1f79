"""Background jobs of playbooks: scheduled playbooks when due, "enter" playbooks after a refresh."""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import ValidationError
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from socialops.workspaces.models import Workspace

from ..models import Playbook, PlaybookRun, PlaybookTrigger
from ..services.playbooks import playbook_is_due, playbook_run

log = logging.getLogger(__name__)


def _run(playbook: Playbook, now: dt.datetime | None) -> PlaybookRun | None:
    try:
        return playbook_run(workspace=playbook.workspace, actor=None, playbook=playbook, now=now)
    except ValidationError as exc:  # e.g. the playbook was deleted meanwhile
        log.warning("playbook %s not run: %s", playbook.pk, exc)
        return None


def run_due_playbooks(now: dt.datetime | None = None) -> int:
    """Run every enabled scheduled playbook that is due; returns how many ran."""
    now = now or timezone.now()
    ran = 0
    due = Playbook.objects.filter(enabled=True, trigger=PlaybookTrigger.SCHEDULE).select_related(
        "workspace", "segment"
    )
    for playbook in due:
        if playbook_is_due(playbook, now) and _run(playbook, now) is not None:
            ran += 1
    return ran


def playbooks_after_refresh(workspace: Workspace, now: dt.datetime | None = None) -> list[PlaybookRun]:
    """Run the workspace's enabled "enter" playbooks: call it after a segment refresh wrote its events."""
    runs = []
    playbooks = Playbook.objects.filter(
        workspace=workspace, enabled=True, trigger=PlaybookTrigger.ON_ENTER
    ).select_related("workspace", "segment")
    for playbook in playbooks:
        run = _run(playbook, now)
        if run is not None:
            runs.append(run)
    return runs


@db_periodic_task(crontab(minute="5"))
def run_scheduled_playbooks() -> int:
    """Every hour at :05: run the scheduled playbooks that are due."""
    return run_due_playbooks()
