"""`socialops restore FILE [--force]`: put a backup archive back (then restart every process)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from socialops.web.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup archive over this installation's database, media files and keys. "
        "Refuses another version's archive, and a database that already holds workspaces or users "
        "unless --force. Restart the web and worker processes afterwards (they read the keys at start)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("archive", type=Path)
        parser.add_argument("--force", action="store_true", help="replace a database that is not empty")

    def handle(self, *args: Any, archive: Path, force: bool, **options: Any) -> None:
        if not archive.is_file():
            raise CommandError(f"{archive}: no such file")
        try:
            manifest = backup_restore(archive, force=force, progress=lambda msg: self.stderr.write(msg))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"restored {len(manifest.files)} files from {archive} (made {manifest.created_at}); "
            "restart the web and worker processes"
        )
