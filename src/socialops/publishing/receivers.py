"""Publishing's reactions: a manual package marked posted, an approval, a placement change, a
platform's pushed publish result (wake the publication waiting on it).

Review (``item_approved``) and content (``placement_changed``) sit below publishing and declare
hooks; ``connect()`` (called from PublishingConfig.ready()) attaches flow.py's receivers.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.dispatch import receiver

from socialops.content import hooks as content_hooks
from socialops.core.actors import SYSTEM
from socialops.platforms.hooks import push_event_stored
from socialops.platforms.models import PushEvent
from socialops.platforms.signals import manual_posted
from socialops.review import hooks as review_hooks
from socialops.workspaces.models import Workspace

from . import flow, services

log = logging.getLogger(__name__)


@receiver(manual_posted)
def _manual_posted(
    sender: Any, *, workspace_id: int = 0, idempotency_key: str = "", url: str = "", **kwargs: Any
) -> None:
    # The signal carries ids only; the person was checked and audited by platforms when marking
    # the package, so the publication's own write is the system's.
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is None:
        return
    services.publication_mark_posted(
        workspace=workspace, actor=SYSTEM, idempotency_key=idempotency_key, url=url
    )


@push_event_stored.connect
def _push_result(*, event: PushEvent) -> None:
    # In a savepoint, never raising: the push is stored whatever happens here, and a publication
    # still waiting is settled by its next reconcile, which reads the stored result too.
    if event.event not in (services.PUBLISH_FINISHED, services.MASS_SEND_FINISHED):
        return
    try:
        with transaction.atomic():
            services.push_result_received(event=event)
    except Exception:  # noqa: BLE001
        log.exception("publishing: push event %s could not settle its publication", event.pk)


def connect() -> None:
    """Connect scheduling to review's approvals and content's placements (idempotent)."""
    review_hooks.item_approved.connect(flow.on_item_approved)
    content_hooks.placement_changed.connect(flow.on_placement_changed)
