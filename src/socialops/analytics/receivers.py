"""Analytics' answers to the content app's hooks (connected in AnalyticsConfig.ready()).

Content sits below analytics and cannot import it; its plan generator asks
``content.hooks.best_hours_provider`` where each account's posts do best, and analytics answers
from the post history (or its platform defaults while the history is too short).
"""

from __future__ import annotations

from socialops.content import hooks as content_hooks

from .besttime import best_hours_for_system_many


def connect() -> None:
    """Connect analytics' receivers to the content hooks (idempotent: Hook.connect ignores repeats)."""
    content_hooks.best_hours_provider.connect(best_hours_for_system_many)
