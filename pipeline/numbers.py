"""Find every numeric expression in Chinese text, with exact values and original offsets.

Takes article text (any ``str``); returns :class:`NumberMatch` items sorted by start and
non-overlapping (:func:`find_numbers`). :func:`parse_number` turns one numeral string into a
``Decimal``. All words and patterns live in ``rules/numbers/`` (loaded lazily, once).

How a match is built (extractor → resolver, one pass left to right over the folded view
from :func:`pipeline.numparse.fold` (pipeline.normalise's 1:1 folds), so offsets are those
of the original text):

1. a seed (an Arabic digit or a Chinese numeral character) is parsed by
   :func:`pipeline.numparse.scan` into the longest numeral (the *core*);
2. forms around the core decide ``kind``/``unit``: 百分之X / 千分之X (prefix), ``%`` ``‰``
   个百分点 成 折 (percentage), X分之Y and 又 (fraction), currency words (元, 万元 is 万 in the
   core + 元, 美元 …), 倍, 第 (ordinal), 负/- (sign), ranges ``A至B`` / ``A-B%``;
3. qualifier words before (约, 近, 超过 …) and after (左右, 以上 …) widen ``start/end``
   and set ``qualifier``/``low``/``high``; 多/余/几/来 are read inside the numeral with a
   width (160多 = [160, 170), 1.5万余 = [15000, 16000)); 上百 / 数百万 / 几十万 are vague
   prefixes (``approx_prefix.tsv``). 高达/达 are emphasis, not bounds: left out of the span.
   近 before a time span (近3年 = the last three years) is not a bound;
4. filters drop what is not a quantity: dates, clock times, quarters (一季度), eras (90年代)
   and event dates (3·15) unless ``years=True`` (then their numerals come back as plain
   numbers); phone, ID and hotline numbers (拨打12345, 110报警), document-number years
   (〔2021〕), list markers (``1．``, ``二、``), numbers glued to Latin letters or ``+``
   (``1+1+6``, ``A2021…``), names like “飓风2019”, numbers inside URLs, and anything inside a
   stop-lexicon word (``rules/numbers/stopwords.tsv``: 统一, 十九大, 十三五 …).

A following measure word (件, 人次 …) is never part of a match (the count extractor attaches
it); 万/亿 always are (4.56万 in 4.56万人次). Values are exact ``Decimal`` s: percentages in
percent (八成 = 80, 千分之五 = 5 with unit ‰), 个百分点 in points, money in its currency's units.

Bare numerals. In the default ``mode="strict"`` (what the indicator extractors use) a
one-character Chinese numeral (一, 三, 十, 伍 …), a juxtaposed range (三四) and a Chinese digit
string (七五) are returned only when quantity context claims them: a measure word or unit
after (``rules/numbers/context_after.tsv``), 第/前 before, or a percent/currency form.
``mode="rt"`` follows Microsoft Recognizers-Text's Chinese specs instead: bare numerals are
returned (except stop-lexicon words), plus RT's extras (``2e5``, ``2^5``, ``40k``, ``1 3/5``,
一打). Both modes share everything else.
"""
from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, replace
import re
from decimal import Context, Decimal, localcontext
from typing import NamedTuple

import regex

from .numparse import Numeral, char_info, fold, parse_number, plain, scan
from .rules import load_patterns, load_table

__all__ = ["NumberMatch", "find_numbers", "parse_number"]

log = logging.getLogger(__name__)
_RULES = "numbers/numbers.patterns"
_HUNDRED = Decimal(100)
_PREC = 60   # widened to the text length (exact integers); division has its own context


class NumberMatch(NamedTuple):
    """One numeric expression (immutable; a tuple because an article has dozens of them)."""

    text: str            # ORIGINAL surface == original_text[start:end]
    start: int
    end: int             # end-exclusive, code-point offsets
    value: Decimal | None
    kind: str            # number | percentage | ordinal | fraction | currency
    unit: str | None
    approx: bool
    qualifier: str       # exact | approx | at_least | at_most | range
    low: Decimal | None
    high: Decimal | None
    core_start: int
    core_end: int


@dataclass
class _Item:
    """Mutable working form of a match (normalised-text offsets)."""

    start: int
    end: int
    core_start: int
    core_end: int
    value: Decimal
    kind: str = "number"
    unit: str | None = None
    qualifier: str = "exact"
    low: Decimal | None = None
    high: Decimal | None = None
    approx: bool = False
    num: Numeral | None = None
    claimed: bool = False    # a unit / prefix form says this is a quantity
    form: str = ""


# ---------------------------------------------------------------- rules (lazy)

@functools.lru_cache(maxsize=1)
def _p() -> dict[str, regex.Pattern]:
    return load_patterns(_RULES)


@functools.lru_cache(maxsize=1)
def _sym() -> dict[str, str]:
    return load_table("numbers/symbols.tsv", min_cols=2).mapping(0, 1)


