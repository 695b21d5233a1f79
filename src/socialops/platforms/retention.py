"""Retention of the raw messages and events platforms pushed to us (docs/retention.md)."""

from __future__ import annotations

from socialops.core.retention import RetentionRule, register

from .models import PushEvent


def register_rules() -> None:
    """Register the rule (called from the app's ready()).

    A pushed message's content lives on as the fan's interaction (fans app); the raw push is
    only needed to answer a re-push (WeChat re-pushes within seconds) and to investigate.
    """
    register(
        RetentionRule(
            "push_events",
            "RETAIN_PUSH_EVENTS_DAYS",
            lambda cutoff: PushEvent.objects.filter(received_at__lt=cutoff),
        )
    )
