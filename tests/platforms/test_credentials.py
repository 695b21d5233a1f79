"""Credentials at rest: Fernet encryption, key file, key rotation, and secrets never shown."""

from __future__ import annotations

import datetime as dt
import json
import logging
import stat
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command

from socialops.cli import main as socialops_main
from socialops.platforms import credentials as creds
from socialops.platforms.connectors.base import PostRequest, RetryableError
from socialops.platforms.models import ConnectionStatus, PlatformConnection
from socialops.platforms.registry import connector_for
from socialops.platforms.services import connections as connection_services
from socialops.workspaces.audit import snapshot
from socialops.workspaces.models import AuditEntry
from tests.factories import MASTODON_TOKEN, WEBHOOK_SECRET, connect, make_account

pytestmark = pytest.mark.django_db


@pytest.fixture
def key_file(settings: Any, tmp_path: Path) -> Path:
    settings.CREDENTIALS_KEYS = []
    settings.CREDENTIALS_KEY_FILE = tmp_path / "credentials_key"
    return Path(settings.CREDENTIALS_KEY_FILE)


def test_repr_masks_every_secret() -> None:
    value = creds.Credentials(
        access_token="AT-secret",
        refresh_token="RT-secret",
        client_id="cid",
        client_secret="CS-secret",
        signing_secret="SS-secret",
        encoding_aes_key="AES-secret",
    )
    for text in (repr(value), str(value), f"{value}", repr([value])):
        assert "secret" not in text.replace("client_secret", "").replace("signing_secret", "")
        assert "cid" in text
    assert value.which_set() == {
        "access_token": True,
        "refresh_token": True,
        "client_secret": True,
        "signing_secret": True,
        "encoding_aes_key": True,
        "client_id": True,
    }


def test_json_round_trip_keeps_expiry() -> None:
    value = creds.Credentials(access_token="a", expires_at=dt.datetime(2030, 1, 2, 3, 4, tzinfo=dt.UTC))
    assert creds.Credentials.from_json(value.to_json()) == value
    assert not value.is_expired(now=dt.datetime(2029, 1, 1, tzinfo=dt.UTC))
    assert value.is_expired(now=dt.datetime(2030, 1, 2, 3, 3, 30, tzinfo=dt.UTC))  # within the 60 s margin


def test_key_file_is_generated_private_and_reused(key_file: Path) -> None:
    token = creds.encrypt(creds.Credentials(access_token="hello"))
    assert key_file.exists() and stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert "hello" not in token
    assert creds.decrypt(token).access_token == "hello"
    first_key = key_file.read_text()
    creds.encrypt(creds.Credentials(access_token="again"))
    assert key_file.read_text() == first_key


def test_keys_from_settings_with_rotation_order(settings: Any) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.CREDENTIALS_KEYS = [old]
    token = creds.encrypt(creds.Credentials(access_token="x"))
    settings.CREDENTIALS_KEYS = [new, old]
    assert creds.decrypt(token).access_token == "x"
    assert not creds.on_current_key(token)
    assert creds.on_current_key(creds.reencrypt(token))
    settings.CREDENTIALS_KEYS = [new]
    with pytest.raises(creds.CredentialsUnreadable):
        creds.decrypt(token)


def test_rotate_command_with_the_key_file(
    workspace: Any, key_file: Path, keep_db_connection: Any, capsys: Any
) -> None:
    first = connect(make_account(workspace, "one", platform="mastodon"), "mastodon")
    second = connect(make_account(workspace, "two", platform="mastodon"), "webhook")
    connect(make_account(workspace, "three", platform="mastodon"), "manual")
    old_key = key_file.read_text().strip()
    socialops_main(["rotate-credentials-key"])
    assert "Re-encrypted 3 connection(s)" in capsys.readouterr().out
    new_keys = key_file.read_text().split()
    assert len(new_keys) == 1 and new_keys[0] != old_key
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.get_credentials().access_token == MASTODON_TOKEN
    assert second.get_credentials().signing_secret == WEBHOOK_SECRET
    with pytest.raises(Exception):  # noqa: B017 - the old key no longer reads the rows
        Fernet(old_key.encode()).decrypt(first.credentials.encode())
    assert AuditEntry.objects.filter(action="platforms.connection.rekey").count() == 3


def test_rotate_keep_old(workspace: Any, key_file: Path) -> None:
    connect(make_account(workspace, "acme", platform="mastodon"), "mastodon")
    old_key = key_file.read_text().strip()
    call_command("rotate_credentials_key", "--keep-old", stdout=None)
    keys = key_file.read_text().split()
    assert keys[1] == old_key and len(keys) == 2


def test_rotate_with_keys_in_the_environment(workspace: Any, settings: Any) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.CREDENTIALS_KEYS = [old]
    connection = connect(make_account(workspace, "acme", platform="mastodon"), "mastodon")
    settings.CREDENTIALS_KEYS = [new, old]
    call_command("rotate_credentials_key")
    settings.CREDENTIALS_KEYS = [new]
    connection.refresh_from_db()
    assert connection.get_credentials().access_token == MASTODON_TOKEN


def test_generate_prints_a_key(capsys: Any) -> None:
    call_command("rotate_credentials_key", "--generate")
    Fernet(capsys.readouterr().out.strip().encode())  # a valid key


def test_unreadable_credentials_are_reported(workspace: Any, admin: Any, settings: Any) -> None:
    settings.CREDENTIALS_KEYS = [Fernet.generate_key().decode()]
    connection = connect(make_account(workspace, "acme", platform="mastodon"), "mastodon")
    settings.CREDENTIALS_KEYS = [Fernet.generate_key().decode()]
    result = connection_services.connection_test(workspace=workspace, actor=admin, connection=connection)
    connection.refresh_from_db()
    assert not result.ok and "cannot be decrypted" in result.message
    assert connection.status == ConnectionStatus.NEEDS_REAUTH


def test_audit_snapshot_never_holds_credentials(workspace: Any) -> None:
    connection = connect(
        make_account(workspace, "acme", platform="mastodon"), "mastodon", refresh_token="refresh-SECRET"
    )
    data = snapshot(connection)
    assert "credentials" not in data
    dumped = json.dumps(list(AuditEntry.objects.values("before", "after")), default=str)
    for secret in (MASTODON_TOKEN, "refresh-SECRET", connection.credentials):
        assert secret not in dumped


@pytest.mark.usefixtures("egress_loopback")  # a server (or closed port) on 127.0.0.1
def test_tokens_never_reach_the_logs(workspace: Any, caplog: Any) -> None:
    caplog.set_level(logging.DEBUG)
    connection = connect(
        make_account(workspace, "acme", platform="mastodon"), "mastodon", base_url="http://127.0.0.1:9"
    )
    with connector_for(connection) as connector:
        logging.getLogger("test").info("connector %r credentials %s", connector, connector.credentials)
        with pytest.raises(RetryableError):
            connector.publish(PostRequest(text="x"), idempotency_key="k")
    assert MASTODON_TOKEN not in caplog.text
    assert PlatformConnection.objects.get().get_credentials().access_token == MASTODON_TOKEN