@functools.lru_cache(maxsize=1)
def _qual_prefix() -> dict[str, str]:
    return load_table("numbers/qualifiers_prefix.tsv", min_cols=2).mapping(0, 1)


@functools.lru_cache(maxsize=1)
def _qual_suffix() -> dict[str, str]:
    return load_table("numbers/qualifiers_suffix.tsv", min_cols=2).mapping(0, 1)


@functools.lru_cache(maxsize=1)
def _approx_prefix() -> tuple[tuple[str, str, Decimal, Decimal | None, str], ...]:
    rows = load_table("numbers/approx_prefix.tsv", min_cols=5).rows
    out = [(w, q, Decimal(lo), None if hi == "-" else Decimal(hi), "" if na == "-" else na)
           for w, q, lo, hi, na, *_ in rows]
    return tuple(sorted(out, key=lambda r: -len(r[0])))


@functools.lru_cache(maxsize=1)
def _currencies() -> dict[str, str]:
    return load_table("numbers/currencies.tsv", min_cols=2).mapping(0, 1)


@functools.lru_cache(maxsize=1)
def _currency_prefix() -> dict[str, str]:
    return load_table("numbers/currency_prefix.tsv", min_cols=2).mapping(0, 1)


@functools.lru_cache(maxsize=2)
def _stop_index(mode: str) -> dict[str, tuple[tuple[str, int], ...]]:
    """substring → ((stopword, offset of the substring in it), …) for the mode."""
    idx: dict[str, list[tuple[str, int]]] = {}
    for row in load_table("numbers/stopwords.tsv", min_cols=1).rows:
        word, modes = row[0], (row[1] if len(row) > 1 and row[1] else "all")
        if modes != "all" and mode not in modes.split(","):
            continue
        for a in range(len(word)):
            for b in range(a + 1, len(word) + 1):
                idx.setdefault(word[a:b], []).append((word, a))
    return {k: tuple(v) for k, v in idx.items()}


# ---------------------------------------------------------------- public API

def find_numbers(text: str, *, years: bool = False, mode: str = "strict") -> list[NumberMatch]:
    """Every numeric expression in ``text``; see the module docstring. Never raises on text
    (a bad ``mode`` is a programming error and raises ``ValueError``)."""
    if mode not in ("strict", "rt"):
        raise ValueError(f"mode must be 'strict' or 'rt', not {mode!r}")
    if not isinstance(text, str) or not text:
        return []
    _seed_plan(), _p(), _stop_index(mode)   # a bad rule file raises RuleError here, not below
    try:
        with localcontext() as ctx:
            ctx.prec = max(_PREC, len(text) + 40)   # exact for every digit run the text can hold
            return _find(text, years, mode)
    except Exception:  # noqa: BLE001 - extraction never raises on text
        log.exception("find_numbers failed on a text of %d characters", len(text))
        return []


@functools.lru_cache(maxsize=1)
def _seed_plan() -> tuple[re.Pattern, frozenset[str], frozenset[str], frozenset[str]]:
    """A plain character class for seed search (fast), the seed characters that need the full
    SEED pattern, and the follow/precede sets of the strict-mode early skip."""
    info = char_info()
    sym = _sym()
    special = frozenset({".", sym["half"]} | {w[0] for w in load_table("numbers/zhe_seed.tsv").column(0)})
    chars = set(info) | set("0123456789") | special
    cls = re.compile("[" + "".join(re.escape(c) for c in sorted(chars)) + "]")
    follow = set(info) | set(load_table("numbers/after_first.tsv").column(0)) | {sym["point"], sym["mixed"]}
    follow |= set("0123456789")
    for name in ("context_after.tsv", "numeral_start_units.tsv", "currencies.tsv",
                 "qualifiers_suffix.tsv", "range_separators.tsv"):
        follow |= {w[0] for w in load_table(f"numbers/{name}").column(0)}
    precede = {w[-1] for w in load_table("numbers/context_before.tsv").column(0)}
    precede |= {sym["ordinal"], sym["negative"], "-"}
    precede |= {w[-1] for w in load_table("numbers/approx_prefix.tsv", min_cols=5).column(0)}
    return cls, special, frozenset(follow), frozenset(precede)


@functools.lru_cache(maxsize=1)
def _prefix_last() -> frozenset[str]:
    """Last characters of every word that can stand right before a numeral."""
    sym = _sym()
    out = {sym["ordinal"], sym["negative"], "-", "+"}
    for name in ("context_before.tsv", "qualifiers_prefix.tsv", "currency_prefix.tsv"):
        out |= {w[-1] for w in load_table(f"numbers/{name}").column(0)}
    return frozenset(out)


def _next_char(s: str, e: int) -> str:
    """The first non-space character at or after e (within the SP allowance), or ""."""
    n = len(s)
    k = e
    while k < n and k - e < 8 and s[k].isspace() and s[k] not in "\r\n":
        k += 1
    return s[k] if k < n else ""


