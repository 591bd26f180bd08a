"""ORG candidates: anchors extended left over dictionary words, and teams around a fixture marker.

:func:`_org_candidates` takes the folded text, the anchor hits of
:meth:`~pipeline.orgs_lexicon._PrefixMatcher.hits`, the lexicon and a per-text memo; returns
ORG :class:`~pipeline.orgs_select._Cand` items (possibly overlapping). :func:`_extend_left`
finds where a name ending at an anchor starts. :func:`_versus_candidates` returns both sides of
a fixture (维拉vs曼联).
"""
from __future__ import annotations

from typing import Any

from .orgs_lexicon import (BODY, GENERIC, HEAD, NAMED, NT, ORG_KINDS, VERSUS, _is_cjk, _is_name_char,
                           _Lex)
from .orgs_select import _Cand
from .orgs_words import _bmm_iter, _first_word, _glued, _last_word, _route, _window_start, _word_class

MAX_TOKENS = 6       # words taken in left of an anchor


def _extend_left(text: str, s0: int, lx: _Lex, allowed: frozenset[str], org_ends: set[int]
                 ) -> tuple[int, list[tuple[int, int, str]], bool]:
    """Start of the name ending at anchor start ``s0``; the words taken in; generic flag.

    ``allowed``: word classes that may be taken in (a head takes nouns, a named body only
    places, level words and proper names). A generic prefix is taken in and ends the name;
    a level word may only be preceded by a place (东莞市委, not 法治市委员会).
    Before any place is taken, a head's name may bridge a verb, ``bridge_words.tsv``
    (住房和城乡建设厅), a numeral (刑警支队五大队) or a lone syllable (隆基乐叶科技) — kept
    only if a place, level word or proper name follows further left.
    """
    lo = _window_start(text, s0)
    toks = _bmm_iter(text, lo, s0, lx.freq)
    start, taken, generic = s0, [], False
    pending: list[tuple[int, int, str]] = []
    can_bridge = "noun" in allowed
    for a, b in toks:
        if len(taken) + len(pending) >= MAX_TOKENS:
            break
        if b in org_ends and "noun" not in allowed:
            break
        w = text[a:b]
        cls = _word_class(w, lx)
        if generic:
            break  # one prefix only: 全市各级党组织 → 各级党组织
        if taken and taken[-1][2] == "level" and cls != "place":
            break
        if cls == "prefix":
            if "prefix" not in allowed or pending:
                break
            start, generic = a, True
            taken.append((a, b, cls))
            continue
        if len(w) > 1 and w[-1] in lx.levels and cls in ("other", "stop") and not pending:
            # 引入市金消协: BMM made 入市, but 市 is the level word of the name
            start = b - 1
            taken.append((b - 1, b, "level"))
            break
        if cls not in allowed:
            if can_bridge and len(pending) < 3 and _bridge(w, lx) \
                    and not any(c in ("place", "level") for _, _, c in taken):
                pending.append((a, b, "bridge"))
                continue
            break
        if cls == "level":
            for lv in lx.levels_long:  # BMM split 自治区 into 自治 + 区: take the whole level word
                if len(lv) > b - a and b - len(lv) >= lo and text.startswith(lv, b - len(lv)):
                    a = b - len(lv)
                    break
        if pending:
            if (b in org_ends or w.endswith(lx.head_suffixes)) \
                    and any(text[x:y] in lx.bridge_words for x, y, _ in pending):
                break  # 卫生健康委和疾病控制中心: "和" would join two bodies
            weak_bridge = all(y - x == 1 and text[x:y] not in lx.bridge_words for x, y, c in pending
                              if c == "bridge")  # numerals and syllables only
            if cls in ("place", "level") or (cls == "proper" and b - a > 1 and weak_bridge):
                if not _verbs_have_objects(text, pending, lx):
                    break  # 在东莞市设立分公司: place + verb is a clause, not a name
                taken.extend(pending)  # the bridge is inside a name anchored further left
                pending = []
            else:
                pending.append((a, b, cls))
                continue
        start = a
        taken.append((a, b, cls))
    taken.reverse()
    return start, taken, generic


