"""Subjects: the noun phrase a figure measures, cut out of its clause (docs/ANNOTATION.md).

Takes the :class:`DocContext`, a sentence's indicators grouped into lists (runs) and the time
expressions and entities around them; sets ``subject`` and ``subject_head`` in place. The
subject is the phrase right after a count's measure word (2801个|基础网格), else the phrase left
of the figure once change verbs, bases, times, earlier figures, bound words, light verbs and an
agent are stripped (全市打掉的|涉恶犯罪集团数|居全省第一位); places and scope words inside the
phrase stay (江苏省民营企业进出口). Lists ``A、B、C分别…X、Y、Z`` are paired item by item (a head
written once is shared: 加工贸易和保税物流进出口); a figure with no phrase of its own takes one from
earlier in the sentence, and so does a gap (高出美国200亿元); a share becomes ``<subject>占比``
(占…的57%, X占Y的比例); a rate verb alone names the rate (完成63.5% → 完成率); items of a list
under a heading take the heading's measure (投资增速前二名：中卫市增长36.4% → 中卫市投资).
Word roles: ``rules/indicators/subject.tsv``.
"""
from __future__ import annotations

import bisect
import functools

import regex

from .clause import change_lexicon as _change_lexicon
from .clause import clause as _clause
from .clause import patterns as _patterns
from .clause import words as _words
from .contract import Indicator, Span
from .indicators.base import DocContext, ends_with, lexicon, literal_alternation, table_map
from .rules import load_table
from .segment import word_tags
from .timex import TimeExpr


MAX_SUBJECT = 32  # characters; longer left contexts keep their tail
SEGMENT_WINDOW = 48  # characters left of a figure given to jieba (a long clause is not cut whole)


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
            level = next((x for d in reversed(done) for x in reversed(d)
                          if x.subject and x.type in ("money", "count")), None)
            for k, ind in enumerate(run):
                src = donor[k] if donor else last
                if src is None:
                    continue
                clause = _clause(ctx.norm, ind.start, ind.sentence)
                is_share = share.search(ctx.norm, clause.start, run[0].start)
                if is_share and not donor and level is not None:
                    src = level  # 民营企业进出口12315.2亿元，…，占外贸总值的37.5%: the level's share
                ind.subject, ind.subject_head = src.subject, src.subject_head
                if is_share and not src.subject.endswith(suffix):
                    ind.subject, ind.subject_head = src.subject + suffix, suffix
        done.append(run)


def heading_subjects(ctx: DocContext, indicators: list[Indicator], entities) -> None:
    """Items of a list under a heading name only their entity (地级市1—7月投资增速前二名：
    中卫市增长36.4%，… / 未开工项目共5个，…分别是：银川市2个): the subject becomes the entity plus
    the heading's measure (中卫市投资, 银川市未开工项目); a bare rate (完成63.5% → 完成率) takes
    the item's entity and the heading's rate (吴忠市投资完成率). docs/ANNOTATION.md rule 7."""
    norm = ctx.norm
    roles = _subject_words()
    rate_sfx, rates = _heading_words()
    names = {(e.start, e.end) for e in entities if e.label in ("ORG", "LOC")}
    name_at: dict[int, int] = {}
    for s_, e in sorted(names, reverse=True):
        name_at[s_] = e  # the shortest name starting there (sorted descending: shortest last)
    colon = _patterns()["HEADING_COLON"]
    colons = [m.start() for m in colon.finditer(norm)]  # (the pattern searches in reverse)
    colons.reverse()
    if not colons:
        return
    for k, ind in enumerate(indicators):  # sorted by start
        if ind.type == "ranking" or not ind.subject:
            continue
        c = bisect.bisect_left(colons, ind.start) - 1  # the last colon before the figure …
        if c < 0:
            continue
        p0 = norm.rfind("\n", 0, ind.start) + 1
        if colons[c] < p0:
            continue  # … in its paragraph
        cm = colon.match(norm, colons[c], colons[c] + 1)
        head, j = None, k - 1
        while j >= 0 and indicators[j].start >= p0:  # the last figure with a subject before the colon
            o = indicators[j]
            if o.end <= cm.start() and o.subject:
                head = o
                break
            j -= 1
        if head is None:
            continue
        h = head.subject
        if ind.subject in rates and h.endswith(ind.subject):
            seg = _item_start(norm, "ITEM_SEP", cm.end(), ind.start)
            ent = name_at.get(seg)
            if ent is None:
                continue
            note = _patterns()["NAME_NOTE"].match(norm, ent, ind.start)
            ent = note.end() if note else ent  # 银川市（不含宁东）
            hw = _words(h)
            measure = "".join(hw[-2:]) if len(hw) >= 2 else h
            _set_subject(ind, ctx.text[seg:ent] + measure)
            continue
        seg = _item_start(norm, "NAME_SEP", cm.end(), ind.start)
        if ctx.text[seg:seg + len(ind.subject)] != ind.subject:
            continue  # the subject is not the item's opening name (subjects are original text)
        core = _patterns()["NAME_NOTE"].sub("", norm[seg:seg + len(ind.subject)])
        if not ((seg, seg + len(core)) in names or len(core) <= MAX_NAME):
            continue
        measure = h
        if ind.change is not None:
            for w in rate_sfx:  # 投资增速 + 增长36.4% → 投资
                if measure.endswith(w) and len(measure) > len(w):
                    measure = measure[:-len(w)]
                    break
        if ind.subject.endswith(measure):
            continue
        _set_subject(ind, ind.subject + measure)


