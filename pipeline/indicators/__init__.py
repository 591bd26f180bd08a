"""Indicator extractors, one module per kind (count, percentage, ranking, money) plus
``tables`` (bare numbers that inherit a unit or period from a header or a table).

Each module exposes ``extract(ctx: DocContext) -> list[Indicator]`` returning indicators
with type, span, value, unit and bounds; :func:`extract_all` runs them all and resolves
overlaps (a longer span wins; on a tie the earlier kind in :data:`KINDS`).
"""
from __future__ import annotations

import bisect

from ..contract import Indicator
from . import count, lists, money, percentage, ranking, tables
from .base import DocContext

KINDS = (("money", money), ("percentage", percentage), ("ranking", ranking), ("count", count),
         ("tables", tables))

__all__ = ["DocContext", "extract_all", "KINDS"]


def extract_all(ctx: DocContext) -> list[Indicator]:
    found: list[tuple[int, Indicator]] = []
    for rank, (_, mod) in enumerate(KINDS):
        found.extend((rank, ind) for ind in mod.extract(ctx))
    # longest first, then kind priority, then position: greedy non-overlapping selection
    found.sort(key=lambda p: (-(p[1].end - p[1].start), p[0], p[1].start))
    taken: list[Indicator] = []
    starts: list[int] = []  # the taken spans, kept sorted by start (they never overlap)
    spans: list[Indicator] = []
    for _, ind in found:
        i = bisect.bisect_right(starts, ind.start)
        if (i and spans[i - 1].end > ind.start) or (i < len(spans) and spans[i].start < ind.end):
            continue
        starts.insert(i, ind.start)
        spans.insert(i, ind)
        taken.append(ind)
    extra, replaced = lists.spread(ctx, taken)  # 0.6和1.0个百分点: the unit written once
    taken = [t for t in taken if id(t) not in replaced] + extra
    taken.sort(key=lambda i: (i.start, i.end))
    return taken