def _prev_char(s: str, start: int, floor: int) -> str:
    k = start - 1
    while k >= floor and start - k <= 8 and s[k].isspace() and s[k] not in "\r\n":
        k -= 1
    return s[k] if k >= floor else ""


def _follows(s: str, e: int) -> bool:
    """Can any after-form (unit, date, qualifier, range) start at e?"""
    c = _next_char(s, e)
    return bool(c) and c in _seed_plan()[2]


def _find(text: str, years: bool, mode: str) -> list[NumberMatch]:
    s = fold(text)
    p = _p()
    seed_cls, special, follow, precede = _seed_plan()
    if not seed_cls.search(s):
        return []
    seed = p["SEED"]
    items: list[_Item] = []
    urls = [u.span() for u in p["URL"].finditer(s)] if ("://" in s or "www." in s) else []
    info = char_info()
    strict = mode != "rt"
    pos, n = 0, len(s)
    while pos < n:
        m = seed_cls.search(s, pos)
        if not m:
            break
        i = m.start()
        ch = s[i]
        if ch in special and not seed.match(s, i):
            pos = i + 1
            continue
        cls = info.get(ch, ("",))[0]
        if strict and cls in ("D", "S") and (i + 1 >= n or not (s[i + 1] in follow or s[i + 1].isspace())) \
                and (i == 0 or s[i - 1] not in precede):
            pos = i + 1     # a lone 一/三/十 inside a word (统一, 三大): cannot be a quantity here
            continue
        if urls:
            inside = next((b for a, b in urls if a <= i < b), None)
            if inside is not None:
                pos = inside
                continue
        if items and i == items[-1].core_end and cls in ("S", "B"):
            pos = i + 1     # 五十千: a unit glued to the previous numeral does not start one
            continue
        got, nxt = _at(s, i, years, mode, items[-1].end if items else 0)
        if got:
            items.extend(got)
        pos = max(nxt, i + 1)
    return [_freeze(text, it) for it in items]


def _freeze(text: str, it: _Item) -> NumberMatch:
    def pl(d: Decimal | None) -> Decimal | None:
        return None if d is None else plain(d)
    return NumberMatch(text[it.start:it.end], it.start, it.end, pl(it.value), it.kind, it.unit,
                       it.approx, it.qualifier, pl(it.low), pl(it.high), it.core_start, it.core_end)


# ---------------------------------------------------------------- one seed

def _skip_run(s: str, i: int) -> int:
    """End of the Arabic/alnum run at i (used to skip codes and phone numbers wholesale)."""
    j = i
    while j < len(s) and (s[j].isascii() and (s[j].isalnum() or s[j] in ".,-_/")):
        j += 1
    return max(j, i + 1)


def _at(s: str, i: int, years: bool, mode: str, floor: int) -> tuple[list[_Item], int]:
    p = _p()
    ch = s[i]
    arabic = "0" <= ch <= "9"
    if arabic:
        prev = s[i - 1] if i else ""
        if prev.isascii() and prev.isalpha():
            return [], _skip_run(s, i)          # A2021…, COVID-19, G20
        j = p["DIGIT_RUN"].match(s, i).end()
        run, nxt = j - i, (s[j] if j < len(s) else "")
        if run == 4 or (run <= 2 and nxt in ":\uff1a"):
            dm = p["DATE"].match(s, i) or p["DOC_YEAR"].match(s, i)
            if dm:
                return (_date_parts(s, dm.start(), dm.end(), mode) if years else []), dm.end()
        if run <= 2 and nxt and not nxt.isalnum() and not nxt.isspace():
            dd = p["DOT_DATE"].match(s, i)
            if dd:
                return (_date_parts(s, dd.start(), dd.end(), mode) if years else []), dd.end()
        if mode != "rt" and nxt and not nxt.isalnum() and p["RATIO"].match(s, i):
            return [], p["RATIO"].match(s, i).end()
        if mode != "rt" and run >= 3 and _is_identifier(s, i, j):
            return [], _skip_run(s, i)
        if mode != "rt" and (run >= 11 or (ch == "0" and nxt == "-")):
            pm = p["PHONE"].match(s, i)
            if pm:
                return [], pm.end()
        if 2 <= run <= 4 and nxt and not nxt.isascii():
            nm = p["NAMED_NUMBER"].match(s, i)
            if nm:
                return [], nm.end()
    if arabic and mode == "rt":
        dz = p["RT_DIGIT_ZHE"].match(s, i)
        if dz:
            zm = p["ZHE"].match(s, dz.end())
            it = _Item(i, zm.end(), i, dz.end(), Decimal(dz.group("a") + dz.group("b")),
                       kind="percentage", unit="%", claimed=True, form="zhe")
            return [it], zm.end()
    ho = p["HALF_OFF"].match(s, i) if ch in _seed_plan()[1] else None
    if ho:
        it = _Item(i, ho.end(), i, ho.end(), Decimal(50), kind="percentage", unit="%", claimed=True,
                   form="zhe")
        return [it], ho.end()
    if ch == _sym()["half"]:
        for name, val in (("CHENG", Decimal(5)), ("ZHE", Decimal(50))):
            hm = p[name].match(s, i + 1)
            if hm and hm.end() == i + 1 + len(s[i + 1:hm.end()]) and not (hm.groupdict().get("tail") or hm.groupdict().get("half")):
                it = _Item(i, hm.end(), i, i + 1, val, kind="percentage", unit="%", claimed=True,
                           form=name.lower())
                return _finish(s, it, years, mode, floor)
    # 百分之X, 千分之X …
    per = p["PER_PREFIX"].match(s, i) if char_info().get(ch, ("",))[0] in ("S", "B") else None
    if per:
        it = _per_form(s, i, per, mode)
        if it is not None:
            return _finish(s, it, years, mode, floor)
    num = scan(s, i)
    if num is None:
        return [], i + 1
    it = _build(s, num, mode)
    if it is None:
        return [], num.end
    return _finish(s, it, years, mode, floor)


