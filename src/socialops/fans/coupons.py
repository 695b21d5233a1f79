"""Coupon codes: unguessable, easy to read aloud, with a check character that catches typos.

A generated code is an optional prefix and a dash, then 10 random characters and one check
character, all from a 32-character alphabet without 0/O/1/I (nobody mistakes one for another).
The check character is Luhn mod N (N = 32): it catches every single mistyped character and
every swap of two neighbours, so a typo is told apart from an unknown code without a lookup.
10 random characters from 32 are 50 bits: guessing a valid code is hopeless.

Pure functions, no Django models: services.coupons stores and checks the codes.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
BODY_LENGTH = 10
N = len(ALPHABET)
_INDEX = {ch: i for i, ch in enumerate(ALPHABET)}
PREFIX = re.compile(r"^[A-Z0-9]{0,8}$")


def check_character(body: str) -> str:
    """The Luhn mod N check character of ``body`` (characters of ALPHABET)."""
    factor = 2
    total = 0
    # From the rightmost character leftwards, doubling every other one (as in Luhn mod 10).
    for ch in reversed(body):
        addend = factor * _INDEX[ch]
        factor = 1 if factor == 2 else 2
        total += addend // N + addend % N
    return ALPHABET[(N - total % N) % N]


def _valid_body(body_and_check: str) -> bool:
    if len(body_and_check) != BODY_LENGTH + 1 or any(ch not in _INDEX for ch in body_and_check):
        return False
    return check_character(body_and_check[:-1]) == body_and_check[-1]


def normalize_prefix(prefix: str) -> str:
    """The prefix as stored in a code: upper case, no spaces or dashes."""
    return (prefix or "").strip().upper().replace("-", "").replace(" ", "")


def code_generate(prefix: str = "") -> str:
    """A fresh random code, e.g. ``SPRING-7KQ2MXR9DT4`` (prefix, dash, 10 random + 1 check)."""
    prefix = normalize_prefix(prefix)
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
    code = body + check_character(body)
    return f"{prefix}-{code}" if prefix else code


def normalize_code(code: str) -> str:
    """A typed code as stored: trimmed, upper case, inner spaces dropped."""
    return re.sub(r"\s+", "", code or "").upper()


def code_is_well_formed(code: str) -> bool:
    """True when ``code`` looks like one we generated: right length, alphabet and check character."""
    code = normalize_code(code)
    prefix, _dash, rest = code.rpartition("-")
    if prefix and not PREFIX.match(prefix):
        return False
    return _valid_body(rest)


def webhook_signature(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>`` of HMAC-SHA256 over ``timestamp.`` + the raw body, keyed by the campaign's secret."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def webhook_signature_ok(secret: str, timestamp: str, body: bytes, header: str) -> bool:
    """Whether the header's signature is the one ``secret`` gives (constant-time comparison)."""
    if not secret or not header:
        return False
    return hmac.compare_digest(webhook_signature(secret, timestamp, body), header.strip())


def webhook_secret_new() -> str:
    """A new webhook secret (48 hex characters)."""
    return secrets.token_hex(24)
