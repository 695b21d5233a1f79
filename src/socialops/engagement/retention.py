"""Retention of inbox alerts (docs/retention.md)."""

from __future__ import annotations

from socialops.core.retention import register
from socialops.workspaces.retention import notice_rules

from .models import InboxAlert


def register_rules() -> None:
    """Register the rules (called from the app's ready())."""
    for rule in notice_rules("inbox_alerts", InboxAlert):
        register(rule)
