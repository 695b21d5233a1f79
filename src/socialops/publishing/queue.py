"""The publish queue: how the engine and the services queue a publication without importing the task layer.

Module order inside publishing is one-directional: queue → services → engine → sync → tasks.
The Huey task lives in tasks.py, which imports the engine; the engine and the services must
queue successors and retries, so they call ``enqueue`` here and tasks.py connects the real
sender to ``publish_requested`` at import (PublishingConfig.ready imports tasks.py, so every
process, web or worker, has it connected before the first request or job).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from socialops.core.hooks import Hook

from .models import Publication

publish_requested = Hook(
    "publishing.publish_requested",
    "Queue the publish task for (publication_id, version) at ``eta`` (None: now). Connected by tasks.py.",
)


def _send(publication_id: int, version: int, eta: dt.datetime | None) -> None:
    if not publish_requested.connected:
        # Losing a publish silently would leave it to the sweeper a minute later at best.
        raise RuntimeError("publishing.tasks is not loaded: nothing is connected to publish_requested")
    publish_requested.send(publication_id=publication_id, version=version, eta=eta)


def enqueue(publication: Publication, *, eta: dt.datetime | None = None) -> None:
    """Queue the publish task on commit, carrying ids and version only."""
    pk, version = publication.pk, publication.version
    when = eta or publication.next_due

    def send() -> None:
        _send(pk, version, when)

    transaction.on_commit(send)


def enqueue_now(publication_id: int, version: int) -> None:
    """Queue the publish task right away (the sweeper; a duplicate task is harmless: the claim decides)."""
    _send(publication_id, version, None)
