"""Clause-level helpers shared by the linking stages (:mod:`pipeline.link`, :mod:`pipeline.subject`).

Takes normalised article text and positions; returns clause bounds (a clause ends at a
character of ``rules/indicators/clause.tsv``), cached jieba words of short phrases, the named
patterns of ``rules/indicators/link.patterns`` and the change-verb lexicon built from
``change_words.tsv`` and ``change_basis_words.tsv``.
"""
from __future__ import annotations

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


def clause(norm: str, pos: int, sent: Span) -> Clause:
    """The clause of ``sent`` around ``pos``: from after the last clause mark before it to the
    next one (or the sentence bounds)."""
    fwd, rev = _clause_marks()
    before = rev.search(norm, sent.start, pos)
    after = fwd.search(norm, pos, sent.end)
    return Clause(before.end() if before else sent.start, after.start() if after else sent.end)


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

