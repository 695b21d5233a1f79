"""Normalisation and character shingles of Chinese (and mixed) text, for near-duplicate detection.

Pure Python + numpy, no Django. Two normalisers produce the same string:

* :func:`normalize` — whole-string regular expressions in C, used to index many documents;
* :func:`normalize_with_offsets` — character by character, also returning where every kept
  character came from in the original text, used for the one text on screen (the spans of a
  query's shared passages, the side-by-side diff).

Normalisation, in order (the reasons are in docs/originality.md):

1. Unicode NFKC: full-width letters, digits and punctuation become half-width (``ＡＢＣ１２３`` →
   ``ABC123``), compatibility forms are unified (``①`` → ``1``, ``ｶﾞ`` → ``ガ``).
2. Links (``http(s)://…``, ``www.…``) are dropped: tracking parameters and short links differ
   between copies of the same post and say nothing about its wording.
3. Case folding (``casefold``, not ``lower``: ``ß`` and ``ss`` are the same word).
4. Everything that is not a letter or a number goes: punctuation, spaces, line breaks, emoji,
   symbols, joiners and variation selectors (Python's ``str.isalnum``, the same test as ``\\w``).
5. A run of three or more of the same character becomes two (``哈哈哈哈哈`` → ``哈哈``,
   ``冲冲冲`` → ``冲冲``, ``好好好好`` → ``好好``): the length of a laugh is not originality, while
   doubled characters are ordinary Chinese words (``看看``, ``常常``) and stay. Digits are never
   collapsed: ``1000`` and ``10`` are different numbers.

Shingles are the k-character substrings of the normalised text (k = 3 by default). For k ≤ 3 a
shingle is *packed* into one 64-bit integer exactly (21 bits per code point), so the Jaccard
similarity computed from shingle codes is exact, with no hash collisions. For k > 3 the code is a
63-bit hash. A normalised text shorter than k characters has one shingle for the whole text, with
the top bit set so that it can never equal an ordinary k-shingle; an empty normalised text (only
emoji or punctuation) has no shingle and is similar to nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

U64Array = NDArray[np.uint64]
I64Array = NDArray[np.int64]

#: Default shingle length: see docs/originality.md ("Why k = 3").
DEFAULT_K = 3
#: Longest supported shingle.
MAX_K = 16

_URL = re.compile(r"(?:https?://|www\.)[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+", re.IGNORECASE)
_NON_ALNUM = re.compile(r"[\W_]+")
_REPEAT = re.compile(r"(\D)\1{2,}")

_LOW63 = np.uint64((1 << 63) - 1)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def mix64(values: U64Array) -> U64Array:
    """The splitmix64 finaliser, element-wise: a bijection of uint64 that mixes every bit.

    Wrapping multiplication is the point here, so numpy's overflow warnings are silenced.
    """
    z = np.array(values, dtype=np.uint64, copy=True)
    with np.errstate(over="ignore"):
        z ^= z >> np.uint64(30)
        z *= _M1
        z ^= z >> np.uint64(27)
        z *= _M2
        z ^= z >> np.uint64(31)
    return z


def normalize(text: str) -> str:
    """The normalised form of ``text`` (fast path: whole-string operations in C)."""
    s = unicodedata.normalize("NFKC", text)
    s = _URL.sub(" ", s)
    s = s.casefold()
    s = _NON_ALNUM.sub("", s)
    return _REPEAT.sub(r"\1\1", s)


@dataclass(frozen=True)
class Normalized:
    """A normalised text and, for each of its characters, the span of the original it came from."""

    text: str
    #: ``src_start[i]:src_end[i]`` is the part of the original text that character i comes from.
    src_start: tuple[int, ...]
    src_end: tuple[int, ...]
    #: Length of the original text.
    original_length: int

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The tight original span of normalised characters ``start:end`` (end > start)."""
        return self.src_start[start], self.src_end[end - 1]

    def boundary(self, position: int) -> int:
        """Where normalised position ``position`` (0…len) falls in the original text.

        Characters dropped by normalisation (punctuation, spaces) belong to the text *before*
        them, so that ``boundary`` cuts the original into contiguous pieces: 0 maps to 0 and
        ``len(text)`` to the end of the original.
        """
        if position <= 0:
            return 0
        if position >= len(self.text):
            return self.original_length
        return self.src_end[position - 1]