@functools.lru_cache(maxsize=1)
def _heading_words() -> tuple[tuple[str, ...], frozenset[str]]:
    """(rate words dropped from a heading's measure, longest first; the rate nouns)."""
    sfx = sorted(_subject_words().get("ratesuffix", {}), key=len, reverse=True)
    return tuple(sfx), frozenset(table_map("indicators/rate_nouns.tsv").values())


def _item_start(norm: str, sep: str, lo: int, hi: int) -> int:
    """Start of the list item holding ``hi``: after the last ``sep`` separator in [lo, hi)."""
    m = _patterns()[sep].search(norm, lo, hi)
    return m.end() if m else lo


MAX_NAME = 4  # an item name not found as an entity (宁东) is at most this long


def assign_subjects(ctx: DocContext, run: list[Indicator], sent: Span, times: list[TimeExpr],
              others: list[Indicator], entities) -> None:
    if any(ind.subject is not None for ind in run):  # set by its extractor (a table row label)
        return
    first = run[0]
    clause = _clause(ctx.norm, first.start, sent)
    if first.type == "count" and len(run) == 1 and not _physical(first.unit):
        right = _right_np(ctx, first.end, clause.end)
        if right:
            _set_subject(first, right)
            return
    spans = {o.end: o.start for o in others if o.end <= first.start}
    orgs = [(e.start, e.end) for e in entities if e.label == "ORG"]
    a, b = _left_np(ctx, clause.start, first.start, times, spans, orgs,
                    ranking=first.type == "ranking", single=len(run) == 1)
    donor = _comparison_donor(ctx, first, clause, a, b, others)
    if donor is not None:  # 高出美国200亿元 / 以4905.2亿元继续排第一: the earlier figure's subject
        for ind in run:
            ind.subject, ind.subject_head = donor.subject, donor.subject_head
        return
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
    else:
        phrase = _share_name(ctx, phrase, a, clause, sent, times, first.type == "percentage")
    if len(run) > 1:
        sep = lexicon("indicators/list_separators.tsv")
        parts = [p for p in sep.split(ctx.norm[a:b])]
        if len(parts) == len(run) and all(parts):
            pos = a
            spans_ = []
            for part in parts:
                i = ctx.norm.index(part, pos)
                spans_.append(ctx.text[i:i + len(part)])
                pos = i + len(part)
            for ind, part in zip(run, _shared_head(spans_)):
                _set_subject(ind, part)
            return
    for ind in run:
        _set_subject(ind, phrase)


def _physical(unit: str | None) -> bool:
    """A physical unit (平方米, 吨, 公里 …): what follows it is not what is counted
    (建筑面积不超过70平方米的小户型: the area is measured, left of the figure)."""
    if not unit:
        return False
    classes = table_map("indicators/measure_words.tsv")
    physical = _subject_words().get("leftunit", {})
    return classes.get(unit) in physical


