"""Side-by-side character diff of two texts, blind to punctuation, spaces, width and case.

Used to show a text next to the similar post the originality check found. Pure Python + numpy.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Literal

import numpy as np

from socialops.textkit.shingles import (
    DEFAULT_K,
    Normalized,
    _check_k,
    jaccard_sets,
    normalize_with_offsets,
    shingle_codes,
)

#: A side of a diff longer than this (normalised characters) is first aligned sentence by
#: sentence, then character by character inside changed sentences (difflib is quadratic).
CHAR_DIFF_LIMIT = 5000
_SENTENCE_ENDS = frozenset("。！？!?；;…\n")


@dataclass(frozen=True)
class DiffOp:
    """One opcode of a diff, with spans in the two *original* texts."""

    tag: Literal["equal", "replace", "delete", "insert"]
    a_start: int
    a_end: int
    b_start: int
    b_end: int


@dataclass(frozen=True)
class TextDiff:
    """Side-by-side character diff of two texts, blind to punctuation, spaces, width and case."""

    ops: tuple[DiffOp, ...]
    #: Exact Jaccard similarity of the two texts (the same figure a Match shows).
    similarity: float

    def segments_a(self) -> list[tuple[str, int, int]]:
        """(kind, start, end) pieces of the first text: kind is equal, changed or removed."""
        kinds = {"equal": "equal", "replace": "changed", "delete": "removed"}
        return [
            (kinds[op.tag], op.a_start, op.a_end)
            for op in self.ops
            if op.tag in kinds and op.a_end > op.a_start
        ]

    def segments_b(self) -> list[tuple[str, int, int]]:
        """(kind, start, end) pieces of the second text: kind is equal, changed or added."""
        kinds = {"equal": "equal", "replace": "changed", "insert": "added"}
        return [
            (kinds[op.tag], op.b_start, op.b_end)
            for op in self.ops
            if op.tag in kinds and op.b_end > op.b_start
        ]


def _sentence_bounds(norm: Normalized, original: str) -> list[int]:
    """Normalised positions where a sentence of the original starts (with 0 and len)."""
    ends_before = [0] * (len(original) + 1)
    count = 0
    for i, ch in enumerate(original):
        if ch in _SENTENCE_ENDS:
            count += 1
        ends_before[i + 1] = count
    bounds = [0]
    for i in range(1, len(norm.text)):
        if ends_before[norm.src_start[i]] > ends_before[norm.src_end[i - 1]]:
            bounds.append(i)
    bounds.append(len(norm.text))
    return bounds


def _char_opcodes(a: str, b: str, a0: int = 0, b0: int = 0) -> list[tuple[str, int, int, int, int]]:
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return [(tag, i1 + a0, i2 + a0, j1 + b0, j2 + b0) for tag, i1, i2, j1, j2 in matcher.get_opcodes()]


def _normalized_opcodes(
    na: Normalized, a: str, nb: Normalized, b: str
) -> list[tuple[str, int, int, int, int]]:
    if len(na.text) <= CHAR_DIFF_LIMIT and len(nb.text) <= CHAR_DIFF_LIMIT:
        return _char_opcodes(na.text, nb.text)
    # Long texts: align sentences first, then characters inside each changed block.
    ba, bb = _sentence_bounds(na, a), _sentence_bounds(nb, b)
    sa = [na.text[ba[i] : ba[i + 1]] for i in range(len(ba) - 1)]
    sb = [nb.text[bb[i] : bb[i + 1]] for i in range(len(bb) - 1)]
    ops: list[tuple[str, int, int, int, int]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, sa, sb, autojunk=False).get_opcodes():
        a1, a2, b1, b2 = ba[i1], ba[i2], bb[j1], bb[j2]
        if tag == "replace" and a2 - a1 <= CHAR_DIFF_LIMIT and b2 - b1 <= CHAR_DIFF_LIMIT:
            ops.extend(_char_opcodes(na.text[a1:a2], nb.text[b1:b2], a1, b1))
        else:
            ops.append((tag, a1, a2, b1, b2))
    merged: list[tuple[str, int, int, int, int]] = []
    for op in ops:
        if merged and merged[-1][0] == op[0]:
            last = merged[-1]
            merged[-1] = (last[0], last[1], op[2], last[3], op[4])
        else:
            merged.append(op)
    return merged


def diff(a: str, b: str, *, k: int = DEFAULT_K) -> TextDiff:
    """Side-by-side character diff of two texts, for showing a query next to a similar post.

    The texts are compared in normalised form (so punctuation, spaces, emoji, full-width forms
    and case are not differences, exactly as for the similarity score), and every opcode carries
    its spans in both *original* texts: characters dropped by normalisation belong to the span
    before them, so the spans of one side are contiguous and cover the whole text.
    """
    _check_k(k)
    na, nb = normalize_with_offsets(a), normalize_with_offsets(b)
    ops: list[DiffOp] = []
    for tag, i1, i2, j1, j2 in _normalized_opcodes(na, a, nb, b):
        ops.append(DiffOp(tag, na.boundary(i1), na.boundary(i2), nb.boundary(j1), nb.boundary(j2)))  # type: ignore[arg-type]
    similarity = jaccard_sets(np.unique(shingle_codes(na.text, k)), np.unique(shingle_codes(nb.text, k)))
    return TextDiff(tuple(ops), similarity)
