"""Generic term lists: sensitive words, brand consistency and banned slang.

* ``TermList`` + ``SensitiveChecker``: several named lists, each with its own severity,
  matched together with one Aho-Corasick automaton (leftmost-longest; when the same words are
  on two lists, the more serious list wins). Matching ignores case and full/half width, and
  spaces or zero-width characters slipped between Chinese characters ("敏 感 词").
* ``load_terms``: reads a list from a text file (one term a line, ``#`` comment lines and
  blank lines ignored) and reports bad lines with their line numbers.
* ``BrandRule`` + ``BrandChecker``: the preferred spelling of a product or brand name and its
  forbidden variants; any variant, and any spelling of the preferred form that differs only in
  case, width or spaces, is reported with the preferred form as the suggestion. Banned slang
  comes with an optional replacement.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .findings import Finding, Severity, severity_rank
from .matching import Match, TermMatcher, select_longest
from .normalize import fold_compact, is_ascii_alnum, match_key, normalize

#: The longest term a list accepts (longer lines are nearly always a pasted paragraph).
MAX_TERM_LENGTH = 50
#: The most terms one list file may hold.
MAX_TERMS_PER_LIST = 100_000


@dataclass(frozen=True, slots=True)
class TermFileError:
    """One bad line of a term file: line number (1-based), a code and the params of the message."""

    line: int
    code: str
    params: dict[str, str | int] = field(default_factory=dict, hash=False)

    def message(self) -> str:
        """English message (the Django layer translates by code)."""
        template = TERM_FILE_MESSAGES[self.code]
        return template.format(line=self.line, **self.params)


TERM_FILE_MESSAGES = {
    "too_long": "Line {line}: the term has {length} characters; at most {limit} are allowed.",
    "control_chars": "Line {line}: the term contains control characters.",
    "not_utf8": "The file is not UTF-8 text (first bad byte at offset {offset}).",
    "too_many": "The file has more than {limit} terms.",
    "no_word": "Line {line}: the term has no letter, digit or Chinese character.",
}


class TermFileInvalid(ValueError):
    """Raised by ``load_terms(..., strict=True)`` with every bad line."""

    def __init__(self, errors: Sequence[TermFileError]) -> None:
        super().__init__("; ".join(e.message() for e in errors))
        self.errors = list(errors)


@dataclass(frozen=True, slots=True)
class TermFileResult:
    """The terms read from a file (de-duplicated, in file order) and the bad lines skipped."""

    terms: tuple[str, ...]
    errors: tuple[TermFileError, ...]
    duplicates: int


def load_terms(source: str | bytes | Path, *, strict: bool = False) -> TermFileResult:
    """Read a one-term-a-line list.

    ``source`` is the text itself, the raw bytes of an uploaded file, or a path. Lines are
    stripped; blank lines and lines starting with ``#`` are skipped; a term longer than
    ``MAX_TERM_LENGTH`` characters, with control characters, or without any letter, digit or
    CJK character is a bad line. Duplicates (after case/width folding) are counted and
    dropped. With ``strict=True`` any bad line raises ``TermFileInvalid``.
    """
    if isinstance(source, Path):
        source = source.read_bytes()
    if isinstance(source, bytes):
        try:
            text = source.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            err = TermFileError(0, "not_utf8", {"offset": exc.start})
            if strict:
                raise TermFileInvalid([err]) from exc
            return TermFileResult((), (err,), 0)
    else:
        text = source.removeprefix("\ufeff")
    terms: list[str] = []
    seen: set[str] = set()
    errors: list[TermFileError] = []
    duplicates = 0
    for lineno, raw in enumerate(text.splitlines(), start=1):
        term = raw.strip()
        if not term or term.startswith("#"):
            continue
        if len(term) > MAX_TERM_LENGTH:
            errors.append(TermFileError(lineno, "too_long", {"length": len(term), "limit": MAX_TERM_LENGTH}))
            continue
        if any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in term):
            errors.append(TermFileError(lineno, "control_chars"))
            continue
        key = fold_compact(term)
        if not any(c.isalnum() for c in key):
            errors.append(TermFileError(lineno, "no_word"))
            continue
        if key in seen:
            duplicates += 1
            continue
        seen.add(key)
        terms.append(term)
        if len(terms) > MAX_TERMS_PER_LIST:
            errors.append(TermFileError(lineno, "too_many", {"limit": MAX_TERMS_PER_LIST}))
            terms.pop()
            break
    if strict and errors:
        raise TermFileInvalid(errors)
    return TermFileResult(tuple(terms), tuple(errors), duplicates)


# ---------------------------------------------------------------------------------------------
# Sensitive words


@dataclass(frozen=True, slots=True)
class TermList:
    """A named list of terms sharing one severity (e.g. 政治敏感 → block, 竞品名称 → warn)."""

    name: str
    terms: tuple[str, ...]
    severity: Severity = "warn"
    message_code: str = "sensitive.term"

    def __post_init__(self) -> None:
        if self.severity not in ("block", "warn", "info"):
            raise ValueError(f"unknown severity {self.severity!r}")


class SensitiveChecker:
    """Matches several ``TermList``s at once (one automaton over all of them)."""

    check_name = "sensitive"

    def __init__(self, lists: Iterable[TermList]) -> None:
        by_key: dict[str, tuple[TermList, str]] = {}
        for lst in lists:
            for term in lst.terms:
                key = match_key(term)
                if not key:
                    continue
                current = by_key.get(key)
                # The same word on two lists: the more serious list decides.
                if current is None or severity_rank(lst.severity) < severity_rank(current[0].severity):
                    by_key[key] = (lst, term)
        self._matcher: TermMatcher[tuple[TermList, str]] = TermMatcher(by_key.items())

    def __len__(self) -> int:
        return len(self._matcher)

    def check(self, text: str, *, field: str = "body") -> list[Finding]:
        """Findings for every listed term in ``text`` (leftmost-longest, no overlaps)."""
        if not text or not len(self._matcher):
            return []
        nt = normalize(text, drop_spaces="cjk")
        out = []
        for m in self._matcher.iter_longest(nt.text):
            lst, term = m.payload
            start, end = nt.span(m.start, m.end)
            out.append(
                Finding(
                    self.check_name,
                    lst.severity,
                    start,
                    end,
                    text[start:end],
                    lst.message_code,
                    {"term": term, "list": lst.name},
                    None,
                    field,
                )
            )
        return out


# ---------------------------------------------------------------------------------------------
# Brand consistency


@dataclass(frozen=True, slots=True)
class BrandRule:
    """The exact spelling of a name and the variants people get wrong."""

    preferred: str
    forbidden: tuple[str, ...] = ()
    severity: Severity = "warn"


@dataclass(frozen=True, slots=True)
class BannedTerm:
    """A word the brand never uses, with an optional replacement."""

    term: str
    replacement: str | None = None
    severity: Severity = "warn"


@dataclass(frozen=True, slots=True)
class _BrandEntry:
    kind: str  # "preferred" | "forbidden" | "slang"
    rule: BrandRule | None
    banned: BannedTerm | None


class BrandChecker:
    """Brand consistency: wrong spellings of our names and banned slang.

    Matching folds case and width and ignores every space, so "星曜x1 pro", "星曜X1PRO" and
    "星曜 Ｘ1 Pro" all meet the rule for "星曜 X1 Pro". A hit whose exact text equals the
    preferred form is fine; anything else is a finding whose suggestion is the preferred form.
    A name only matches at an ASCII word boundary of the original text ("X1 Pro" is not found
    inside "X1 Promax").
    """

    check_name = "brand"

    def __init__(self, rules: Iterable[BrandRule] = (), banned: Iterable[BannedTerm | str] = ()) -> None:
        entries: dict[str, _BrandEntry] = {}
        for rule in rules:
            entries[fold_compact(rule.preferred)] = _BrandEntry("preferred", rule, None)
        for rule in rules:
            for variant in rule.forbidden:
                key = fold_compact(variant)
                if key and key not in entries:
                    entries[key] = _BrandEntry("forbidden", rule, None)
        for b in banned:
            bt = b if isinstance(b, BannedTerm) else BannedTerm(b)
            key = fold_compact(bt.term)
            if key and key not in entries:
                entries[key] = _BrandEntry("slang", None, bt)
        entries.pop("", None)
        self._matcher: TermMatcher[_BrandEntry] = TermMatcher(entries.items())

    def check(self, text: str, *, field: str = "body") -> list[Finding]:
        """Findings for wrong spellings and banned slang in ``text``."""
        if not text or not len(self._matcher):
            return []
        nt = normalize(text, drop_spaces="all")
        matches: list[Match[_BrandEntry]] = []
        for m in self._matcher.iter_all(nt.text, ascii_boundaries=False):
            start, end = nt.span(m.start, m.end)
            # Boundaries are judged on the original text: "X1 Pro Max" is not "X1 Pro".
            if is_ascii_alnum(text[start]) and start > 0 and is_ascii_alnum(text[start - 1]):
                continue
            if is_ascii_alnum(text[end - 1]) and end < len(text) and is_ascii_alnum(text[end]):
                continue
            matches.append(Match(start, end, m.key, m.payload))
        out = []
        for m in select_longest(matches):
            found = text[m.start : m.end]
            entry = m.payload
            if entry.kind == "slang":
                assert entry.banned is not None
                out.append(
                    Finding(
                        self.check_name,
                        entry.banned.severity,
                        m.start,
                        m.end,
                        found,
                        "brand.banned_slang",
                        {"term": found},
                        entry.banned.replacement,
                        field,
                    )
                )
                continue
            assert entry.rule is not None
            preferred = entry.rule.preferred
            if entry.kind == "preferred":
                if found == preferred:
                    continue
                code = "brand.inexact_spelling"
            else:
                code = "brand.forbidden_variant"
            out.append(
                Finding(
                    self.check_name,
                    entry.rule.severity,
                    m.start,
                    m.end,
                    found,
                    code,
                    {"term": found, "preferred": preferred},
                    preferred,
                    field,
                )
            )
        return out