def _is_plain(ch: str) -> bool:
    """ASCII and CJK unified ideographs never compose with a neighbour under NFKC."""
    return ch < "\x80" or "\u4e00" <= ch <= "\u9fff"


def _nfkc_segments(text: str) -> list[tuple[int, int]]:
    """Cut ``text`` into pieces that NFKC normalises independently of each other.

    A piece starts at a character that neither combines with what precedes it (a combining mark,
    a Hangul vowel after a consonant, a half-width voicing mark after katakana…) nor changes the
    normalisation of the piece before it. Normalising piece by piece then gives the same string
    as normalising the whole text, and every output character knows its source piece.
    """
    segments: list[tuple[int, int]] = []
    n = len(text)
    if n == 0:
        return segments
    start = 0
    for j in range(1, n):
        ch = text[j]
        if _is_plain(ch) and _is_plain(text[j - 1]):
            stable = True
        else:
            alone = unicodedata.normalize("NFKC", ch)
            if unicodedata.combining(ch) or unicodedata.combining(alone[:1] or " "):
                # A mark (or what becomes one, like ﾞ → U+3099) may reorder with later marks
                # and compose with the base before it: it stays with that base.
                stable = False
            else:
                piece = text[start:j]
                stable = (
                    unicodedata.normalize("NFKC", piece + ch) == unicodedata.normalize("NFKC", piece) + alone
                )
        if stable:
            segments.append((start, j))
            start = j
    segments.append((start, n))
    return segments


def normalize_with_offsets(text: str) -> Normalized:
    """The normalised form of ``text`` with the source span of every kept character.

    Same result as :func:`normalize` (tested with Hypothesis on arbitrary Unicode), two to three
    times slower: meant for the one text on screen, not for indexing.
    """
    # 1. NFKC piece by piece; each output character remembers its piece.
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for a, b in _nfkc_segments(text):
        for ch in unicodedata.normalize("NFKC", text[a:b]):
            chars.append(ch)
            starts.append(a)
            ends.append(b)
    # 2. Links, found on the NFKC text exactly as the fast path finds them.
    dropped = bytearray(len(chars))
    for m in _URL.finditer("".join(chars)):
        dropped[m.start() : m.end()] = b"\x01" * (m.end() - m.start())
    # 3–5. Case folding (may expand a character), letters and numbers only, runs collapsed.
    out: list[str] = []
    out_start: list[int] = []
    out_end: list[int] = []
    run = 0
    for i, ch in enumerate(chars):
        if dropped[i]:
            continue
        for folded in ch.casefold():
            if not folded.isalnum():
                continue
            if out and folded == out[-1] and not folded.isdecimal():
                run += 1
                if run >= 3:
                    # Collapsed: the kept character now stands for the whole run.
                    out_end[-1] = ends[i]
                    continue
            else:
                run = 1
            out.append(folded)
            out_start.append(starts[i])
            out_end.append(ends[i])
    return Normalized("".join(out), tuple(out_start), tuple(out_end), len(text))


def _check_k(k: int) -> None:
    if not 1 <= k <= MAX_K:
        raise ValueError(f"shingle length k must be between 1 and {MAX_K}, got {k}")


def _ranges(starts: I64Array, lengths: I64Array) -> I64Array:
    """Concatenated ``arange(s, s + n)`` for every (s, n), vectorised."""
    total = int(lengths.sum())
    before = np.cumsum(lengths) - lengths
    return np.arange(total, dtype=np.int64) + np.repeat(starts - before, lengths)


def _mix64_int(x: int) -> int:
    """splitmix64's finaliser on a Python int (for the rare short texts)."""
    mask = (1 << 64) - 1
    x &= mask
    x ^= x >> 30
    x = (x * 0xBF58476D1CE4E5B9) & mask
    x ^= x >> 27
    x = (x * 0x94D049BB133111EB) & mask
    return x ^ (x >> 31)


