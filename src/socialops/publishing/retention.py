"""Retention of publish attempts and publishing alerts (docs/retention.md)."""

from __future__ import annotations

from socialops.core.retention import RetentionRule, register
from socialops.workspaces.retention import notice_rules

from .models import PublicationState, PublishAttempt, PublishingAlert

#: A publication in one of these states is settled: nothing will try it again.
SETTLED = (PublicationState.PUBLISHED, PublicationState.FAILED, PublicationState.CANCELLED)


def register_rules() -> None:
    """Register the rules (called from the app's ready()).

    Attempts of a publication that is not settled (scheduled, publishing, waiting for a person,
    outcome unknown) are kept whatever their age: the engine and the people reconciling it read them.
    """
    register(
        RetentionRule(
            "publish_attempts",
            "RETAIN_PUBLISH_ATTEMPTS_DAYS",
            lambda cutoff: PublishAttempt.objects.filter(
                started_at__lt=cutoff, publication__state__in=SETTLED
            ),
        )
    )
    for rule in notice_rules("publishing_alerts", PublishingAlert):
        register(rule)
