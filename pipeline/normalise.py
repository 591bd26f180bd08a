"""Normalise article text for matching, keeping offsets into the original.

Takes the original ``str``; returns a :class:`NormText` whose ``.text`` has the SAME
length as the original (every fold is one character to one character), so an offset
found in the normalised view is the offset in the original. Folds: full-width ASCII
(U+FF01–FF5E: １２３ → 123, ％ → %, ． → .), the ideographic space, traditional characters
to simplified ones (``rules/fold_t2s.tsv``, OpenCC's one-character table: 萬 → 万, 億 → 亿,
增長 → 增长 …) and ``rules/fold.tsv`` (other variants: ﹪ → %, dashes in ranges). Thousands separators are NOT removed here (that would move
offsets); the number patterns accept them instead.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

from .rules import RuleError, load_table

__all__ = ["NormText", "normalise", "fold_table"]

FOLD_TABLES = ("fold_t2s.tsv", "fold.tsv")  # later tables win


@functools.lru_cache(maxsize=None)
def fold_table(extra: tuple[tuple[str, str], ...] = ()) -> dict[int, str]:
    """The ``str.translate`` table: full-width ASCII, ideographic space, rules/fold.tsv."""
    table: dict[int, str] = {cp: chr(cp - 0xFEE0) for cp in range(0xFF01, 0xFF5F)}
    table[0x3000] = " "
    for name in FOLD_TABLES:
        t = load_table(name, min_cols=2, max_cols=3)
        for (src, dst, *_), line in zip(t.rows, t.lines):
            if len(src) != 1 or len(dst) != 1:
                raise RuleError(t.path, line, f"fold entries must map one character to one character: {src!r} -> {dst!r}")
            table[ord(src)] = dst
    for src, dst in extra:
        if len(src) == 1 and len(dst) == 1:
            table[ord(src)] = dst
    return table


@dataclass(frozen=True)
class NormText:
    """The original text and its folded view (same length; offsets shared)."""

    orig: str
    text: str

    def span(self, start: int, end: int) -> str:
        """The ORIGINAL surface for an offset pair found in the folded view."""
        return self.orig[start:end]


def normalise(text: str, extra: tuple[tuple[str, str], ...] = ()) -> NormText:
    folded = text.translate(fold_table(extra))
    if len(folded) != len(text):  # cannot happen with 1:1 tables; guard the contract
        raise AssertionError("normalisation changed the text length")
    return NormText(text, folded)
