"""`socialops serve`: the web server (waitress, multi-threaded) on 127.0.0.1:PORT."""

from __future__ import annotations

import os
import signal
import sys
from typing import Any

from django.core.management.base import BaseCommand


def _exit_on_term(signum: int, frame: Any) -> None:
    sys.exit(0)


class Command(BaseCommand):
    help = "Run the web server (PORT or --port, default 8000)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--threads", type=int, default=int(os.environ.get("SOCIALOPS_THREADS", "8")))

    def handle(self, *args: Any, host: str, port: int, threads: int, **options: Any) -> None:
        from django.core.wsgi import get_wsgi_application
        from waitress import serve

        # The WSGI application of the configured settings (config/wsgi.py builds the same one).
        application = get_wsgi_application()

        # Stop on Ctrl-C and on SIGTERM even when started from a shell that ignores SIGINT for
        # its background jobs (as `make demo` and process supervisors may).
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, _exit_on_term)

        self.stdout.write(f"socialops serving on http://{host}:{port}/ (Ctrl-C to stop)")
        try:
            serve(application, host=host, port=port, threads=threads, ident="socialops")
        except KeyboardInterrupt:
            self.stdout.write("socialops stopped")
