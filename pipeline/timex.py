"""Find time expressions that can date an indicator.

Takes text; returns :class:`TimeExpr` spans (``2019年``, ``2019年度``, ``2020年8月``,
``1-10月``, ``今年``, ``过去一年``, ``2018年以来`` …), sorted and non-overlapping. The
patterns are ``rules/time.patterns`` and ``rules/time_words.tsv``. Normalising a surface
form to a period against the publication date is :mod:`pipeline.period`'s job.
"""
from __future__ import annotations

import functools
from typing import NamedTuple

import regex

from .rules import compile_fast, load_table, pattern_source


class TimeExpr(NamedTuple):
    """A time expression's surface and offsets (a tuple: built for every match)."""

    text: str
    start: int
    end: int


@functools.lru_cache(maxsize=1)
def _time_re() -> regex.Pattern:
    """TIME behind a look-ahead on the characters a time expression can start with."""
    src = pattern_source("time.patterns")
    first = {w[0] for w in load_table("time_words.tsv").column(0)}
    extra = "".join(regex.escape(c) for c in sorted(first))
    cls = src["TIME_FIRST"][:-1] + extra + "]"
    return compile_fast(f"(?={cls})(?:{src['TIME']})")


def find_times(text: str, start: int = 0, end: int | None = None) -> list[TimeExpr]:
    """Time expressions in ``text[start:end]`` with offsets into ``text``."""
    end = len(text) if end is None else end
    return [TimeExpr(m.group(), m.start(), m.end()) for m in _time_re().finditer(text, start, end)]
