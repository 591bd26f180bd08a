"""Candidate entities, their selection and the normalisation of organisation names.

:class:`_Cand` is one candidate span (label, offsets, flags). :func:`_select` takes all
candidates and returns the non-overlapping ones, longest first, sorted by ``(start, end)``.
:func:`_place_for` takes a place name and returns its gazetteer entry (or ``None``);
:func:`normalize_org` takes an ORG surface, the article's locality and the class of its first
word and returns the normalised name.
"""
from __future__ import annotations

from dataclasses import dataclass

from . import gazetteer
from .orgs_lexicon import _lex


@dataclass
class _Cand:
    label: str
    start: int
    end: int
    generic: bool = False
    normalized: str | None = None
    has_place: bool = False
    prio: int = 0
    lead: str | None = None     # class of the first word: level | place | proper | noun | prefix
    alen: int = 0               # length of the anchor that produced it (longer = more reliable)


def _select(cands: list[_Cand]) -> list[_Cand]:
    """Longest first (then ORG over PER over LOC, then leftmost); no overlaps."""
    order = sorted(cands, key=lambda c: (-(c.end - c.start), -c.alen, -c.prio, c.start, c.label))
    taken: list[_Cand] = []
    used = bytearray()
    for c in order:
        if len(used) < c.end:
            used.extend(b"\0" * (c.end - len(used)))
        if any(used[c.start:c.end]):
            continue
        for i in range(c.start, c.end):
            used[i] = 1
        taken.append(c)
    taken.sort(key=lambda c: (c.start, c.end))
    return taken


def _place_for(name: str) -> gazetteer.Place | None:
    found = gazetteer.lookup(name)
    if len(found) == 1:
        return found[0]
    if found:  # same name at several levels of one hierarchy (北京 city / province): prefer the top
        codes = {p.code[:4] for p in found}
        if len(codes) == 1 or len({p.code[:2] for p in found}) == 1:
            return sorted(found, key=lambda p: gazetteer.LEVELS.index(p.level))[0]
    return None


def normalize_org(surface: str, locality: str | None, lead: str | None = None) -> str:
    """Expand the level word / short place name with ``locality`` and the tail abbreviation.

    市委政法委 (locality 东莞市) → 东莞市委政法委员会; 东莞法院 → 东莞市人民法院 (法院 expands only
    after a place that names exactly one gazetteer entry); 东莞日报 stays 东莞日报.
    """
    lx = _lex()
    if surface in lx.named:
        return lx.named[surface]
    out = surface
    place_pre, pl = "", None
    if lead == "level" or surface.startswith(lx.level_bodies):
        lv = next((w for w in lx.levels_long if surface.startswith(w)), surface[:1])
        level = lx.levels.get(lv)
        loc = _place_for(locality) if locality else None
        anc = gazetteer.parent(loc, level) if (loc and level in gazetteer.LEVELS) else None
        if anc is not None:
            out = anc.name + out[len(lv):]
    else:
        for n in range(min(len(surface) - 1, 12), 1, -1):
            if surface[:n] in lx.place_names:
                place_pre, pl = surface[:n], _place_for(surface[:n])
                break
    for short, full, cond in lx.abbrev:
        if not out.endswith(short) or out.endswith(full):
            continue
        if cond == "after_place":
            if not place_pre or pl is None or out[: -len(short)] != place_pre:
                continue
            out = (pl.name if pl.short == place_pre else place_pre) + full
        else:
            out = out[: -len(short)] + full
        break
    return out
