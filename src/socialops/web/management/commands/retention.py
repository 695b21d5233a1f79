"""`socialops retention [--dry-run]`: delete (or list) rows past their retention period."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from socialops.core import retention


class Command(BaseCommand):
    help = (
        "Delete rows kept longer than their retention period (docs/retention.md); --dry-run only counts them."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be deleted; delete nothing."
        )
        parser.add_argument("--batch-size", type=int, default=retention.BATCH_SIZE)

    def handle(self, *args: Any, dry_run: bool, batch_size: int, **options: Any) -> None:
        results = retention.run(dry_run=dry_run, batch_size=max(1, batch_size))
        verb = "would delete" if dry_run else "deleted"
        for result in results:
            if result.cutoff is None:
                self.stdout.write(f"{result.name}: kept for ever (0 days)")
            else:
                self.stdout.write(
                    f"{result.name}: {verb} {result.rows} (older than {result.days} days, "
                    f"before {result.cutoff:%Y-%m-%d %H:%M} UTC)"
                )
        total = sum(r.rows for r in results)
        self.stdout.write(f"total: {verb} {total}")
