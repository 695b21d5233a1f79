"""Near-duplicate detection of posts: MinHash signatures, LSH banding, exact Jaccard re-ranking.

Pure Python + numpy, no Django: the Django layer keeps the texts and calls this module. The
method, its parameters and measured figures are in docs/originality.md.

Pipeline of a query:

1. normalise the text and cut it into character k-shingles (:mod:`socialops.textkit.shingles`);
2. MinHash signature: ``num_perm`` 32-bit minima of ``a_i · x + b_i (mod 2³²)`` over the shingle
   hashes ``x`` (numpy, one pass per permutation over all shingles of a batch; the constants
   come from a fixed seed through splitmix64, so signatures never change between runs,
   machines or numpy versions);
3. LSH: the signature is cut into ``bands`` bands of ``rows`` values; every band is hashed to a
   64-bit bucket key; documents sharing at least one bucket with the query are candidates;
4. the candidates' signatures give an estimate of the similarity; those clearly below the
   threshold are dropped (a 4σ margin), the rest get their *exact* Jaccard similarity from their
   shingle sets, so a reported similarity is never an estimate.

Storage is numpy arrays, no Python object per document apart from the id: signatures are one
``uint32`` matrix, the LSH buckets one sorted ``uint64`` key array with a parallel ``int32``
slot array (plus a small sorted tail for recent additions), the shingle sets one flat ``uint64``
array with offsets. With ``text_loader`` the index keeps no shingle sets at all and asks the
caller for the texts of the candidates of each query (and caches a bounded number of sets).

Not thread-safe: callers serialise writes (and queries, in loader mode, which fill a cache).
"""

from __future__ import annotations

import json
import math
import struct
import zlib
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence, Sized
from dataclasses import dataclass
from typing import TypeAlias

import numpy as np
from numpy.typing import NDArray

from socialops.textkit.shingles import (
    DEFAULT_K,
    I64Array,
    Normalized,
    U64Array,
    _check_k,
    _ranges,
    jaccard_sets,
    mix64,
    normalize,
    normalize_with_offsets,
    shingle_codes,
    shingle_codes_many,
)

from .minhash import DEFAULT_LSH_RECALL, DEFAULT_NUM_PERM, MinHasher, band_keys, tune_lsh
from .textdiff import TextDiff, diff

DocId: TypeAlias = int | str
TextLoader: TypeAlias = Callable[[Sequence[DocId]], Mapping[DocId, str]]
DEFAULT_THRESHOLD = 0.6
#: Candidates whose MinHash estimate is this many standard deviations below the threshold are
#: not re-ranked: a true match is lost that way with probability < 1e-4 (normal tail at 4σ).
ESTIMATE_Z = 4.0
#: At most this many candidates (best estimates first) get an exact re-rank per query.
DEFAULT_MAX_CANDIDATES = 2000
#: Documents processed together by add_many (about 1.5 M shingles: the working buffers stay
#: in the CPU cache).
BATCH_DOCS = 8192
#: Entries kept in the sorted tail before it is merged into the main bucket arrays.
TAIL_MAX = 1 << 16
_MAGIC = b"SOCIALOPS-ORIGINALITY\x00"
_FORMAT_VERSION = 1


@dataclass(frozen=True)
class Match:
    """An indexed document similar to a query: its id, exact Jaccard similarity and shared passages."""

    doc_id: DocId
    #: Exact Jaccard similarity of the two shingle sets, in [0, 1].
    similarity: float
    #: (start, end) spans of the *query* text made of shingles the document also contains.
    shared_spans: tuple[tuple[int, int], ...]


def _resized(arr: np.ndarray, size: int) -> np.ndarray:
    """``arr`` zero-padded to ``size`` elements."""
    out = np.zeros(size, dtype=arr.dtype)
    out[: arr.size] = arr
    return out


def _check_doc_id(doc_id: object) -> DocId:
    if isinstance(doc_id, bool) or not isinstance(doc_id, int | str):
        raise TypeError(f"document ids are int or str, got {type(doc_id).__name__}")
    return doc_id


