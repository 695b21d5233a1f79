"""What the inbox connects to lower apps' hooks: every new fan message is filed in its thread,
and a matching auto-reply rule answers it.

Imported by ``EngagementConfig.ready()``; connecting the same function twice is a no-op.
"""

from __future__ import annotations

import logging

from django.db import transaction

from socialops.fans.hooks import interaction_recorded
from socialops.fans.models import Interaction

from .services import replies, threads

log = logging.getLogger(__name__)


@interaction_recorded.connect
def _file_in_inbox(*, interaction: Interaction) -> None:
    # In a savepoint, never raising: the fan's message is stored whatever happens here, and
    # the periodic catch-up (threads_catch_up) files what failed.
    try:
        with transaction.atomic():
            filed = threads.thread_file(interaction=interaction)
    except Exception:  # noqa: BLE001
        log.exception("inbox: filing interaction %s failed; the catch-up will retry", interaction.pk)
        return
    if filed is None:
        return
    thread, _item = filed
    try:
        with transaction.atomic():
            replies.auto_reply(thread=thread, interaction=interaction, new_thread=thread.items.count() == 1)
    except Exception:  # noqa: BLE001
        log.exception("inbox: auto-reply for interaction %s failed", interaction.pk)
