"""Link each indicator to its context: sentence, time, change and basis, scope, subject, org.

Takes the :class:`DocContext`, the extracted indicators (mutated in place) and the
entities; fills ``sentence``, ``time`` (nearest time expression before the figure in its
sentence, else the last one of the nearest earlier sentence of the same paragraph that has one,
else the title's), ``change`` /
``basis`` / ``basis_text`` (a change verb right before the figure; 下降到 marks a level, not
a change), ``scope`` (全省, 全市 … in the clause), ``subject`` / ``subject_head`` (the noun
phrase the figure measures, cut out of the clause with the word roles of
``rules/indicators/subject.tsv``; lists ``A、B、C分别…X、Y、Z`` are paired item by item) and
``org`` (via :func:`pipeline.attribution.attribute_org` when available). Words come from
``rules/indicators/*.tsv``; jieba is used on clause-sized windows only.
"""
from __future__ import annotations

import bisect
import functools
from dataclasses import dataclass

import regex

from .contract import Indicator, Span
from .indicators.base import DocContext, ends_with, lexicon, table_map
from .rules import load_patterns, load_table
from .segment import tokenizer
from .timex import TimeExpr
from .timex import find_times as _find_all_times

MAX_SUBJECT = 24  # characters; longer left contexts keep their tail


@dataclass(frozen=True)
class _Clause:
    start: int
    end: int


@functools.lru_cache(maxsize=1)
def _clause_chars() -> frozenset[str]:
    return frozenset(load_table("indicators/clause.tsv").column(0))


@functools.lru_cache(maxsize=1)
def _subject_words() -> dict[str, dict[str, str]]:
    """role → {word: mode}."""
    roles: dict[str, dict[str, str]] = {}
    t = load_table("indicators/subject.tsv", min_cols=3, key_cols=2)  # a word may have several roles
    for row in t.rows:
        roles.setdefault(row[1], {})[row[0]] = row[2]
    return roles


@functools.lru_cache(maxsize=1)
def _patterns():
    return load_patterns("indicators/link.patterns")


def _clause(norm: str, pos: int, sent: Span) -> _Clause:
    chars = _clause_chars()
    s = pos
    while s > sent.start and norm[s - 1] not in chars:
        s -= 1
    e = pos
    while e < sent.end and norm[e] not in chars:
        e += 1
    return _Clause(s, e)


@functools.lru_cache(maxsize=8192)
def _words(s: str) -> tuple[str, ...]:
    """jieba words of a short phrase (cached: clauses repeat across a document's figures)."""
    return tuple(tokenizer().cut(s, HMM=True)) if s else ()


def link(ctx: DocContext, indicators: list[Indicator], entities=()) -> None:
    sents = ctx.sentences
    starts = [s.start for s in sents]
    by_sent: dict[int, list[Indicator]] = {}
    for ind in indicators:
        i = max(0, bisect.bisect_right(starts, ind.start) - 1)
        by_sent.setdefault(i, []).append(ind)
    attribute = _attributor()
    title_times = _title_times(ctx)
    for si, inds in sorted(by_sent.items()):
        sent = sents[si] if sents else Span(0, len(ctx.text))
        sspan = Span(sent.start, sent.end)
        times = find_times(ctx, sent.start, sent.end)
        all_times = _times(ctx).within(sent.start, sent.end, every=True)  # subjects skip every time
        prev_times = _paragraph_times(ctx, sents, si) or title_times
        inds.sort(key=lambda x: x.start)
        ranks = {r.start for r in inds if r.type == "ranking"}
        runs = _runs(ctx, inds)
        for run in runs:
            for k, ind in enumerate(run):
                prev = run[k - 1] if k else None
                ind.sentence = Span(sspan.start, sspan.end)
                clause = _clause(ctx.norm, ind.start, sspan)
                _time(ind, times, prev_times, prev, ctx.text)
                if ind.type != "ranking":  # 增速前二名: the verb names what is ranked
                    _change(ctx, ind, clause, prev)
                if ind.scope is None:
                    _scope(ctx, ind, clause, sspan, ranks)
            _subjects(ctx, run, sspan, all_times, inds, entities)
        _inherit_subjects(ctx, runs)
        _carry_basis(ctx, inds, indicators)
        _periods(ctx, inds)
        if attribute is not None:
            for ind in inds:
                try:
                    ind.org = attribute(ctx.text, sspan.start, sspan.end, ind.start, list(entities))
                except Exception:  # attribution is best effort; never lose the indicator
                    ind.org = None