def _unique_per_doc(codes: U64Array, counts: I64Array) -> tuple[U64Array, I64Array]:
    """Distinct codes of every document, in a canonical order, and how many each has.

    One argsort by (document, top 32 bits of the mixed code) groups each document's codes;
    equal neighbours are then compared on the full code. When two *different* codes of one
    document share the top bits (about 3 documents in a million), that batch is sorted again by
    (key, code) with an exact lexsort. Either way a document's set comes out in (key, code)
    order, whatever else is in its batch, so a serialised index does not depend on batching.
    """
    if codes.size == 0:
        return codes, counts
    owner = np.repeat(np.arange(counts.size, dtype=np.uint64), counts)
    key = (owner << np.uint64(32)) | (mix64(codes) >> np.uint64(32))
    order = np.argsort(key)
    sorted_key, sorted_codes = key[order], codes[order]
    same_key = sorted_key[1:] == sorted_key[:-1]
    same_code = sorted_codes[1:] == sorted_codes[:-1]
    if np.any(same_key & ~same_code):
        order = np.lexsort((codes, key))
        sorted_key, sorted_codes = key[order], codes[order]
        same_code = sorted_codes[1:] == sorted_codes[:-1]
        same_key = sorted_key[1:] == sorted_key[:-1]
    keep = np.ones(codes.size, dtype=bool)
    keep[1:] = ~(same_key & same_code)
    kept_owner = (sorted_key[keep] >> np.uint64(32)).astype(np.int64)
    return sorted_codes[keep], np.bincount(kept_owner, minlength=counts.size).astype(np.int64)


