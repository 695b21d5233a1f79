"""Extension points of the platforms app: higher apps (fans) connect in their ready().

Platforms sits below fans in the app tree, so it never imports fans; it declares these hooks
and calls them. Receivers run synchronously inside the caller's transaction.
"""

from __future__ import annotations

from socialops.core.hooks import Hook

push_event_stored = Hook(
    "platforms.push_event_stored",
    """A pushed WeChat message or event was stored for the first time (a re-push is not sent).

    Called as ``push_event_stored.send(event=<PushEvent>)`` right after the row is saved. Fans
    connects the conversion into a fan and an interaction; a receiver must not let its own
    failure refuse the push (the push is stored either way and fans catch up later).
    """,
)

credentials_reencrypting = Hook(
    "platforms.credentials_reencrypting",
    """The credentials key is being rotated: re-encrypt your own Fernet tokens with the current key.

    Called as ``credentials_reencrypting.send(only_stale=<bool>)`` by ``credentials_reencrypt_all``
    in its transaction, after the connections; each receiver returns how many rows it re-encrypted.
    Fans connects the re-encryption of people's contact details, which use the same keyring.
    """,
)

push_passive_reply = Hook(
    "platforms.push_passive_reply",
    """A pushed WeChat message was stored and handled: may it be answered inside the push's answer?

    Called as ``push_passive_reply.first(default=None, event=<PushEvent>)`` by the push endpoint
    after ``push_event_stored``, for a newly stored user message. The first receiver returns the
    text of the passive reply (被动回复, sent back in the HTTP answer; WeChat waits five seconds),
    or None. The inbox connects it: an auto-reply queued for this message is claimed and answered
    this way, so it is not also sent as a customer-service message.
    """,
)
