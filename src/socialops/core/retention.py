"""Deleting rows that are kept no longer than their retention period (docs/retention.md).

Each app that owns such rows declares a ``RetentionRule`` in its ``retention.py`` and registers
it in its ``AppConfig.ready()``: which model, which setting holds the days (0 keeps rows for
ever), and which of the rows older than the cut-off may go (never rows still needed, e.g. the
attempts of a publication that is not settled yet). ``run`` applies every rule in batches, each
batch in its own transaction, so a long purge never holds a lock for long and an interrupted one
just continues next time; running it twice deletes nothing the second time. The daily Huey job
(``web.tasks.retention_daily``) and ``socialops retention [--dry-run]`` both call it.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

__all__ = ["BATCH_SIZE", "RetentionRule", "RuleResult", "register", "rules", "run"]

BATCH_SIZE = 1000
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetentionRule:
    """What one kind of row is kept for, and which old rows may go."""

    #: Short name, shown by the command and in the logs ("audit_entries").
    name: str
    #: The setting that holds the number of days (0: kept for ever).
    setting: str
    #: The rows older than the cut-off that may be deleted (the rule's model's queryset).
    expired: Callable[[dt.datetime], models.QuerySet[models.Model]]


@dataclass(frozen=True)
class RuleResult:
    """What a rule deleted (or, on a dry run, would delete)."""

    name: str
    days: int
    cutoff: dt.datetime | None
    rows: int


_rules: dict[str, RetentionRule] = {}


def register(rule: RetentionRule) -> None:
    """Add a rule (registering the same name again replaces it, so a reloaded app is harmless)."""
    _rules[rule.name] = rule


def rules() -> list[RetentionRule]:
    """The registered rules, by name."""
    return [_rules[name] for name in sorted(_rules)]


def _days(rule: RetentionRule) -> int:
    return max(0, int(getattr(settings, rule.setting, 0) or 0))


def run(
    *, dry_run: bool = False, batch_size: int = BATCH_SIZE, now: dt.datetime | None = None
) -> list[RuleResult]:
    """Apply every rule; returns what each deleted (or would delete with ``dry_run``)."""
    now = now or timezone.now()
    results: list[RuleResult] = []
    for rule in rules():
        days = _days(rule)
        if days == 0:
            results.append(RuleResult(rule.name, 0, None, 0))
            continue
        cutoff = now - dt.timedelta(days=days)
        if dry_run:
            results.append(RuleResult(rule.name, days, cutoff, rule.expired(cutoff).count()))
            continue
        deleted = 0
        while True:
            with transaction.atomic():
                qs = rule.expired(cutoff)
                ids = list(qs.order_by("pk").values_list("pk", flat=True)[:batch_size])
                if not ids:
                    break
                # Deleting through the ORM (not raw SQL) lets cascades and signals run as usual.
                rule.expired(cutoff).filter(pk__in=ids).delete()
            deleted += len(ids)
        if deleted:
            logger.info("retention: deleted %s %s older than %s days", deleted, rule.name, days)
        results.append(RuleResult(rule.name, days, cutoff, deleted))
    return results
