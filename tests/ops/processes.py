"""Real ``socialops`` processes for tests: a database they can open, free ports, start and stop.

pytest-django's SQLite test database lives in memory, which another process cannot open; the
``shared_database`` fixture copies it into a file for one transactional test (PostgreSQL's test
database is used as it is).
"""

from __future__ import annotations

import copy
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from django.conf import settings
from django.db import connections


@pytest.fixture
def shared_database(transactional_db: Any, tmp_path: Path) -> Iterator[str]:
    """A DATABASE_URL a subprocess can open that names the test's own database."""
    conn = connections["default"]
    sd = conn.settings_dict
    if conn.vendor == "postgresql":
        auth = quote(sd["USER"] or "", safe="")
        if sd.get("PASSWORD"):
            auth += ":" + quote(sd["PASSWORD"], safe="")
        yield f"postgres://{auth}@{sd['HOST'] or '127.0.0.1'}:{sd['PORT'] or 5432}/{sd['NAME']}"
        return
    if conn.vendor != "sqlite":
        pytest.skip(f"no subprocess recipe for {conn.vendor}")
    if not conn.is_in_memory_db():
        yield f"sqlite:///{sd['NAME']}"
        return
    # Copy the migrated in-memory test database into a file and point "default" at it for this
    # test; the in-memory one stays open (closing it would destroy it for the following tests).
    path = tmp_path / "test-db.sqlite3"
    conn.ensure_connection()
    with sqlite3.connect(path) as target:
        conn.connection.backup(target)
    file_sd = copy.deepcopy(sd)
    file_sd["NAME"] = str(path)
    file_conn = conn.__class__(file_sd, alias="default")
    connections["default"] = file_conn
    try:
        yield f"sqlite:///{path}"
    finally:
        file_conn.close()
        connections["default"] = conn


def free_port() -> int:
    """A TCP port nobody listens on now (the OS picks it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(database_url: str, port: int, **extra_env: str) -> subprocess.Popen[bytes]:
    """``socialops serve`` on ``port`` with the test's database and data dir."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SOCIALOPS_DATA_DIR": str(settings.DATA_DIR),
        "SOCIALOPS_TESTING": "1",
        "SOCIALOPS_THREADS": "2",
        "PYTHONUNBUFFERED": "1",
        **extra_env,
    }
    code = f"from socialops.cli import main; main(['serve', '--port', '{port}'])"
    return subprocess.Popen(
        [sys.executable, "-c", code],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def wait_until_up(proc: subprocess.Popen[bytes], port: int, timeout: float = 30.0) -> None:
    """Wait until the server answers /healthz (fails at once if it exited)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
            raise AssertionError(f"server on port {port} exited with {proc.returncode}: {err[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1.0).status_code < 500:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"server on port {port} did not answer within {timeout} s")


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Kill the process group (the server and anything it started) and reap it."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
