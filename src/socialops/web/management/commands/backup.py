"""`socialops backup --out FILE`: the database, media files and keys in one checked archive."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from socialops.web.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Write a backup archive (database, media files, keys) with a manifest and checksums."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--out", required=True, type=Path, help="the archive to write (.tar.gz)")

    def handle(self, *args: Any, out: Path, **options: Any) -> None:
        try:
            manifest = backup_create(out, progress=lambda msg: self.stderr.write(msg))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{out} ({manifest.vendor}, {len(manifest.files)} files, socialops {manifest.version})"
        )
