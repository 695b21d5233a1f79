"""Platform credentials and their encryption at rest (Fernet, with MultiFernet for key rotation).

The keys come from SOCIALOPS_CREDENTIALS_KEY (comma-separated, the first one encrypts, all of
them decrypt) or, when that is unset, from a key file under the data dir that is generated on
first use, like the secret key. `socialops rotate-credentials-key` puts a new key first and
re-encrypts every stored connection with it.

Credentials are a frozen dataclass whose repr masks every secret, so logging a connection,
a connector or a traceback's locals never prints a token.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import threading
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

SECRET_NAMES = ("access_token", "refresh_token", "client_secret", "signing_secret", "encoding_aes_key")


@dataclasses.dataclass(frozen=True)
class Credentials:
    """What a connector needs to act as an account. Secrets never appear in repr()."""

    access_token: str = dataclasses.field(default="", repr=False)
    refresh_token: str = dataclasses.field(default="", repr=False)
    # When the access token stops working (None: the platform did not say).
    expires_at: dt.datetime | None = None
    # When the refresh token stops working (None: the platform did not say), and how many times it
    # was renewed (Douyin renews a refresh token a limited number of times, then asks the user again).
    refresh_expires_at: dt.datetime | None = None
    refresh_renewals: int = 0
    # OAuth2 client / platform app id and its secret (app secret), used to refresh tokens.
    client_id: str = ""
    client_secret: str = dataclasses.field(default="", repr=False)
    # Webhook connector: the shared secret that signs every request. WeChat: the push Token
    # (服务器配置 → 令牌) that signs the messages WeChat pushes to us.
    signing_secret: str = dataclasses.field(default="", repr=False)
    # WeChat: the 43-character EncodingAESKey of the push endpoint's encrypted (安全) mode.
    encoding_aes_key: str = dataclasses.field(default="", repr=False)

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={'***' if getattr(self, name) else ''!r}" for name in SECRET_NAMES)
        return f"Credentials({shown}, client_id={self.client_id!r}, expires_at={self.expires_at!r})"

    __str__ = __repr__

    def is_expired(self, *, now: dt.datetime | None = None, skew_seconds: int = 60) -> bool:
        """True when the access token has expired or will within ``skew_seconds``."""
        if self.expires_at is None:
            return False
        now = now or dt.datetime.now(dt.UTC)
        return self.expires_at <= now + dt.timedelta(seconds=skew_seconds)

    def which_set(self) -> dict[str, bool]:
        """Which secrets are stored (for showing "set" / "not set" without the values)."""
        return {name: bool(getattr(self, name)) for name in SECRET_NAMES} | {
            "client_id": bool(self.client_id)
        }

    def replace(self, **changes: Any) -> Credentials:
        return dataclasses.replace(self, **changes)

    def to_json(self) -> str:
        data = dataclasses.asdict(self)
        data["expires_at"] = self.expires_at.isoformat() if self.expires_at else None
        data["refresh_expires_at"] = self.refresh_expires_at.isoformat() if self.refresh_expires_at else None
        return json.dumps(data, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Credentials:
        data = json.loads(text) if text else {}
        known = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        for name in ("expires_at", "refresh_expires_at"):
            if values.get(name):
                values[name] = dt.datetime.fromisoformat(values[name])
        return cls(**values)


# ---- keys ----------------------------------------------------------------------------------

_lock = threading.Lock()
_cache: dict[str, Any] = {"source": None, "fernet": None}


def _key_file() -> Path:
    return Path(getattr(settings, "CREDENTIALS_KEY_FILE", Path(settings.DATA_DIR) / "credentials_key"))


def _env_keys() -> list[str]:
    return [k.strip() for k in getattr(settings, "CREDENTIALS_KEYS", []) if k and k.strip()]


def _read_key_file(path: Path) -> list[str]:
    if not path.exists():
        # O_EXCL so two processes starting together cannot write different keys.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(Fernet.generate_key().decode() + "\n")
    return [line.strip() for line in path.read_text().splitlines() if line.strip()]


def write_key_file(keys: list[str], path: Path | None = None) -> None:
    """Replace the key file atomically (the first key encrypts)."""
    path = path or _key_file()
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write("\n".join(keys) + "\n")
    os.replace(tmp, path)


def keys_from_env() -> bool:
    """True when the keys are configured in SOCIALOPS_CREDENTIALS_KEY rather than the key file."""
    return bool(_env_keys())


def current_keys() -> list[str]:
    """The configured keys, newest (encrypting) first."""
    env = _env_keys()
    return env if env else _read_key_file(_key_file())


def keyring() -> MultiFernet:
    """The MultiFernet for the configured keys.

    The key file is re-read when it changes, so a rotation done by the command is picked up by
    running workers without a restart.
    """
    env = _env_keys()
    if env:
        source: Any = ("env", tuple(env))
    else:
        path = _key_file()
        _read_key_file(path)  # creates it on first use
        source = ("file", str(path), path.stat().st_mtime_ns, path.stat().st_size)
    with _lock:
        if _cache["source"] != source:
            keys = list(env) if env else _read_key_file(_key_file())
            _cache["fernet"] = MultiFernet([Fernet(k.encode()) for k in keys])
            _cache["source"] = source
        fernet: MultiFernet = _cache["fernet"]
    return fernet


class CredentialsUnreadable(Exception):
    """The stored credentials cannot be decrypted with any configured key."""


def encrypt(credentials: Credentials) -> str:
    """Fernet token (text) of the credentials, with the current key."""
    return keyring().encrypt(credentials.to_json().encode()).decode()


def decrypt(token: str) -> Credentials:
    """The credentials in a stored token; empty credentials for an empty token."""
    if not token:
        return Credentials()
    try:
        return Credentials.from_json(keyring().decrypt(token.encode()).decode())
    except InvalidToken as exc:
        raise CredentialsUnreadable(
            "stored credentials cannot be decrypted with the configured keys"
        ) from exc


def reencrypt(token: str) -> str:
    """The same credentials encrypted with the current (first) key."""
    if not token:
        return token
    try:
        return keyring().rotate(token.encode()).decode()
    except InvalidToken as exc:
        raise CredentialsUnreadable(
            "stored credentials cannot be decrypted with the configured keys"
        ) from exc


def on_current_key(token: str) -> bool:
    """True when the first (current) key alone decrypts ``token``."""
    try:
        Fernet(current_keys()[0].encode()).decrypt(token.encode())
    except InvalidToken:
        return False
    return True
