"""Clause-level helpers shared by the linking stages (:mod:`pipeline.link`, :mod:`pipeline.subject`).

Takes normalised article text and positions; returns clause bounds (a clause ends at a
character of ``rules/indicators/clause.tsv``), cached jieba words of short phrases, the named
patterns of ``rules/indicators/link.patterns`` and the change-verb lexicon built from
``change_words.tsv`` and ``change_basis_words.tsv``.
"""
from __future__ import annotations

import bisect
import functools
from typing import NamedTuple

import regex

from .contract import Span
from .rules import load_patterns, load_table
from .indicators.base import literal_alternation
from .segment import tokenizer


class Clause(NamedTuple):
    """A clause span (a tuple: built for every figure, several times)."""

    start: int
    end: int


@functools.lru_cache(maxsize=1)
def _clause_marks() -> tuple[regex.Pattern, regex.Pattern]:
    """(forward, reverse) searches for a clause-ending character."""
    cls = "[" + "".join(regex.escape(c) for c in load_table("indicators/clause.tsv").column(0)) + "]"
    return regex.compile(cls), regex.compile("(?r)" + cls)


@functools.lru_cache(maxsize=1)
def patterns():
    return load_patterns("indicators/link.patterns")


_MARKS: tuple = (None, [])  # (the last article's text, its clause-mark positions)


def _mark_positions(norm: str) -> list[int]:
    """Positions of every clause mark in ``norm``, found once per article (the last one is kept;
    a local reference makes this safe when threads extract different articles)."""
    global _MARKS
    memo = _MARKS
    if memo[0] is not norm:
        memo = (norm, [m.start() for m in _clause_marks()[0].finditer(norm)])
        _MARKS = memo
    return memo[1]


def clause(norm: str, pos: int, sent: Span) -> Clause:
    """The clause of ``sent`` around ``pos``: from after the last clause mark before it to the
    next one (or the sentence bounds)."""
    marks = _mark_positions(norm)
    i = bisect.bisect_left(marks, pos)
    start = marks[i - 1] + 1 if i and marks[i - 1] >= sent.start else sent.start
    end = marks[i] if i < len(marks) and marks[i] < sent.end else sent.end
    return Clause(start, end)


@functools.lru_cache(maxsize=8192)
def words(s: str) -> tuple[str, ...]:
    """jieba words of a short phrase (cached: clauses repeat across a document's figures)."""
    return tuple(tokenizer().cut(s, HMM=True)) if s else ()


@functools.lru_cache(maxsize=1)
def change_lexicon():
    """(verb regex, verb → (direction, mode), verb → implied basis) from both change tables."""
    plain = load_table("indicators/change_words.tsv", min_cols=3).rows
    based = load_table("indicators/change_basis_words.tsv", min_cols=4).rows
    direction = {r[0]: (r[1], r[2]) for r in plain + based}
    implied = {r[0]: r[3] for r in based}
    return literal_alternation(direction), direction, implied

