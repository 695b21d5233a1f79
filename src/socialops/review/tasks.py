"""Background jobs of the checks: link reachability and the originality index (Huey).

Jobs are enqueued on commit with ids only; each loads its rows and calls services, and running
one twice changes nothing the second time.
"""

from __future__ import annotations

import logging

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from socialops.analytics.models import PostRecord
from socialops.content.models import ContentItem
from socialops.textkit.links import check_reachability
from socialops.workspaces.models import Workspace

# The services enqueue these tasks in turn (on commit); both sides import the other's module,
# not its names, so either may be imported first.
from .services import links, originality, runner

log = logging.getLogger(__name__)


@db_task()
def check_links(workspace_id: int, item_id: int) -> int:
    """Ask every link of an item whose reachability is unknown or old; store results and findings.

    Returns how many links were asked (0 when the item is gone or every result is fresh).
    """
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    item = ContentItem.objects.filter(pk=item_id, workspace_id=workspace_id).first()
    if workspace is None or item is None:
        return 0
    pending = links.links_pending(workspace=workspace, item=item)
    if not pending:
        return 0
    statuses = check_reachability(
        pending,
        timeout=float(getattr(settings, "REVIEW_LINKCHECK_TIMEOUT", 3.0)),
        max_redirects=int(getattr(settings, "REVIEW_LINKCHECK_MAX_REDIRECTS", 3)),
    )
    links.link_checks_record(workspace=workspace, statuses=statuses)
    # The next view shows the results: the stored findings now include them.
    runner.run_item_checks(workspace=workspace, item=item, enqueue_links=False)
    return len(statuses)


@db_task()
def update_originality_index(workspace_id: int) -> None:
    """Add the posts imported or changed since the last update to the workspace's index."""
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is not None:
        originality.originality_index_update(workspace=workspace)


@db_task()
def rebuild_originality_index(workspace_id: int) -> None:
    """Rebuild the workspace's index (after the threshold changed)."""
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is not None:
        originality.originality_index_rebuild(workspace=workspace)


@db_periodic_task(crontab(minute="*/30"))
def sweep_originality_indexes() -> int:
    """Every half hour: bring every stale index up to date (posts edited or imported elsewhere)."""
    updated = 0
    ids = PostRecord.objects.exclude(text="").values_list("workspace_id", flat=True).distinct()
    for workspace in Workspace.objects.filter(pk__in=list(ids)):
        if originality.originality_index_stale(workspace=workspace):
            originality.originality_index_update(workspace=workspace)
            updated += 1
    return updated
