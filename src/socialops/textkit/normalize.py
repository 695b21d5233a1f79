"""Text normalisation that keeps a map back to the original offsets.

Matching runs on a normalised copy of the text (NFKC per character: full-width ASCII to
half-width, ideographic space to space, circled digits to digits; then casefold; zero-width
characters dropped; optionally spaces dropped), and every finding is reported with offsets in
the ORIGINAL string. ``NormText.span`` does that translation.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

#: Characters that are invisible and only ever used to break up words.
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad")


@lru_cache(maxsize=8192)
def fold_char(ch: str) -> str:
    """NFKC + casefold of one character (may be empty or several characters long)."""
    if ch in ZERO_WIDTH:
        return ""
    out = unicodedata.normalize("NFKC", ch).casefold()
    # NFKC keeps the ideographic full stop and a few CJK punctuation marks; that is fine.
    return out


def fold(text: str) -> str:
    """The normalised form of a whole string (no offset map), e.g. for dictionary keys."""
    return "".join(fold_char(ch) for ch in text)


def fold_compact(text: str) -> str:
    """``fold`` without any whitespace: the key for space-insensitive comparisons."""
    return "".join(c for c in fold(text) if not c.isspace())


def match_key(term: str) -> str:
    """The dictionary key of a term: normalised like the text it is matched against ("cjk" spaces)."""
    return normalize(term.strip(), drop_spaces="cjk").text


def is_cjk(ch: str) -> bool:
    """True for CJK ideographs (and the CJK compatibility/extension blocks)."""
    o = ord(ch)
    return (
        0x4E00 <= o <= 0x9FFF
        or 0x3400 <= o <= 0x4DBF
        or 0x20000 <= o <= 0x2FA1F
        or 0xF900 <= o <= 0xFAFF
        or o == 0x3007
    )


def is_ascii_alnum(ch: str) -> bool:
    """ASCII letter or digit."""
    return ch.isascii() and ch.isalnum()


@dataclass(frozen=True, slots=True)
class NormText:
    """A normalised string and, for each of its characters, the original span it came from."""

    original: str
    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original (start, end) of the normalised slice [start, end)."""
        if start >= end:
            pos = self.starts[start] if start < len(self.starts) else len(self.original)
            return pos, pos
        return self.starts[start], self.ends[end - 1]

    def orig_index(self, index: int) -> int:
        """Original offset of normalised position ``index`` (len(original) at the end)."""
        return self.starts[index] if index < len(self.starts) else len(self.original)


def normalize(text: str, *, drop_spaces: str = "none") -> NormText:
    """Normalise ``text`` keeping the offset map.

    ``drop_spaces``: ``"none"`` keeps all whitespace; ``"cjk"`` drops horizontal whitespace
    (not newlines) unless it separates two ASCII letters/digits, so "全 网 第 一" and
    "NO. 1" match while English words stay apart; ``"all"`` drops every whitespace character.
    """
    if drop_spaces not in ("none", "cjk", "all"):
        raise ValueError(drop_spaces)
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    folded = [fold_char(ch) for ch in text]
    n = len(text)
    for i, out in enumerate(folded):
        if not out:
            continue
        if drop_spaces != "none" and out.isspace():
            if drop_spaces == "all":
                continue
            if "\n" not in out and "\r" not in out:
                prev = _neighbour(folded, i, -1)
                nxt = _neighbour(folded, i, +1, n)
                if not (is_ascii_alnum(prev) and is_ascii_alnum(nxt)):
                    continue
        for c in out:
            chars.append(c)
            starts.append(i)
            ends.append(i + 1)
    return NormText(text, "".join(chars), tuple(starts), tuple(ends))


def _neighbour(folded: list[str], i: int, step: int, n: int | None = None) -> str:
    """The nearest non-blank folded character before/after position i ('' at the edges)."""
    j = i + step
    limit = len(folded) if n is None else n
    while 0 <= j < limit:
        s = folded[j]
        if s and not s.isspace():
            return s[0] if step > 0 else s[-1]
        j += step
    return ""
