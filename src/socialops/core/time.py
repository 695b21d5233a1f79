"""Local-time helpers: every date a person sees is a date in their workspace's time zone."""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from django.utils import timezone


class HasTimeZone(Protocol):
    """Anything with a ``tz`` (a workspace)."""

    @property
    def tz(self) -> dt.tzinfo: ...


def local_now(owner: HasTimeZone) -> dt.datetime:
    """Now in the owner's time zone."""
    return timezone.now().astimezone(owner.tz)


def local_today(owner: HasTimeZone) -> dt.date:
    """Today's date in the owner's time zone (metric days and calendar dates are local dates)."""
    return local_now(owner).date()
