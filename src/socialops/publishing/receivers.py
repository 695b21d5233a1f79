"""A person marked a manual package posted: finish its publication at once."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from socialops.core.actors import SYSTEM
from socialops.platforms.signals import manual_posted
from socialops.workspaces.models import Workspace

from . import services


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
