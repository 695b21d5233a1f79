"""`socialops draw verify`: the published data verifies; a tampered copy of the list does not."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from socialops.engagement import draw_algorithm as algo
from socialops.engagement.models.draws import DrawWinner
from socialops.engagement.selectors.draws import published_entrants
from socialops.engagement.services import draws as svc

from .draw_helpers import keyword_draw

pytestmark = pytest.mark.django_db


def _verify(*args: str) -> tuple[int, str]:
    import io

    out = io.StringIO()
    try:
        call_command("draw", "verify", *args, stdout=out)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue()
    return 0, out.getvalue()


@pytest.fixture
def drawn(workspace: Any) -> Any:
    draw, _fans = keyword_draw(workspace, entrants=8, winners_count=3)
    svc.draw_freeze(workspace=workspace, actor=None, draw=draw)
    return svc.draw_run(workspace=workspace, actor=None, draw=draw)


def test_the_stored_published_data_verifies(drawn: Any) -> None:
    code, out = _verify(str(drawn.pk))
    assert code == 0, out
    assert "The winners match." in out and "Verified" in out and "FAIL" not in out


def test_a_copy_of_the_published_file_verifies(drawn: Any, tmp_path: Path) -> None:
    copy = tmp_path / "entrants.jsonl"
    copy.write_bytes(algo.canonical_bytes(published_entrants(drawn)))
    code, out = _verify(str(drawn.pk), "--entrants", str(copy))
    assert code == 0 and "The winners match." in out


def test_changing_one_entrant_in_a_copy_fails(drawn: Any, tmp_path: Path) -> None:
    lines = algo.canonical_bytes(published_entrants(drawn)).decode().splitlines(keepends=True)
    winner = DrawWinner.objects.get(draw=drawn, rank=1).entrant.entrant_id
    index = next(i for i, line in enumerate(lines) if winner in line)
    row = json.loads(lines[index])
    row["entrant_id"] = "f" * 20
    lines[index] = json.dumps(row, separators=(",", ":"), sort_keys=True) + "\n"
    copy = tmp_path / "tampered.jsonl"
    copy.write_text("".join(lines), encoding="utf-8")
    code, out = _verify(str(drawn.pk), "--entrants", str(copy))
    assert code == 1
    assert "The winners do NOT match." in out and "FAIL" in out and "NOT verified" in out


def test_a_changed_loser_still_breaks_the_list_hash(drawn: Any, tmp_path: Path) -> None:
    winners = set(DrawWinner.objects.filter(draw=drawn).values_list("entrant__entrant_id", flat=True))
    data = algo.canonical_bytes(published_entrants(drawn)).decode()
    loser = next(e.entrant_id for e in published_entrants(drawn) if e.entrant_id not in winners)
    copy = tmp_path / "tampered.jsonl"
    copy.write_text(data.replace(loser, loser[:-1] + ("0" if loser[-1] != "0" else "1")), encoding="utf-8")
    code, out = _verify(str(drawn.pk), "--entrants", str(copy))
    assert code == 1 and "FAIL" in out


def test_a_wrong_seed_fails(drawn: Any) -> None:
    code, out = _verify(str(drawn.pk), "--seed", "0" * 64)
    assert code == 1 and "FAIL" in out


def test_not_drawn_yet_is_not_verified(workspace: Any) -> None:
    draw, _fans = keyword_draw(workspace, entrants=2)
    svc.draw_freeze(workspace=workspace, actor=None, draw=draw)
    code, out = _verify(str(draw.pk))
    assert code == 1 and "not drawn yet" in out