def _inherit_subjects(ctx: DocContext, runs: list[list[Indicator]]) -> None:
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


def _carry_basis(ctx: DocContext, inds: list[Indicator], everything: list[Indicator]) -> None:
    """A change with no basis of its own takes the basis of the last change before it in the
    same paragraph (同比增长65.8%；股份制企业…增长44.0% → 同比), unless the clause names a
    different comparison (两年平均增长 …: rules/indicators/no_basis.tsv)."""
    blockers = lexicon("indicators/no_basis.tsv")
    for ind in inds:
        if ind.change is None or ind.basis is not None or ind.type == "ranking":
            continue
        para = ctx.norm.rfind("\n", 0, ind.start) + 1
        clause = _clause(ctx.norm, ind.start, ind.sentence or Span(para, len(ctx.norm)))
        if blockers.search(ctx.norm, clause.start, ind.start) or _patterns()["OTHER_BASE"].search(
                ctx.norm, clause.start, ind.start):
            continue
        earlier = [o for o in everything if para <= o.start < ind.start and o.basis is not None]
        if earlier and earlier[-1].time == ind.time:  # same period: the same comparison
            ind.basis = earlier[-1].basis


@functools.lru_cache(maxsize=8192)
def resolve_period(time_text: str | None, published: str | None, anchor: str | None = None):
    """:func:`pipeline.period.resolve_period`, cached (a pure function of its strings)."""
    from .period import resolve_period as resolve

    return resolve(time_text, published, anchor)


def _periods(ctx: DocContext, inds: list[Indicator]) -> None:
    """``period`` from ``time`` and the publication date; 全年/当年/同期 take as anchor the
    last explicitly dated period earlier in the same paragraph."""
    published = (ctx.published or "")[:10] or None
    for ind in inds:
        if ind.time is None:
            continue
        para = ctx.norm.rfind("\n", 0, ind.start) + 1
        anchor = None
        # the period the text reports on: the last explicitly dated expression of the paragraph,
        # else the last time expression before the figure in the article that resolves
        for lo, explicit in ((para, True), (0, False)):
            for t in reversed(find_times(ctx, lo, ind.start)):
                if t.text == ind.time or (explicit and not _patterns()["EXPLICIT_YEAR"].match(t.text)):
                    continue
                anchor = resolve_period(t.text, published)
                if anchor:
                    break
            if anchor:
                break
        ind.period = resolve_period(ind.time, published, anchor)


class _TimeIndex:
    """Every time expression of a document, found once, and those that can date a figure (not
    those naming a comparison's reference: 比2019年…, 高于去年…; comparison_markers.tsv)."""

    def __init__(self, norm: str):
        marks = lexicon("indicators/comparison_markers.tsv")
        self.every = _find_all_times(norm)
        self.dating = [t for t in self.every if not ends_with(marks, norm, t.start, max(0, t.start - 4))]
        self._starts = {id(self.every): [t.start for t in self.every],
                        id(self.dating): [t.start for t in self.dating]}

    def within(self, start: int, end: int, every: bool = False) -> list[TimeExpr]:
        lst = self.every if every else self.dating
        starts = self._starts[id(lst)]
        i = bisect.bisect_left(starts, start)
        out = []
        while i < len(lst) and lst[i].start < end:
            if lst[i].end <= end:
                out.append(lst[i])
            i += 1
        return out


