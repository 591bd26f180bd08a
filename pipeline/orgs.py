"""Organisations, places and persons in article text (rules first, optional trained model).

Takes article text (and optionally the article's locality and a trained spaCy NER model);
returns :class:`~pipeline.contract.Entity` items (ORG / LOC / PER) sorted by ``(start, end)``,
offsets into the ORIGINAL text. Never raises on a ``str``.

How ORG is found (all word lists are data in ``rules/orgs/``):

1. One Aho–Corasick pass over the folded text finds *anchors*: organisation heads
   (``heads.tsv``: 委员会, 法院, 日报, 局 …), level + body prefixes (``levels.tsv`` ×
   ``bodies.tsv``: 市委, 市人大常委会 …), named bodies (``named.tsv``), jieba dictionary words
   tagged ``nt`` (and ``j``/``nz`` words ending in a head), generic mentions (``generic.tsv``),
   places (cpca gazetteer, :mod:`pipeline.gazetteer`, plus jieba ``ns`` words) and person cues.
2. Each anchor is extended LEFT over a short window segmented by backward maximum matching on
   jieba's own dictionary, with jieba's dictionary POS tags: place names, level words, proper
   and common nouns are taken in; verbs, prepositions, numbers, ``left_stops.tsv`` words stop
   it. A generic prefix (``generic_prefixes.tsv``: 全市, 各级 …) is taken in and marks the
   mention ``generic``. No POS tagger runs over the article (throughput).
3. Overlaps are resolved longest-first; LOC/PER inside an ORG are dropped.
4. ``normalized`` expands the level word and short place names with the article's locality
   (市委政法委 → 东莞市委政法委员会) and the tail abbreviations of ``abbreviations.tsv``.

The spaCy component ``cnie_orgs`` (import this module, then ``nlp.add_pipe("cnie_orgs")``)
puts the same entities on ``doc.ents`` with ``span._.normalized`` and ``span._.generic``.
"""
from __future__ import annotations

import functools
import logging
import math
import threading
from collections import Counter
from dataclasses import dataclass
from typing import Any, Iterator

from . import gazetteer
from .contract import Entity
from .normalise import normalise
from .rules import RuleError, load_table

__all__ = ["find_entities", "infer_locality", "load_ner_model", "model_entities",
           "combine", "normalize_org", "register_extensions"]

log = logging.getLogger(__name__)

WINDOW = 16          # characters looked at left of an anchor
MAX_TOKENS = 6       # words taken in left of an anchor
MAX_WORD = 7         # longest dictionary word tried by backward maximum matching

# jieba dictionary POS tags that may be part of an organisation name
NAME_TAGS = frozenset({"n", "nt", "ns", "nz", "nr", "nrt", "nrfg", "j", "b", "vn", "ng", "an", "eng"})
PROPER_TAGS = frozenset({"nt", "ns", "nz", "nr", "nrt", "nrfg", "j", "eng", "x"})

# anchor kinds
HEAD, BODY, NAMED, NT, GENERIC, PLACE, NS, CUE, AFTER, VERSUS = range(10)
ORG_KINDS = (GENERIC, NAMED, BODY, NT, HEAD)   # priority when one key has several


def _is_name_char(c: str) -> bool:
    o = ord(c)
    return (0x4E00 <= o <= 0x9FFF) or (0x3400 <= o <= 0x4DBF) or ("a" <= c <= "z") or ("A" <= c <= "Z")


def _is_cjk(c: str) -> bool:
    o = ord(c)
    return (0x4E00 <= o <= 0x9FFF) or (0x3400 <= o <= 0x4DBF)


class _PrefixMatcher:
    """All occurrences of many keys in a text, via a table of every key prefix (the way jieba
    builds its DAG): from each position, extend while the prefix is known. Faster in Python
    than an Aho–Corasick automaton whose root has thousands of children."""

    def __init__(self) -> None:
        self.table: dict[str, Any] = {}
        self.first: dict[str, tuple[Any, bool]] = {}   # char → (value if a key, longer keys?)
        self._memo: dict[str, list] = {}

    def add(self, key: str, value: Any) -> None:
        for i in range(1, len(key)):
            self.table.setdefault(key[:i], None)
        self.table[key] = value
        c = key[0]
        v, longer = self.first.get(c, (None, False))
        self.first[c] = (value, longer) if len(key) == 1 else (v, True)

    def __len__(self) -> int:
        return sum(1 for v in self.table.values() if v is not None)

    def hits(self, text: str) -> list[tuple[int, int, str, Any]]:
        """(start, end, key, value) for every key occurrence, by start then end. The last few
        texts are remembered: locality inference and entity finding scan the same article."""
        memo = self._memo
        if text in memo:
            return memo[text]
        out = self._hits(text)
        if len(memo) >= 4:
            memo.pop(next(iter(memo)))
        memo[text] = out
        return out

    def _hits(self, text: str) -> list[tuple[int, int, str, Any]]:
        out = []
        table, first, n, missing = self.table, self.first.get, len(text), _MISSING
        for i, c in enumerate(text):
            fi = first(c)
            if fi is None:
                continue
            if fi[0] is not None:
                out.append((i, i + 1, c, fi[0]))
            if not fi[1]:
                continue
            j = i + 2
            while j <= n:
                w = text[i:j]
                v = table.get(w, missing)
                if v is missing:
                    break
                if v is not None:
                    out.append((i, j, w, v))
                j += 1
        return out


