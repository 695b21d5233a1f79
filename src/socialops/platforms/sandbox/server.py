"""The sandbox platform: a local HTTP server speaking a subset of Mastodon's API, with fault injection.

Pure standard library (http.server + sqlite3), so it starts in a thread inside a test, as a
subprocess (`python -m socialops.platforms.sandbox`) or as `socialops sandbox`.

Mastodon API subset: POST /api/v1/apps, POST /oauth/token (password, refresh_token and
client_credentials grants), POST /oauth/revoke, GET /api/v1/accounts/verify_credentials,
GET /api/v1/accounts/:id, GET /api/v1/accounts/:id/statuses, GET /api/v1/accounts/:id/followers,
POST /api/v1/statuses (Idempotency-Key honoured for an hour), GET/DELETE /api/v1/statuses/:id,
GET /api/v1/statuses/:id/context, POST /api/v2/media (+ /api/v1/media), GET /api/v1/media/:id,
GET /api/v1/notifications, GET /api/v2/instance.

Admin (for tests and the benchmark, no auth): GET /sandbox/posts, GET/POST /sandbox/faults,
POST /sandbox/reset, POST /sandbox/accounts, POST /sandbox/accounts/followers (start an account's
audience at a given size), POST /sandbox/tokens/revoke,
POST /sandbox/tokens/expire, GET /sandbox/stats, GET /sandbox/health.
"""

from __future__ import annotations

import threading
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

from .faults import Faults
from .handler import SandboxHandler
from .platform import SandboxPlatform
from .store import Store


class SandboxHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], platform: SandboxPlatform) -> None:
        self.platform = platform
        super().__init__(address, SandboxHandler)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        # One thread per client connection; its database connection goes with it.
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.platform.store.release()


class SandboxServer:
    """The sandbox platform on host:port (port 0: a free one), started in a background thread.

    >>> with SandboxServer(db_path=tmp / "sandbox.sqlite3") as sandbox:
    ...     httpx.get(sandbox.url + "/sandbox/health")
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        db_path: str | Path = ":memory:",
        faults: Faults | None = None,
    ) -> None:
        self.store = Store(db_path)
        self.platform = SandboxPlatform(self.store, faults or Faults())
        self.httpd = SandboxHTTPServer((host, port), self.platform)
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    @property
    def url(self) -> str:
        host = self.httpd.server_address[0]
        return f"http://{host if isinstance(host, str) else host.decode()}:{self.port}"

    @property
    def faults(self) -> Faults:
        return self.platform.faults

    def start(self) -> SandboxServer:
        # A short poll interval makes stop() quick (tests start and stop one per test).
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="sandbox", daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self.httpd.serve_forever()

    def stop(self) -> None:
        # Wake any request that is hanging or sleeping on purpose, then stop accepting.
        self.platform.stopping.set()
        if self._thread is not None:
            self.httpd.shutdown()
            self._thread.join(timeout=5)
        self.httpd.server_close()
        self.store.close()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
