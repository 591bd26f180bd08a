"""LOC and PER candidates from the anchor hits.

:func:`_loc_candidates` takes the folded text, the hits, the lexicon, a byte mask of characters
already covered by ORG candidates and a per-text memo; returns LOC
:class:`~pipeline.orgs_select._Cand` items. :func:`_per_candidates` takes the folded text, the
hits and the lexicon; returns PER candidates (after a title or byline cue, before a speech verb).
"""
from __future__ import annotations

from .orgs_lexicon import AFTER, CUE, NS, PLACE, _is_cjk, _Lex
from .orgs_select import _Cand
from .orgs_words import _glued


def _loc_candidates(text: str, hits, lx: _Lex, covered: bytearray,
                    memo: dict | None = None) -> list[_Cand]:
    """Places (gazetteer, countries, jieba ns words with a place suffix) that are not part of a
    longer place or of an organisation candidate (``covered``) and sit on word boundaries."""
    out = []
    places = [(s, e) for s, e, key, kd in hits if PLACE in kd or NS in kd]
    maximal, reach = [], -1
    for s, e in sorted(places, key=lambda x: (x[0], -x[1])):
        if e <= reach:
            continue  # inside a longer place (东莞 in 东莞市)
        reach = e
        maximal.append((s, e))
    for s, e in maximal:
        if all(covered[s:e]):
            continue
        if _glued(text, s, e, lx, True, memo):
            continue
        out.append(_Cand("LOC", s, e, prio=1, has_place=True))
    return out


def _per_candidates(text: str, hits, lx: _Lex) -> list[_Cand]:
    """Names right after a title or byline cue (主任梁维东, 记者 吕晓敢), or right before a
    speech verb at a clause start (彭小军认为)."""
    out = []
    n = len(text)
    cue_ends = {e for s, e, key, kd in hits if CUE in kd}
    for s, e, key, kd in hits:
        if CUE in kd:
            p = e
            while p < n and p - e < 3 and text[p] in " \t\u3000":
                p += 1
            if p >= n or text[p] not in lx.surnames:
                continue
            length = _name_length(text, p, lx)
            if length:
                out.append(_Cand("PER", p, p + length, prio=4))
        if AFTER in kd:
            for length in (3, 2):
                p = s - length
                if p < 0 or text[p] not in lx.surnames or not all(_is_cjk(c) for c in text[p:s]):
                    continue
                if not (p == 0 or not _is_cjk(text[p - 1]) or p in cue_ends):
                    continue
                if _common_word(text[p:s], lx):
                    continue
                out.append(_Cand("PER", p, s, prio=2))
                break
    return out


def _common_word(cand: str, lx: _Lex) -> bool:
    """高度, 主任: the candidate (or its first two characters) is an ordinary word."""
    tg = lx.tags.get(cand) or lx.tags.get(cand[:2])
    return tg is not None and not tg.startswith("nr") and lx.freq.get(cand[:2], 0) > 50


def _name_length(text: str, p: int, lx: _Lex) -> int:
    n = len(text)

    def boundary(i: int) -> bool:
        return i >= n or not _is_cjk(text[i])

    def after(i: int) -> bool:
        return text.startswith(lx.person_after, i)

    for length in (2, 3):
        if any(not _is_cjk(c) for c in text[p:p + length]) or p + length > n:
            return 0
        if _common_word(text[p:p + length], lx):
            return 0  # 主任高度重视: a common word, not a name
        if boundary(p + length) or after(p + length):
            return length
    return 0