_MISSING = object()


@dataclass
class _Lex:
    """Everything loaded from rules/orgs, jieba's dictionary and the gazetteer (built once)."""

    auto: Any
    freq: dict[str, int]
    tags: dict[str, str]
    heads: dict[str, str]                 # head → strength
    levels: dict[str, str]                # level word → gazetteer level
    generic_prefixes: frozenset[str]
    generic: frozenset[str]
    left_stops: frozenset[str]
    named: dict[str, str]                 # name → normalized
    abbrev: list[tuple[str, str, str]]    # (short, full, condition), longest short first
    person_after: tuple[str, ...]
    surnames: frozenset[str]
    not_org: tuple[str, ...]
    no_verb_after: frozenset[str]
    not_after_level: frozenset[str]
    place_names: frozenset[str]
    place_exclude: frozenset[str]
    level_bodies: tuple[str, ...]         # 市委, 省委政法委 … (level word + body)
    levels_long: tuple[str, ...]          # level words, longest first
    bridge_words: frozenset[str]          # 和, 与 … inside names (住房和城乡建设厅)
    head_suffixes: tuple[str, ...]        # every head, for "does this word end a body?"
    numeral_chars: frozenset[str]         # 一二三 … 第 (刑警支队五大队)
    log_total: float                      # log of jieba's total word frequency


_lock = threading.Lock()


