"""Lists that write the unit once: 分别提高0.6和1.0个百分点, 增长3、5和8个.

Takes the :class:`DocContext` and the indicators found so far; returns new indicators for the
BARE numbers of a list whose last item carries the unit (0.6 in 0.6和1.0个百分点 becomes
0.6 percentage points); two consecutive integers joined by 、 (4、5%) are one approximate
range instead. Only units without a multiplier spread (%, 个百分点, ‰, plain measure
words): in 10和20万元 the 万 may or may not apply to 10, so nothing is guessed there.
List separators come from ``rules/indicators/list_separators.tsv``.
"""
from __future__ import annotations

import bisect

import regex

from ..contract import Indicator, number
from ..rules import load_table
from .base import DocContext, lexicon

_DIGITS = regex.compile(r"[0-9.]+")  # an Arabic numeral with no multiplier


def spread(ctx: DocContext, found: list[Indicator]) -> tuple[list[Indicator], set[int]]:
    """(new indicators, ids of found indicators they replace)."""
    sep = lexicon("indicators/list_separators.tsv")
    by_start = {i.start: i for i in found}
    found_ids = {id(i) for i in found}
    taken = sorted((i.start, i.end) for i in found)  # non-overlapping
    starts = [s for s, _ in taken]

    def free(n) -> bool:
        k = bisect.bisect_left(starts, n.end) - 1  # the last span starting before n ends
        return k < 0 or taken[k][1] <= n.start

    bare = [n for n in ctx.numbers if n.kind == "number" and n.unit is None and n.value is not None
            and n.qualifier == "exact" and free(n)]
    out: list[Indicator] = []
    replaced: set[int] = set()
    # walk right to left so 3、5和8个 spreads from 8 to 5 to 3
    for n in sorted(bare, key=lambda n: -n.start):
        m = sep.match(ctx.norm, n.end)
        if not m:
            continue
        nxt = by_start.get(m.end())
        if nxt is None or nxt.qualifier != "exact" or not _plain_unit(ctx, nxt):
            continue
        core = ctx.norm[n.core_start:n.core_end]
        if not _DIGITS.fullmatch(core):
            continue
        if id(nxt) in found_ids and _approx_pair(ctx, n, m, nxt):
            # 4、5% reads "four or five percent": one approximate range, not a list
            merged = Indicator(type=nxt.type, text=ctx.text[n.start:nxt.end], start=n.start, end=nxt.end,
                               value=number(n.value), unit=nxt.unit, approx=True, qualifier="range",
                               low=number(n.value), high=nxt.value)
            replaced.add(id(nxt))
            out.append(merged)
            continue
        ind = Indicator(type=nxt.type, text=ctx.text[n.start:n.end], start=n.start, end=n.end,
                        value=number(n.value), unit=nxt.unit)
        out.append(ind)
        by_start[ind.start] = ind
    return out, replaced


def _approx_pair(ctx: DocContext, n, sep_match, nxt: Indicator) -> bool:
    """Two consecutive integers joined by the enumeration comma, alone: 4、5% (the second carries
    the unit itself, so it ends the list)."""
    if sep_match.group() not in _range_commas() or n.value != int(n.value):
        return False
    if nxt.value != int(n.value) + 1:
        return False
    before = sep_match.re.match(ctx.norm, n.start - 1) if n.start else None
    return not (before and before.end() == n.start)  # not the tail of a longer list (3、4、5个)


def _range_commas() -> frozenset[str]:
    return frozenset(r[0] for r in load_table("indicators/list_separators.tsv").rows
                     if len(r) > 2 and r[2] == "range")


def _plain_unit(ctx: DocContext, ind: Indicator) -> bool:
    """The unit of ``ind`` applies as such to a bare number: its numeral has no 万/亿 multiplier
    (the figure's value equals its Arabic digits) and it is a percentage or a count."""
    if ind.type not in ("percentage", "count"):
        return False
    digits = _DIGITS.match(ctx.norm, ind.start)
    if not digits:
        return False
    try:
        return float(digits.group()) == float(ind.value)
    except (TypeError, ValueError):
        return False
