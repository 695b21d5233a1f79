"""The draw algorithm: determinism, the worked example of docs/draws.md, and the canonical file."""

from __future__ import annotations

import hashlib
import json

import pytest

from socialops.engagement import draw_algorithm as algo

SEED = "5f2b9c0e7a1d4e3f8b6a0c9d2e1f4a7b3c8d5e6f0a1b2c3d4e5f6a7b8c9d0e1f"
KEY = "demo-pseudonym-key"
PEOPLE = (101, 102, 103, 104, 105)


def _entrants() -> list[algo.Entrant]:
    ids = [algo.entrant_id_for(KEY, pid) for pid in PEOPLE]
    return [algo.Entrant(e, algo.pseudonym_for(e)) for e in ids]


def test_the_worked_example_of_the_docs() -> None:
    entrants = _entrants()
    assert [e.entrant_id for e in sorted(entrants)] == [
        "02ce6b0bc16fe310c2fc",
        "1bb4cd38bcd87f633b5d",
        "5c770747b16d4b2aa671",
        "87e7d744e8082bf7a77f",
        "98f2c492943ea1319ef3",
    ]
    assert algo.seed_hash(SEED) == "e4ffa9ee009b9f128783b4d43d51f05345647b8fa31ffe670ae809cb4a7143fc"
    assert algo.list_hash(entrants) == "22ce9c432d71f460afb71e1b41b48c62c241e910a48959b9a9375138fe9652a7"
    assert algo.sort_key(SEED, "02ce6b0bc16fe310c2fc") == (
        "61af9c69af4ac26140100cf5430566ee49785e30e4b74097b459ad8c5e8286e3"
    )
    assert [e.entrant_id for e in algo.winners(SEED, entrants, 2)] == [
        "02ce6b0bc16fe310c2fc",
        "98f2c492943ea1319ef3",
    ]


def test_an_independent_reimplementation_agrees() -> None:
    """What a stranger would write from the docs, with hashlib and json only."""
    data = algo.canonical_bytes(_entrants())
    ids = [json.loads(line)["entrant_id"] for line in data.decode().splitlines()]
    assert ids == sorted(ids)
    assert hashlib.sha256(data).hexdigest() == algo.list_hash(_entrants())
    mine = sorted(ids, key=lambda e: hashlib.sha256(f"{SEED}:{e}".encode()).hexdigest())[:3]
    assert mine == [e.entrant_id for e in algo.winners(SEED, _entrants(), 3)]


def test_deterministic_and_independent_of_input_order() -> None:
    entrants = _entrants()
    first = algo.winners(SEED, entrants, 3)
    assert algo.winners(SEED, list(reversed(entrants)), 3) == first
    assert algo.list_hash(reversed(entrants)) == algo.list_hash(entrants)
    assert algo.winners("another seed", entrants, 3) != first or len(entrants) <= 3
    assert algo.winners(SEED, entrants, 10) == algo.winners(SEED, entrants, 5)  # more than there are: all
    assert algo.winners(SEED, [], 3) == []


def test_canonical_lines_and_parsing() -> None:
    data = algo.canonical_bytes(_entrants())
    lines = data.decode("utf-8").split("\n")
    assert lines[-1] == "" and lines[0] == '{"entrant_id":"02ce6b0bc16fe310c2fc","pseudonym":"02CE-6B0B"}'
    assert algo.parse_canonical(data) == sorted(_entrants())
    with pytest.raises(algo.CanonicalError, match="line 2"):
        algo.parse_canonical(b'{"entrant_id":"a","pseudonym":"A"}\nnot json\n')


def test_entrant_ids_depend_on_the_secret_key_only() -> None:
    assert algo.entrant_id_for(KEY, 101) == algo.entrant_id_for(KEY, 101)
    assert algo.entrant_id_for("other key", 101) != algo.entrant_id_for(KEY, 101)
    assert algo.ENTRANT_ID.match(algo.entrant_id_for(KEY, 101))
    assert "101" not in algo.pseudonym_for(algo.entrant_id_for(KEY, 101))
