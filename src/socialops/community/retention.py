"""Retention of ticket alerts (docs/retention.md)."""

from __future__ import annotations

from socialops.core.retention import register
from socialops.workspaces.retention import notice_rules

from .models.events import TicketAlert


def register_rules() -> None:
    """Register the rules (called from the app's ready())."""
    for rule in notice_rules("ticket_alerts", TicketAlert):
        register(rule)
