"""Normalise a time surface (``2019年``, ``1-10月``, ``上半年``, ``去年``…) to a period string.

Takes the surface text of a time expression, the article's publication date
(``YYYY-MM-DD`` or None) and optionally an ``anchor`` period (the year or period the
surrounding text reports on); returns a period string or None. Never raises on any input.

Period strings: ``2019`` (a year), ``2019-Q3`` (quarter), ``2019-H1`` (half year),
``2019-08`` (month), ``2019-08-05`` (day), and ranges ``A..B`` with either end open
(``2018..`` = from 2018 on, ``..2021-07`` = up to the end of July 2021).
:func:`period_bounds` turns one into its first and last calendar day.

Rules (the words and patterns are data in ``rules/periods/``):

* Written years are taken as written: 2019年, 2019年度 → ``2019``; 2019-2021年 → ``2019..2021``;
  二〇一九年 → ``2019``. A two-digit year (21年) needs the publication date to fix its century
  (the latest century that does not put it more than a year after publication).
* Relative years count from the publication year: 今年/本年 → Y, 去年/上年 → Y-1, 前年 → Y-2.
  全年/当年 mean the year the text reports on: the ``anchor`` year when the caller knows it,
  else the publication year. 过去一年/近一年 → Y-1 (the last completed reporting year), and
  近N年/过去N年 → ``(Y-N)..(Y-1)``, the N completed years before publication.
* A month, month range, quarter or half written without a year takes the anchor year, else
  the publication year, stepping back one year if it would end after the publication month
  (figures are not published before their period ends): 1-10月 published 2024-11-20 →
  ``2024-01..2024-10``; 一季度 published 2024-02-01 → ``2023-Q1``.
* 上月, 本季度, 上一季度 (not 一季度!) count from the publication month.
* …以来 opens the end: 2018年以来 → ``2018..``; 截至/到… closes the start: 截至7月底 →
  ``..2021-07``; 目前 → the publication date; 截至目前 → ``..<publication date>``.
* 同期 is the anchor itself; 去年同期 is the anchor shifted back a year. Without an anchor both
  are unknown (None). Anything not understood, or relative without a publication date, is
  None: a period is never guessed.
"""
from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass

from .normalise import normalise
from .rules import load_patterns, load_table

__all__ = ["resolve_period", "period_bounds"]

_DIR = "periods"
_QUOTES = str.maketrans("", "", "“”\"'‘’「」《》")
_PERIOD_RE = re.compile(
    r"(\d{4})(?:-(Q[1-4]|H[12]|\d{2})(?:-(\d{2}))?)?")


@dataclass(frozen=True)
class _Rules:
    patterns: dict
    year_words: dict[str, tuple[int, str]]
    parts: dict[str, tuple[str, int]]
    relative: dict[str, tuple[str, int]]
    named: dict[str, tuple[int, int]]
    numerals: dict[str, int]
    markers: dict[str, frozenset[str]]  # role → words (markers.tsv)


@functools.lru_cache(maxsize=1)
def _rules() -> _Rules:
    def rows(name: str, n: int) -> list[tuple[str, ...]]:
        return [r[:n] for r in load_table(f"{_DIR}/{name}", min_cols=n).rows]

    return _Rules(
        patterns=load_patterns(f"{_DIR}/periods.patterns"),
        year_words={w: (int(o), b) for w, o, b in rows("year_words.tsv", 3)},
        parts={w: (k, int(v)) for w, k, v in rows("parts.tsv", 3)},
        relative={w: (k, int(o)) for w, k, o in rows("relative.tsv", 3)},
        named={w: (int(a), int(b)) for w, a, b in rows("named.tsv", 3)},
        numerals={c: int(v) for c, v in rows("numerals.tsv", 2)},
        markers=_markers(rows("markers.tsv", 2)),
    )


def _markers(rows: list[tuple[str, ...]]) -> dict[str, frozenset[str]]:
    out: dict[str, set[str]] = {}
    for word, role in rows:
        out.setdefault(role, set()).add(word)
    return {k: frozenset(v) for k, v in out.items()}


def _mark(role: str) -> frozenset[str]:
    return _rules().markers.get(role, frozenset())


