"""Rotating the credentials key re-encrypts people's contact details too (they share its keyring)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command

from socialops.fans.privacy import contact_decrypt, contact_encrypt
from tests.factories import make_person, make_workspace

pytestmark = pytest.mark.django_db


@pytest.fixture
def key_file(settings: Any, tmp_path: Path) -> Path:
    settings.CREDENTIALS_KEYS = []
    settings.CREDENTIALS_KEY_FILE = tmp_path / "credentials_key"
    return Path(settings.CREDENTIALS_KEY_FILE)


def test_contacts_stay_readable_after_the_old_key_is_dropped(key_file: Path) -> None:
    workspace = make_workspace()
    person = make_person(
        workspace, contact_encrypted=contact_encrypt({"name": "王小明", "phone": "13800138000"})
    )
    old_key = key_file.read_text().strip()
    call_command("rotate_credentials_key", stdout=None)
    person.refresh_from_db()
    assert contact_decrypt(person.contact_encrypted) == {"name": "王小明", "phone": "13800138000"}
    with pytest.raises(Exception):  # noqa: B017 - the dropped key no longer reads the row
        Fernet(old_key.encode()).decrypt(person.contact_encrypted.encode())
