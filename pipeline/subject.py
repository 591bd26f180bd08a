"""Subjects: the noun phrase a figure measures, cut out of its clause.

Takes the :class:`DocContext`, a sentence's indicators grouped into lists (runs) and the time
expressions and entities around them; sets ``subject`` and ``subject_head`` in place. The
subject is the phrase right after a count's measure word (2801个|基础网格), else the phrase left
of the figure once change verbs, bases, scope words, times, earlier figures, bound words and a
leading organisation or place are stripped (全市打掉的|涉恶犯罪集团数|居全省第一位). Lists
``A、B、C分别…X、Y、Z`` are paired item by item; a figure with no phrase of its own takes one
from earlier in the sentence; a share (占…的57%) becomes ``<subject>占比``; a rate verb alone
(完成63.5%) names the rate (完成率). Word roles: ``rules/indicators/subject.tsv``.
"""
from __future__ import annotations

import functools

import regex

from .clause import change_lexicon as _change_lexicon
from .clause import clause as _clause
from .clause import patterns as _patterns
from .clause import words as _words
from .contract import Indicator, Span
from .indicators.base import DocContext, ends_with, lexicon, table_map
from .rules import load_table
from .timex import TimeExpr


MAX_SUBJECT = 24  # characters; longer left contexts keep their tail
SEGMENT_WINDOW = 40  # characters left of a figure given to jieba (a long clause is not cut whole)


@functools.lru_cache(maxsize=1)
def _subject_words() -> dict[str, dict[str, str]]:
    """role → {word: mode}."""
    roles: dict[str, dict[str, str]] = {}
    t = load_table("indicators/subject.tsv", min_cols=3, key_cols=2)  # a word may have several roles
    for row in t.rows:
        roles.setdefault(row[1], {})[row[0]] = row[2]
    return roles


def inherit_subjects(ctx: DocContext, runs: list[list[Indicator]]) -> None:
    """Figures with no subject of their own take one from earlier in the sentence: a list takes
    the subjects of an earlier list of the same length item by item (加工贸易和保税物流进出口
    10293亿元和3544.9亿元，同增1.9%和38.4% → 1.9% 加工贸易进出口, 38.4% 保税物流进出口),
    anything else the last subject. A share (占外贸总值的57%) is the subject's 占比."""
    share = _patterns()["SHARE"]
    suffix = table_map("indicators/labels.tsv")["share_suffix"]
    done: list[list[Indicator]] = []
    for run in runs:
        if all(ind.subject is None for ind in run):
            donor = next((d for d in reversed(done) if len(d) == len(run) > 1
                          and all(x.subject for x in d)), None)
            last = next((x for d in reversed(done) for x in reversed(d) if x.subject), None)
            for k, ind in enumerate(run):
                src = donor[k] if donor else last
                if src is None:
                    continue
                ind.subject, ind.subject_head = src.subject, src.subject_head
                clause = _clause(ctx.norm, ind.start, ind.sentence)
                if share.search(ctx.norm, clause.start, run[0].start) and not src.subject.endswith(suffix):
                    ind.subject, ind.subject_head = src.subject + suffix, suffix
        done.append(run)


def assign_subjects(ctx: DocContext, run: list[Indicator], sent: Span, times: list[TimeExpr],
              others: list[Indicator], entities) -> None:
    if any(ind.subject is not None for ind in run):  # set by its extractor (a table row label)
        return
    first = run[0]
    clause = _clause(ctx.norm, first.start, sent)
    if first.type == "count" and len(run) == 1:
        right = _right_np(ctx, first.end, clause.end)
        if right:
            _set_subject(first, right)
            return
    spans = {o.end: o.start for o in others if o.end <= first.start}
    orgs = [(e.start, e.end) for e in entities if e.label in ("ORG", "LOC")]
    a, b = _left_np(ctx, clause.start, first.start, times, spans, orgs)
    if a >= b:
        last = run[-1]
        if last.type == "count":  # 分别有3、5和8个项目: the list shares the last item's noun
            right = _right_np(ctx, last.end, _clause(ctx.norm, last.start, sent).end)
            for ind in run if right else ():
                _set_subject(ind, right)
        return
    phrase = ctx.text[a:b]
    rate = table_map("indicators/rate_nouns.tsv").get(ctx.norm[a:b])
    if rate and first.type == "percentage":  # 完成63.5% → 完成率
        phrase = rate
    if len(run) > 1:
        sep = lexicon("indicators/list_separators.tsv")
        parts = [p for p in sep.split(ctx.norm[a:b])]
        if len(parts) == len(run) and all(parts):
            pos = a
            for ind, part in zip(run, parts):
                i = ctx.norm.index(part, pos)
                _set_subject(ind, ctx.text[i:i + len(part)])
                pos = i + len(part)
            return
    for ind in run:
        _set_subject(ind, phrase)


def _set_subject(ind: Indicator, phrase: str) -> None:
    phrase = _drop_light_verbs(phrase.strip())
    if not _patterns()["NP_WORD"].search(phrase):
        return
    ind.subject = phrase
    words = [w for w in _words(phrase) if _patterns()["NP_WORD"].fullmatch(w)]
    nonhead = _subject_words().get("nonhead", {})
    while len(words) > 1 and words[-1] in nonhead:  # 负债合计: the head is 负债
        words.pop()
    if words:
        head = words[-1]
        if len(head) == 1 and len(words) > 1:
            head = words[-2] + head
        ind.subject_head = head