def _per_form(s: str, i: int, per: regex.Match, mode: str) -> _Item | None:
    den_txt = "".join(c for c in per.group("den") if not c.isspace())
    info = char_info()
    den = Decimal(1)
    for c in den_txt:
        den *= info[c][1]
    j = per.end()
    neg = False
    if s.startswith(_sym()["negative"], j):
        neg, j = True, j + 1
    num = scan(s, j)
    if num is None:
        return None
    val = num.value
    end = num.end
    km = _p()["KM"].match(s, end) if mode == "rt" and num.has_arabic and not num.has_cn else None
    if km:
        val *= Decimal(1000) if km.group("km") in "kK" else Decimal(1000000)
        end = km.end()
    if neg:
        val = -val
    if den == 100:
        unit, v = "%", val
    elif den == 1000:
        unit, v = "\u2030", val
    elif den == 10000:
        unit, v = "\u2031", val
    else:
        unit, v = "%", _div(val * _HUNDRED, den)
    it = _Item(i, end, j - (1 if neg else 0), end, v, kind="percentage", unit=unit, num=num,
               claimed=True, form="per")
    if num.juxtaposed:
        sc = _div(v, val) if val else Decimal(1)
        it.qualifier, it.low, it.high, it.approx = "range", num.low * sc, num.high * sc, True
    elif num.approx:
        sc = _div(v, val) if val else Decimal(1)
        it.qualifier, it.low, it.high, it.approx = "approx", num.low * sc, num.high * sc, True
    return it


def _scale(it: _Item, num: Numeral, factor: Decimal, add: Decimal = Decimal(0)) -> None:
    it.value = num.value * factor + add
    if num.low is not None:
        it.low = num.low * factor + add
        it.high = num.high * factor + add if num.high is not None else None
        it.qualifier = "range" if num.juxtaposed else "approx"
        it.approx = True


