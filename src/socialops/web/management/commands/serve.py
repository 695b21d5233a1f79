"""`socialops serve`: the web server (gunicorn: worker processes, each with threads) on 127.0.0.1:PORT.

Processes, not only threads: page rendering, the content checks and chart presenters are Python
work that holds the GIL, so one process with many threads uses one core; gunicorn's master also
restarts a worker that dies and recycles workers after a number of requests (docs/deploy.md).
"""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, str(default)))


class Command(BaseCommand):
    help = (
        "Run the web server: gunicorn on HOST:PORT (default 127.0.0.1:8000) with --workers processes "
        "(SOCIALOPS_WEB_WORKERS, default 2) of --threads threads (SOCIALOPS_THREADS, default 4)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=_env_int("PORT", 8000))
        parser.add_argument("--workers", type=int, default=_env_int("SOCIALOPS_WEB_WORKERS", 2))
        parser.add_argument("--threads", type=int, default=_env_int("SOCIALOPS_THREADS", 4))
        parser.add_argument(
            "--timeout",
            type=int,
            default=_env_int("SOCIALOPS_WEB_TIMEOUT", 60),
            help="Seconds a request may take before its worker is restarted (default 60).",
        )
        parser.add_argument(
            "--max-requests",
            type=int,
            default=_env_int("SOCIALOPS_WEB_MAX_REQUESTS", 5000),
            help="Requests a worker answers before it is replaced (0: never; default 5000).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from django.db import connections
        from gunicorn.app.base import BaseApplication

        bind = f"[{options['host']}]:{options['port']}" if ":" in options["host"] else None
        bind = bind or f"{options['host']}:{options['port']}"
        config = {
            "bind": bind,
            "workers": max(1, options["workers"]),
            "threads": max(1, options["threads"]),
            "worker_class": "gthread",
            "timeout": options["timeout"],
            "graceful_timeout": 30,
            "keepalive": 5,
            "max_requests": max(0, options["max_requests"]),
            # Jitter so that the workers are not all replaced at the same moment.
            "max_requests_jitter": max(0, options["max_requests"]) // 10,
            "proc_name": "socialops-web",
            # The reverse proxy writes the access log; errors go to standard error (journald).
            "accesslog": None,
            "errorlog": "-",
            "loglevel": os.environ.get("SOCIALOPS_WEB_LOG_LEVEL", "info"),
            # Forked workers must not share the master's database connections (the system
            # checks may have opened one).
            "pre_fork": lambda server, worker: connections.close_all(),
            # No runtime-control socket (gunicorn ≥ 25 opens one in the home directory by
            # default): several instances on one machine would fight over its one path;
            # systemd's reload (HUP) and stop (TERM) are the controls.
            "control_socket_disable": True,
        }
        stdout = self.stdout

        class Application(BaseApplication):  # type: ignore[misc]
            def load_config(self) -> None:
                for key, value in config.items():
                    if key in self.cfg.settings:  # settings an older gunicorn lacks are skipped
                        self.cfg.set(key, value)

            def load(self) -> Any:
                # The WSGI application of the configured settings (config/wsgi.py builds the same one).
                from django.core.wsgi import get_wsgi_application

                return get_wsgi_application()

        stdout.write(
            f"socialops serving on http://{bind}/ with {config['workers']} processes × "
            f"{config['threads']} threads (Ctrl-C to stop)"
        )
        Application().run()