def _small(s: str) -> int | None:
    """1–99 written in Arabic digits or Chinese numerals (十二, 二十一, 两)."""
    if s.isdigit():
        return int(s)
    num = _rules().numerals
    if not s or any(c not in num for c in s):
        return None
    ten = next((c for c in s if c in _mark("tens")), None)
    if ten is not None:
        head, _, tail = s.partition(ten)
        tens = num[head] if head else 1
        ones = num[tail] if tail else 0
        return tens * 10 + ones if len(head) <= 1 and len(tail) <= 1 else None
    return num[s] if len(s) == 1 else None


def _cn_year(s: str) -> int | None:
    num = _rules().numerals
    digits = [num.get(c) for c in s]
    if any(d is None or d > 9 for d in digits):
        return None
    return int("".join(map(str, digits)))


def _date(published: str | None) -> dt.date | None:
    if not isinstance(published, str):
        return None
    try:
        return dt.date.fromisoformat(published.strip()[:10])
    except ValueError:
        return None


def _anchor_year(anchor: str | None) -> int | None:
    if isinstance(anchor, str):
        m = _PERIOD_RE.match(anchor)
        if m:
            return int(m.group(1))
    return None


# ---- building period strings --------------------------------------------------------

def _month(y: int, m: int) -> str:
    return f"{y:04d}-{m:02d}"


def _shift_month(y: int, m: int, k: int) -> tuple[int, int]:
    i = y * 12 + (m - 1) + k
    return i // 12, i % 12 + 1


def _sub(kind: str, value: int, y: int) -> tuple[str, int]:
    """(period string, last month) of a part of year ``y``."""
    if kind == "half":
        return f"{y:04d}-H{value}", 6 * value
    if kind == "quarter":
        return f"{y:04d}-Q{value}", 3 * value
    if kind == "quarters":
        return (f"{y:04d}-Q1..{y:04d}-Q{value}" if value > 1 else f"{y:04d}-Q1"), 3 * value
    if kind == "months":  # value = last month of a Jan..value range
        return (f"{_month(y, 1)}..{_month(y, value)}" if value > 1 else _month(y, 1)), value
    if kind == "month":
        return _month(y, value), value
    raise ValueError(kind)


def _shift_period(p: str, years: int) -> str | None:
    def one(s: str) -> str | None:
        if not s:
            return s
        m = _PERIOD_RE.fullmatch(s)
        return None if not m else f"{int(m.group(1)) + years:04d}{s[4:]}"
    parts = [one(x) for x in p.split("..")]
    return None if any(x is None for x in parts) else "..".join(parts)


# ---- resolution -----------------------------------------------------------------------

def resolve_period(time_text: str | None, published: str | None, anchor: str | None = None
                   ) -> str | None:
    """The normalised period of ``time_text`` (see the module docstring), or None."""
    try:
        return _resolve(time_text, published, anchor)
    except (ValueError, KeyError, TypeError, OverflowError):
        return None