def _build(s: str, num: Numeral, mode: str) -> _Item | None:
    """Core numeral → item with its unit form (no prefixes, ranges or filters yet)."""
    p = _p()
    plain_int = num.has_arabic and not num.has_cn
    if mode == "rt" and plain_int:
        km = p["KM"].match(s, num.end)
        if km:   # 40k, 12k个百分点, -2.5 M
            f = Decimal(1000) if km.group("km") in "kK" else Decimal(1000000)
            num = replace(num, value=num.value * f, end=km.end())
    e = num.end
    it = _Item(num.start, e, num.start, e, num.value, num=num)
    _scale(it, num, Decimal(1))
    # RT extras on Arabic numerals: 2e5, 2^5, 40k, 1 3/5 (RT mode); 1/3 (both modes)
    if mode == "rt" and plain_int and not num.approx:
        x = _rt_extras(s, it, num)
        if x is not None:
            return x
    elif plain_int and num.single_arabic_digits and e < len(s) and s[e] == "/":
        sl = p["SLASH"].match(s, e)
        if sl and Decimal(sl.group("den")) != 0 and not (e - num.start > 4 or len(sl.group("den")) > 4):
            it.value = _div(num.value, Decimal(sl.group("den")))
            it.end = it.core_end = sl.end()
            it.kind, it.claimed, it.form = "fraction", True, "fraction"
            return it
    if not _follows(s, e):
        if num.digit_string:
            it.form = "digits"
        return it
    # fraction: X分之Y, and whole 又 X分之Y
    mx = p["MIXED_MID"].match(s, e)
    if mx:
        fr = _fraction(s, mx.end(), mode)
        if fr is not None:
            it.value = num.value + fr[0]
            it.end = it.core_end = fr[1]
            it.kind, it.claimed, it.form = "fraction", True, "mixed"
            it.low = it.high = None
            it.qualifier, it.approx = "exact", False
            return it
    fm = p["FRACTION_MID"].match(s, e)
    if fm and num.value != 0 and not num.approx and not num.juxtaposed:
        fr = _numerator(s, fm.end())
        if fr is not None:
            it.value = _div(fr[0], num.value)
            it.end = it.core_end = fr[1]
            it.kind, it.claimed, it.form = "fraction", True, "fraction"
            return it
    if num.digit_string:
        # only 三八折 / 五五折 style (rt) and years use digit strings
        zm = p["ZHE"].match(s, e)
        if zm and mode == "rt" and num.n_chars == 2:
            it.kind, it.unit, it.end, it.claimed, it.form = "percentage", "%", zm.end(), True, "zhe"
            return it
        it.form = "digits"
        return it
    pm = p["PCT_UNIT"].match(s, e)
    if pm:
        it.end, it.kind, it.claimed = pm.end(), "percentage", True
        if pm.group("pct"):
            it.unit, it.form = "%", "pct"
        elif pm.group("permille"):
            it.unit, it.form = "\u2030", "pct"
        elif pm.group("permyriad"):
            it.unit, it.form = "\u2031", "pct"
        else:
            it.unit, it.form = "percentage_point", "pp"
        return it
    cm = p["CHENG"].match(s, e)
    if cm and num.value <= 10 and not num.has_big:
        add = Decimal(0)
        if cm.group("half"):
            add = Decimal(5)
        elif cm.group("tail"):
            t = cm.group("tail").strip()
            add = Decimal(t) if t.isdigit() else char_info()[t][1]
        _scale(it, num, Decimal(10), add)
        it.end, it.kind, it.unit, it.claimed, it.form = cm.end(), "percentage", "%", True, "cheng"
        return it
    zm = p["ZHE"].match(s, e)
    if zm and not num.has_big and not num.approx and Decimal(0) < num.value < 100 \
            and (mode == "rt" or num.value < 10) and num.value != 10:
        f = Decimal(10) if num.value < 10 else Decimal(1)
        _scale(it, num, f)
        it.end, it.kind, it.unit, it.claimed, it.form = zm.end(), "percentage", "%", True, "zhe"
        return it
    cur = p["CURRENCY"].match(s, e)
    if cur:
        it.end, it.kind, it.unit, it.claimed = cur.end(), "currency", _currencies()[cur.group("cur")], True
        it.form = "currency"
        if not num.approx and not num.juxtaposed:
            _money_tail(s, it)
        return it
    bm = p["BEI"].match(s, e)
    if bm:
        it.end, it.unit, it.claimed, it.form = bm.end(), _sym()["times"], True, "bei"
        return it
    if mode == "rt":
        dz = p["DOZEN"].match(s, e)
        if dz and not num.has_arabic:
            it.value *= 12
            it.end = it.core_end = dz.end()
            it.claimed = True
    return it


@functools.lru_cache(maxsize=1)
def _subunits() -> dict[str, dict[str, Decimal]]:
    out: dict[str, dict[str, Decimal]] = {}
    for word, unit, val, *_ in load_table("numbers/subunits.tsv", min_cols=3).rows:
        out.setdefault(unit, {})[word] = Decimal(val)
    return out


def _money_tail(s: str, it: _Item) -> None:
    """Sub-units after an amount: 50元6角三分 → 50.63, 两美元又三美分 → 2.03."""
    subs = _subunits().get(it.unit or "")
    if not subs:
        return
    p = _p()
    j, add, last = it.end, Decimal(0), None
    for _ in range(2):
        k = j
        jm = p["SUBUNIT_JOIN"].match(s, k)
        if jm:
            k = jm.end()
        n = scan(s, k) if k < len(s) else None
        if n is None or n.has_big or n.approx or n.juxtaposed or not (0 < n.value < 100) \
                or n.value != n.value.to_integral_value():
            break
        m = p["SUBUNIT"].match(s, n.end)
        if not m or m.group("sub") not in subs or (last is not None and subs[m.group("sub")] >= last):
            break
        last = subs[m.group("sub")]
        add += n.value * last
        j = m.end()
    if j != it.end:
        it.value += add
        it.end = it.core_end = j


