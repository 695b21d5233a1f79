"""`socialops rotate-credentials-key`: encrypt every stored platform credential with a new key."""

from __future__ import annotations

from typing import Any

from cryptography.fernet import Fernet
from django.core.management.base import BaseCommand, CommandError

from socialops.platforms import credentials
from socialops.platforms.services.connections import credentials_reencrypt_all


class Command(BaseCommand):
    help = (
        "Rotate the key that encrypts platform credentials. With the key file (the default), a new key "
        "is generated, every connection is re-encrypted with it, and the old keys are dropped "
        "(--keep-old keeps them). With SOCIALOPS_CREDENTIALS_KEY, put the new key first in that "
        "variable, run this command to re-encrypt, then remove the old key; --generate prints a new key."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--generate", action="store_true", help="print a new key and change nothing")
        parser.add_argument("--keep-old", action="store_true", help="keep the old keys in the key file")

    def handle(self, *args: Any, generate: bool, keep_old: bool, **options: Any) -> None:
        if generate:
            self.stdout.write(Fernet.generate_key().decode())
            return
        if credentials.keys_from_env():
            keys = credentials.current_keys()
            count = credentials_reencrypt_all()
            self.stdout.write(
                f"Re-encrypted {count} connection(s) with the first key of SOCIALOPS_CREDENTIALS_KEY. "
                f"You may now remove the other {len(keys) - 1} key(s) from the variable."
            )
            return
        old = credentials.current_keys()
        new = Fernet.generate_key().decode()
        # New key first, old ones after: every process can still read rows not yet re-encrypted.
        credentials.write_key_file([new, *old])
        try:
            count = credentials_reencrypt_all()
            # A worker that loaded the keys just before the file changed may have written a row
            # with the old key meanwhile; a second pass catches it before the old key goes.
            credentials_reencrypt_all(only_stale=True)
        except credentials.CredentialsUnreadable as exc:
            raise CommandError(
                f"{exc}; the key file now holds the new key first and the old ones after it"
            ) from exc
        if not keep_old:
            credentials.write_key_file([new])
        self.stdout.write(
            f"Re-encrypted {count} connection(s) with a new key"
            + (" (old keys kept)." if keep_old else "; the old keys were removed.")
        )
