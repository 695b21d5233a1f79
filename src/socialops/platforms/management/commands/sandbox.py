"""`socialops sandbox`: run the local sandbox platform (Mastodon's API, with fault injection)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from socialops.platforms.sandbox.__main__ import add_arguments, faults_from, run


class Command(BaseCommand):
    help = (
        "Run the sandbox platform on 127.0.0.1:8900 (its posts are kept in <data dir>/sandbox.sqlite3). "
        "Fault knobs: --latency-ms, --error-rate, --burst-429, --timeout-after-accept-rate, --token-ttl, …; "
        "change them while it runs with POST /sandbox/faults."
    )

    def add_arguments(self, parser: Any) -> None:
        add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        db = options["db"] or str(Path(settings.DATA_DIR) / "sandbox.sqlite3")
        run(host=options["host"], port=options["port"], db=db, faults=faults_from(options), out=self.stdout)