def _verbs_have_objects(text: str, pending: list[tuple[int, int, str]], lx: _Lex) -> bool:
    """Every bridged two-character verb has a noun right before it (疾病控制, not 东莞市设立)."""
    for i, (a, b, c) in enumerate(pending):
        if c == "bridge" and b - a == 2 and (lx.tags.get(text[a:b]) or "").startswith("v"):
            if i + 1 >= len(pending) or pending[i + 1][2] not in ("noun", "proper"):
                return False
    return True


def _bridge(w: str, lx: _Lex) -> bool:
    """May ``w`` sit inside a name between a head and its place (see :func:`_extend_left`)?"""
    if w in lx.bridge_words or all(c in lx.numeral_chars for c in w):
        return True
    if w in lx.left_stops or not _is_cjk(w[0]):
        return False
    tg = lx.tags.get(w) or ""
    if len(w) == 2:
        return tg.startswith("v")   # 疾病控制中心, 法律援助中心
    return tg not in ("p", "c", "u", "uj", "ul", "r", "d", "f", "m", "q")  # 隆基乐叶


HEAD_TAKES = frozenset({"prefix", "place", "level", "proper", "noun"})
PLACE_TAKES = frozenset({"place", "level"})
GENERIC_TAKES = frozenset({"prefix", "place", "level"})


def _org_candidates(text: str, hits: list[tuple[int, int, str, Any]], lx: _Lex,
                    memo: dict | None = None) -> list[_Cand]:
    out: list[_Cand] = []
    # ends of anchors that are complete bodies on their own (市委 in 市委市政府)
    org_ends = {e for s, e, key, kd in hits if BODY in kd or NAMED in kd or NT in kd}
    body_spans = {(s, e) for s, e, key, kd in hits if BODY in kd}
    named_spans = {(s, e) for s, e, key, kd in hits if NAMED in kd}
    longest_head: dict[int, int] = {}
    longest_word: dict[int, int] = {}
    for s, e, key, kd in hits:
        if HEAD in kd and e - s > longest_head.get(e, 0):
            longest_head[e] = e - s
        if (NAMED in kd or NT in kd or BODY in kd) and e - s > longest_word.get(e, 0):
            longest_word[e] = e - s
    org_words = {(s, e) for s, e, key, kd in hits
                 if (NAMED in kd or NT in kd) and e - s == longest_word[e]
                 and not _glued(text, s, e, lx, True, memo)}
    for s, e, key, kd in hits:
        for kind in ORG_KINDS:
            if kind in kd:
                break
        else:
            continue
        if kind == HEAD and e - s < longest_head[e]:
            continue  # 法院 inside 人民法院: the longest head at this end decides
        if kind in (NAMED, NT, BODY) and e - s < longest_word[e]:
            continue  # 政法委 inside 市委政法委: the longest named word at this end decides
        # the word holding the anchor's end: does the anchor end at a word boundary?
        tok = (_last_word(text, e, lx.freq), e)
        tok_start = min(tok[0], s)
        last = text[tok[0]:e]
        s_anchor, pre_bridge = s, False
        if kind == HEAD and tok[0] < s and (tok in body_spans or (
                tok in org_words and (tok in named_spans or _word_class(text[tok[0]:s], lx) != "noun"))):
            continue  # 新华社 ends with 社: the named word's own anchor decides (not 建设厅)
        if kind == HEAD and tok[0] < s:
            # the word holding the head must be an organisation word or a compound on a level
            tg = lx.tags.get(last)
            pre = last[: len(last) - len(key)]
            pre_bridge = False
            if not (tg in ("nt", "j", "nz") or (tg is None and lx.freq.get(last, 0) <= 0)
                    or pre in lx.levels
                    or (len(pre) > 1 and _word_class(pre, lx) in ("noun", "proper", "place"))):
                if not (len(pre) > 1 and _bridge(pre, lx)):
                    continue
                pre_bridge = True  # 疾病控制中心: kept only if a place or name comes before
            s_anchor = tok[0]
        if kind == HEAD and key in lx.no_verb_after and e < len(text):
            if (lx.tags.get(_first_word(text, e, lx)) or "").startswith("v"):
                continue  # 为雪山所震撼
        takes = {HEAD: HEAD_TAKES, GENERIC: GENERIC_TAKES}.get(kind, PLACE_TAKES)
        start, taken, generic = _extend_left(text, s_anchor, lx, takes, org_ends - {e})
        if kind == HEAD and s_anchor < s and pre_bridge:
            if not any(c in ("place", "level") or (c == "proper" and b - a > 1) for a, b, c in taken) \
                    or taken[-1][2] not in ("noun", "proper"):
                continue
            taken = taken + [(s_anchor, s, "bridge")]
        elif kind == HEAD and s_anchor < s:
            # the head's own word carries a modifier (省公安厅, 比利时队, 可口可乐公司)
            pre = text[s_anchor:s]
            cls = "level" if pre in lx.levels else _word_class(pre, lx)
            if cls == "level" and not taken:
                taken = [(s_anchor, s, "level")]
            elif cls != "level":
                taken = taken + [(s_anchor, s, cls)]
        classes = {c for _, _, c in taken}
        has_place = bool(classes & {"place", "level"})
        proper = any(c == "proper" and (b - a > 1 or kind != HEAD or kd[HEAD] != "weak")
                     for a, b, c in taken)
        specific = has_place or proper or kind in (NAMED, NT, BODY)
        if kind == HEAD and s_anchor < s and lx.tags.get(last) in ("nt", "j", "nz"):
            specific = True
        if kind == GENERIC:
            generic = generic or not (has_place or proper)
        elif not specific:
            if kind == HEAD and kd[HEAD] == "weak":
                continue
            bare = text[taken[0][1] if generic else start:e] if taken else text[start:e]
            if not (generic and bare == key) and bare not in lx.generic:
                continue  # 公司, 犯罪集团: a head with only common nouns names no body
            generic = True
        if kind == HEAD and key in lx.not_after_level and classes == {"level"}:
            continue  # 依法治市委员会: a level word alone never names a committee
        if taken and taken[0][2] == "level" and taken[0][1] - taken[0][0] == 1 \
                and _glued(text, start, e, lx, True, memo):
            continue  # 依法治市委员会: the level word belongs to the word before
        if kind != NAMED and text.endswith(lx.not_org, start, e):
            continue  # 奥运会, 三中全会: events, not bodies
        if _glued(text, tok_start, e, lx, kind in (NT, NAMED), memo):
            continue
        norm = lx.named.get(text[start:e]) if kind == NAMED and start == s else None
        lead = taken[0][2] if taken else ("level" if kind == BODY else None)
        out.append(_Cand("ORG", start, e, generic, norm, has_place,
                         prio=3 if not generic else 2, lead=lead, alen=e - s))
    return out


