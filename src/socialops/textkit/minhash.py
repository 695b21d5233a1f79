"""MinHash signatures and LSH banding for near-duplicate detection (see ``originality``).

The hash constants come from a fixed seed through splitmix64, so signatures never change
between runs, machines or numpy versions. Pure Python + numpy, no Django.
"""

from __future__ import annotations

import struct
import zlib
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from socialops.textkit.shingles import (
    I64Array,
    U64Array,
    mix64,
)

U32Array = NDArray[np.uint32]
DEFAULT_NUM_PERM = 128
#: Probability that a pair exactly at the threshold shares an LSH bucket (see tune_lsh).
DEFAULT_LSH_RECALL = 0.95
_MASK64 = (1 << 64) - 1


def _splitmix64_stream(seed: int, count: int) -> list[int]:
    """``count`` pseudo-random 64-bit ints from ``seed`` (splitmix64; stable forever)."""
    out: list[int] = []
    state = seed & _MASK64
    for _ in range(count):
        state = (state + 0x9E3779B97F4A7C15) & _MASK64
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
        out.append(z ^ (z >> 31))
    return out


def collision_probability(similarity: float, bands: int, rows: int) -> float:
    """Probability that two documents of Jaccard ``similarity`` share at least one band."""
    return 1.0 - (1.0 - similarity**rows) ** bands


def s_curve_midpoint(bands: int, rows: int) -> float:
    """The similarity at which a pair becomes a candidate with probability 1/2."""
    return (1.0 - 0.5 ** (1.0 / bands)) ** (1.0 / rows)


@lru_cache(maxsize=64)
def tune_lsh(threshold: float, num_perm: int, min_recall: float = DEFAULT_LSH_RECALL) -> tuple[int, int]:
    """Bands × rows for ``threshold``: the fewest false candidates at the wanted recall.

    Among all (bands, rows) with bands · rows ≤ num_perm whose collision probability at the
    threshold is at least ``min_recall``, choose the one with the smallest false-positive area
    ∫₀ᵗ P(s) ds (candidates below the threshold, which cost re-ranking time but are then
    discarded exactly); ties go to fewer bands (less memory). When no pair reaches
    ``min_recall``, the one with the highest recall wins.
    """
    if not 0.0 < threshold <= 1.0:
        raise ValueError("threshold must be in (0, 1]")
    grid = np.linspace(0.0, threshold, 513)
    best: tuple[float, float, int, int] | None = None  # (short of recall?, fp area or -recall, b, r)
    for rows in range(1, num_perm + 1):
        for bands in range(1, num_perm // rows + 1):
            recall = collision_probability(threshold, bands, rows)
            curve = 1.0 - (1.0 - grid**rows) ** bands
            fp_area = float(np.sum((curve[1:] + curve[:-1]) * 0.5 * np.diff(grid)))
            key = (0.0, fp_area, bands, rows) if recall >= min_recall else (1.0, -recall, bands, rows)
            if best is None or key < best:
                best = key
    assert best is not None
    return best[2], best[3]


class MinHasher:
    """MinHash signatures of shingle code arrays: ``num_perm`` uint32 minima per document."""

    def __init__(self, num_perm: int = DEFAULT_NUM_PERM, seed: int = 1) -> None:
        if not 1 <= num_perm <= 1024:
            raise ValueError("num_perm must be between 1 and 1024")
        self.num_perm = num_perm
        self.seed = seed
        stream = _splitmix64_stream(seed, 2 * num_perm + 1)
        self._salt = np.uint64(stream[0])
        # Odd multipliers: x ↦ a·x + b is then a permutation of the 32-bit values.
        self.a = np.array([(v >> 32) | 1 for v in stream[1 : num_perm + 1]], dtype=np.uint32)
        self.b = np.array([v >> 32 for v in stream[num_perm + 1 :]], dtype=np.uint32)

    def fingerprint(self) -> int:
        """A checksum of the hash constants, stored with a serialised index."""
        return zlib.crc32(self.a.tobytes() + self.b.tobytes() + struct.pack("<Q", int(self._salt)))

    def signatures(self, codes: U64Array, counts: I64Array) -> U32Array:
        """Signatures of consecutive documents: ``codes`` concatenated, ``counts`` per document.

        A document without shingles gets the all-ones signature (it is never indexed in LSH).
        """
        n = counts.size
        sig = np.full((n, self.num_perm), np.iinfo(np.uint32).max, dtype=np.uint32)
        nonempty = np.flatnonzero(counts > 0)
        if nonempty.size == 0:
            return sig
        x = (mix64(codes ^ self._salt) >> np.uint64(32)).astype(np.uint32)
        starts = (np.cumsum(counts) - counts)[nonempty]
        buf = np.empty_like(x)
        cols = np.empty((self.num_perm, nonempty.size), dtype=np.uint32)
        for i in range(self.num_perm):
            np.multiply(x, self.a[i], out=buf)
            np.add(buf, self.b[i], out=buf)
            cols[i] = np.minimum.reduceat(buf, starts)
        sig[nonempty] = cols.T
        return sig


def band_keys(signatures: U32Array, bands: int, rows: int, seed: int) -> U64Array:
    """The 64-bit bucket key of every band of every signature: shape (n, bands)."""
    n = signatures.shape[0]
    salts = _splitmix64_stream(seed ^ 0x5851F42D4C957F2D, bands)
    keys = np.empty((n, bands), dtype=np.uint64)
    for j in range(bands):
        h = np.full(n, salts[j], dtype=np.uint64)
        for r in range(rows):
            h = mix64(h ^ signatures[:, j * rows + r].astype(np.uint64))
        keys[:, j] = h
    return keys
