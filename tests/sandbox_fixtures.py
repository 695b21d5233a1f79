"""Fixtures: the sandbox platform running in a thread on a free port, and connections to it.

The publishing engine's tests use them too, without importing anything
(registered for the whole suite by ``pytest_plugins`` in tests/conftest.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from socialops.platforms.connectors.mastodon import MastodonConnector, password_grant, register_app
from socialops.platforms.credentials import Credentials
from socialops.platforms.sandbox import SandboxAdmin, SandboxServer


@pytest.fixture
def egress_loopback(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Let outgoing requests reach loopback (the egress policy refuses it by default), here and in
    the processes a test starts, as `make demo` does for its sandbox."""
    settings.EGRESS_ALLOWED_NETWORKS = ["127.0.0.0/8", "::1/128"]
    monkeypatch.setenv("SOCIALOPS_EGRESS_ALLOW", "127.0.0.0/8,::1/128")


@pytest.fixture
def sandbox(tmp_path: Path, egress_loopback: None) -> Iterator[SandboxServer]:
    """The sandbox platform on 127.0.0.1:<free port>, its state in a SQLite file under tmp_path
    (loopback allowed by the egress policy while it runs)."""
    server = SandboxServer(db_path=tmp_path / "sandbox.sqlite3").start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def sandbox_admin(sandbox: SandboxServer) -> Iterator[SandboxAdmin]:
    with SandboxAdmin(sandbox.url) as admin:
        yield admin


@pytest.fixture
def sandbox_credentials(sandbox: SandboxServer) -> Credentials:
    """Tokens of the sandbox user "acme" (an app registered, then the password grant)."""
    app = register_app(sandbox.url)
    return password_grant(sandbox.url, app, username="acme", password="pw")


@pytest.fixture
def mastodon(sandbox: SandboxServer, sandbox_credentials: Credentials) -> Iterator[MastodonConnector]:
    """A Mastodon connector acting as "acme" on the sandbox (short timeouts for fault tests)."""
    connector = MastodonConnector(
        base_url=sandbox.url, credentials=sandbox_credentials, timeout=5.0, media_poll_interval=0.05
    )
    try:
        yield connector
    finally:
        connector.close()


def connector_options(**overrides: Any) -> dict[str, Any]:
    return {"timeout": 5.0, **overrides}
