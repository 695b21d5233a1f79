"""Precision / recall of the Advertising-Law checker on a labelled TSV file.

File format: UTF-8, tab-separated ``label<TAB>text`` rows under a ``label	text`` header; lines
starting with ``#`` are comments, and a ``# names: A|B|C`` comment lists the brand/product
names the workspace has configured for that file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from .adlaw import AdLawChecker, lexicon_terms


@dataclass(frozen=True, slots=True)
class LabelledSet:
    """Sentences with their labels (1 = should be flagged) and the configured names."""

    rows: tuple[tuple[int, str], ...]
    names: tuple[str, ...]


def load_labelled(path: str | Path) -> LabelledSet:
    """Read a labelled TSV file (see the module docstring)."""
    rows: list[tuple[int, str]] = []
    names: list[str] = []
    for lineno, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        if line.startswith("#"):
            body = line[1:].strip()
            if body.startswith("names:"):
                names.extend(n.strip() for n in body[len("names:") :].split("|") if n.strip())
            continue
        label, sep, text = line.partition("\t")
        if label == "label":
            continue
        if not sep or label not in ("0", "1") or not text.strip():
            raise ValueError(f"{path}:{lineno}: expected '0|1<TAB>text'")
        rows.append((int(label), text))
    return LabelledSet(tuple(rows), tuple(names))


@dataclass(frozen=True, slots=True)
class Scores:
    """Confusion counts and the figures derived from them."""

    tp: int
    fp: int
    tn: int
    fn: int

    @property
    def precision(self) -> float:
        """tp / (tp + fp); 1.0 when nothing was flagged."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        """tp / (tp + fn); 1.0 when there is nothing to find."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def line(self) -> str:
        """One printable line with every figure."""
        return (
            f"precision {self.precision:.3f}  recall {self.recall:.3f}  F1 {self.f1:.3f}  "
            f"(tp {self.tp}, fp {self.fp}, tn {self.tn}, fn {self.fn})"
        )


def score(
    rows: Iterable[tuple[int, str]], predict: Callable[[str], bool]
) -> tuple[Scores, list[tuple[int, str]]]:
    """Scores of ``predict`` on ``rows`` and the misclassified rows."""
    tp = fp = tn = fn = 0
    errors: list[tuple[int, str]] = []
    for label, text in rows:
        got = predict(text)
        if got and label:
            tp += 1
        elif got:
            fp += 1
            errors.append((label, text))
        elif label:
            fn += 1
            errors.append((label, text))
        else:
            tn += 1
    return Scores(tp, fp, tn, fn), errors


def checker_for(data: LabelledSet) -> AdLawChecker:
    """The checker configured as the file says (its names are the workspace's names)."""
    return AdLawChecker(allowed_names=data.names)


def baseline_predict(text: str) -> bool:
    """Naive baseline: any term of the raw lexicon occurs as a plain substring."""
    return any(term in text for term in lexicon_terms())
