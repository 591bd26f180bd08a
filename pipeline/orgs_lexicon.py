"""Organisation lexicon: rules/orgs tables, jieba's dictionary and the gazetteer, loaded once.

Takes nothing (reads ``rules/orgs/*.tsv`` via :func:`pipeline.rules.load_table`, jieba's
dictionary via :mod:`pipeline.segment`, places via :mod:`pipeline.gazetteer`); :func:`_lex`
returns the cached :class:`_Lex`, whose ``auto`` (:class:`_PrefixMatcher`) maps a text to its
anchor hits ``(start, end, key, {kind: info})``. A bad rule row raises ``RuleError`` (file, line,
reason) here, at load. Also the anchor kinds and the character classes shared by the other
``orgs_*`` modules.
"""
from __future__ import annotations

import functools
import math
import threading
from collections import Counter
from dataclasses import dataclass
from typing import Any

from . import gazetteer
from .rules import RuleError, load_table

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


COMMON_TAGS = frozenset({"a", "n", "v", "d", "m", "t", "vn", "f", "c", "r", "q", "ad", "i", "s",
                         "b", "z", "mq", "p", "u", "l", "an", "vd", "ng", "vg", "ag", "dg", "tg"})


def lx_tag_common(tag: str | None) -> bool:
    """A jieba tag saying the word is an ordinary word, not a name."""
    return tag in COMMON_TAGS
