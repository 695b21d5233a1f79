"""A person marked a manual package posted: finish its publication at once."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from socialops.platforms.signals import manual_posted

from .models import Publication, PublicationState


@receiver(manual_posted)
def _manual_posted(sender: Any, *, idempotency_key: str = "", url: str = "", **kwargs: Any) -> None:
    from .engine import _sync_item

    with transaction.atomic():
        pub = Publication.objects.select_for_update().filter(idempotency_key=idempotency_key).first()
        if pub is None or pub.state != PublicationState.HANDED_OVER:
            return
        pub.state = PublicationState.PUBLISHED
        pub.url = (url or "")[:500]
        pub.published_at = timezone.now()
        pub.save()
        _sync_item(pub)
