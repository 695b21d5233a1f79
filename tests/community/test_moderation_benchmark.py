"""benchmarks/moderation_eval.py runs and prints its figures (the figures themselves are in docs/moderation.md)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benchmarks/moderation_eval.py"


def test_the_dataset_is_labelled_and_split() -> None:
    rows = [
        json.loads(line)
        for line in (ROOT / "benchmarks/data/moderation_zh.jsonl").read_text("utf-8").splitlines()
    ]
    assert len(rows) >= 400
    assert {r["label"] for r in rows} == {"spam", "ok"} and {r["split"] for r in rows} == {"train", "heldout"}
    assert len({r["text"] for r in rows}) >= len(rows) - 10  # written, not templated copies
    spam = sum(r["label"] == "spam" for r in rows)
    assert 0.4 <= spam / len(rows) <= 0.6


def test_the_script_prints_precision_recall_per_split_and_the_baseline(capsys: Any) -> None:
    spec = importlib.util.spec_from_file_location("moderation_eval", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    assert module.main(["--errors"]) == 0
    out = capsys.readouterr().out
    assert "train (tuned on)" in out and "dev (old held-out, misses read)" in out
    assert out.count("ours      precision") == 2 and out.count("baseline  precision") == 2
    assert "ours by rule:" in out and "recall" in out
    # The blind set is judged only on request, so runs made while tuning never see it.
    assert "blind" not in out.replace("--blind", "")


def test_the_extra_training_and_the_blind_files_are_labelled() -> None:
    for name, split in (("moderation_zh_train_extra.jsonl", "train"), ("moderation_zh_blind.jsonl", "blind")):
        rows = [
            json.loads(line) for line in (ROOT / "benchmarks/data" / name).read_text("utf-8").splitlines()
        ]
        assert {r["split"] for r in rows} == {split} and {r["label"] for r in rows} == {"spam", "ok"}
        assert all(r.get("domain") for r in rows)


def test_the_blind_errors_flag_warns_that_it_ends_the_blindness() -> None:
    text = SCRIPT.read_text("utf-8")
    assert "--blind-errors" in text and "ENDS the set's blindness" in text