@functools.lru_cache(maxsize=1)
def _lex() -> _Lex:
    from . import segment

    with _lock:
        tk = segment.tokenizer()
        tags: dict[str, str] = segment.word_tags()
        freq: dict[str, int] = tk.FREQ

    def col(name: str, cols: int = 2) -> list[tuple[str, ...]]:
        return list(load_table(f"orgs/{name}", 1, cols).rows)

    heads = {r[0]: (r[1] if len(r) > 1 else "strong") for r in col("heads.tsv", 4)}
    no_verb_after = frozenset(r[0] for r in col("heads.tsv", 4) if len(r) > 3 and r[3] == "no_verb_after")
    not_after_level = frozenset(r[0] for r in col("heads.tsv", 4) if len(r) > 3 and r[3] == "not_after_level")
    t = load_table("orgs/heads.tsv", 1, 4)
    for row, line in zip(t.rows, t.lines):
        if len(row) > 1 and row[1] not in ("strong", "weak"):
            raise RuleError(t.path, line, f"strength must be strong or weak, got {row[1]!r}")
        if len(row) > 3 and row[3] not in ("", "no_verb_after", "not_after_level"):
            raise RuleError(t.path, line, f"4th column must be empty, no_verb_after or "
                                          f"not_after_level, got {row[3]!r}")
    levels = {r[0]: r[1] for r in col("levels.tsv", 3)}
    t = load_table("orgs/levels.tsv", 2, 3)
    for row, line in zip(t.rows, t.lines):
        if row[1] not in gazetteer.LEVELS and row[1] != "town":
            raise RuleError(t.path, line, f"unknown level {row[1]!r}")
    bodies = [r[0] for r in col("bodies.tsv")]
    generic = frozenset(r[0] for r in col("generic.tsv"))
    generic_prefixes = frozenset(r[0] for r in col("generic_prefixes.tsv"))
    person_cue_words = [r[0] for r in col("person_cues.tsv")]
    left_stops = frozenset(r[0] for r in col("left_stops.tsv")) | frozenset(person_cue_words)
    named = {r[0]: (r[1] if len(r) > 1 and r[1] else r[0]) for r in col("named.tsv", 3)}
    t = load_table("orgs/abbreviations.tsv", 3, 4)
    abbrev = []
    for row, line in zip(t.rows, t.lines):
        if row[2] not in ("any", "after_place"):
            raise RuleError(t.path, line, f"condition must be any or after_place, got {row[2]!r}")
        abbrev.append((row[0], row[1], row[2]))
    abbrev.sort(key=lambda a: (-len(a[0]), a[0]))
    nt_exclude = frozenset(r[0] for r in col("nt_exclude.tsv"))
    person_cues = [r[0] for r in col("person_cues.tsv")]
    person_after = tuple(sorted((r[0] for r in col("person_after.tsv")), key=lambda w: (-len(w), w)))

    # surnames: initial characters of jieba's three-character person names (nr), most frequent
    initials: Counter[str] = Counter()
    for w, tg in tags.items():
        if tg == "nr" and len(w) == 3 and _is_cjk(w[0]):
            initials[w[0]] += 1
    surnames = frozenset(c for c, n in initials.items() if n >= 40)

    place_exclude = frozenset(r[0] for r in col("place_exclude.tsv"))
    place_suffixes = tuple(r[0] for r in col("place_suffixes.tsv"))
    abbrev_suffixes = tuple(r[0] for r in col("abbrev_suffixes.tsv"))
    not_org = tuple(r[0] for r in col("not_org_suffixes.tsv"))
    region_words = tuple(r[0] for r in col("region_words.tsv"))
    auto = _PrefixMatcher()
    entries: dict[str, set[tuple]] = {}

    def add(key: str, kind: int, info: Any = None) -> None:
        if key:
            entries.setdefault(key, set()).add((kind, info))

    head_suffixes = sorted(heads, key=len, reverse=True)
    head_set, head_max = frozenset(heads), max(map(len, heads), default=0)
    for h, strength in heads.items():
        add(h, HEAD, strength)
    for short, _full, _cond in abbrev:
        add(short, HEAD, "strong")  # 住建委, 法援处: short forms end names too
    for lv in levels:
        for b in bodies:
            add(lv + b, BODY, lv)
    for n, norm in named.items():
        add(n, NAMED, norm)
    for g in generic:
        add(g, GENERIC)
    for w, tg in tags.items():
        if w in nt_exclude or not w or not _is_cjk(w[0]) or freq.get(w, 0) <= 0:
            continue
        # w ends with a head and is longer than it: look its suffixes up (350k words × heads
        # with str.endswith took seconds at every process start)
        ends_head = any(w[-k:] in head_set for k in range(1, min(len(w) - 1, head_max) + 1))
        if w.endswith(place_suffixes[:4]) or w.endswith(region_words):
            continue  # 香港特别行政区, 中国区: places, not bodies
        if tg == "nt" and (ends_head or w.endswith(abbrev_suffixes)) and not w.endswith(not_org):
            add(w, NT)
        elif tg in ("j", "nz") and ends_head and len(w) >= 2 and not w.endswith(not_org):
            add(w, NT)
        elif tg == "j" and 2 <= len(w) <= 4 and w.endswith(abbrev_suffixes) and not w.endswith(not_org):
            add(w, NT)
        elif tg == "ns" and len(w) >= 3 and w.endswith(place_suffixes) and w not in place_exclude:
            add(w, NS)
    place_names = set()
    for name, found in gazetteer.names().items():
        short = all(p.short == name and p.name != name for p in found)
        if name in place_exclude or (short and lx_tag_common(tags.get(name))):
            continue  # 平安 (平安区), 资源 (资源县): short forms that are common words
        place_names.add(name)
    place_names.update(n for n in gazetteer.countries() if n not in place_exclude)
    place_names = frozenset(place_names)
    for name in place_names:
        add(name, PLACE)
    for c in person_cues:
        add(c, CUE)
    for w in person_after:
        add(w, AFTER)
    for w in (r[0] for r in col("versus.tsv")):
        add(w, VERSUS)
    for key in sorted(entries):
        auto.add(key, {k: info for k, info in sorted(entries[key], key=repr)})
    level_bodies = tuple(sorted((lv + b for lv in levels for b in bodies), key=lambda k: (-len(k), k)))
    return _Lex(auto, freq, tags, heads, levels, generic_prefixes, generic, left_stops, named,
                abbrev, person_after, surnames, not_org, no_verb_after, not_after_level, place_names, place_exclude, level_bodies,
                tuple(sorted(levels, key=lambda k: (-len(k), k))),
                frozenset(r[0] for r in col("bridge_words.tsv")), tuple(head_suffixes),
                frozenset("".join(r[0] for r in col("numeral_chars.tsv"))), math.log(tk.total))


