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
``rules/indicators/*.tsv``; jieba is used on clause-sized windows only. Subjects are
:mod:`pipeline.subject`'s job.
"""
from __future__ import annotations

import bisect
import functools

import regex

from .clause import Clause as _Clause
from .clause import change_lexicon as _change_lexicon
from .clause import clause as _clause
from .clause import patterns as _patterns
from .contract import Indicator, Span
from .indicators.base import DocContext, ends_with, lexicon, table_map
from .subject import assign_subjects, heading_subjects, inherit_subjects
from .timex import TimeExpr
from .timex import find_times as _find_all_times


def link(ctx: DocContext, indicators: list[Indicator], entities=()) -> None:
    sents = ctx.sentences
    starts = [s.start for s in sents]
    by_sent: dict[int, list[Indicator]] = {}
    for ind in indicators:
        i = max(0, bisect.bisect_right(starts, ind.start) - 1)
        by_sent.setdefault(i, []).append(ind)
    attribute = _attributor()
    title_times = _title_times(ctx)
    order = sorted(indicators, key=lambda x: x.start)
    order_starts = [o.start for o in order]
    ents = sorted(entities, key=lambda e: (e.start, e.end))
    ent_starts = [e.start for e in ents]
    for si, inds in sorted(by_sent.items()):
        sent = sents[si] if sents else Span(0, len(ctx.text))
        sspan = Span(sent.start, sent.end)
        times = find_times(ctx, sent.start, sent.end)
        all_times = _times(ctx).within(sent.start, sent.end, every=True)  # subjects skip every time
        prev_times = _paragraph_times(ctx, sents, si) or title_times
        inds.sort(key=lambda x: x.start)
        lo, hi = bisect.bisect_left(ent_starts, sent.start), bisect.bisect_left(ent_starts, sent.end)
        local = ents[lo:hi]  # the sentence's entities (subjects and attribution look no further)
        ranks = {r.start for r in inds if r.type == "ranking"}
        runs = _runs(ctx, inds)
        for run in runs:
            for k, ind in enumerate(run):
                prev = run[k - 1] if k else None
                ind.sentence = Span(sspan.start, sspan.end)
                clause = _clause(ctx.norm, ind.start, sspan)
                _time(ind, times, prev_times, prev, ctx.text)
                if ind.type != "ranking":  # 增速前二名: the verb names what is ranked
                    floor = max([o.end for o in inds if clause.start <= o.end <= ind.start],
                                default=clause.start)
                    _change(ctx, ind, clause, prev, floor)
                if ind.scope is None:
                    _scope(ctx, ind, clause, sspan, ranks)
            assign_subjects(ctx, run, sspan, all_times, inds, local)
        inherit_subjects(ctx, runs)
        _carry_basis(ctx, inds, order, order_starts)
        _periods(ctx, inds)
        if attribute is not None:
            for ind in inds:
                try:
                    ind.org = attribute(ctx.text, sspan.start, sspan.end, ind.start, local)
                except Exception:  # attribution is best effort; never lose the indicator
                    ind.org = None
    heading_subjects(ctx, order, entities)


def _carry_basis(ctx: DocContext, inds: list[Indicator], everything: list[Indicator],
                 starts: list[int]) -> None:
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
        k = bisect.bisect_left(starts, ind.start) - 1
        while k >= 0 and everything[k].start >= para and everything[k].basis is None:
            k -= 1  # the last change before it in the paragraph that has a basis
        if k >= 0 and everything[k].start >= para and everything[k].time == ind.time:
            ind.basis = everything[k].basis  # same period: the same comparison


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
            for t in _times(ctx).before(lo, ind.start):
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
        self.every_starts = [t.start for t in self.every]
        self.dating_starts = [t.start for t in self.dating]

    def before(self, lo: int, end: int):
        """Dating expressions inside [lo, end), nearest first (lazily: callers stop early)."""
        lst, starts = self.dating, self.dating_starts
        i = bisect.bisect_left(starts, end) - 1
        while i >= 0 and lst[i].start >= lo:
            if lst[i].end <= end:
                yield lst[i]
            i -= 1

    def within(self, start: int, end: int, every: bool = False) -> list[TimeExpr]:
        lst, starts = (self.every, self.every_starts) if every else (self.dating, self.dating_starts)
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
    glue = _list_glue()
    runs: list[list[Indicator]] = []
    for ind in inds:
        if runs:
            prev = runs[-1][-1]
            between = ctx.norm[prev.end:ind.start]
            if prev.type == ind.type and glue.fullmatch(between):
                runs[-1].append(ind)
                continue
        runs.append([ind])
    return runs


@functools.lru_cache(maxsize=1)
def _list_glue() -> regex.Pattern:
    """Only list separators and spaces."""
    return regex.compile(f"(?:{lexicon('indicators/list_separators.tsv').pattern}|\\s)*")


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


def _change(ctx: DocContext, ind: Indicator, clause: _Clause, prev, floor: int | None = None) -> None:
    """Change verb right before the figure; its basis between the previous figure of the clause
    (``floor``) and the verb (同比增长38.0% 两年平均增长18.9%: 18.9% has no 同比)."""
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
    lo = 0 if floor is None else max(0, floor - clause.start)
    found = [m for m in basis.finditer(left, lo, vm.start())]
    if found:
        b = found[-1]
        ind.basis = table_map("indicators/basis.tsv")[b.group()]
        ind.basis_text = ctx.text[clause.start + b.start():clause.start + b.end()]


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
