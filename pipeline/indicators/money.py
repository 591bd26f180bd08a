"""Money extractor: 288.5万元, 1.2亿美元, 伍仟元整, and sums written without 元.

Takes a :class:`DocContext`; returns ``money`` indicators from the number engine's currency
matches: ``value`` in the currency's base unit (288.5万元 → 2885000), ``unit`` the currency
(元, 美元, 港元 …). A bare number with a big multiplier (523亿, 150多亿) is money in 元 when a
money noun of ``rules/indicators/money_context.tsv`` stands before it in its clause
(挽回损失523亿, 年流水高达150多亿) and no measure word follows it.
"""
from __future__ import annotations

import bisect
import functools

from ..contract import Indicator, number
from ..rules import load_table
from .base import DocContext, after_gap, lexicon, table_map

CONTEXT_WINDOW = 16  # characters before the figure searched for a money noun


def extract(ctx: DocContext) -> list[Indicator]:
    out: list[Indicator] = []
    for n in ctx.numbers:
        if n.kind != "currency" or n.value is None:
            continue
        out.append(Indicator(
            type="money", text=ctx.text[n.start:n.end], start=n.start, end=n.end,
            value=number(n.value), unit=n.unit, approx=n.approx, qualifier=n.qualifier,
            low=number(n.low), high=number(n.high),
        ))
    out.extend(_bare_sums(ctx))
    return out


def _bare_sums(ctx: DocContext) -> list[Indicator]:
    from ..clause import clause

    big = _big_units()
    money = lexicon("indicators/money_context.tsv")
    measure = lexicon("indicators/measure_words.tsv")
    starts = [s.start for s in ctx.sentences]
    unit = table_map("indicators/labels.tsv")["implied_currency"]
    out: list[Indicator] = []
    for n in ctx.numbers:
        if n.kind != "number" or n.value is None or n.unit:
            continue
        if not any(c in big for c in ctx.norm[n.core_start:n.core_end]):
            continue
        if measure.match(ctx.norm, after_gap(ctx.norm, n.end)):
            continue  # 106.68亿斤, 4000万人: a count
        i = bisect.bisect_right(starts, n.start) - 1
        sent = ctx.sentences[i] if i >= 0 else None
        lo = clause(ctx.norm, n.start, sent).start if sent is not None else 0
        if not money.search(ctx.norm, max(lo, n.start - CONTEXT_WINDOW), n.start):
            continue
        out.append(Indicator(
            type="money", text=ctx.text[n.start:n.end], start=n.start, end=n.end,
            value=number(n.value), unit=unit, approx=n.approx, qualifier=n.qualifier,
            low=number(n.low), high=number(n.high),
        ))
    return out


@functools.lru_cache(maxsize=1)
def _big_units() -> frozenset[str]:
    return frozenset(load_table("numbers/big_units.tsv").column(0))