def _times(ctx: DocContext) -> _TimeIndex:
    if "times" not in ctx.cache:
        ctx.cache["times"] = _TimeIndex(ctx.norm)
    return ctx.cache["times"]


def find_times(ctx: DocContext, start: int = 0, end: int | None = None) -> list[TimeExpr]:
    """Time expressions in [start, end) that can date a figure."""
    return _times(ctx).within(start, len(ctx.norm) if end is None else end)


def _title_times(ctx: DocContext) -> list[TimeExpr]:
    """Time expressions of the title (the first non-empty line): the whole article's period
    when a paragraph names none (1—7月全区…推进情况 → 1—7月)."""
    start = len(ctx.norm) - len(ctx.norm.lstrip())
    end = ctx.norm.find("\n", start)
    end = end if end != -1 else len(ctx.norm)
    if end == len(ctx.norm) or not _patterns()["TITLE"].fullmatch(ctx.norm, start, end):
        return []  # a first line that reads like body text is no title
    return find_times(ctx, start, end)


def _paragraph_times(ctx: DocContext, sents, si: int) -> list[TimeExpr]:
    """Time expressions of the nearest earlier sentence in the same paragraph that has any."""
    j = si - 1
    while j >= 0 and "\n" not in ctx.norm[sents[j].end:sents[j + 1].start]:
        found = find_times(ctx, sents[j].start, sents[j].end)
        if found:
            return found
        j -= 1
    return []


def _attributor():
    try:
        from .attribution import attribute_org
    except ImportError:
        return None
    return attribute_org


def _runs(ctx: DocContext, inds: list[Indicator]) -> list[list[Indicator]]:
    """Split a sentence's indicators into lists: figures joined only by list separators."""
    sep = lexicon("indicators/list_separators.tsv")
    runs: list[list[Indicator]] = []
    for ind in inds:
        if runs:
            prev = runs[-1][-1]
            between = ctx.norm[prev.end:ind.start]
            if prev.type == ind.type and regex.fullmatch(f"(?:{sep.pattern}|\\s)*", between):
                runs[-1].append(ind)
                continue
        runs.append([ind])
    return runs


def _time(ind: Indicator, times: list[TimeExpr], prev_times: list[TimeExpr], prev, text: str) -> None:
    if ind.time is not None:  # set by its extractor (a table column)
        return
    if prev is not None and prev.time is not None:
        ind.time = prev.time
        return
    before = [t for t in times if t.end <= ind.start]
    if before:
        ind.time = text[before[-1].start:before[-1].end]  # the ORIGINAL surface (1—7月, not 1-7月)
    elif not [t for t in times if t.start < ind.end] and prev_times:
        ind.time = text[prev_times[-1].start:prev_times[-1].end]


def _change(ctx: DocContext, ind: Indicator, clause: _Clause, prev) -> None:
    verbs, direction, implied = _change_lexicon()
    fill = lexicon("indicators/change_fillers.tsv")
    left = ctx.norm[clause.start:ind.start]
    # strip fillers between the verb and the figure, then look for a verb ending there
    end = len(left)
    while True:
        m = ends_with(fill, left, end)
        if not m or m.start() == end:
            break
        end = m.start()
    vm = ends_with(verbs, left, end)
    if vm is None:
        if prev is not None and prev.type == ind.type:
            ind.change, ind.change_mode = prev.change, prev.change_mode
            ind.basis, ind.basis_text = prev.basis, prev.basis_text
        return
    d, mode = direction[vm.group()]
    ind.change, ind.change_mode = d, mode  # mode "to": 下降到5.1% is the level reached
    if vm.group() in implied:  # 同增17.1%
        ind.basis = implied[vm.group()]
        ind.basis_text = ctx.text[clause.start + vm.start():clause.start + vm.end()]
        return
    basis = lexicon("indicators/basis.tsv")
    found = [m for m in basis.finditer(left, 0, vm.start())]
    if found:
        b = found[-1]
        ind.basis = table_map("indicators/basis.tsv")[b.group()]
        ind.basis_text = ctx.text[clause.start + b.start():clause.start + b.end()]


