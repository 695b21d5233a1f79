"""Helpers for the publishing tests: running the sweeper until nothing is open (builders: tests/factories.py)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from socialops.publishing import engine
from socialops.publishing.models import Publication


def drain(rounds: int = 40, step: float = 120.0) -> None:
    """Run the sweeper inline, moving the clock forward each round, until nothing is open."""
    now = timezone.now()
    for _ in range(rounds):
        now += dt.timedelta(seconds=step)
        open_rows = Publication.objects.filter(state__in=["scheduled", "publishing", "unknown"])
        if not engine.sweep_due(now, inline=True) and not open_rows.exists():
            return
