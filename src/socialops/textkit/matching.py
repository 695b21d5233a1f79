"""Aho-Corasick matching over normalised text (pyahocorasick), shared by the term checks."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

import ahocorasick

from .normalize import is_ascii_alnum

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Match(Generic[T]):
    """One dictionary hit in the normalised text: [start, end) and the payload of the key."""

    start: int
    end: int
    key: str
    payload: T


class TermMatcher(Generic[T]):
    """A dictionary of normalised keys → payload, matched with one Aho-Corasick automaton.

    Keys that start (end) with an ASCII letter or digit only match at an ASCII word boundary,
    so an English term never fires inside a longer English word ("ad" in "add").
    """

    def __init__(self, entries: Iterable[tuple[str, T]]) -> None:
        self._automaton = ahocorasick.Automaton()
        self._size = 0
        for key, payload in entries:
            if not key:
                continue
            self._automaton.add_word(key, (key, payload))
            self._size += 1
        if self._size:
            self._automaton.make_automaton()

    def __len__(self) -> int:
        return self._size

    def iter_all(self, text: str, *, ascii_boundaries: bool = True) -> Iterator[Match[T]]:
        """Every occurrence of every key (overlapping), boundary rules applied unless turned off."""
        if not self._size:
            return
        for end_index, (key, payload) in self._automaton.iter(text):
            end = end_index + 1
            start = end - len(key)
            if not ascii_boundaries:
                yield Match(start, end, key, payload)
                continue
            if is_ascii_alnum(key[0]) and start > 0 and is_ascii_alnum(text[start - 1]):
                continue
            if is_ascii_alnum(key[-1]) and end < len(text) and is_ascii_alnum(text[end]):
                continue
            yield Match(start, end, key, payload)

    def iter_longest(self, text: str) -> list[Match[T]]:
        """Leftmost-longest, non-overlapping occurrences."""
        return select_longest(self.iter_all(text))


def select_longest(matches: Iterable[Match[T]]) -> list[Match[T]]:
    """Leftmost-longest selection: scan left to right, at each start keep the longest."""
    ordered = sorted(matches, key=lambda m: (m.start, -(m.end - m.start)))
    out: list[Match[T]] = []
    last_end = -1
    for m in ordered:
        if m.start >= last_end:
            out.append(m)
            last_end = m.end
    return out
