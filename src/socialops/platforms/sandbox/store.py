"""The sandbox platform's state in one SQLite file: apps, accounts, tokens, statuses, media.

Every accepted post is committed before the answer is sent, so a client killed mid-request (or
a response that never arrives) cannot make the platform forget a post: the sandbox is the
ground truth the reliability tests count against.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import sqlite3
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

# Mastodon keeps an Idempotency-Key for one hour.
IDEMPOTENCY_SECONDS = 3600

SCHEMA = """
CREATE TABLE IF NOT EXISTS apps (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    client_id TEXT NOT NULL UNIQUE,
    client_secret TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS accounts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL DEFAULT '',
    password TEXT NOT NULL DEFAULT '',
    created_at REAL NOT NULL,
    followers_base INTEGER           -- NULL: a simulated starting audience
);
CREATE TABLE IF NOT EXISTS tokens (
    token TEXT PRIMARY KEY,
    kind TEXT NOT NULL,              -- access | refresh
    account_id INTEGER,              -- NULL for an app-only (client_credentials) token
    app_id INTEGER NOT NULL,
    partner TEXT NOT NULL DEFAULT '', -- the refresh token of an access token and vice versa
    expires_at REAL,
    revoked INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS tokens_account ON tokens (account_id);
CREATE TABLE IF NOT EXISTS statuses (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL,
    text TEXT NOT NULL,
    visibility TEXT NOT NULL DEFAULT 'public',
    spoiler_text TEXT NOT NULL DEFAULT '',
    sensitive INTEGER NOT NULL DEFAULT 0,
    language TEXT,
    in_reply_to_id TEXT,
    media_ids TEXT NOT NULL DEFAULT '[]',
    idempotency_key TEXT,
    created_at REAL NOT NULL,
    deleted_at REAL
);
CREATE INDEX IF NOT EXISTS statuses_account ON statuses (account_id, id);
CREATE INDEX IF NOT EXISTS statuses_reply ON statuses (in_reply_to_id);
CREATE TABLE IF NOT EXISTS idempotency (
    account_id INTEGER NOT NULL,
    key TEXT NOT NULL,
    status_id INTEGER NOT NULL,
    created_at REAL NOT NULL,
    PRIMARY KEY (account_id, key)
);
CREATE TABLE IF NOT EXISTS media (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_at REAL NOT NULL,
    ready_at REAL NOT NULL
);
"""


def _row(row: sqlite3.Row | None) -> dict[str, Any] | None:
    return dict(row) if row is not None else None


class Store:
    """The sandbox's SQLite file, used from many request threads.

    Each thread reads through its own connection (WAL lets readers run beside the writer, no
    Python lock); writes take one process-wide lock, so they queue in Python instead of in
    SQLite's busy handler, which sleeps in steps of up to 100 ms.
    """

    def __init__(self, path: str | Path) -> None:
        self._temp: str | None = None
        if str(path) == ":memory:":
            # Every thread has its own connection, and each ":memory:" connection would be a
            # different database: a temporary file is shared by all of them.
            fd, self._temp = tempfile.mkstemp(prefix="socialops-sandbox-", suffix=".sqlite3")
            os.close(fd)
            path = self._temp
        self.path = str(path)
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        self._write_lock = threading.Lock()
        db = self._db()
        db.execute("PRAGMA journal_mode=WAL")
        db.executescript(SCHEMA)
        columns = {row[1] for row in db.execute("PRAGMA table_info(accounts)")}
        if "followers_base" not in columns:
            # Sandbox files made before the column existed.
            db.execute("ALTER TABLE accounts ADD COLUMN followers_base INTEGER")
        last = db.execute("SELECT MAX(id) FROM statuses").fetchone()[0]
        self._last_status_id = int(last or 0)

    def _db(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30)
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA synchronous=NORMAL")
            self._local.db = db
            with self._connections_lock:
                self._connections.append(db)
        return db

    def release(self) -> None:
        """Close the calling thread's connection (a request thread calls this when it ends)."""
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            return
        self._local.db = None
        with self._connections_lock:
            if db in self._connections:
                self._connections.remove(db)
        with contextlib.suppress(sqlite3.Error):
            db.close()

    def close(self) -> None:
        with self._connections_lock:
            for db in self._connections:
                with contextlib.suppress(sqlite3.Error):
                    db.close()
            self._connections.clear()
        self._local = threading.local()
        if self._temp is not None:
            for suffix in ("", "-wal", "-shm"):
                with contextlib.suppress(OSError):
                    os.unlink(self._temp + suffix)

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        db = self._db()
        with self._write_lock:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            else:
                db.execute("COMMIT")

    def one(self, sql: str, params: tuple[Any, ...] = ()) -> dict[str, Any] | None:
        return _row(self._db().execute(sql, params).fetchone())

    def all(self, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        return [dict(r) for r in self._db().execute(sql, params).fetchall()]

    # ---- apps, accounts, tokens ------------------------------------------------------------

    def create_app(self, name: str, now: float) -> dict[str, Any]:
        client_id = secrets.token_urlsafe(24)
        client_secret = secrets.token_urlsafe(32)
        with self.tx() as db:
            cur = db.execute(
                "INSERT INTO apps (name, client_id, client_secret, created_at) VALUES (?, ?, ?, ?)",
                (name, client_id, client_secret, now),
            )
            app_id = cur.lastrowid
        return {"id": app_id, "name": name, "client_id": client_id, "client_secret": client_secret}

    def app_by_client(self, client_id: str, client_secret: str) -> dict[str, Any] | None:
        app = self.one("SELECT * FROM apps WHERE client_id = ?", (client_id,))
        if app is None or not secrets.compare_digest(app["client_secret"], client_secret):
            return None
        return app

    def login(self, username: str, password: str, now: float) -> dict[str, Any] | None:
        """The account for username+password; the first login creates it (sandbox semantics)."""
        with self.tx() as db:
            row = db.execute("SELECT * FROM accounts WHERE username = ?", (username,)).fetchone()
            if row is None:
                db.execute(
                    "INSERT INTO accounts (username, display_name, password, created_at) VALUES (?, ?, ?, ?)",
                    (username, username, password, now),
                )
                row = db.execute("SELECT * FROM accounts WHERE username = ?", (username,)).fetchone()
            elif not secrets.compare_digest(row["password"], password):
                return None
        return dict(row)

    def set_followers_base(self, username: str, followers: int) -> bool:
        """Start the account's audience at ``followers`` (False when there is no such account)."""
        with self.tx() as db:
            cur = db.execute(
                "UPDATE accounts SET followers_base = ? WHERE username = ?", (followers, username)
            )
            return cur.rowcount > 0

    def account(self, account_id: int) -> dict[str, Any] | None:
        return self.one("SELECT * FROM accounts WHERE id = ?", (account_id,))

    def account_by_username(self, username: str) -> dict[str, Any] | None:
        return self.one("SELECT * FROM accounts WHERE username = ?", (username,))

    def issue_tokens(self, *, account_id: int | None, app_id: int, ttl: float, now: float) -> dict[str, Any]:
        access = secrets.token_urlsafe(32)
        refresh = secrets.token_urlsafe(32) if account_id is not None else ""
        expires_at = now + ttl if ttl > 0 else None
        with self.tx() as db:
            db.execute(
                "INSERT INTO tokens (token, kind, account_id, app_id, partner, expires_at, created_at)"
                " VALUES (?, 'access', ?, ?, ?, ?, ?)",
                (access, account_id, app_id, refresh, expires_at, now),
            )
            if refresh:
                db.execute(
                    "INSERT INTO tokens (token, kind, account_id, app_id, partner, expires_at, created_at)"
                    " VALUES (?, 'refresh', ?, ?, ?, NULL, ?)",
                    (refresh, account_id, app_id, access, now),
                )
        return {"access_token": access, "refresh_token": refresh, "expires_at": expires_at, "created_at": now}

    def token(self, token: str) -> dict[str, Any] | None:
        return self.one("SELECT * FROM tokens WHERE token = ?", (token,))

    def rotate_refresh(
        self, refresh_token: str, app_id: int, ttl: float, now: float
    ) -> dict[str, Any] | None:
        """Use a refresh token once: the old pair is revoked, a new pair issued (None if unusable)."""
        with self.tx() as db:
            row = db.execute(
                "SELECT * FROM tokens WHERE token = ? AND kind = 'refresh' AND revoked = 0 AND app_id = ?",
                (refresh_token, app_id),
            ).fetchone()
            if row is None:
                return None
            db.execute("UPDATE tokens SET revoked = 1 WHERE token IN (?, ?)", (refresh_token, row["partner"]))
        return self.issue_tokens(account_id=row["account_id"], app_id=app_id, ttl=ttl, now=now)

    def revoke_token(self, token: str) -> None:
        with self.tx() as db:
            row = db.execute("SELECT partner FROM tokens WHERE token = ?", (token,)).fetchone()
            db.execute("UPDATE tokens SET revoked = 1 WHERE token = ?", (token,))
            if row is not None and row["partner"]:
                db.execute("UPDATE tokens SET revoked = 1 WHERE token = ?", (row["partner"],))

    def revoke_account(self, account_id: int) -> int:
        with self.tx() as db:
            return db.execute(
                "UPDATE tokens SET revoked = 1 WHERE account_id = ? AND revoked = 0", (account_id,)
            ).rowcount

    def expire_account(self, account_id: int, now: float) -> int:
        with self.tx() as db:
            return db.execute(
                "UPDATE tokens SET expires_at = ? WHERE account_id = ? AND kind = 'access' AND revoked = 0",
                (now - 1, account_id),
            ).rowcount

    # ---- statuses --------------------------------------------------------------------------

    def _next_status_id(self, now: float) -> int:
        # Snowflake-like like Mastodon's: milliseconds in the high bits, so ids sort by time.
        candidate = (int(now * 1000) << 16) | (self._last_status_id + 1) % 0x8000
        self._last_status_id = max(candidate, self._last_status_id + 1)
        return self._last_status_id

    def create_status(
        self, *, account_id: int, fields: dict[str, Any], idempotency_key: str, now: float
    ) -> tuple[dict[str, Any], bool]:
        """Record a status; with a key seen in the last hour, return that status instead (replay True)."""
        with self.tx() as db:
            if idempotency_key:
                seen = db.execute(
                    "SELECT status_id, created_at FROM idempotency WHERE account_id = ? AND key = ?",
                    (account_id, idempotency_key),
                ).fetchone()
                if seen is not None and now - seen["created_at"] < IDEMPOTENCY_SECONDS:
                    status = db.execute(
                        "SELECT * FROM statuses WHERE id = ?", (seen["status_id"],)
                    ).fetchone()
                    if status is not None:
                        return dict(status), True
            status_id = self._next_status_id(now)
            row = {
                "id": status_id,
                "account_id": account_id,
                "text": fields["text"],
                "visibility": fields.get("visibility", "public"),
                "spoiler_text": fields.get("spoiler_text", ""),
                "sensitive": 1 if fields.get("sensitive") else 0,
                "language": fields.get("language"),
                "in_reply_to_id": fields.get("in_reply_to_id"),
                "media_ids": json.dumps(fields.get("media_ids", [])),
                "idempotency_key": idempotency_key or None,
                "created_at": now,
                "deleted_at": None,
            }
            db.execute(
                "INSERT INTO statuses (id, account_id, text, visibility, spoiler_text, sensitive, language,"
                " in_reply_to_id, media_ids, idempotency_key, created_at, deleted_at)"
                " VALUES (:id, :account_id, :text, :visibility, :spoiler_text, :sensitive, :language,"
                " :in_reply_to_id, :media_ids, :idempotency_key, :created_at, :deleted_at)",
                row,
            )
            if idempotency_key:
                db.execute(
                    "INSERT OR REPLACE INTO idempotency (account_id, key, status_id, created_at) VALUES (?, ?, ?, ?)",
                    (account_id, idempotency_key, status_id, now),
                )
        return row, False

    def status(self, status_id: int) -> dict[str, Any] | None:
        return self.one("SELECT * FROM statuses WHERE id = ? AND deleted_at IS NULL", (status_id,))

    def delete_status(self, status_id: int, now: float) -> None:
        with self.tx() as db:
            db.execute("UPDATE statuses SET deleted_at = ? WHERE id = ?", (now, status_id))

    def account_statuses(
        self,
        account_id: int,
        *,
        limit: int,
        max_id: int | None = None,
        since_id: int | None = None,
        min_id: int | None = None,
        exclude_replies: bool = False,
    ) -> list[dict[str, Any]]:
        where = ["account_id = ?", "deleted_at IS NULL"]
        params: list[Any] = [account_id]
        if max_id is not None:
            where.append("id < ?")
            params.append(max_id)
        if since_id is not None:
            where.append("id > ?")
            params.append(since_id)
        if min_id is not None:
            where.append("id > ?")
            params.append(min_id)
        if exclude_replies:
            where.append("in_reply_to_id IS NULL")
        # min_id pages forward from the id (oldest first), the others backward (newest first);
        # either way the page is returned newest first, as Mastodon does.
        order = "ASC" if min_id is not None else "DESC"
        rows = self.all(
            f"SELECT * FROM statuses WHERE {' AND '.join(where)} ORDER BY id {order} LIMIT ?",  # noqa: S608
            (*params, limit),
        )
        return sorted(rows, key=lambda r: r["id"], reverse=True)

    def all_statuses(self, account_id: int) -> list[dict[str, Any]]:
        return self.all(
            "SELECT * FROM statuses WHERE account_id = ? AND deleted_at IS NULL ORDER BY id", (account_id,)
        )

    def count_statuses(self, account_id: int) -> int:
        row = self.one(
            "SELECT COUNT(*) AS n FROM statuses WHERE account_id = ? AND deleted_at IS NULL", (account_id,)
        )
        return int(row["n"]) if row else 0

    # ---- media -----------------------------------------------------------------------------

    def create_media(
        self,
        *,
        account_id: int,
        filename: str,
        content_type: str,
        size: int,
        description: str,
        now: float,
        ready_at: float,
    ) -> dict[str, Any]:
        with self.tx() as db:
            cur = db.execute(
                "INSERT INTO media (account_id, filename, content_type, size, description, created_at, ready_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (account_id, filename, content_type, size, description, now, ready_at),
            )
            row = db.execute("SELECT * FROM media WHERE id = ?", (cur.lastrowid,)).fetchone()
        return dict(row)

    def media(self, media_id: int) -> dict[str, Any] | None:
        return self.one("SELECT * FROM media WHERE id = ?", (media_id,))

    # ---- admin -----------------------------------------------------------------------------

    def posts(self, *, username: str = "", include_deleted: bool = False) -> list[dict[str, Any]]:
        where = ["1 = 1"]
        params: list[Any] = []
        if username:
            where.append("a.username = ?")
            params.append(username)
        if not include_deleted:
            where.append("s.deleted_at IS NULL")
        return self.all(
            "SELECT s.*, a.username FROM statuses s JOIN accounts a ON a.id = s.account_id"
            f" WHERE {' AND '.join(where)} ORDER BY s.id",  # noqa: S608
            tuple(params),
        )

    def reset(self) -> None:
        with self.tx() as db:
            for table in ("statuses", "idempotency", "media"):
                db.execute(f"DELETE FROM {table}")  # noqa: S608


def now_seconds(offset: float = 0.0) -> float:
    return time.time() + offset
