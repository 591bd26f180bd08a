"""Header units and simple text tables: numbers that carry their unit or period from above.

Takes a :class:`DocContext`; returns indicators for BARE numbers (no measure word, no unit
of their own) that inherit a unit from

* a unit header line or note (``单位：万元``, ``（单位：人）``) — every bare number after it in
  the same block (up to the next blank line) takes that unit;
* a bracketed unit after a label (``营业收入（亿元）1234.5``) — the number right after it;

and for simple text tables (a header row of year cells ``项目 2019年 2020年`` followed by rows
``label  n1  n2``) each cell's ``time`` is its column's year and its ``subject`` the row label.
A bare 万/亿 (发行总额（亿）10.00) is money when the label names an amount of money
(``money_words.tsv``), else a count. Units, their type and multipliers come from
``rules/indicators/header_units.tsv``; patterns from ``rules/indicators/tables.patterns``.
"""
from __future__ import annotations

import bisect
import functools
from decimal import Decimal

from ..contract import Indicator, number
from ..rules import load_patterns, load_table
from .base import DocContext, lexicon


@functools.lru_cache(maxsize=1)
def _patterns():
    return load_patterns("indicators/tables.patterns")


@functools.lru_cache(maxsize=1)
def _units() -> dict[str, tuple[str, str, Decimal]]:
    t = load_table("indicators/header_units.tsv", min_cols=4)
    return {r[0]: (r[1], r[2], Decimal(r[3])) for r in t.rows}


def _blocks(norm: str) -> list[tuple[int, int]]:
    """Blocks of text separated by blank lines."""
    out, start = [], 0
    i = norm.find("\n\n")
    while i != -1:
        out.append((start, i))
        start = i + 2
        i = norm.find("\n\n", start)
    out.append((start, len(norm)))
    return out


def _make(ctx: DocContext, n, unit: str, subject=None, time=None, label: str = "") -> Indicator | None:
    kind, base, mult = _units()[unit]
    if kind == "amount":  # bare 万/亿: money only when the label names an amount of money
        if lexicon("indicators/money_words.tsv").search(label or ""):
            kind = "money"
        else:
            kind, base = "count", None
    value = n.value * mult
    return Indicator(
        type=kind, text=ctx.text[n.start:n.end], start=n.start, end=n.end, value=number(value),
        unit=base, approx=n.approx, qualifier=n.qualifier,
        low=number(n.low * mult) if n.low is not None else None,
        high=number(n.high * mult) if n.high is not None else None,
        subject=subject, time=time,
    )


def _bare(ctx: DocContext) -> list:
    return [n for n in ctx.numbers if n.kind == "number" and n.unit is None and n.value is not None]


def extract(ctx: DocContext) -> list[Indicator]:
    p = _patterns()
    if not p["HINT"].search(ctx.norm):
        return []
    bare = _bare(ctx)
    if not bare:
        return []
    starts = [n.start for n in bare]
    out: dict[int, Indicator] = {}
    # 1. simple tables: a header row of years, rows of numbers beneath
    for block_start, block_end in _blocks(ctx.norm):
        block = ctx.norm[block_start:block_end]
        if "\n" not in block:
            continue
        lines, pos = [], block_start
        for line in block.split("\n"):
            lines.append((pos, line))
            pos += len(line) + 1
        for i, (ls, line) in enumerate(lines):
            h = p["TABLE_HEADER"].match(line)
            if not h:
                continue
            years = [m.group() for m in p["YEAR_CELL"].finditer(h.group("cells"))]
            for rs, row in lines[i + 1:]:
                r = p["TABLE_ROW"].match(row)
                if not r:
                    break
                cells = list(p["CELL"].finditer(row, r.start("cells")))
                if len(cells) != len(years):
                    continue
                label = r.group("label").strip()
                for year, cell in zip(years, cells):
                    k = bisect.bisect_left(starts, rs + cell.start())
                    if k < len(bare) and bare[k].start == rs + cell.start():
                        n = bare[k]
                        out[n.start] = Indicator(
                            type="count", text=ctx.text[n.start:n.end], start=n.start, end=n.end,
                            value=number(n.value), subject=label, time=year)
    # 2. unit headers: 单位：万元 applies to the bare numbers after it in its block
    for block_start, block_end in _blocks(ctx.norm):
        for m in p["UNIT_HEADER"].finditer(ctx.norm, block_start, block_end):
            unit = m.group("unit")
            k = bisect.bisect_left(starts, m.end())
            while k < len(bare) and bare[k].start < block_end:
                n = bare[k]
                prev = out.get(n.start)
                ind = _make(ctx, n, unit, subject=prev.subject if prev else None,
                            time=prev.time if prev else None)
                if ind is not None:
                    out[n.start] = ind
                k += 1
    # 3. a bracketed unit after a label: 营业收入（亿元）1234.5
    for m in p["LABEL_UNIT"].finditer(ctx.norm):
        k = bisect.bisect_left(starts, m.end())
        if k < len(bare) and bare[k].start == m.end():
            label = ctx.text[m.start("label"):m.end("label")]
            ind = _make(ctx, bare[k], m.group("unit"), subject=label, label=ctx.norm[m.start("label"):m.end("label")])
            if ind is not None:
                out[bare[k].start] = ind
    return [out[k] for k in sorted(out)]
