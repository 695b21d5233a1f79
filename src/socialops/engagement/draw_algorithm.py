"""The lucky draw's public algorithm: canonical entrant list, commitments and winner selection.

Pure Python (hashlib, hmac, json): no Django, so anyone can read it, run it or re-implement it
(docs/draws.md gives the same rules in prose with a worked example).

- An entrant is a pair (entrant_id, pseudonym): entrant_id is 20 lowercase hex characters,
  pseudonym a short label derived from it. Neither names the person.
- The canonical entrant list is UTF-8 text, one JSON object per line,
  ``{"entrant_id":"…","pseudonym":"…"}`` with the keys in that (sorted) order, no spaces, each
  line ending in "\\n", the lines sorted by entrant_id ascending. Its SHA-256 (lowercase hex) is
  the list commitment.
- The seed is a text string (64 lowercase hex characters when socialops makes it); the seed
  commitment is SHA-256 of its UTF-8 bytes, in lowercase hex.
- Winners: for each entrant, key = SHA-256(seed + ":" + entrant_id) as lowercase hex; sort the
  entrants by (key, entrant_id) ascending; the first N are the winners, in that order.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "Entrant",
    "canonical_bytes",
    "entrant_id_for",
    "list_hash",
    "parse_canonical",
    "pseudonym_for",
    "seed_hash",
    "sort_key",
    "winners",
]

ENTRANT_ID = re.compile(r"^[0-9a-f]{20}$")
ENTRANT_ID_LENGTH = 20


@dataclass(frozen=True, order=True)
class Entrant:
    """One line of the published list: the public entrant id and its display pseudonym."""

    entrant_id: str
    pseudonym: str


def entrant_id_for(key: str, person_id: int) -> str:
    """The entrant id of a person in one draw: HMAC-SHA256(draw key, person id), first 20 hex characters.

    The key stays secret (it is never published), so the id cannot be traced back to a person.
    """
    digest = hmac.new(key.encode("utf-8"), str(person_id).encode("utf-8"), hashlib.sha256).hexdigest()
    return digest[:ENTRANT_ID_LENGTH]


def pseudonym_for(entrant_id: str) -> str:
    """The label shown for an entrant: its first eight characters, upper case, as XXXX-XXXX."""
    head = entrant_id[:8].upper()
    return f"{head[:4]}-{head[4:]}"


def _line(entrant: Entrant) -> str:
    data = {"entrant_id": entrant.entrant_id, "pseudonym": entrant.pseudonym}
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


def canonical_bytes(entrants: Iterable[Entrant]) -> bytes:
    """The canonical file: UTF-8 JSON lines sorted by entrant id (see the module docstring)."""
    rows = sorted(entrants, key=lambda e: e.entrant_id)
    return "".join(_line(e) for e in rows).encode("utf-8")


def list_hash(entrants: Iterable[Entrant]) -> str:
    """SHA-256 (lowercase hex) of the canonical file of these entrants."""
    return hashlib.sha256(canonical_bytes(entrants)).hexdigest()


def seed_hash(seed: str) -> str:
    """SHA-256 (lowercase hex) of the seed's UTF-8 bytes: the seed commitment."""
    return hashlib.sha256(seed.encode("utf-8")).hexdigest()


def sort_key(seed: str, entrant_id: str) -> str:
    """An entrant's draw key: SHA-256(seed ":" entrant_id) in lowercase hex."""
    return hashlib.sha256(f"{seed}:{entrant_id}".encode()).hexdigest()


def winners(seed: str, entrants: Iterable[Entrant], count: int) -> list[Entrant]:
    """The first ``count`` entrants by (draw key, entrant id) ascending: the winners, in rank order."""
    ranked = sorted(entrants, key=lambda e: (sort_key(seed, e.entrant_id), e.entrant_id))
    return ranked[: max(0, count)]


class CanonicalError(ValueError):
    """A file that is not a canonical entrant list; the message names the line."""


def parse_canonical(data: bytes) -> list[Entrant]:
    """Read an entrant list file (the published one or a copy); raises CanonicalError on a bad line.

    The file is read as it is, not re-sorted: its hash is taken of the bytes, and a list that is
    out of order or has a line changed does not match the commitment.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CanonicalError("not UTF-8") from exc
    entrants: list[Entrant] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise CanonicalError(f"line {number}: not JSON") from exc
        if not isinstance(row, dict) or not isinstance(row.get("entrant_id"), str):
            raise CanonicalError(f"line {number}: no entrant_id")
        entrants.append(Entrant(row["entrant_id"], str(row.get("pseudonym", ""))))
    return entrants