class OriginalityIndex:
    """MinHash-LSH index of documents for near-duplicate queries with exact Jaccard scores.

    ``threshold`` is the Jaccard similarity from which a document counts as a near-duplicate;
    ``bands``/``rows`` default to :func:`tune_lsh` for it. Without ``text_loader`` the index
    keeps every document's shingle set (8 bytes per distinct shingle); with it the index keeps
    only signatures and calls ``text_loader(ids)`` with the candidate ids of a query to get
    their current texts, caching up to ``cache_size`` shingle sets.
    """

    def __init__(
        self,
        num_perm: int = DEFAULT_NUM_PERM,
        threshold: float = DEFAULT_THRESHOLD,
        *,
        k: int = DEFAULT_K,
        seed: int = 1,
        bands: int | None = None,
        rows: int | None = None,
        lsh_recall: float = DEFAULT_LSH_RECALL,
        max_candidates: int = DEFAULT_MAX_CANDIDATES,
        text_loader: TextLoader | None = None,
        cache_size: int = 10_000,
    ) -> None:
        _check_k(k)
        if not 0.0 < threshold <= 1.0:
            raise ValueError("threshold must be in (0, 1]")
        if (bands is None) != (rows is None):
            raise ValueError("give both bands and rows, or neither")
        if bands is None or rows is None:
            bands, rows = tune_lsh(threshold, num_perm, lsh_recall)
        if bands < 1 or rows < 1 or bands * rows > num_perm:
            raise ValueError("bands × rows must be between 1 and num_perm")
        if max_candidates < 1 or cache_size < 0:
            raise ValueError("max_candidates must be ≥ 1 and cache_size ≥ 0")
        self.hasher = MinHasher(num_perm, seed)
        self.num_perm = num_perm
        self.threshold = threshold
        self.k = k
        self.seed = seed
        self.bands = bands
        self.rows = rows
        self.max_candidates = max_candidates
        self.text_loader = text_loader
        self.cache_size = cache_size
        self._cache: OrderedDict[DocId, U64Array] = OrderedDict()
        # Per slot (a slot is never reused; compact() renumbers).
        self._ids: list[DocId | None] = []
        self._slot_of: dict[DocId, int] = {}
        self._sigs = np.zeros((0, num_perm), dtype=np.uint32)
        self._alive = np.zeros(0, dtype=bool)
        self._dead = 0
        # Shingle sets (stored mode): codes of slot s are _sh_data[_sh_start[s] : + _sh_len[s]].
        self._sh_data = np.zeros(0, dtype=np.uint64)
        self._sh_used = 0
        self._sh_start = np.zeros(0, dtype=np.int64)
        self._sh_len = np.zeros(0, dtype=np.int32)
        # LSH buckets: sorted keys with their slots, and a small sorted tail of recent ones.
        self._keys = np.zeros(0, dtype=np.uint64)
        self._kslots = np.zeros(0, dtype=np.int32)
        self._tail_keys = np.zeros(0, dtype=np.uint64)
        self._tail_slots = np.zeros(0, dtype=np.int32)

    # ---- size and membership ---------------------------------------------------------------

    @property
    def stores_shingles(self) -> bool:
        """True when the index keeps shingle sets (no text_loader)."""
        return self.text_loader is None

    def __len__(self) -> int:
        return len(self._slot_of)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._slot_of

    def doc_ids(self) -> list[DocId]:
        """Ids of the indexed documents, oldest first."""
        return [d for d in self._ids if d is not None]

    def memory_bytes(self) -> dict[str, int]:
        """Approximate bytes held, per part (arrays at their allocated size; ids estimated)."""
        slots = len(self._ids)
        ids = sum(
            (28 if isinstance(d, int) else 49 + len(d.encode("utf-8"))) for d in self._slot_of
        )  # the objects themselves; the caller usually shares them
        return {
            "signatures": self._sigs.nbytes,
            "lsh_buckets": self._keys.nbytes
            + self._kslots.nbytes
            + self._tail_keys.nbytes
            + self._tail_slots.nbytes,
            "shingle_sets": self._sh_data.nbytes + self._sh_start.nbytes + self._sh_len.nbytes,
            "ids": 8 * slots + 100 * len(self._slot_of) + ids,  # list + dict entries + objects
            "flags": self._alive.nbytes,
        }

    # ---- writing ---------------------------------------------------------------------------

    def add(self, doc_id: DocId, text: str) -> None:
        """Index a document (an id already present is replaced)."""
        self.add_many([(doc_id, text)])

    def add_many(self, items: Iterable[tuple[DocId, str]]) -> int:
        """Index many documents in vectorised batches; returns how many were added."""
        if isinstance(items, Sized):
            self._grow(len(items), 0)  # one allocation of the right size for a known count
        added = 0
        batch: list[tuple[DocId, str]] = []
        new_keys: list[U64Array] = []
        new_slots: list[NDArray[np.int32]] = []
        try:
            for item in items:
                batch.append(item)
                if len(batch) >= BATCH_DOCS:
                    added += self._add_batch(batch, new_keys, new_slots)
                    batch = []
            if batch:
                added += self._add_batch(batch, new_keys, new_slots)
        finally:
            # Even when a later batch is refused (a bad id or text), the earlier ones are whole.
            if new_keys:
                self._insert_buckets(np.concatenate(new_keys), np.concatenate(new_slots))
            self._maybe_compact()
        return added

    def _grow(self, extra_slots: int, extra_codes: int) -> None:
        """Make room; capacities grow by a quarter (amortised O(1), little slack at 1M posts)."""
        need = len(self._ids) + extra_slots
        if need > self._sigs.shape[0]:
            cap = max(need, int(self._sigs.shape[0] * 1.25), 64)
            sigs = np.empty((cap, self.num_perm), dtype=np.uint32)
            sigs[: self._sigs.shape[0]] = self._sigs
            self._sigs = sigs
            self._alive = _resized(self._alive, cap)
            if self.stores_shingles:
                self._sh_start = _resized(self._sh_start, cap)
                self._sh_len = _resized(self._sh_len, cap)
        if self.stores_shingles and self._sh_used + extra_codes > self._sh_data.size:
            cap = max(self._sh_used + extra_codes, int(self._sh_data.size * 1.25), 1024)
            data = np.empty(cap, dtype=np.uint64)
            data[: self._sh_used] = self._sh_data[: self._sh_used]
            self._sh_data = data

    def _add_batch(
        self, batch: list[tuple[DocId, str]], new_keys: list[U64Array], new_slots: list[NDArray[np.int32]]
    ) -> int:
        ids: list[DocId] = []
        texts: list[str] = []
        for doc_id, text in batch:
            ids.append(_check_doc_id(doc_id))
            if not isinstance(text, str):
                raise TypeError("texts must be str")
            texts.append(normalize(text))
        codes, counts = shingle_codes_many(texts, self.k)
        sigs = self.hasher.signatures(codes, counts)
        self._grow(len(ids), int(counts.sum()))
        first = len(self._ids)
        slots = np.arange(first, first + len(ids), dtype=np.int32)
        self._sigs[slots] = sigs
        self._alive[slots] = True
        for i, doc_id in enumerate(ids):
            # A known id (also one repeated inside this batch) is replaced: the old slot dies.
            if doc_id in self._slot_of:
                self._kill(self._slot_of[doc_id])
            self._slot_of[doc_id] = first + i
            self._ids.append(doc_id)
            self._cache.pop(doc_id, None)
        if self.stores_shingles:
            uniq, ucounts = _unique_per_doc(codes, counts)
            self._sh_start[slots] = self._sh_used + np.cumsum(ucounts) - ucounts
            self._sh_len[slots] = ucounts
            self._sh_data[self._sh_used : self._sh_used + uniq.size] = uniq
            self._sh_used += uniq.size
        indexed = counts > 0
        keys = band_keys(sigs[indexed], self.bands, self.rows, self.seed)
        new_keys.append(keys.ravel())
        new_slots.append(np.repeat(slots[indexed], self.bands))
        return len(ids)

    def _insert_buckets(self, keys: U64Array, slots: NDArray[np.int32]) -> None:
        # Stable: equal keys stay in slot order, so the arrays are always sorted by (key, slot)
        # (new slots are larger than old ones and are merged after them) — a canonical layout
        # whatever the order of add() and add_many() calls.
        order = np.argsort(keys, kind="stable")
        keys, slots = keys[order], slots[order]
        if self._tail_keys.size + keys.size <= TAIL_MAX:
            self._tail_keys, self._tail_slots = self._merge_sorted(
                self._tail_keys, self._tail_slots, keys, slots
            )
            return
        self._flush_tail()
        self._keys, self._kslots = self._merge_sorted(self._keys, self._kslots, keys, slots)

    def _flush_tail(self) -> None:
        """Merge the tail of recent bucket entries into the main arrays."""
        if self._tail_keys.size:
            self._keys, self._kslots = self._merge_sorted(
                self._keys, self._kslots, self._tail_keys, self._tail_slots
            )
            self._tail_keys = np.zeros(0, dtype=np.uint64)
            self._tail_slots = np.zeros(0, dtype=np.int32)

    @staticmethod
    def _merge_sorted(
        keys: U64Array, slots: NDArray[np.int32], new_keys: U64Array, new_slots: NDArray[np.int32]
    ) -> tuple[U64Array, NDArray[np.int32]]:
        """Merge two key-sorted arrays in O(n) (np.insert at the searchsorted positions)."""
        if keys.size == 0:
            return new_keys, new_slots
        at = np.searchsorted(keys, new_keys, side="right")
        return np.insert(keys, at, new_keys), np.insert(slots, at, new_slots)

    def _kill(self, slot: int) -> None:
        if self._alive[slot]:
            self._alive[slot] = False
            self._dead += 1
        self._ids[slot] = None

    def remove(self, doc_id: DocId) -> bool:
        """Forget a document; returns False when it was not indexed."""
        slot = self._slot_of.pop(doc_id, None)
        if slot is None:
            return False
        self._kill(slot)
        self._cache.pop(doc_id, None)
        self._maybe_compact()
        return True

    def _maybe_compact(self) -> None:
        if self._dead > 1024 and self._dead > len(self._ids) // 4:
            self.compact()

    def compact(self) -> None:
        """Drop removed documents from every array and renumber the slots."""
        n = len(self._ids)
        alive = np.flatnonzero(self._alive[:n])
        new_slot = np.full(max(n, 1), -1, dtype=np.int64)
        new_slot[alive] = np.arange(alive.size)
        self._ids = [self._ids[s] for s in alive]
        self._slot_of = {doc_id: i for i, doc_id in enumerate(self._ids) if doc_id is not None}
        self._sigs = self._sigs[alive].copy()
        self._alive = np.ones(alive.size, dtype=bool)
        self._dead = 0
        if self.stores_shingles:
            starts, lens = self._sh_start[alive], self._sh_len[alive].astype(np.int64)
            self._sh_data = self._sh_data[_ranges(starts, lens)].copy()
            self._sh_used = self._sh_data.size
            self._sh_start = np.cumsum(lens) - lens
            self._sh_len = lens.astype(np.int32)
        self._keys, self._kslots = self._renumber(self._keys, self._kslots, new_slot)
        self._tail_keys, self._tail_slots = self._renumber(self._tail_keys, self._tail_slots, new_slot)

    @staticmethod
    def _renumber(
        keys: U64Array, slots: NDArray[np.int32], new_slot: NDArray[np.int64]
    ) -> tuple[U64Array, NDArray[np.int32]]:
        """Bucket entries of live slots under their new numbers (the key order is kept)."""
        mapped = new_slot[slots]
        keep = mapped >= 0
        return keys[keep], mapped[keep].astype(np.int32)

    # ---- querying --------------------------------------------------------------------------

    def _candidates(self, qkeys: U64Array) -> NDArray[np.int64]:
        parts: list[NDArray[np.int32]] = []
        for keys, slots in ((self._keys, self._kslots), (self._tail_keys, self._tail_slots)):
            if keys.size == 0:
                continue
            lo = np.searchsorted(keys, qkeys, side="left")
            hi = np.searchsorted(keys, qkeys, side="right")
            for a, b in zip(lo.tolist(), hi.tolist(), strict=True):
                if b > a:
                    parts.append(slots[a:b])
        if not parts:
            return np.zeros(0, dtype=np.int64)
        cands = np.unique(np.concatenate(parts)).astype(np.int64)
        return cands[self._alive[cands]]

    def _shingle_sets(self, slots: NDArray[np.int64]) -> list[U64Array | None]:
        """The distinct shingle codes of each slot (None: the loader no longer knows it)."""
        if self.stores_shingles:
            return [
                self._sh_data[self._sh_start[s] : self._sh_start[s] + self._sh_len[s]] for s in slots.tolist()
            ]
        assert self.text_loader is not None
        ids = [self._ids[s] for s in slots.tolist()]
        found: dict[DocId, U64Array] = {}
        missing: list[DocId] = []
        for doc_id in ids:
            if doc_id is None:
                continue
            cached = self._cache.get(doc_id)
            if cached is None:
                missing.append(doc_id)
            else:
                found[doc_id] = cached
                self._cache.move_to_end(doc_id)
        if missing:
            texts = self.text_loader(missing)
            for doc_id in missing:
                text = texts.get(doc_id)
                if text is not None:
                    found[doc_id] = self._cache[doc_id] = np.unique(shingle_codes(normalize(text), self.k))
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        return [None if doc_id is None else found.get(doc_id) for doc_id in ids]

    def _exact(
        self, slots: NDArray[np.int64], qset: U64Array
    ) -> tuple[NDArray[np.float64], list[U64Array | None]]:
        """Exact Jaccard similarity of the query set with each slot's set (vectorised)."""
        sets = self._shingle_sets(slots)
        lens = np.array([0 if s is None else s.size for s in sets], dtype=np.int64)
        if lens.sum() == 0:
            return np.zeros(slots.size), sets
        flat = np.concatenate([s for s in sets if s is not None])
        pos = np.searchsorted(qset, flat)
        pos[pos == qset.size] = 0
        hit = qset[pos] == flat
        owner = np.repeat(np.arange(slots.size), lens)
        inter = np.bincount(owner, weights=hit.astype(np.float64), minlength=slots.size)
        union = qset.size + lens - inter
        sims = np.divide(inter, union, out=np.zeros(slots.size), where=(lens > 0) & (union > 0))
        return sims, sets

    def query(
        self,
        text: str,
        top_k: int | None = 5,
        *,
        threshold: float | None = None,
        exclude: Collection[DocId] = (),
    ) -> list[Match]:
        """The indexed documents at least ``threshold`` similar to ``text``, most similar first.

        ``top_k=None`` returns all of them. Ties are broken by indexing order (earlier first).
        ``exclude`` leaves out ids (the item being edited, when it is itself indexed). A
        threshold below the one the index was tuned for works, with a lower recall.
        """
        t = self.threshold if threshold is None else threshold
        if not 0.0 < t <= 1.0:
            raise ValueError("threshold must be in (0, 1]")
        if top_k is not None and top_k < 1:
            raise ValueError("top_k must be at least 1")
        norm = normalize_with_offsets(text)
        codes = shingle_codes(norm.text, self.k)
        if codes.size == 0 or not self._slot_of:
            return []
        qset = np.unique(codes)
        qsig = self.hasher.signatures(codes, np.array([codes.size], dtype=np.int64))
        cands = self._candidates(band_keys(qsig, self.bands, self.rows, self.seed)[0])
        if exclude:
            skip = [self._slot_of[d] for d in exclude if d in self._slot_of]
            cands = cands[~np.isin(cands, skip)]
        if cands.size == 0:
            return []
        # Estimates from the signatures: cheap, and they bound how many exact re-ranks happen.
        agree = np.count_nonzero(self._sigs[cands] == qsig[0], axis=1)
        margin = ESTIMATE_Z * math.sqrt(t * (1.0 - t) / self.num_perm)
        keep = agree >= (t - margin) * self.num_perm
        cands, agree = cands[keep], agree[keep]
        if cands.size > self.max_candidates:
            best = np.argsort(-agree, kind="stable")[: self.max_candidates]
            cands = np.sort(cands[best])
        if cands.size == 0:
            return []
        sims, sets = self._exact(cands, qset)
        # Compare with a hair of tolerance: 3/5 must pass a 0.6 threshold despite rounding.
        ok = np.flatnonzero(sims >= t - 1e-12)
        ok = ok[np.lexsort((cands[ok], -sims[ok]))]
        if top_k is not None:
            ok = ok[:top_k]
        matches: list[Match] = []
        for i in ok.tolist():
            found = sets[i]
            assert found is not None
            doc_id = self._ids[int(cands[i])]
            assert doc_id is not None
            matches.append(Match(doc_id, float(sims[i]), _shared_spans(norm, codes, found, self.k)))
        return matches

    def similarity(self, a: str, b: str) -> float:
        """Exact Jaccard similarity of two texts with this index's shingles."""
        return jaccard_sets(
            np.unique(shingle_codes(normalize(a), self.k)), np.unique(shingle_codes(normalize(b), self.k))
        )

    def diff(self, a: str, b: str) -> TextDiff:
        """Side-by-side diff of two texts (see :func:`diff`)."""
        return diff(a, b, k=self.k)

    # ---- serialisation ---------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        """The index as bytes (compacted first), for :meth:`from_bytes`. No pickle inside."""
        if self._dead:
            self.compact()
        self._flush_tail()
        ids = self._ids
        n = len(ids)
        arrays: dict[str, np.ndarray] = {
            "signatures": self._sigs[:n],
            "lsh_keys": self._keys,
            "lsh_slots": self._kslots,
        }
        if ids and all(isinstance(d, int) and -(2**63) <= d < 2**63 for d in ids):
            arrays["ids_int"] = np.array(ids, dtype=np.int64)
        else:
            arrays["ids_json"] = np.frombuffer(
                json.dumps(ids, ensure_ascii=False).encode("utf-8"), dtype=np.uint8
            )
        if self.stores_shingles:
            arrays["shingle_data"] = self._sh_data[: self._sh_used]
            arrays["shingle_len"] = self._sh_len[:n]
        header = {
            "version": _FORMAT_VERSION,
            "num_perm": self.num_perm,
            "threshold": self.threshold,
            "k": self.k,
            "seed": self.seed,
            "bands": self.bands,
            "rows": self.rows,
            "max_candidates": self.max_candidates,
            "hash_fingerprint": self.hasher.fingerprint(),
            "stores_shingles": self.stores_shingles,
        }
        specs: list[dict[str, object]] = []
        # The arrays go into the result through memoryviews: one copy in all.
        payload: list[memoryview] = []
        offset = 0
        for name, arr in arrays.items():
            little = np.ascontiguousarray(arr, dtype=arr.dtype.newbyteorder("<"))
            specs.append(
                {"name": name, "dtype": little.dtype.str, "shape": list(arr.shape), "offset": offset}
            )
            payload.append(little.reshape(-1).view(np.uint8).data)
            offset += little.nbytes
        head = json.dumps({**header, "arrays": specs}).encode("utf-8")
        crc = zlib.crc32(head)
        for part in payload:
            crc = zlib.crc32(part, crc)
        return b"".join([_MAGIC, struct.pack("<III", _FORMAT_VERSION, len(head), crc), head, *payload])

    @classmethod
    def from_bytes(
        cls, data: bytes, *, text_loader: TextLoader | None = None, cache_size: int = 10_000
    ) -> OriginalityIndex:
        """Rebuild an index written by :meth:`to_bytes`; ValueError when the bytes are not one.

        An index saved without shingle sets needs its ``text_loader`` again.
        """
        view = memoryview(data)
        fixed = len(_MAGIC) + 12
        if len(data) < fixed or bytes(view[: len(_MAGIC)]) != _MAGIC:
            raise ValueError("not a serialised originality index")
        version, head_len, crc = struct.unpack_from("<III", data, len(_MAGIC))
        if version != _FORMAT_VERSION:
            raise ValueError(f"unsupported originality index format {version}")
        try:
            header = json.loads(bytes(view[fixed : fixed + head_len]).decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValueError("corrupt originality index header") from exc
        body = view[fixed + head_len :]
        if zlib.crc32(body, zlib.crc32(view[fixed : fixed + head_len])) != crc:
            raise ValueError("corrupt originality index (checksum mismatch)")
        try:
            return cls._from_parts(header, body, text_loader, cache_size)
        except (KeyError, TypeError, AttributeError, OverflowError) as exc:
            raise ValueError("corrupt originality index header") from exc

    @classmethod
    def _from_parts(
        cls, header: dict, body: memoryview, text_loader: TextLoader | None, cache_size: int
    ) -> OriginalityIndex:
        stored = bool(header["stores_shingles"])
        if stored and text_loader is not None:
            raise ValueError("this index stores its shingle sets: no text_loader is needed")
        if not stored and text_loader is None:
            raise ValueError("this index was saved without shingle sets: pass its text_loader")
        index = cls(
            header["num_perm"],
            header["threshold"],
            k=header["k"],
            seed=header["seed"],
            bands=header["bands"],
            rows=header["rows"],
            max_candidates=header["max_candidates"],
            text_loader=text_loader,
            cache_size=cache_size,
        )
        if index.hasher.fingerprint() != header["hash_fingerprint"]:
            raise ValueError("the hash constants differ from those the index was built with")
        arrays: dict[str, np.ndarray] = {}
        for spec in header["arrays"]:
            dtype = np.dtype(spec["dtype"])
            count = int(np.prod(spec["shape"])) if spec["shape"] else 1
            start = int(spec["offset"])
            if start < 0 or start + count * dtype.itemsize > len(body):
                raise ValueError("corrupt originality index (array out of range)")
            arr = np.frombuffer(body, dtype=dtype, count=count, offset=start).reshape(spec["shape"])
            arrays[spec["name"]] = arr.astype(dtype.newbyteorder("="), copy=True)
        ids: list[DocId]
        if "ids_int" in arrays:
            ids = [int(v) for v in arrays["ids_int"].tolist()]
        else:
            ids = json.loads(arrays["ids_json"].tobytes().decode("utf-8"))
        n = len(ids)
        sigs = arrays["signatures"]
        if sigs.shape != (n, index.num_perm) or len(set(ids)) != n:
            raise ValueError("corrupt originality index (ids and signatures disagree)")
        index._ids = [_check_doc_id(d) for d in ids]
        index._slot_of = {d: i for i, d in enumerate(ids)}
        index._sigs = sigs
        index._alive = np.ones(n, dtype=bool)
        index._keys, index._kslots = arrays["lsh_keys"], arrays["lsh_slots"].astype(np.int32)
        slots = index._kslots
        if index._keys.shape != slots.shape or (slots.size and (slots.min() < 0 or slots.max() >= n)):
            raise ValueError("corrupt originality index (bucket slot out of range)")
        if stored:
            lens = arrays["shingle_len"].astype(np.int64)
            if lens.size != n or lens.sum() != arrays["shingle_data"].size or (lens < 0).any():
                raise ValueError("corrupt originality index (shingle sets)")
            index._sh_data = arrays["shingle_data"]
            index._sh_used = index._sh_data.size
            index._sh_start = np.cumsum(lens) - lens
            index._sh_len = lens.astype(np.int32)
        return index


def _shared_spans(norm: Normalized, codes: U64Array, other: U64Array, k: int) -> tuple[tuple[int, int], ...]:
    """Spans of the original query text covered by shingles that ``other`` also contains."""
    n = len(norm.text)
    if n == 0:
        return ()
    hit = np.isin(codes, other)
    if n < k:
        return (norm.span(0, n),) if hit[0] else ()
    # A passage is a run of consecutive shared shingles (each overlapping the next by k − 1
    # characters), so it reads the same in the other post; shingles that merely touch (as at
    # the seam of two re-ordered sentences) start a new passage.
    edges = np.flatnonzero(np.diff(np.concatenate([[0], hit.astype(np.int8), [0]])))
    return tuple(norm.span(int(a), int(b) + k - 1) for a, b in zip(edges[0::2], edges[1::2], strict=True))
