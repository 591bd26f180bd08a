"""Count extractor: a number followed by a measure word (46474件, 4.56万人次, 160多场次).

Takes a :class:`DocContext`; returns ``count`` indicators with ``value`` in units of the
measure word (万/亿 applied), ``unit`` the measure word, and bounds from the number engine
or from a bound word after the measure word (20万人次以上). Measure words come from
``rules/indicators/measure_words.tsv``; bound words from ``post_qualifiers.tsv``.
Not counts: a lone 一 before a classifier (一支队伍, 一套机制 — the indefinite article),
numbers inside short quoted names or slogans (“四个上升”), durations (三年), and a measure
word that jieba reads as the start of a longer word (百家乐: a game, not 100 家).
"""
from __future__ import annotations

import functools

from ..contract import Indicator, number
from ..rules import load_table
from ..segment import tokenizer
from .base import DocContext, after_gap, lexicon, table_map

ARTICLE_ONE = {"1"}  # value of a lone Chinese "one" before a classifier


WINDOW = 6  # characters of context segmented on each side of a measure word's end


def _ends_inside_word(norm: str, end: int) -> bool:
    """True when jieba puts the measure word's end inside a longer word (百家|乐 → 百家乐)."""
    if end >= len(norm) or not norm[end].strip():
        return False
    start = max(0, end - WINDOW)
    pos = start
    for w in tokenizer().cut(norm[start:end + WINDOW], HMM=False):
        if pos < end < pos + len(w) and len(w) > 1 and not any(c.isdigit() for c in w):
            return w not in _split_ok()
        pos += len(w)
        if pos >= end:
            break
    return False


@functools.lru_cache(maxsize=1)
def _split_ok() -> frozenset[str]:
    """Words a count may end inside (万人次 holds both the multiplier and the measure word)."""
    return frozenset(load_table("indicators/count_split_ok.tsv").column(0))


def extract(ctx: DocContext) -> list[Indicator]:
    mw = lexicon("indicators/measure_words.tsv")
    post = lexicon("indicators/post_qualifiers.tsv")
    post_kind = table_map("indicators/post_qualifiers.tsv")
    out: list[Indicator] = []
    for n in ctx.numbers:
        if n.kind != "number" or n.value is None or n.unit:
            continue
        m = mw.match(ctx.norm, after_gap(ctx.norm, n.end))  # 170 人: a space may stand between
        if not m:
            continue
        core = ctx.norm[n.core_start:n.core_end]
        if str(n.value) in ARTICLE_ONE and not any(ch.isdigit() for ch in core) and n.core_end - n.core_start == 1:
            continue
        if ctx.in_short_quote(n.start, m.end()):
            continue
        end = m.end()
        # 百家乐 is a game, not 100 家: a Chinese-numeral count whose measure word jieba reads as
        # the start of a longer word is a word, not a count (Arabic digits always count: 30个人)
        if not any(ch.isdigit() for ch in core) and _ends_inside_word(ctx.norm, end):
            continue
        qualifier, low, high, approx = n.qualifier, n.low, n.high, n.approx
        pm = post.match(ctx.norm, end)
        if pm and qualifier == "exact":
            qualifier = post_kind[pm.group()]
            end = pm.end()
            approx = qualifier == "approx"
            if qualifier == "at_least":
                low = n.value
            elif qualifier == "at_most":
                high = n.value
        out.append(Indicator(
            type="count", text=ctx.text[n.start:end], start=n.start, end=end,
            value=number(n.value), unit=ctx.text[m.start():m.end()], approx=approx,
            qualifier=qualifier, low=number(low), high=number(high),
        ))
    return out
