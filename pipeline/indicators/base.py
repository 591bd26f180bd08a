"""Shared machinery of the indicator extractors: the document context and lexicon matchers.

Takes nothing itself; :class:`DocContext` carries the original text, its folded view, the
numbers found by :func:`pipeline.numbers.find_numbers` and the sentences, so every
extractor sees the same analysis. :func:`lexicon` turns a ``rules/`` table column into a
compiled longest-first alternation.
"""
from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass, field

import regex

from ..normalise import NormText
from ..rules import load_table
from ..segment import Sentence


@dataclass
class DocContext:
    """One article as the extractors see it. ``norm`` has the same offsets as ``text``."""

    text: str
    norm: str
    numbers: list  # list[pipeline.numbers.NumberMatch]
    sentences: list[Sentence]
    published: str | None = None
    _quotes: list[tuple[int, int]] | None = field(default=None, repr=False)
    cache: dict = field(default_factory=dict, repr=False)  # per-document analyses shared by stages

    @classmethod
    def build(cls, norm: NormText, numbers, sentences, published=None) -> "DocContext":
        return cls(norm.orig, norm.text, numbers, sentences, published)

    def quoted_spans(self) -> list[tuple[int, int]]:
        """(start, end) of each quoted phrase (inside the quote marks), computed once."""
        if self._quotes is None:
            spans = []
            for m in _quote_re().finditer(self.norm):
                g = next(i for i in range(1, len(m.groups()) + 1) if m.start(i) >= 0)  # the quote type that matched
                spans.append((m.start(g), m.end(g)))
            self._quotes = spans
        return self._quotes

    def in_short_quote(self, start: int, end: int, max_len: int = 12) -> bool:
        spans = self.quoted_spans()
        if not spans:
            return False
        if "quote_starts" not in self.cache:
            self.cache["quote_starts"] = [qs for qs, _ in spans]
        k = bisect.bisect_right(self.cache["quote_starts"], start)
        # quotes starting at or before ``start``; a short one (≤ max_len) starts within max_len
        while k > 0:
            qs, qe = spans[k - 1]
            if start - qs > max_len:
                break
            if end <= qe and qe - qs <= max_len:
                return True
            k -= 1
        return False


@functools.lru_cache(maxsize=None)
def lexicon(table: str, col: int = 0, where: tuple[int, str] | None = None) -> regex.Pattern:
    """Longest-first alternation of a table column; ``where=(i, v)`` keeps rows with field i == v."""
    t = load_table(table)
    words = [r[col] for r in t.rows
             if len(r) > col and (where is None or (len(r) > where[0] and r[where[0]] == where[1]))]
    words = sorted(set(words), key=lambda w: (-len(w), w))
    return literal_alternation(words)


_LAST_CHARS: dict[int, tuple] = {}  # id(pattern) → (pattern, last characters of its words)


def literal_alternation(words) -> regex.Pattern:
    """Longest-first alternation of literal ``words``; :func:`ends_with` knows its last characters
    and skips the regex when the text does not end with one of them."""
    words = sorted(set(words), key=lambda w: (-len(w), w))
    rx = re.compile("|".join(re.escape(w) for w in words) if words else "(?!)")  # re: faster here
    _LAST_CHARS[id(rx)] = (rx, frozenset(w[-1] for w in words if w))  # holding rx keeps its id
    return rx


@functools.lru_cache(maxsize=None)
def table_map(table: str, key: int = 0, value: int = 1) -> dict[str, str]:
    return load_table(table).mapping(key, value)


@functools.lru_cache(maxsize=1)
def _quote_re() -> regex.Pattern:
    t = load_table("indicators/quotes.tsv", min_cols=2)
    alts = [f"{regex.escape(o)}([^{regex.escape(o)}{regex.escape(c)}\\n]{{0,40}}){regex.escape(c)}"
            for o, c, *_ in t.rows]
    return regex.compile("|".join(alts))


GAP = 2  # spaces allowed between a number and its measure word (170 人: converted or OCR'd text)


def after_gap(s: str, pos: int) -> int:
    """``pos`` moved over at most :data:`GAP` plain spaces (never over a line break)."""
    k = pos
    while k < len(s) and k - pos < GAP and s[k] == " ":
        k += 1
    return k


def match_at(pattern: regex.Pattern, s: str, pos: int) -> regex.Match | None:
    """``pattern`` anchored at ``pos``."""
    return pattern.match(s, pos)


_ANCHORED: dict[int, tuple] = {}  # id(pattern) → (pattern, its end-anchored form)


def _end_anchored(pattern):
    """``pattern`` anchored at the end, compiled once (looked up by id: hashing a compiled
    pattern hashes its whole program, which costs more than the search)."""
    got = _ANCHORED.get(id(pattern))
    if got is None or got[0] is not pattern:
        mod = re if isinstance(pattern, re.Pattern) else regex
        got = _ANCHORED[id(pattern)] = (pattern, mod.compile(f"(?:{pattern.pattern})$", pattern.flags))
    return got[1]


def ends_with(pattern: regex.Pattern, s: str, end: int, start: int = 0) -> regex.Match | None:
    """The longest match of ``pattern`` that ends exactly at ``end`` (looking back 12 characters)."""
    got = _LAST_CHARS.get(id(pattern))  # by id: hashing a compiled pattern hashes its code
    if got is not None and (end <= start or s[end - 1] not in got[1]):
        return None  # no word of the lexicon ends with this character
    return _end_anchored(pattern).search(s, max(start, end - 12), end)