def _short_code(cps: Sequence[int], k: int) -> int:
    """The single flagged code of a normalised text shorter than k characters."""
    if k <= 3:
        # Exact: at most two code points (42 bits) and the length, under the flag bit.
        packed = 0
        for cp in cps:
            packed = (packed << 21) | cp
        return (1 << 63) | (len(cps) << 56) | packed
    h = len(cps)
    for cp in cps:
        h = (_mix64_int(h ^ cp) + 0x9E3779B97F4A7C15) & ((1 << 64) - 1)
    return (1 << 63) | (h & ((1 << 63) - 1))


def _pack(cps: U64Array, lengths: I64Array, k: int) -> tuple[U64Array, I64Array]:
    """Shingle codes of concatenated documents (code points ``cps``, one length per document).

    Returns one code per shingle position (duplicates kept, document order) and the number of
    codes of each document.
    """
    full = lengths >= k
    windows = np.where(full, lengths - k + 1, 0)
    counts = np.where(full, windows, (lengths > 0).astype(np.int64)).astype(np.int64)
    doc_start = np.cumsum(lengths) - lengths
    positions = max(cps.size - k + 1, 0)
    with np.errstate(over="ignore"):
        codes = np.zeros(positions, dtype=np.uint64)
        if k <= 3:
            # Exact packing: 21 bits per code point, at most 63 bits.
            for j in range(k):
                codes <<= np.uint64(21)
                codes |= cps[j : j + positions]
        else:
            for j in range(k):
                codes = mix64(codes ^ cps[j : j + positions]) + _GOLDEN
            codes &= _LOW63
    ordinary = codes[_ranges(doc_start[full], windows[full])]
    short = np.flatnonzero((lengths > 0) & ~full)
    if short.size == 0:
        return ordinary, counts
    result = np.empty(int(counts.sum()), dtype=np.uint64)
    code_start = np.cumsum(counts) - counts
    result[_ranges(code_start[full], windows[full])] = ordinary
    for d in short:
        a = int(doc_start[d])
        result[code_start[d]] = _short_code([int(c) for c in cps[a : a + int(lengths[d])]], k)
    return result, counts


def _code_points(texts: Sequence[str]) -> tuple[U64Array, I64Array]:
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    joined = "".join(texts)
    cps = np.frombuffer(joined.encode("utf-32-le"), dtype="<u4").astype(np.uint64)
    return cps, lengths


def shingle_codes_many(normalized: Sequence[str], k: int = DEFAULT_K) -> tuple[U64Array, I64Array]:
    """Shingle codes of many *normalised* texts, concatenated, and the count per text.

    Codes are in text order and position order; a shingle that occurs twice in a text appears
    twice (MinHash does not mind; use :func:`shingle_set` for a set).
    """
    _check_k(k)
    cps, lengths = _code_points(normalized)
    return _pack(cps, lengths, k)


def shingle_codes(normalized: str, k: int = DEFAULT_K) -> U64Array:
    """The code of the shingle starting at each position of a *normalised* text.

    Position i covers characters ``i:i+k``; a text shorter than k has one code covering it all.
    """
    codes, _ = shingle_codes_many([normalized], k)
    return codes


def shingle_set(normalized: str, k: int = DEFAULT_K) -> U64Array:
    """The sorted distinct shingle codes of a *normalised* text."""
    return np.unique(shingle_codes(normalized, k))


def jaccard_sets(a: U64Array, b: U64Array) -> float:
    """Exact Jaccard similarity of two sorted distinct code arrays (0 when both are empty)."""
    if a.size == 0 or b.size == 0:
        return 0.0
    inter = np.intersect1d(a, b, assume_unique=True).size
    return inter / (a.size + b.size - inter)


def jaccard(a: str, b: str, k: int = DEFAULT_K) -> float:
    """Exact Jaccard similarity of the k-shingle sets of two texts, in [0, 1].

    Symmetric; 1 for a text with itself unless it normalises to nothing (then 0: an empty text is
    similar to nothing).
    """
    return jaccard_sets(shingle_set(normalize(a), k), shingle_set(normalize(b), k))