SYLLABLE_TAGS = frozenset({"zg", "ng", "nr", "nrt", "nrfg", "tg", "x", "vg"})
COMMON_TAGS = frozenset({"a", "n", "v", "d", "m", "t", "vn", "f", "c", "r", "q", "ad", "i", "s",
                         "b", "z", "mq", "p", "u", "l", "an", "vd", "ng", "vg", "ag", "dg", "tg"})


def lx_tag_common(tag: str | None) -> bool:
    """A jieba tag saying the word is an ordinary word, not a name."""
    return tag in COMMON_TAGS


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


# ---------------------------------------------------------------- word segmentation helpers

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
    cross_r = False
    for i in range(max(start, end - 3), end):
        j = end + 1
        if freq.get(text[i:end]) is None:
            continue
        while j <= n and j - i <= MAX_WORD:
            f = freq.get(text[i:j])
            if f is None:
                break
            if f > 0:
                cross_r = True
                break
            j += 1
        if cross_r:
            break
    cross_l = False
    if left:
        for i in range(start - 1, max(-1, start - MAX_WORD), -1):
            if freq.get(text[i:start]) is None:
                continue
            for j in range(start + 1, min(end, i + MAX_WORD) + 1):
                f = freq.get(text[i:j])
                if f is None:
                    break
                if f > 0:
                    cross_l = True
                    break
            if cross_l:
                break
    if not (cross_r or cross_l):
        return False
    lo, hi = max(0, start - 4), min(n, end + 4)
    while lo < start and not _is_name_char(text[lo]):
        lo += 1
    while hi > end and not _is_name_char(text[hi - 1]):
        hi -= 1
    cuts = _route(text, lo, hi, lx)
    return (cross_r and end not in cuts) or (cross_l and start not in cuts)


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


# ---------------------------------------------------------------- ORG candidates

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


# ---------------------------------------------------------------- LOC and PER candidates

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


# ---------------------------------------------------------------- selection and normalisation

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


# ---------------------------------------------------------------- public entry point

def find_entities(text: str, *, locality: str | None = None, model: Any = None,
                  rules_win: tuple[str, ...] = (), folded: str | None = None) -> list[Entity]:
    """ORG / LOC / PER entities of ``text``, sorted by (start, end); never raises.

    ``locality``: the article's home place (e.g. 东莞市) used to normalise 市委 → 东莞市委;
    ``None`` infers it from the text, ``""`` disables expansion. ``model``: a spaCy pipeline
    from :func:`load_ner_model`; its entities are combined with the rules (:func:`combine`;
    ``rules_win`` names the labels on which the rules win overlaps). ``folded``:
    ``normalise(text).text`` when the caller has it already (saves a pass).
    """
    if not isinstance(text, str) or not text:
        return []
    _lex()  # a bad rule file raises RuleError here (at load, with file and line), not below
    try:
        ents = _rule_entities(text, locality, folded)
    except Exception:
        log.exception("entity rules failed; returning no entities")
        ents = []
    if model is not None:
        try:
            ents = combine(ents, model_entities(model, text), rules_win)
        except Exception:
            log.exception("NER model failed; keeping rule entities")
    return ents


def _rule_entities(text: str, locality: str | None, folded: str | None = None) -> list[Entity]:
    lx = _lex()
    if folded is None or len(folded) != len(text):
        folded = normalise(text).text
    hits = lx.auto.hits(folded)
    memo: dict = {}
    cands = _org_candidates(folded, hits, lx, memo)
    cands += _versus_candidates(folded, hits, lx)
    covered = bytearray(len(folded))
    for c in cands:
        covered[c.start:c.end] = b"\1" * (c.end - c.start)
    cands += _loc_candidates(folded, hits, lx, covered, memo)
    cands += _per_candidates(folded, hits, lx)
    chosen = _select(cands)
    if locality is None:
        locality = _locality_from_hits(hits, title=False)
    out = []
    for c in chosen:
        surface = text[c.start:c.end]
        norm = None
        if c.label == "ORG":
            if c.generic:
                norm = surface
            else:
                norm = c.normalized or normalize_org(folded[c.start:c.end], locality or None, c.lead)
        elif c.label == "LOC":
            pl = _place_for(folded[c.start:c.end])
            norm = pl.name if pl else surface
        else:
            norm = surface
        out.append(Entity(c.label, surface, c.start, c.end, norm, c.generic))
    return out


# ---------------------------------------------------------------- statistical backend hook

def load_ner_model(path: str):
    """Load a spaCy NER pipeline trained by ``cnie train-ner`` (jieba tokenizer re-attached)."""
    import spacy

    from .segment import JiebaSpacyTokenizer

    nlp = spacy.load(path, exclude=["tokenizer"])
    nlp.tokenizer = JiebaSpacyTokenizer(nlp.vocab)
    return nlp