def _rt_extras(s: str, it: _Item, num: Numeral) -> _Item | None:
    p = _p()
    e = num.end
    em = p["EXP"].match(s, e)
    if em:
        exp = int(em.group("exp")) * (-1 if em.group("esign") == "-" else 1)
        it.value = num.value.scaleb(exp)
        it.end = it.core_end = em.end()
        return it
    pw = p["POW"].match(s, e)
    if pw:
        sign = -1 if pw.group("psign").count("-") % 2 else 1
        it.value = _DIV.power(num.value, sign * int(pw.group("pexp")))
        it.end = it.core_end = pw.end()
        return it
    sl = p["SLASH"].match(s, e)
    if sl and Decimal(sl.group("den")) != 0:
        it.value = _div(num.value, Decimal(sl.group("den")))
        it.end = it.core_end = sl.end()
        it.kind = "fraction"
        return it
    mixed = p["MIXED_SLASH"].match(s, e)
    if mixed and Decimal(mixed.group("den")) != 0:
        it.value = num.value + _div(Decimal(mixed.group("num")), Decimal(mixed.group("den")))
        it.end = it.core_end = mixed.end()
        it.kind = "fraction"
        return it
    return None


_DIV = Context(prec=28)


def _div(a: Decimal, b: Decimal) -> Decimal:
    """a / b to 28 significant digits (fractions like 1/3 do not terminate)."""
    return _DIV.divide(a, b)


def _numerator(s: str, j: int) -> tuple[Decimal, int] | None:
    neg = False
    if s.startswith(_sym()["negative"], j):
        neg, j = True, j + 1
    n = scan(s, j)
    if n is None or n.approx or n.juxtaposed:
        return None
    return (-n.value if neg else n.value), n.end


def _fraction(s: str, j: int, mode: str) -> tuple[Decimal, int] | None:
    """``X分之Y`` starting at j → (Y/X, end)."""
    den = scan(s, j)
    if den is None or den.value == 0 or den.approx or den.juxtaposed:
        return None
    fm = _p()["FRACTION_MID"].match(s, den.end)
    if not fm:
        return None
    nu = _numerator(s, fm.end())
    if nu is None:
        return None
    return _div(nu[0], den.value), nu[1]


# ---------------------------------------------------------------- context, filters

def _finish(s: str, it: _Item, years: bool, mode: str, floor: int) -> tuple[list[_Item], int]:
    p = _p()
    num = it.num
    if num is not None and not num.has_arabic and it.qualifier == "exact" \
            and char_info().get(s[it.core_start], ("",))[0] in ("S", "B"):
        _vague_prefix(s, it, floor)
    after = _follows(s, it.end)
    before = _prev_char(s, it.start, floor) in _prefix_last()
    # ranges: A至B, 10-20%, 3至5万
    if after and it.kind in ("number", "percentage", "currency") and it.qualifier == "exact":
        r = _range(s, it, mode)
        if r is not None:
            it = r
    ordinal = bool(before and p["ORDINAL_BEFORE"].match(s, max(floor, it.start - 9), it.start))
    if (it.kind == "number" or it.form in ("cheng", "zhe") and num is not None and not num.has_arabic) \
            and not ordinal and _stopped(s, it, mode):
        return [], it.core_end
    # quarters: 一季度, 前三季度, 第一季度 (periods, also after 第)
    if after and it.kind == "number" and it.unit is None and p["QUARTER_AFTER"].match(s, it.end) \
            and Decimal(1) <= (it.high or it.value) <= 4 and it.value == it.value.to_integral_value():
        return (_date_parts(s, it.start, it.end, mode) if years else []), it.end
    # dates: 8月, 10日, 1-9月 (not after 第: 第24号 is a number in a series)
    if after and it.kind == "number" and it.unit is None and it.value == it.value.to_integral_value() \
            and not ordinal:
        if p["MONTH_AFTER"].match(s, it.end) and Decimal(1) <= (it.high or it.value) <= 12 \
                and not (num and num.approx):
            return (_date_parts(s, it.start, it.end, mode) if years else []), it.end
        if p["ERA_AFTER"].match(s, it.end):
            return (_date_parts(s, it.start, it.end, mode) if years else []), it.end
        hm = p["HOUR_AFTER"].match(s, it.end) if it.value <= 24 else None
        if hm:
            return (_date_parts(s, it.start, hm.end(), mode) if years else []), hm.end()
        dm = p["DAY_AFTER"].match(s, it.end)
        if dm and Decimal(1) <= it.value <= 31 and not (num and num.approx) \
                and (it.start > 0 and _is_month_char(s, it.start - 1) or num.has_arabic):
            return (_date_parts(s, it.start, it.end, mode) if years else []), it.end
        if num is not None and num.digit_string and num.n_chars == 4 and p["CN_YEAR"].match(s, it.start):
            return ([_as_plain(it)] if years else []), it.end
    # sign
    neg = p["NEG_BEFORE"].match(s, max(floor, it.start - 9), it.start) if before else None
    if neg and it.kind != "ordinal":
        it.start = it.core_start = neg.start()
        it.claimed = True
        it.value = -it.value
        if it.low is not None:
            lo, hi = it.low, it.high
            it.low, it.high = (-hi if hi is not None else None), -lo
    # currency symbol before: $20, ￥300
    if before and it.kind == "number" and it.unit is None:
        cb = p["CURRENCY_BEFORE"].match(s, max(floor, it.start - 12), it.start)
        if cb and num is not None and num.has_arabic:
            it.start, it.kind, it.unit, it.claimed = cb.start(), "currency", _currency_prefix()[cb.group("cur")], True
    elif before and it.kind == "currency":
        cb = p["CURRENCY_BEFORE"].match(s, max(floor, it.start - 12), it.start)
        if cb and _currency_prefix()[cb.group("cur")] == it.unit:
            it.start = cb.start()     # 人民币1000万元
    # ordinal
    if before and it.kind == "number" and it.unit is None and it.qualifier == "exact" \
            and not it.form.startswith("frac"):
        om = p["ORDINAL_BEFORE"].match(s, max(floor, it.start - 9), it.start)
        if om:
            it.kind, it.start, it.claimed = "ordinal", om.start(), True
    # list markers: "1．", "二、", "（3）"
    if it.kind == "number" and it.qualifier == "exact" and it.start == it.core_start \
            and p["LIST_MARKER"].match(s, it.core_start) and p["LIST_MARKER"].match(s, it.core_start).end() == it.core_end:
        return [], it.core_end
    # strict-mode quantity context for bare numerals
    if not it.claimed and not _quantity_ok(s, it, mode, floor):
        return [], it.core_end
    # formula / code neighbours
    if num is not None and num.has_arabic:
        fn = p["FORMULA_NEIGHBOUR"]
        if it.core_start > 0 and it.start == it.core_start and not fn.match(s, it.core_end) \
                and p["POS_BEFORE"].match(s, max(floor, it.core_start - 1), it.core_start):
            it.start = it.core_start = it.core_start - 1      # +5.2%: an explicit sign
        elif (it.core_start > 0 and fn.match(s, it.core_start - 1)) or fn.match(s, it.core_end):
            return [], _skip_formula(s, it.core_end)
        if it.end < len(s) and s[it.end].isascii() and s[it.end].isalpha():
            return [], _skip_run(s, it.end)
        if mode != "rt" and num.single_arabic_digits >= 11:
            return [], it.end
    # stop-lexicon (plain numbers were checked before the date filters)
    if it.kind == "ordinal" and _stopped(s, it, mode):
        return [], it.core_end
    # qualifiers (not on ordinals)
    if it.kind != "ordinal" and (before or _follows(s, it.end)):
        _qualify(s, it, floor)
    if it.qualifier not in ("exact", "range"):
        it.approx = True
    return [it], it.end


