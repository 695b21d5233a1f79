"""What fans connects to lower apps' hooks: a stored WeChat push becomes a fan and an interaction;
a credentials-key rotation re-encrypts people's contact details.

Imported by ``FansConfig.ready()``; connecting the same function twice is a no-op.
"""

from __future__ import annotations

import logging

from django.db import transaction

from socialops.platforms import credentials as creds
from socialops.platforms.hooks import credentials_reencrypting, push_event_stored
from socialops.platforms.models import PushEvent

from . import sources
from .models import Person

log = logging.getLogger(__name__)


@push_event_stored.connect
def _push_event_stored(*, event: PushEvent) -> None:
    # In a savepoint, and never raising: WeChat's push must be answered "success" whatever
    # happens here, and push_events_catch_up converts what failed on its next run.
    try:
        with transaction.atomic():
            sources.push_event_convert(event=event)
    except Exception:  # noqa: BLE001
        log.exception("fans: converting push event %s failed; the catch-up will retry", event.pk)


@credentials_reencrypting.connect
def _reencrypt_contacts(*, only_stale: bool) -> int:
    # People's contact details share the platform credentials' keyring: rotating the key
    # without them would leave contacts only the dropped key can read.
    count = 0
    rows = Person.objects.select_for_update().exclude(contact_encrypted="").only("pk", "contact_encrypted")
    for person in rows.order_by("pk").iterator():
        if only_stale and creds.on_current_key(person.contact_encrypted):
            continue
        Person.objects.filter(pk=person.pk).update(
            contact_encrypted=creds.reencrypt(person.contact_encrypted)
        )
        count += 1
    return count
