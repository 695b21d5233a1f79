"""Personal data at rest: phone numbers as keyed hashes, CRM contact details encrypted.

A phone number is a matching key (the same customer in the CRM file and on WeChat), but it is
never stored. We keep ``phone_hash``: HMAC-SHA256 of the normalised number under a key derived
from ``settings.SECRET_KEY``. A plain (unkeyed) SHA-256 would not protect anything: China has
only ~2×10⁹ possible mobile numbers, so hashing all of them takes minutes and turns a leaked
column back into numbers. Without the key that enumeration is impossible. Changing SECRET_KEY
changes every hash (new imports then no longer match old people by phone).

Real names and phone numbers from a CRM import are kept encrypted (``Person.contact_encrypted``)
with the same Fernet keyring as platform credentials, so one key file (or
SOCIALOPS_CREDENTIALS_KEY) and one rotation procedure cover both.
"""

from __future__ import annotations

import json
import re
from typing import Any

from cryptography.fernet import InvalidToken
from django.utils.crypto import salted_hmac

from socialops.platforms.credentials import keyring

# The HMAC key is sha256(this salt + SECRET_KEY): a key of its own, not the session signing key.
PHONE_KEY_SALT = "socialops.fans.privacy.phone_hash"

# Spaces (incl. full-width), dashes, dots, brackets: how people write numbers in CRM sheets.
_SEPARATORS = re.compile(r"[\s\-‐‑–—.()（）－　]+")
_CN_MOBILE = re.compile(r"1[3-9]\d{9}")
_INTERNATIONAL = re.compile(r"\+[1-9]\d{6,14}")


class ContactUnreadable(Exception):
    """The stored contact details cannot be decrypted with any configured key."""


def phone_normalise(raw: str) -> str:
    """The number in one canonical form ("13812345678", or "+<digits>" abroad); "" if it is no phone number.

    Chinese mobile numbers lose the country code (+86, 0086, 86) so that every way of writing
    one gives the same hash.
    """
    text = _SEPARATORS.sub("", str(raw or "")).replace("＋", "+")
    if text.startswith("00"):
        text = "+" + text[2:]
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("86") and len(text) == 13:
        text = text[2:]
    if _CN_MOBILE.fullmatch(text):
        return text
    if _INTERNATIONAL.fullmatch(text):
        return text
    return ""


def phone_hash(raw: str) -> str:
    """Keyed hash (HMAC-SHA256, hex) of the normalised phone number; "" when it is no phone number."""
    number = phone_normalise(raw)
    if not number:
        return ""
    return salted_hmac(PHONE_KEY_SALT, number, algorithm="sha256").hexdigest()


def contact_encrypt(contact: dict[str, Any]) -> str:
    """Fernet token (text) of contact details such as {"name": …, "phone": …}; "" for none."""
    data = {k: v for k, v in contact.items() if v not in (None, "")}
    if not data:
        return ""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return keyring().encrypt(text.encode()).decode()


def contact_decrypt(token: str) -> dict[str, Any]:
    """The contact details in a stored token; {} for an empty one. ContactUnreadable without the key."""
    if not token:
        return {}
    try:
        data = json.loads(keyring().decrypt(token.encode()).decode())
    except InvalidToken as exc:
        raise ContactUnreadable(
            "stored contact details cannot be decrypted with the configured keys"
        ) from exc
    return data if isinstance(data, dict) else {}