@functools.lru_cache(maxsize=1)
def _id_words() -> tuple[frozenset[str], frozenset[str]]:
    before = frozenset(w[-1] for w in load_table("numbers/id_before.tsv").column(0))
    after = frozenset(w[0] for w in load_table("numbers/id_after.tsv").column(0))
    return before, after


def _is_identifier(s: str, i: int, j: int) -> bool:
    """拨打12345 / 12345热线: an Arabic run next to an identifier word."""
    before, after = _id_words()
    p = _p()
    if _prev_char(s, i, 0) in before and p["ID_BEFORE"].match(s, max(0, i - 12), i):
        return True
    nxt = _next_char(s, j)
    return bool(nxt) and nxt in after and bool(p["ID_AFTER"].match(s, j))


def _vague_prefix(s: str, it: _Item, floor: int) -> None:
    """上百 / 数百万 / 几十 / 好几十: a word glued before a unit-led numeral."""
    for word, q, lo, hi, not_after in _approx_prefix():
        a = it.start - len(word)
        if a < floor or not s.startswith(word, a):
            continue
        if a > 0 and s[a - 1] in not_after:
            continue
        base = it.value
        it.start, it.qualifier, it.approx, it.claimed = a, q, True, True
        it.low = base * lo
        it.high = base * hi if hi is not None else None
        it.value = it.low
        return


def _is_month_char(s: str, k: int) -> bool:
    return bool(_p()["MONTH_CHAR"].match(s, k))


def _as_plain(it: _Item) -> _Item:
    return _Item(it.start, it.end, it.core_start, it.core_end, it.value)


def _date_parts(s: str, a: int, b: int, mode: str) -> list[_Item]:
    """years=True: each numeral inside a date/time span as a plain number."""
    out: list[_Item] = []
    j = a
    seed = _p()["SEED"]
    while j < b:
        m = seed.search(s, j, b)
        if not m:
            break
        n = scan(s[:b], m.start())
        if n is None:
            j = m.start() + 1
            continue
        out.append(_Item(n.start, n.end, n.start, n.end, n.value, num=n))
        j = n.end
    return out


def _skip_formula(s: str, j: int) -> int:
    fn = _p()["FORMULA_NEIGHBOUR"]
    while j < len(s) and (fn.match(s, j) or "0" <= s[j] <= "9"):
        j += 1
    return j


