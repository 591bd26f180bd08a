"""Archive-wide statistics of an ``extract`` run, for the report's overview and charts.

Takes records (dicts of ``indicators.jsonl``) and error lines one at a time; returns counters
in an :class:`Overview` (no texts are kept), and the ordered series the charts and tables show:
:func:`type_order`, :func:`ranked`, :func:`top_and_rest`, :func:`month_series`.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Optional

INDICATOR_TYPES = ("count", "percentage", "ranking", "money")
MAX_ERROR_ROWS = 50
MAX_OUTLETS = 20
MAX_WARNING_KINDS = 1000  # distinct extractor warnings counted one by one; the rest as "(other)"

# year and month at the start: 2021-09-17, 2021/9/17, 2021年9月 (any 1-3 non-digits between), 20210917
_MONTH = re.compile(r"^\s*(\d{4})(?:\D{1,3}(\d{1,2})(?!\d)|(\d{2})(?:\d{2})?(?!\d))")


def month_of(published: Any) -> Optional[str]:
    """``YYYY-MM`` of a publication date string, or None when it does not start with one."""
    m = _MONTH.match(published) if isinstance(published, str) else None
    month = int(m.group(2) or m.group(3)) if m else 0
    return f"{m.group(1)}-{month:02d}" if 1 <= month <= 12 else None


@dataclass
class Overview:
    """Archive-wide counts, accumulated one record at a time (no texts are kept)."""

    articles: int = 0
    bad_lines: int = 0
    with_indicators: int = 0
    indicators: int = 0
    per_type: Counter = field(default_factory=Counter)
    per_label: Counter = field(default_factory=Counter)
    per_outlet: Counter = field(default_factory=Counter)
    articles_per_outlet: Counter = field(default_factory=Counter)
    per_month: Counter = field(default_factory=Counter)
    undated_indicators: int = 0
    warnings: Counter = field(default_factory=Counter)
    errors: int = 0
    errors_per_stage: Counter = field(default_factory=Counter)
    error_rows: list = field(default_factory=list)

    def add(self, record: dict) -> None:
        inds = [i for i in record.get("indicators") or [] if isinstance(i, dict)]
        meta = record.get("meta") or {}
        outlet = meta.get("outlet") or "(no outlet)"
        self.articles += 1
        self.indicators += len(inds)
        self.with_indicators += bool(inds)
        self.articles_per_outlet[outlet] += 1
        self.per_outlet[outlet] += len(inds)
        month = month_of(meta.get("published"))
        if month:
            self.per_month[month] += len(inds)
        else:
            self.undated_indicators += len(inds)
        for i in inds:
            self.per_type[str(i.get("type"))] += 1
        for e in record.get("entities") or []:
            if isinstance(e, dict):
                self.per_label[str(e.get("label"))] += 1
        for w in record.get("warnings") or []:
            key = str(w)[:120]
            self.warnings[key if key in self.warnings or len(self.warnings) < MAX_WARNING_KINDS else "(other)"] += 1

    def add_error(self, err: Optional[dict]) -> None:
        self.errors += 1
        err = err or {"error": "unreadable line in errors.jsonl"}
        self.errors_per_stage[str(err.get("stage", "?"))] += 1
        if len(self.error_rows) < MAX_ERROR_ROWS:
            self.error_rows.append(err)


def ranked(c: Counter) -> list[tuple[str, int]]:
    """Counter items, most frequent first, ties by name (deterministic)."""
    return sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))


def type_order(c: Counter) -> list[tuple[str, int]]:
    """Counter items of indicator types: the known types in their fixed order, then the rest by name."""
    known = [(t, c[t]) for t in INDICATOR_TYPES if t in c]
    return known + sorted((k, v) for k, v in c.items() if k not in INDICATOR_TYPES)


def top_and_rest(items: list[tuple[str, int]], n: int) -> list[tuple[str, int]]:
    """At most ``n`` items: beyond ``n``, the first ``n - 1`` and one ``(k others)`` item with their sum."""
    if len(items) > n:
        rest = sum(v for _, v in items[n - 1:])
        items = items[:n - 1] + [(f"({len(items) - n + 1} others)", rest)]
    return items


def month_series(per_month: Counter) -> tuple[list[str], list[int]]:
    """Months from first to last with zeros filled in; by year when the span is over 20 years."""
    if not per_month:
        return [], []
    keys = sorted(per_month)
    y0, m0 = map(int, keys[0].split("-"))
    y1, m1 = map(int, keys[-1].split("-"))
    if y1 - y0 > 20:
        years: Counter = Counter()
        for k, v in per_month.items():
            years[k[:4]] += v
        labels = [str(y) for y in range(y0, y1 + 1)]
        return labels, [years.get(y, 0) for y in labels]
    labels = []
    y, m = y0, m0
    while (y, m) <= (y1, m1):
        labels.append(f"{y}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return labels, [per_month.get(k, 0) for k in labels]