@functools.lru_cache(maxsize=1)
def _change_lexicon():
    """(verb regex, verb → (direction, mode), verb → implied basis) from both change tables."""
    plain = load_table("indicators/change_words.tsv", min_cols=3).rows
    based = load_table("indicators/change_basis_words.tsv", min_cols=4).rows
    direction = {r[0]: (r[1], r[2]) for r in plain + based}
    implied = {r[0]: r[3] for r in based}
    words = sorted(direction, key=lambda w: (-len(w), w))
    return regex.compile("|".join(regex.escape(w) for w in words)), direction, implied


def _scope(ctx: DocContext, ind: Indicator, clause: _Clause, sent: Span, ranks: set[int]) -> None:
    """The nearest scope word before the figure in its clause, else in its sentence (not one that
    belongs to a ranking: 居全省第一位 scopes the rank only)."""
    rx = lexicon("indicators/scope.tsv")
    found = list(rx.finditer(ctx.norm, clause.start, ind.start))
    if not found:
        found = [m for m in rx.finditer(ctx.norm, sent.start, ind.start) if m.end() not in ranks]
    if found:
        ind.scope = table_map("indicators/scope.tsv")[found[-1].group()]


# -- subjects ---------------------------------------------------------------------------

def _subjects(ctx: DocContext, run: list[Indicator], sent: Span, times: list[TimeExpr],
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
    phrase = phrase.strip()
    if not _patterns()["NP_WORD"].search(phrase):
        return
    ind.subject = phrase
    words = [w for w in _words(phrase) if _patterns()["NP_WORD"].fullmatch(w)]
    if words:
        head = words[-1]
        if len(head) == 1 and len(words) > 1:
            head = words[-2] + head
        ind.subject_head = head


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
    trail_char = [w for w, m in roles.get("trail", {}).items() if m == "char"]
    trail_token = {w for w, m in roles.get("trail", {}).items() if m == "token"}
    strip_res = [_change_lexicon()[0], lexicon("indicators/basis.tsv"),
                 lexicon("indicators/scope.tsv"), lexicon("indicators/change_fillers.tsv"),
                 lexicon("indicators/list_separators.tsv")]
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
        for w in sorted(trail_char, key=len, reverse=True):
            if norm.endswith(w, a, b):
                b -= len(w)
                changed = True
                break
        if changed:
            continue
        for rx in strip_res:
            m = ends_with(rx, norm, b, a)
            if m:
                b = m.start()
                changed = True
                break
        if changed:
            continue
        words = _words(norm[a:b])
        if words and words[-1] in trail_token:
            b -= len(words[-1])
            changed = True
    # cut after the last time expression or cut word inside the phrase
    for t in times:
        if a <= t.start and t.end <= b:
            a = max(a, t.end)
    cut = roles.get("cut", {})
    pos_ = a
    last_cut = None
    for w in _words(norm[a:b]):
        pos_ += len(w)
        if w in cut:
            last_cut = pos_
    if last_cut is not None:
        a = last_cut
    # strip leading determiners, verbs, scope and time words
    lead = roles.get("lead", {})
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
        for w in sorted(lead, key=len, reverse=True):
            if norm.startswith(w, a, b) and (lead[w] == "char" or (_words(norm[a:b]) or [""])[0] == w):
                a += len(w)
                changed = True
                break
    # a non-word character (①, |, quote mark not closing a phrase) before the phrase bounds it
    for i in range(b - 1, a - 1, -1):
        if not _patterns()["PHRASE_CHAR"].match(norm[i]):
            a = i + 1
            break
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
