"""Advertising-Law checker: precision / recall / F1 on the labelled and held-out sets.

    .venv/bin/python benchmarks/adlaw_eval.py [--errors]

Prints, for each file, our figures and the confusion counts, and those of a naive baseline
measured in the same run (plain substring search of the raw public lexicon). A sentence is
"flagged" when the checker returns at least one block or warn finding.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from socialops.textkit.evaluation import (  # noqa: E402
    baseline_predict,
    checker_for,
    load_labelled,
    score,
)

FILES = (
    ("labelled (tuned on)", ROOT / "tests/textkit/data/adlaw_labelled.tsv"),
    ("held-out (never tuned on)", ROOT / "tests/textkit/data/adlaw_heldout.tsv"),
)


def main(argv: list[str] | None = None) -> int:
    """Run the evaluation and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", action="store_true", help="list the misclassified sentences")
    args = parser.parse_args(argv)
    for name, path in FILES:
        data = load_labelled(path)
        checker = checker_for(data)
        positives = sum(label for label, _ in data.rows)
        started = time.perf_counter()
        ours, errors = score(data.rows, checker.is_flagged)
        ms = (time.perf_counter() - started) * 1000
        base, _ = score(data.rows, baseline_predict)
        print(
            f"{name}: {path.relative_to(ROOT)} — {len(data.rows)} sentences ({positives} should be flagged)"
        )
        print(f"  ours      {ours.line()}  [{ms / len(data.rows):.2f} ms/sentence]")
        print(f"  baseline  {base.line()}  [substring search of the raw lexicon]")
        if args.errors:
            for label, text in errors:
                kind = "missed" if label else "false alarm"
                found = [f.text for f in checker.check(text) if f.flagged]
                print(f"    {kind}: {text}  {found}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