def _resolve(time_text: str | None, published: str | None, anchor: str | None) -> str | None:
    if not isinstance(time_text, str):
        return None
    s = normalise(time_text.strip()).text.translate(_QUOTES).replace(" ", "")
    if not s or len(s) > 40:
        return None
    pub = _date(published)
    r = _rules()
    ay = _anchor_year(anchor)

    if s in _mark("same_period"):
        return anchor if ay is not None else None
    if s in _mark("anchor_last_year"):
        return _shift_period(anchor, -1) if ay is not None else None

    m = r.patterns["NAMED"].match(s)
    if m:
        a, b = r.named[m.group("named")]
        return f"{a}..{b}"

    m = r.patterns["PAST_N"].match(s)
    if m:
        n = _small(m.group("n"))
        if pub is None or not n:
            return None
        a, b = pub.year - n, pub.year - 1
        return str(a) if a == b else f"{a}..{b}"

    m = r.patterns["PERIOD"].match(s)
    if not m or not any(m.group(g) for g in ("y1", "now", "y4", "ycn", "y2d", "yrel", "m1", "nm",
                                             "m", "part", "rel")):
        return None
    g = m.groupdict()
    upto = bool(g["upto"])

    if g["y1"]:
        a, b = int(g["y1"]), int(g["y2"])
        if b < a:
            return None
        return _wrap(f"{a}..{b}" if a != b else str(a), upto, None)

    if g["now"]:
        if pub is None or g["suffix"]:
            return None
        return f"..{pub.isoformat()}" if upto else pub.isoformat()

    if g["rel"]:
        if any(g[k] for k in ("y4", "ycn", "y2d", "yrel")) or pub is None:
            return None
        kind, off = r.relative[g["rel"]]
        if kind == "month":
            y, mo = _shift_month(pub.year, pub.month, off)
            return _wrap(_month(y, mo), upto, g["suffix"])
        q = (pub.month - 1) // 3 + 1
        y, qi = divmod((pub.year * 4 + q - 1) + off, 4)
        return _wrap(f"{y:04d}-Q{qi + 1}", upto, g["suffix"])

    # ---- the year ----
    year, year_written = None, True
    if g["y4"]:
        year = int(g["y4"])
    elif g["ycn"]:
        year = _cn_year(g["ycn"])
    elif g["y2d"]:
        if pub is None:
            return None
        nn = int(g["y2d"])
        century = (pub.year + 1 - nn) // 100 * 100
        year = century + nn
    elif g["yrel"]:
        off, base = r.year_words[g["yrel"]]
        if base == "anchor" and ay is not None:
            year = ay + off
        elif pub is None:
            return None
        else:
            year = pub.year + off
    else:
        year_written = False
    if year is None and year_written:
        return None

    # ---- the part of the year ----
    sub = None  # (kind, value)
    day = None
    if g["m1"]:
        m1, m2 = _small(g["m1"]), _small(g["m2"])
        if not m1 or not m2 or not (1 <= m1 <= m2 <= 12):
            return None
        sub = ("range", (m1, m2))
    elif g["nm"]:
        n = _small(g["nm"])
        if not n or n > 12:
            return None
        sub = ("months", n)
    elif g["m"]:
        mo = _small(g["m"])
        if not mo or mo > 12:
            return None
        if g["d"]:
            day = _small(g["d"])
            if not day or day > 31:
                return None
        sub = ("month", mo)
    elif g["part"]:
        sub = r.parts[g["part"]]

    if sub is None:
        if year is None:
            return None
        if g["suffix"] in _mark("year_end"):
            return _wrap(_month(year, 12), upto, None)
        return _wrap(str(year), upto, g["suffix"])

    if year is None:  # a part of a year without its year: anchor, else publication
        if ay is not None:
            year = ay
        elif pub is None:
            return None
        else:
            year = pub.year
            if _last_month(sub) > pub.month:
                year -= 1
    if sub[0] == "range":
        m1, m2 = sub[1]
        text = _month(year, m1) if m1 == m2 else f"{_month(year, m1)}..{_month(year, m2)}"
    else:
        text, _ = _sub(sub[0], sub[1], year)
    if day is not None:
        dt.date(year, sub[1], day)  # ValueError for 2月30日 → None
        text = f"{text}-{day:02d}"
    return _wrap(text, upto, g["suffix"])


def _last_month(sub: tuple) -> int:
    kind, value = sub
    if kind == "range":
        return value[1]
    return {"half": 6 * value, "quarter": 3 * value, "quarters": 3 * value}.get(kind, value)


def _wrap(period: str, upto: bool, suffix: str | None) -> str | None:
    """Apply 截至… (open start) and …以来/至今 (open end) to a period."""
    if upto and suffix in _mark("open_end"):
        return None
    if upto:
        return f"..{period.split('..')[-1]}"
    if suffix in _mark("open_end"):
        return f"{period.split('..')[0]}.."
    return period


# ---- bounds ------------------------------------------------------------------------------

def _point_bounds(p: str) -> tuple[dt.date, dt.date]:
    m = _PERIOD_RE.fullmatch(p)
    if not m:
        raise ValueError(f"not a period: {p!r}")
    y, part, day = int(m.group(1)), m.group(2), m.group(3)
    if part is None:
        return dt.date(y, 1, 1), dt.date(y, 12, 31)
    if part[0] in "QH":
        months = 3 if part[0] == "Q" else 6
        first = (int(part[1]) - 1) * months + 1
        last = first + months - 1
    else:
        first = last = int(part)
    if day is not None:
        d = dt.date(y, first, int(day))
        return d, d
    ny, nm = _shift_month(y, last, 1)
    return dt.date(y, first, 1), dt.date(ny, nm, 1) - dt.timedelta(days=1)


def period_bounds(period: str) -> tuple[dt.date | None, dt.date | None]:
    """First and last day covered by ``period`` (None for an open end); ValueError if malformed."""
    if ".." in period:
        a, _, b = period.partition("..")
        if not a and not b:
            raise ValueError("empty range")
        start = _point_bounds(a)[0] if a else None
        end = _point_bounds(b)[1] if b else None
        if start and end and start > end:
            raise ValueError(f"range ends before it starts: {period!r}")
        return start, end
    return _point_bounds(period)
