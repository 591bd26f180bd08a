"""Ranking extractor: 第二名, 第一位, 全省第二, 排名全省第二位, 前三, 倒数第一.

Takes a :class:`DocContext`; returns ``ranking`` indicators with ``value`` the rank,
``scope`` the scope word right before the rank (全省, 全国 …), ``direction`` ``top`` or
``bottom`` (倒数), and for 前N ``qualifier`` ``at_most`` with ``low`` 1, ``high`` N.
前N名 / 后N名 (top / bottom N) are rankings by themselves; 前N needs a cue or a scope.
An ordinal is a ranking when a rank suffix follows it (名, 位) or a scope word or a ranking
cue (排名, 居, 位列, 蝉联 …) stands right before it; an ordinal followed by a word of
``rules/indicators/not_ranking.tsv`` (第二批, 第一时间, 第一书记) never is.
"""
from __future__ import annotations

import functools

import regex

from ..contract import Indicator, number
from ..rules import load_patterns
from .base import DocContext, ends_with, lexicon, table_map

GAP = 3  # characters allowed between a cue and the rank (排名全省第二: scope fills it)


@functools.lru_cache(maxsize=1)
def _patterns():
    return load_patterns("indicators/ranking.patterns")


def _scope_before(ctx: DocContext, pos: int) -> regex.Match | None:
    return ends_with(lexicon("indicators/scope.tsv"), ctx.norm, pos)


def _cue_before(ctx: DocContext, pos: int) -> bool:
    cue = lexicon("indicators/ranking.tsv", 0, (1, "cue"))
    return any(ends_with(cue, ctx.norm, p) for p in range(pos, max(-1, pos - GAP - 1), -1))


def extract(ctx: DocContext) -> list[Indicator]:
    from ..numbers import parse_number

    suffix = lexicon("indicators/ranking.tsv", 0, (1, "suffix"))
    not_rank = lexicon("indicators/not_ranking.tsv")
    scope_norm = table_map("indicators/scope.tsv")
    bottom = _patterns()["BOTTOM"]
    out: list[Indicator] = []
    for n in ctx.numbers:
        if n.kind != "ordinal" or n.value is None:
            continue
        start, end = n.start, n.end
        sm = suffix.match(ctx.norm, end)
        nr = not_rank.match(ctx.norm, end)
        if nr and (not sm or len(nr.group()) > len(sm.group())):
            continue
        b = ends_with(bottom, ctx.norm, start)
        rank_start = b.start() if b else start
        scope = _scope_before(ctx, rank_start)
        if not (sm or scope or _cue_before(ctx, rank_start)):
            continue
        end = sm.end() if sm else end
        out.append(Indicator(
            type="ranking", text=ctx.text[rank_start:end], start=rank_start, end=end,
            value=number(n.value), unit=None,
            scope=scope_norm.get(scope.group()) if scope else None,
            direction="bottom" if b else "top",
        ))
    for name, direction in (("TOP_N", "top"), ("BOTTOM_N", "bottom")):
        for m in _patterns()[name].finditer(ctx.norm):
            scope = _scope_before(ctx, m.start())
            if not (m.group("suffix") or scope or _cue_before(ctx, m.start())):
                continue
            value = parse_number(m.group("n"))
            if value is None:
                continue
            out.append(Indicator(
                type="ranking", text=ctx.text[m.start():m.end()], start=m.start(), end=m.end(),
                value=number(value), qualifier="at_most", low=1, high=number(value),
                scope=scope_norm.get(scope.group()) if scope else None, direction=direction,
            ))
    return out
