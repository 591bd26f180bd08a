"""The article's locality (its home city or county), used to normalise 市委 → 东莞市委.

:func:`infer_locality` takes the text (and optionally title, outlet, folded text) and returns
the full place name or ``None``; never raises. :func:`_locality_from_hits` does the same from
anchor hits already computed; :func:`_places_in` lists the places named in a short string.
"""
from __future__ import annotations

import logging
from collections import Counter

from . import gazetteer
from .normalise import normalise
from .orgs_lexicon import PLACE, _lex, _Lex
from .orgs_select import _place_for

log = logging.getLogger("pipeline.orgs")  # the logger name callers know (was pipeline.orgs)


def infer_locality(text: str, title: str | None = None, outlet: str | None = None, *,
                   folded: str | None = None) -> str | None:
    """The article's home place (full name, e.g. 东莞市) from outlet, title or frequent places.
    ``folded``: ``normalise(text).text`` when the caller has it already."""
    try:
        lx = _lex()
        for source in (outlet, title):
            if source:
                best = _places_in(source, lx)
                if best:
                    return best[0][1].name
        if not text:
            return None
        if folded is None or len(folded) != len(text):
            folded = normalise(text).text
        hits = lx.auto.hits(folded)
        return _locality_from_hits(hits, title=bool(title))
    except Exception:  # never fail an article over its locality
        log.exception("infer_locality failed")
        return None


def _locality_from_hits(hits, title: bool) -> str | None:
    """The most frequent city- or county-level place among the automaton hits (at least twice,
    unless a title was given), the earliest on ties."""
    counts: Counter[str] = Counter()
    first_at: dict[str, int] = {}
    for s, e, key, kinds in hits:
        if PLACE not in kinds:
            continue
        pl = _place_for(key)
        if pl is None or pl.level == "province":
            continue
        counts[pl.code] += 1
        first_at.setdefault(pl.code, s)
    if not counts:
        return None
    code = sorted(counts, key=lambda c: (-counts[c], first_at[c]))[0]
    if counts[code] < 2 and not title:
        return None
    pl = gazetteer.by_code(code)
    return pl.name if pl else None


def _places_in(s: str, lx: _Lex) -> list[tuple[int, gazetteer.Place]]:
    """City/county places named in ``s`` (resolved unambiguously), in order of appearance."""
    out = []
    folded = normalise(s).text
    reach = -1
    for start, end, key, kinds in lx.auto.hits(folded):
        if PLACE not in kinds or start < reach:
            continue
        pl = _place_for(key)
        if pl is not None and pl.level != "province":
            out.append((start, pl))
            reach = end
    return out
