"""Money extractor: 288.5万元, 1.2亿美元, 伍仟元整.

Takes a :class:`DocContext`; returns ``money`` indicators from the number engine's currency
matches: ``value`` in the currency's base unit (288.5万元 → 2885000), ``unit`` the currency
(元, 美元, 港元 …).
"""
from __future__ import annotations

from ..contract import Indicator, number
from .base import DocContext


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
    return out
