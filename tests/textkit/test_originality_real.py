"""The originality index on real Chinese reviews nobody on the team wrote (shared data set)."""

from __future__ import annotations

import csv
import random

import numpy as np
import pytest

from socialops.textkit.originality import OriginalityIndex
from socialops.textkit.shingles import jaccard, normalize, shingle_set
from tests.shared_data import shared_file


@pytest.fixture(scope="module")
def reviews() -> list[str]:
    with shared_file("zh/ChnSentiCorp_htl_all.csv").open(encoding="utf-8", newline="") as fh:
        return [row["review"] for row in csv.DictReader(fh) if row.get("review")]


@pytest.fixture(scope="module")
def index(reviews: list[str]) -> OriginalityIndex:
    idx = OriginalityIndex()
    idx.add_many(enumerate(reviews))
    return idx


def edit(text: str, rng: random.Random) -> str:
    """Change two characters and append a hashtag, as someone reposting would."""
    chars = list(text)
    for _ in range(2):
        chars[rng.randrange(len(chars))] = "的"
    return "".join(chars) + " #酒店推荐#"


def test_edited_real_reviews_are_found(reviews: list[str], index: OriginalityIndex) -> None:
    rng = random.Random(1)
    candidates = [i for i, text in enumerate(reviews) if len(normalize(text)) >= 40]
    checked = 0
    for i in rng.sample(candidates, 150):
        edited = edit(reviews[i], rng)
        if jaccard(edited, reviews[i]) < index.threshold:
            continue
        checked += 1
        matches = index.query(edited, top_k=None)
        assert any(m.doc_id == i for m in matches), reviews[i]
        for m in matches:
            assert m.similarity == pytest.approx(jaccard(edited, reviews[int(m.doc_id)]))
    assert checked > 100


def test_agrees_with_brute_force_on_real_reviews(reviews: list[str], index: OriginalityIndex) -> None:
    sets = [shingle_set(normalize(t)) for t in reviews]
    rng = random.Random(2)
    # Random reviews, and reviews that someone posted twice (the same text once normalised).
    seen: dict[str, list[int]] = {}
    for i, text in enumerate(reviews):
        seen.setdefault(normalize(text), []).append(i)
    reposted = [group[0] for key, group in seen.items() if key and len(group) > 1]
    exact_total = 0
    for i in rng.sample(range(len(reviews)), 40) + rng.sample(reposted, min(20, len(reposted))):
        q = sets[i]
        exact = {
            j
            for j, s in enumerate(sets)
            if j != i and q.size and s.size and _jaccard(q, s) >= index.threshold - 1e-12
        }
        got = {int(m.doc_id) for m in index.query(reviews[i], top_k=None, exclude={i})}
        assert got <= exact  # never a pair the exact search rejects
        exact_total += len(exact)
        assert len(exact - got) <= max(1, len(exact) // 10)  # and (almost) every pair it accepts
    assert exact_total >= 1  # the data set has real duplicates


def _jaccard(a: np.ndarray, b: np.ndarray) -> float:
    inter = np.intersect1d(a, b, assume_unique=True).size
    return inter / (a.size + b.size - inter)
