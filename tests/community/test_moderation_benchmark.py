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
    assert "train (tuned on)" in out and "held-out (never tuned on)" in out
    assert out.count("ours      precision") == 2 and out.count("baseline  precision") == 2
    assert "ours by rule:" in out and "recall" in out