def _comparison_donor(ctx: DocContext, first: Indicator, clause, a: int, b: int,
                      others: list[Indicator]) -> Indicator | None:
    """The earlier figure of the sentence whose subject a gap or a ranking continues: a phrase
    that opens with a comparison word (高出美国200亿元, 高于去年投资时序进度3.8个百分点:
    docs/ANNOTATION.md, gaps) or a ranking with a figure earlier in its clause
    (对欧盟进出口以4905.2亿元继续排第一)."""
    earlier = [o for o in others if o.end <= first.start and o.subject]
    if not earlier:
        return None
    if first.type == "ranking":
        inside = [o for o in earlier if o.start >= clause.start]
        return inside[-1] if inside else None
    compare = _role_re("compare")
    lo = clause.start
    while lo < first.start and ctx.norm[lo].isspace():
        lo += 1
    if compare.match(ctx.norm, a, first.start) or compare.match(ctx.norm, lo, first.start):
        return earlier[-1]
    return None


@functools.lru_cache(maxsize=None)
def _role_re(role: str) -> regex.Pattern:
    """The words of a subject.tsv role as one longest-first alternation."""
    return literal_alternation(_subject_words().get(role, {}))


def _share_name(ctx: DocContext, phrase: str, a: int, clause, sent: Span, times,
                percentage: bool) -> str:
    """``X占Y的比例Z`` → ``X占比Z`` (docs/ANNOTATION.md rule 6); a clause that opens with 占 takes
    X from the end of the clause before it (用地面积，占项目总用地面积的比例上限 → 用地面积占比上限)."""
    folded = ctx.norm[a:a + len(phrase)]
    m = _patterns()["SHARE_NAME"].fullmatch(folded)
    rest = phrase[m.start("rest"):] if m else ""
    if not m and percentage:
        m = _patterns()["SHARE_PLAIN"].fullmatch(folded)
    if not m:
        return phrase
    x = phrase[:m.end("x")]
    if not x and clause.start > sent.start:
        prev = _clause(ctx.norm, clause.start - 1, sent)
        pa, pb = _left_np(ctx, prev.start, clause.start - 1, times)
        x = ctx.text[pa:pb] if pa < pb else ""
    if not x:
        return phrase
    suffix = table_map("indicators/labels.tsv")["share_suffix"]
    at = m.end("x")  # the article's own 占 / 佔 (the subject keeps the article's script)
    return x + phrase[at:at + 1] + suffix[1:] + rest


def _shared_head(parts: list[str]) -> list[str]:
    """Coordinated subjects that write the head once (加工贸易和保税物流进出口 → 加工贸易进出口,
    保税物流进出口): an earlier part without the last part's head noun takes it."""
    last = _words(parts[-1])
    if len(last) < 2:
        return parts
    head = last[-1]
    if len(head) < 2 or not _patterns()["NP_WORD"].fullmatch(head):
        return parts
    out = []
    for p in parts[:-1]:
        ws = _words(p)
        out.append(p if (head in ws or len(ws) >= len(last)) else p + head)
    return out + [parts[-1]]


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
    if not _role_re("light").search(phrase):
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
    if taken >= 2:  # a bracketed note right after the noun belongs to it: 33个镇街(园区)
        note = _patterns()["NAME_NOTE"].match(ctx.norm, start + taken, end)
        if note:
            taken = note.end() - start
    return ctx.text[start:start + taken] if taken >= 2 else None


@functools.lru_cache(maxsize=1)
def _cut_re() -> regex.Pattern:
    """Any cut or start word (decides whether segmenting the phrase can matter)."""
    roles = _subject_words()
    return literal_alternation(list(roles.get("cut", {})) + list(roles.get("start", {})))


def _starts_with_verb(phrase: str) -> bool:
    """Is the first jieba word of ``phrase`` a verb (dictionary tag v*)? 警方|抓获…"""
    words = _words(phrase)
    return bool(words) and _is_verb(words[0])


def _is_verb(word: str) -> bool:
    """jieba's dictionary tags the word as a verb (v, vn, vd …)."""
    return word_tags().get(word, "").startswith("v")


@functools.lru_cache(maxsize=1)
def _lead_words() -> tuple[str, ...]:
    return tuple(sorted(_subject_words().get("lead", {}), key=len, reverse=True))


@functools.lru_cache(maxsize=1)
def _trail_rules():
    """(a regex of the trail words stripped as strings; trail words stripped as whole jieba
    words; lexicons stripped from the end: change verbs, bases, scopes, fillers, separators)."""
    trail = _subject_words().get("trail", {})
    chars = literal_alternation(w for w, m in trail.items() if m == "char")
    tokens = tuple(sorted(w for w, m in trail.items() if m == "token"))
    strip = (_change_lexicon()[0], lexicon("indicators/basis.tsv"), lexicon("indicators/scope.tsv"),
             lexicon("indicators/change_fillers.tsv"), lexicon("indicators/list_separators.tsv"))
    return chars, tokens, strip