def _quantity_ok(s: str, it: _Item, mode: str, floor: int) -> bool:
    num = it.num
    if num is None or mode == "rt" and not num.digit_string:
        return True
    if num.digit_string:
        return False
    bare = not num.has_arabic and (num.n_chars == 1 or num.juxtaposed and num.n_chars == 2)
    if not bare:
        return True
    if it.kind == "ordinal":
        return True
    p = _p()
    if p["CONTEXT_AFTER"].match(s, it.end):
        return True
    if p["QUAL_AFTER"].match(s, it.end) and not num.juxtaposed:
        return True
    if p["CONTEXT_BEFORE"].match(s, max(floor, it.start - 6), it.start):
        return True
    return False


def _stopped(s: str, it: _Item, mode: str) -> bool:
    """Is the numeral (or, for an ordinal, 第 + numeral) inside a stop-lexicon word?"""
    idx = _stop_index(mode)
    spans = ((it.start, it.end),) if it.kind == "ordinal" else ((it.core_start, it.core_end), (it.start, it.end))
    for a, b in spans:
        for word, off in idx.get(s[a:b], ()):
            st = a - off
            if st >= 0 and s.startswith(word, st):
                return True
    return False


def _qualify(s: str, it: _Item, floor: int) -> None:
    p = _p()
    qa = p["QUAL_AFTER"].match(s, it.end)
    if qa:
        q = _qual_suffix()[qa.group("q")]
        it.end = qa.end()
        _apply_q(it, q)
    qb = p["QUAL_BEFORE"].match(s, max(floor, it.start - 9), it.start)
    if qb:
        word = s[qb.start():qb.end()].strip()
        q = _qual_prefix().get(word)
        if q and p["NEAR_WORDS"].fullmatch(word) and p["TIME_SPAN"].match(s, it.end):
            q = None   # 近3年: the last three years
        if q:
            it.start = qb.start()
            _apply_q(it, q)


def _apply_q(it: _Item, q: str) -> None:
    if it.qualifier == "range":
        return
    if q == "at_least":
        it.low = it.low if it.low is not None else it.value
        it.high = None
    elif q == "at_most":
        it.high = it.value if it.low is None else it.high
        it.low = None
    it.qualifier = q


def _range(s: str, it: _Item, mode: str) -> _Item | None:
    p = _p()
    rm = p["RANGE_SEP"].match(s, it.end)
    between = None
    if not rm:
        rm = between = p["BETWEEN_SEP"].match(s, it.end)
        if not rm:
            return None
    j = rm.end()
    if j >= len(s) or not p["SEED"].match(s, j):
        return None
    if "0" <= s[j] <= "9" and p["DATE"].match(s, j):
        return None
    num2 = scan(s, j)
    if num2 is None or num2.approx or num2.juxtaposed or num2.digit_string:
        return None
    it2 = _build(s, num2, mode)
    if it2 is None or it2.kind == "fraction" or _stopped(s, it2, mode):
        return None
    if between is not None and not p["BETWEEN_END"].match(s, it2.end):
        return None
    first_plain = it.kind == "number" and it.unit is None and it.form in ("", "digits")
    second_plain = it2.kind == "number" and it2.unit is None and it2.form in ("", "digits")
    if it.form == "per" and it.unit == "%" and second_plain:
        # 百分之三十到四十: the second end inherits 百分之
        it2 = _Item(it2.start, it2.end, it2.core_start, it2.core_end, it2.value, kind=it.kind,
                    unit=it.unit, num=num2, form=it.form)
    elif not (first_plain or (it.kind == it2.kind and it.unit == it2.unit)):
        return None
    lo = it.value
    if first_plain and it2.kind != "number" or it2.unit is not None:
        # 10-20% / 3至5万元: the first end borrows the second end's unit (and scale)
        if it2.form in ("cheng", "zhe"):
            lo = lo * Decimal(10) if lo <= 10 else lo
    if it.num is not None and not it.num.has_big and num2.has_big and it2.kind != "percentage":
        mult = _big_multiplier(num2)
        if mult and lo * mult <= it2.value:
            lo = lo * mult
    hi = it2.value
    if not lo < hi:
        return None
    if it.num is not None and (it.num.has_arabic != num2.has_arabic) and not num2.has_big:
        return None
    out = _Item(it.start, it2.end, it.core_start, it2.core_end, lo, kind=it2.kind, unit=it2.unit,
                qualifier="range", low=lo, high=hi, num=it.num, claimed=True, form=it2.form)
    return out


def _big_multiplier(n: Numeral) -> Decimal | None:
    """The trailing 万/亿 multiplier of a numeral like 5万 (→ 10000)."""
    info = char_info()
    v = n.value
    mult = Decimal(1)
    for unit in sorted((val for c, (cls, val) in info.items() if cls == "B"), reverse=True):
        if v % unit == 0 and v >= unit:
            mult = unit
            break
    return mult if mult != 1 else None