TEAM_MAX = 6


def _team_word(w: str, lx: _Lex) -> bool:
    """A word that may be (part of) a team name: unknown, a place, a proper noun, a syllable."""
    if not _is_cjk(w[0]):
        return False
    if len(w) == 1:
        return lx.tags.get(w) not in ("p", "c", "u", "uj", "ul", "r", "d", "m", "q", "v", "f")
    return _word_class(w, lx) in ("place", "proper") or lx.tags.get(w) in (None, "ns", "nz", "nr", "nrt")


def _versus_candidates(text: str, hits, lx: _Lex) -> list[_Cand]:
    """Both sides of a fixture (维拉vs曼联) are teams: the name-like words next to the marker."""
    out = []
    n = len(text)
    for s, e, key, kd in hits:
        if VERSUS not in kd:
            continue
        # left side: the whole run after a boundary when short (加拉塔萨雷), else words ending at s
        a = s
        w0 = _window_start(text, s)
        if 2 <= s - w0 <= TEAM_MAX + 1 and (w0 == 0 or not _is_name_char(text[w0 - 1])):
            a = w0
        for lo, hi in ([] if a < s else _bmm_iter(text, w0, s, lx.freq)):
            if s - lo > TEAM_MAX or not _team_word(text[lo:hi], lx):
                break
            a = lo
        # right side: words starting at e (jieba's best route over the run)
        hi = e
        while hi < n and hi - e < 10 and _is_cjk(text[hi]):
            hi += 1
        b = e
        if hi > e:
            cuts = sorted(_route(text, e, hi, lx))
            for lo2, hi2 in zip(cuts, cuts[1:]):
                if hi2 - e > TEAM_MAX or not _team_word(text[lo2:hi2], lx):
                    break
                b = hi2
        for x, y in ((a, s), (e, b)):
            if y - x >= 2:
                out.append(_Cand("ORG", x, y, prio=3, alen=y - x))
    return out
