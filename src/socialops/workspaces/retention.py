"""Retention of the audit log and the rule every app's in-app notices follow (docs/retention.md)."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from socialops.core.retention import RetentionRule, register

from .models import AuditEntry, UserNotice


def notice_rules(name: str, model: type[UserNotice]) -> list[RetentionRule]:
    """Read notices go after RETAIN_READ_NOTICES_DAYS, unread ones (still to be seen) only after RETAIN_UNREAD_NOTICES_DAYS."""

    def read(cutoff: dt.datetime) -> QuerySet[UserNotice]:
        return model._default_manager.filter(read_at__isnull=False, created_at__lt=cutoff)

    def unread(cutoff: dt.datetime) -> QuerySet[UserNotice]:
        return model._default_manager.filter(read_at__isnull=True, created_at__lt=cutoff)

    return [
        RetentionRule(f"{name}.read", "RETAIN_READ_NOTICES_DAYS", read),
        RetentionRule(f"{name}.unread", "RETAIN_UNREAD_NOTICES_DAYS", unread),
    ]


def register_rules() -> None:
    """Register the audit log's rule (called from the app's ready())."""
    register(
        RetentionRule(
            "audit_entries",
            "RETAIN_AUDIT_DAYS",
            lambda cutoff: AuditEntry.objects.filter(created_at__lt=cutoff),
        )
    )