def _left_np(ctx: DocContext, cs: int, pos: int, times: list[TimeExpr],
             figures: dict[int, int] | None = None, orgs: list[tuple[int, int]] = (),
             ranking: bool = False, single: bool = False) -> tuple[int, int]:
    """(start, end) of the subject left of a figure, within [cs, pos).

    ``figures`` maps the end of each earlier figure to its start (3个90%: the subject of 90%
    skips 3个). Places and scope words at the start stay (江苏省民营企业进出口,
    全国规模以上工业企业利润总额: docs/ANNOTATION.md rule 1); an organisation (``orgs`` spans)
    followed by a verb is the agent and is dropped (警方抓获…). For a ``ranking`` the change word
    stays (投资增速前二名: what is ranked is the growth rate).
    """
    figures = figures or {}
    roles = _subject_words()
    norm = ctx.norm
    trail_char, trail_token, strip_res = _trail_rules()
    keep = _subject_words().get("keepchange", {})
    if ranking or any(w in norm[cs:pos] for w in keep):
        strip_res = strip_res[1:]  # not the change verbs (投资增速前二名, 拉动进出口增长9.6个百分点)
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
    begin = roles.get("start", {})
    pos_ = a
    last_cut = None
    nocut = roles.get("keepafter", {})
    ws = _words(norm[a:b]) if _cut_re().search(norm, a, b) else ()
    for k, w in enumerate(ws):
        if k + 1 < len(ws) and ws[k + 1] in nocut:
            pos_ += len(w)
            continue  # …套数的|比例: 的 before 比例 joins the share's two halves
        if w in begin:
            last_cut = pos_  # 为国家|挽回经济损失: the subject starts at the word
        pos_ += len(w)
        if w in cut:
            last_cut = pos_
    if last_cut is not None:
        a = last_cut
    # strip leading determiners, light verbs and agents (never the whole phrase)
    lead = roles.get("lead", {})
    lead_words = _lead_words()
    lead_re = _role_re("lead")
    changed = True
    while changed and a < b:
        changed = False
        org = next((e for s_, e in orgs if s_ <= a < e and b - e >= 2), None)
        if org is not None and _starts_with_verb(norm[org:b]):
            a = org
            changed = True
            continue
        for w in (lead_words if lead_re.match(norm, a, b) else ()):
            if norm.startswith(w, a, b) and a + len(w) < b \
                    and (lead[w] == "char" or (_words(norm[a:b]) or [""])[0] == w):
                a += len(w)
                changed = True
                break
    # a non-word character (①, |, quote mark not closing a phrase) before the phrase bounds it
    bound = _patterns()["NON_PHRASE_TAIL"].search(norm, a, b)
    if bound:
        a = bound.end()
    if ranking:  # 地级市|重大项目开工率前二名: the set ranked is not what is ranked
        for w in _subject_words().get("rankset", {}):
            if norm.startswith(w, a, b) and a + len(w) < b:
                a += len(w)
                break
    # never reach back over another figure (培训活动160多场次、培训|4.56万人次)
    for fe, fs in figures.items():
        if a <= fs < b and fe <= b:
            a = fe
    sep = lexicon("indicators/list_separators.tsv")
    while a < b and (m := sep.match(norm, a, b)):
        a = m.end()
    if single:
        a = _last_conjunct(norm, a, b)
    if b - a > MAX_SUBJECT:
        a = b - MAX_SUBJECT
    return a, b


def _last_conjunct(norm: str, a: int, b: int) -> int:
    """A 、-list of predicates before the subject (原则上应独立成栋、可封闭管理、建筑面积不少于…):
    the subject is the last conjunct once an earlier one holds a verb; a list closed by 等 or
    of nouns only (货物、服务出口) stays whole."""
    sep = _patterns()["CONJUNCT_SEP"]
    cuts = [m.end() for m in sep.finditer(norm, a, b)]
    if not cuts or _patterns()["LIST_CLOSE"].search(norm, cuts[-1], b):
        return a
    starts = [a] + cuts
    for lo, hi in zip(starts, cuts):
        if any(_is_verb(w) for w in _words(norm[lo:hi - 1])):
            return cuts[-1]
    return a

