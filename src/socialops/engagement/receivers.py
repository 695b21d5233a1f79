"""What the inbox connects to lower apps' hooks: every new fan message is filed in its thread,
and a matching auto-reply rule answers it (for a WeChat push, inside the push's own answer).

Imported by ``EngagementConfig.ready()``; connecting the same function twice is a no-op.
"""

from __future__ import annotations

import logging

from django.db import transaction

from socialops.fans.hooks import interaction_recorded
from socialops.fans.models import Interaction
from socialops.platforms.hooks import push_passive_reply
from socialops.platforms.models import PlatformConnection, PushEvent

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


@push_passive_reply.connect
def _answer_in_the_push(*, event: PushEvent) -> str | None:
    # The push was converted (fans) and filed (above) before this is asked; a matching
    # auto-reply is then queued for the message, and is answered in the push's own answer.
    # The interaction's platform id is the message's MsgId (the push's dedupe key without one),
    # looked up on the (account, platform id) index.
    payload = event.payload if isinstance(event.payload, dict) else {}
    ids = [i for i in (str(payload.get("MsgId") or "").strip(), event.dedupe_key) if i]
    account_id = (
        PlatformConnection.objects.filter(pk=event.connection_id).values_list("account_id", flat=True).first()
    )
    interaction = (
        Interaction.objects.filter(account_id=account_id, external_id__in=ids)
        .only("account_id", "external_id")
        .first()
    )
    if interaction is None or interaction.account_id is None or not interaction.external_id:
        return None
    return replies.passive_reply_claim(
        account_id=interaction.account_id,
        message_external_id=interaction.external_id,
        passive_id=f"passive:{interaction.external_id}",
    )


@interaction_recorded.connect
def _poll_keyword_reply(*, interaction: Interaction) -> None:
    # A fan's comment or message that is exactly a poll keyword (回复 1 / 2 / 3) is their response.
    # In a savepoint, never raising: the fan's message is stored whatever happens here.
    from .services.polls import KEYWORD_KINDS, keyword_response

    if interaction.kind not in KEYWORD_KINDS or interaction.fan_id is None:
        return
    try:
        with transaction.atomic():
            keyword_response(interaction=interaction)
    except Exception:  # noqa: BLE001
        log.exception("polls: keyword reply %s failed", interaction.pk)
