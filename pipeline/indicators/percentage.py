"""Percentage extractor: 98.01%, 百分之四十, 八成, 0.6个百分点, 千分之五, 三分之一.

Takes a :class:`DocContext`; returns ``percentage`` indicators. ``value`` is in percent
(``unit`` ``%``), in percentage points (``unit`` ``percentage_point``, never merged with %),
or per mille (``‰``). Fractions (三分之一) become percent, rounded to 4 decimals; multiples
become percent of the base (增长1.86倍 → 186, 是上年的2倍 → 200). Change
direction and basis are added by :mod:`pipeline.link`.
"""
from __future__ import annotations

import functools
from decimal import Decimal

from ..contract import Indicator, number
from ..rules import load_table
from .base import DocContext

FRACTION_PLACES = Decimal("0.0001")



@functools.lru_cache(maxsize=1)
def _multiple_units() -> frozenset[str]:
    return frozenset(load_table("indicators/multiple_units.tsv").column(0))


def extract(ctx: DocContext) -> list[Indicator]:
    out: list[Indicator] = []
    for n in ctx.numbers:
        if n.value is None:
            continue
        if n.kind == "percentage":
            value, unit, low, high = n.value, n.unit or "%", n.low, n.high
        elif n.kind == "number" and n.unit in _multiple_units():
            # 增长1.86倍 = up by 186 %: a multiple is a percentage of the base
            value = n.value * 100
            unit = "%"
            low = n.low * 100 if n.low is not None else None
            high = n.high * 100 if n.high is not None else None
        elif n.kind == "fraction":
            scale = Decimal(100)
            value = (n.value * scale).quantize(FRACTION_PLACES).normalize()
            unit = "%"
            low = (n.low * scale).quantize(FRACTION_PLACES).normalize() if n.low is not None else None
            high = (n.high * scale).quantize(FRACTION_PLACES).normalize() if n.high is not None else None
        else:
            continue
        if ctx.in_short_quote(n.start, n.end):
            continue
        out.append(Indicator(
            type="percentage", text=ctx.text[n.start:n.end], start=n.start, end=n.end,
            value=number(value), unit=unit, approx=n.approx, qualifier=n.qualifier,
            low=number(low), high=number(high),
        ))
    return out