def _drop_light_verbs(phrase: str) -> str:
    """Remove light verbs standing between two words of a subject (企业实现利润总额 → 企业利润总额)."""
    light = _subject_words().get("light", {})
    if not _any_in(tuple(light), phrase):
        return phrase
    words = _words(phrase)
    if len(words) < 3 or not any(w in light for w in words[1:-1]):
        return phrase
    return "".join(w for k, w in enumerate(words) if not (0 < k < len(words) - 1 and w in light))


def _right_np(ctx: DocContext, start: int, end: int) -> str | None:
    """The noun phrase right after a count's measure word (2801个|基础网格)."""
    roles = _subject_words()
    stop = roles.get("stop", {})
    skip = roles.get("skip", {})
    window = ctx.norm[start:min(end, start + MAX_SUBJECT)]
    words = _words(window)
    if words and words[0] in skip:
        start += len(words[0])
        window = window[len(words[0]):]
        words = words[1:]
    taken = 0
    for w in words:
        if w in stop or w in skip or not _patterns()["NP_WORD"].fullmatch(w):
            break
        taken += len(w)
    return ctx.text[start:start + taken] if taken >= 2 else None


@functools.lru_cache(maxsize=1)
def _cut_words() -> tuple[str, ...]:
    return tuple(_subject_words().get("cut", {}))


def _any_in(words: tuple[str, ...], s: str) -> bool:
    """Does any of ``words`` occur in ``s``? (decides whether segmenting ``s`` can matter)"""
    return any(w in s for w in words)


@functools.lru_cache(maxsize=1)
def _lead_words() -> tuple[str, ...]:
    return tuple(sorted(_subject_words().get("lead", {}), key=len, reverse=True))


@functools.lru_cache(maxsize=1)
def _trail_rules():
    """(a regex of the trail words stripped as strings; trail words stripped as whole jieba
    words; lexicons stripped from the end: change verbs, bases, scopes, fillers, separators)."""
    trail = _subject_words().get("trail", {})
    words = sorted((w for w, m in trail.items() if m == "char"), key=len, reverse=True)
    chars = regex.compile("|".join(regex.escape(w) for w in words) or "(?!)")
    tokens = tuple(sorted(w for w, m in trail.items() if m == "token"))
    strip = (_change_lexicon()[0], lexicon("indicators/basis.tsv"), lexicon("indicators/scope.tsv"),
             lexicon("indicators/change_fillers.tsv"), lexicon("indicators/list_separators.tsv"))
    return chars, tokens, strip


def _left_np(ctx: DocContext, cs: int, pos: int, times: list[TimeExpr],
             figures: dict[int, int] | None = None, orgs: list[tuple[int, int]] = ()) -> tuple[int, int]:
    """(start, end) of the subject left of a figure, within [cs, pos).

    ``figures`` maps the end of each earlier figure to its start (3个90%: the subject of 90%
    skips 3个); a subject that begins with an organisation or a place (``orgs`` spans) loses it —
    that is the actor or the scope, not the thing measured.
    """
    figures = figures or {}
    roles = _subject_words()
    norm = ctx.norm
    trail_char, trail_token, strip_res = _trail_rules()
    time_ends = {t.end: t.start for t in times}
    a, b = cs, pos
    changed = True
    while changed and b > a:
        changed = False
        while b > a and norm[b - 1].isspace():
            b -= 1
            changed = True
        if b in time_ends and time_ends[b] >= a:
            b = time_ends[b]
            changed = True
            continue
        if b in figures and figures[b] >= a:
            b = figures[b]
            changed = True
            continue
        m = ends_with(trail_char, norm, b, a)
        if m:
            b = m.start()
            changed = True
            continue
        for rx in strip_res:
            m = ends_with(rx, norm, b, a)
            if m:
                b = m.start()
                changed = True
                break
        if changed:
            continue
        if not norm.endswith(trail_token, a, b):  # cheap test before segmenting
            continue
        words = _words(norm[max(a, b - SEGMENT_WINDOW):b])
        if words and words[-1] in trail_token:
            b -= len(words[-1])
            changed = True
    # cut after the last time expression or cut word inside the phrase
    for t in times:
        if a <= t.start and t.end <= b:
            a = max(a, t.end)
    cut = roles.get("cut", {})
    a = max(a, b - SEGMENT_WINDOW)  # beyond this the subject is cut to MAX_SUBJECT anyway
    pos_ = a
    last_cut = None
    for w in (_words(norm[a:b]) if _any_in(_cut_words(), norm[a:b]) else ()):
        pos_ += len(w)
        if w in cut:
            last_cut = pos_
    if last_cut is not None:
        a = last_cut
    # strip leading determiners, verbs, scope and time words
    lead = roles.get("lead", {})
    lead_words = _lead_words()
    scope = lexicon("indicators/scope.tsv")
    changed = True
    while changed and a < b:
        changed = False
        m = scope.match(norm, a, b)
        if m:
            a = m.end()
            changed = True
            continue
        org = next((e for s_, e in orgs if s_ <= a < e and b - e >= 2), None)
        if org is not None:
            a = org
            changed = True
            continue
        for w in lead_words:
            if norm.startswith(w, a, b) and (lead[w] == "char" or (_words(norm[a:b]) or [""])[0] == w):
                a += len(w)
                changed = True
                break
    # a non-word character (①, |, quote mark not closing a phrase) before the phrase bounds it
    bound = _patterns()["NON_PHRASE_TAIL"].search(norm, a, b)
    if bound:
        a = bound.end()
    # never reach back over another figure (培训活动160多场次、培训|4.56万人次)
    for fe, fs in figures.items():
        if a <= fs < b and fe <= b:
            a = fe
    sep = lexicon("indicators/list_separators.tsv")
    while a < b and (m := sep.match(norm, a, b)):
        a = m.end()
    if b - a > MAX_SUBJECT:
        a = b - MAX_SUBJECT
    return a, b

