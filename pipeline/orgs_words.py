"""Word-level helpers for organisation names, on jieba's dictionary (no tagger, no HMM).

Take a text, positions and the :class:`~pipeline.orgs_lexicon._Lex`; return word spans
(:func:`_bmm_iter` backward maximum matching, :func:`_last_word`, :func:`_first_word`,
:func:`_window_start`), the cuts of jieba's best route (:func:`_route`), whether a span
boundary falls inside a word (:func:`_glued`) and a word's class (:func:`_word_class`:
place | level | prefix | stop | proper | noun | other).
"""
from __future__ import annotations

import math
from typing import Iterator

from .orgs_lexicon import _is_cjk, _is_name_char, _Lex

WINDOW = 16          # characters looked at left of an anchor
MAX_WORD = 7         # longest dictionary word tried by backward maximum matching

# jieba dictionary POS tags that may be part of an organisation name
NAME_TAGS = frozenset({"n", "nt", "ns", "nz", "nr", "nrt", "nrfg", "j", "b", "vn", "ng", "an", "eng"})
PROPER_TAGS = frozenset({"nt", "ns", "nz", "nr", "nrt", "nrfg", "j", "eng", "x"})

SYLLABLE_TAGS = frozenset({"zg", "ng", "nr", "nrt", "nrfg", "tg", "x", "vg"})


def _bmm_iter(text: str, lo: int, hi: int, freq: dict[str, int]) -> Iterator[tuple[int, int]]:
    """Backward maximum matching of ``text[lo:hi]`` on jieba's dictionary, right to left
    (lazy: extension usually stops after a word or two)."""
    p = hi
    while p > lo:
        k = min(MAX_WORD, p - lo)
        while k > 1 and freq.get(text[p - k:p], 0) <= 0:
            k -= 1
        if k == 1 and not _is_cjk(text[p - 1]):  # a run of Latin letters is one word
            q = p - 1
            while q > lo and _is_name_char(text[q - 1]) and not _is_cjk(text[q - 1]):
                q -= 1
            k = p - q
        yield (p - k, p)
        p -= k


def _last_word(text: str, end: int, freq: dict[str, int]) -> int:
    """Start of the longest dictionary word ending at ``end``."""
    for k in range(min(MAX_WORD, end), 1, -1):
        if freq.get(text[end - k:end], 0) > 0:
            return end - k
    return end - 1


def _first_word(text: str, i: int, lx: _Lex) -> str:
    """The longest dictionary word starting at ``i`` (forward maximum matching, one step)."""
    for k in range(min(MAX_WORD, len(text) - i), 1, -1):
        if lx.freq.get(text[i:i + k], 0) > 0:
            return text[i:i + k]
    return text[i:i + 1]


def _window_start(text: str, pos: int) -> int:
    lo = pos
    stop = max(0, pos - WINDOW)
    while lo > stop and _is_name_char(text[lo - 1]):
        lo -= 1
    return lo


def _route(text: str, lo: int, hi: int, lx: _Lex) -> set[int]:
    """Word boundaries of jieba's maximum-probability route over ``text[lo:hi]`` (no HMM)."""
    n = hi - lo
    freq, logt, log = lx.freq, lx.log_total, math.log
    route: list[tuple[float, int]] = [(0.0, 0)] * (n + 1)
    for i in range(n - 1, -1, -1):
        best = (log(freq.get(text[lo + i], 0) or 1) - logt + route[i + 1][0], 1)
        for k in range(2, min(MAX_WORD, n - i) + 1):
            f = freq.get(text[lo + i:lo + i + k])
            if f is None:
                break  # no dictionary word starts with this
            if f > 0:
                sc = log(f) - logt + route[i + k][0]
                if sc > best[0]:
                    best = (sc, k)
        route[i] = best
    cuts, i = {lo}, 0
    while i < n:
        i += route[i][1]
        cuts.add(lo + i)
    return cuts


def _glued(text: str, start: int, end: int, lx: _Lex, left: bool = False,
           memo: dict | None = None) -> bool:
    """Is ``end`` (and with ``left`` also ``start``) inside a word of jieba's best route?

    Only computed when some dictionary word actually crosses the boundary (cheap test first:
    jieba's frequency table holds every prefix of every word, so a walk stops early).
    ``memo`` caches answers within one text.
    """
    if memo is not None:
        k = (start, end, left)
        got = memo.get(k)
        if got is None:
            got = memo[k] = _glued(text, start, end, lx, left)
        return got
    n, freq = len(text), lx.freq
    cross_r = _word_across(text, freq, range(max(start, end - 3), end), end, n)
    cross_l = left and _word_across(text, freq, range(start - 1, max(-1, start - MAX_WORD), -1), start, end)
    if not (cross_r or cross_l):
        return False
    lo, hi = max(0, start - 4), min(n, end + 4)
    while lo < start and not _is_name_char(text[lo]):
        lo += 1
    while hi > end and not _is_name_char(text[hi - 1]):
        hi -= 1
    cuts = _route(text, lo, hi, lx)
    return (cross_r and end not in cuts) or (cross_l and start not in cuts)


def _word_across(text: str, freq: dict[str, int], starts, b: int, cap: int) -> bool:
    """Does a dictionary word start at some ``i`` of ``starts`` and end after ``b`` (and by
    ``cap``)? jieba's table holds every prefix of every word (value 0), so each walk stops at
    the first unknown prefix."""
    for i in starts:
        if freq.get(text[i:b]) is None:
            continue
        for j in range(b + 1, min(cap, i + MAX_WORD) + 1):
            f = freq.get(text[i:j])
            if f is None:
                break
            if f > 0:
                return True
    return False


def _word_class(w: str, lx: _Lex) -> str:
    """place | level | prefix | stop | proper | noun | other for one word."""
    if w in lx.generic_prefixes:
        return "prefix"
    if w in lx.left_stops:
        return "stop"
    if w in lx.levels:
        return "level"
    if w in lx.place_names:
        return "place"
    if not _is_cjk(w[0]):
        if not _is_name_char(w[0]) or w.islower():
            return "other"  # vs, lower-case fragments
        return "proper"
    tg = lx.tags.get(w)
    if tg is None:
        return "proper" if len(w) == 1 and lx.freq.get(w, 0) <= 0 else ("noun" if len(w) > 1 else "other")
    if len(w) == 1 and tg in SYLLABLE_TAGS:
        return "proper"  # 乾朗珠宝, 贝恩公司: a transliteration or name syllable
    if tg == "ns":
        # jieba's ns tag alone is noisy (入市, 城市: place_exclude.tsv); otherwise a proper name
        return "other" if w in lx.place_exclude else "proper"
    if tg in PROPER_TAGS:
        return "proper"
    if tg in NAME_TAGS or (tg == "a" and len(w) > 1):
        return "noun"  # 卫生健康委: two-character adjectives occur inside names
    return "other"