def model_entities(model: Any, text: str) -> list[Entity]:
    """Entities a trained spaCy model finds (labels other than ORG/LOC/PER are dropped)."""
    doc = model(text)
    out = []
    for sp in doc.ents:
        if sp.label_ in ("ORG", "LOC", "PER") and sp.text.strip():
            out.append(Entity(sp.label_, sp.text, sp.start_char, sp.end_char, sp.text, False))
    return out


def combine(rule_ents: list[Entity], model_ents: list[Entity],
            rules_win: tuple[str, ...] = ()) -> list[Entity]:
    """Union of rule and model entities, no overlaps.

    A model entity with exactly the span and label of a rule entity is the rule entity (which
    carries ``normalized`` and ``generic``). Otherwise, on overlap the rule entity wins for
    labels in ``rules_win``, the model's elsewhere (by default everywhere: on CLUENER dev the
    model knows brand and club names no rule does); rule entities fill the gaps.
    """
    rule_by_span = {(e.label, e.start, e.end): e for e in rule_ents}
    model_ents = [rule_by_span.get((e.label, e.start, e.end), e) for e in model_ents]
    chosen: list[Entity] = []
    used = bytearray(max([e.end for e in rule_ents + model_ents], default=0))

    def take(e: Entity) -> None:
        if e.end > e.start and not any(used[e.start:e.end]):
            chosen.append(e)
            used[e.start:e.end] = b"\1" * (e.end - e.start)

    for e in (x for x in rule_ents if x.label in rules_win):
        take(e)
    for e in sorted(model_ents, key=lambda e: (e.start, e.end)):
        take(e)
    for e in (x for x in rule_ents if x.label not in rules_win):
        take(e)
    chosen.sort(key=lambda e: (e.start, e.end, e.label))
    return chosen


# ---------------------------------------------------------------- spaCy component

def register_extensions() -> None:
    """The Span/Doc extensions cnie_orgs sets (safe to call again)."""
    from spacy.tokens import Doc, Span

    if not Span.has_extension("normalized"):
        Span.set_extension("normalized", default=None)
    if not Span.has_extension("generic"):
        Span.set_extension("generic", default=False)
    if not Doc.has_extension("cnie_orgs_misaligned"):
        Doc.set_extension("cnie_orgs_misaligned", default=0)


class OrgsComponent:
    """spaCy component: ``doc.ents`` ← :func:`find_entities` (spans expanded to jieba tokens)."""

    def __init__(self, nlp, name: str, locality: str | None):
        register_extensions()
        self.name = name
        self.locality = locality

    def __call__(self, doc):
        from spacy.util import filter_spans

        ents = find_entities(doc.text, locality=self.locality)
        spans, misaligned = [], 0
        for e in ents:
            sp = doc.char_span(e.start, e.end, label=e.label)
            if sp is None:
                misaligned += 1
                sp = doc.char_span(e.start, e.end, label=e.label, alignment_mode="expand")
            if sp is None:
                continue
            spans.append((sp, e))
        kept = filter_spans([sp for sp, _ in spans])
        keep_ids = {(sp.start, sp.end) for sp in kept}
        for sp, e in spans:
            if (sp.start, sp.end) in keep_ids:
                sp._.normalized = e.normalized
                sp._.generic = e.generic
        doc.ents = kept
        doc._.cnie_orgs_misaligned = misaligned
        return doc


def make_cnie_orgs(nlp, name: str, locality: str | None = None) -> OrgsComponent:
    """The ``cnie_orgs`` factory (also usable as a ``spacy_factories`` entry point)."""
    return OrgsComponent(nlp, name, locality)


def _register_factory() -> None:
    from spacy.language import Language

    if not Language.has_factory("cnie_orgs"):
        Language.factory("cnie_orgs", default_config={"locality": None}, func=make_cnie_orgs)


try:  # registering a factory is a dictionary entry, not a data load
    _register_factory()
except ImportError:  # pragma: no cover - spaCy is a hard dependency
    pass


def predict(text: str, model: Any = None, model_only: bool = False, rules_win: tuple[str, ...] = ()) -> list[Entity]:
    """Entities as the benchmarks score them: rules (no locality expansion), the model alone, or
    both combined with the rules winning on ``rules_win`` labels."""
    if model is None:
        return find_entities(text, locality="")
    if model_only:
        return model_entities(model, text)
    return combine(find_entities(text, locality=""), model_entities(model, text), rules_win)

