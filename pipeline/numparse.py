"""Numeral strings → exact ``Decimal`` values (the grammar half of the number engine).

Takes a NORMALISED string (see :func:`pipeline.normalise.normalise`) and a position; returns
the longest numeral that starts there as a :class:`Numeral` (value, span, and how it was
written), or ``None``. :func:`parse_number` does the same for a whole string.

Grammar (characters come from ``rules/numbers/*.tsv``, never from this file):

* tokens: Arabic numbers (``1,234.5``; comma groups only of exactly three digits), Chinese
  digits (小写, 大写, 两), 零, place units 十百千 (and 拾佰仟), section units 万亿兆, the decimal
  point 点 followed by digits, and the approximation characters 多/余/几/来; horizontal spaces
  between tokens are allowed (``一百 五 十 二``), never at the ends.
* sections are parsed by place (``一千零五`` = 1005); a trailing bare digit after a unit is the
  next lower place (``两千四百五`` = 2450, ``一万三`` = 13000, ``3万2`` = 32000); section
  units stack and group (``一万五千亿`` = 1.5·10^12, ``二十万亿``, ``四万万`` = 4·10^8).
* juxtaposed neighbouring digits are a range (``三四十`` = 30…40, ``二三十万``); a run of
  digits without units is a digit string (``一九九一``, ``七五``) and is flagged as such.
* 多/余/几/来 make the value approximate with a width (``160多`` = [160, 170),
  ``一千多万`` = [10^7, 2·10^7)).

All arithmetic is ``decimal.Decimal`` (never float); values never use exponent notation.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import Decimal, getcontext, localcontext

import re

import regex

from .rules import load_patterns, load_table

__all__ = ["Numeral", "scan", "parse_number", "plain", "char_info"]

_RULES = "numbers/numbers.patterns"
_TEN = Decimal(10)
_MAX_TOKENS = 48
_MAX_DIGIT_RUN = 24   # a Chinese digit string longer than this is no quantity


@dataclass(slots=True)  # not frozen: built ~70 times per article, frozen init is 3x slower
class Numeral:
    """One parsed numeral: ``s[start:end]`` in the normalised text."""

    start: int
    end: int
    value: Decimal
    low: Decimal | None = None      # juxtaposed range low, or approximation low
    high: Decimal | None = None     # juxtaposed range high, or approximation upper bound
    approx: bool = False            # 多/余/几/来 inside
    juxtaposed: bool = False        # 三四十 style range
    digit_string: bool = False      # 一九九一 / 七五: digits without any unit
    has_cn: bool = False            # any Chinese numeral character
    has_arabic: bool = False
    has_big: bool = False           # ends in / contains 万亿兆
    n_chars: int = 0                # numeral characters (spaces excluded)
    single_arabic_digits: int = 0   # digits of a numeral that is one plain Arabic integer, else 0


@dataclass(slots=True)
class _Tok:
    cls: str        # A arabic, D digit, Z zero, S small unit, B big unit, P point+decimals, Q approx
    val: Decimal | str | None
    start: int
    end: int
    text: str = ""


@functools.lru_cache(maxsize=1)
def char_info() -> dict[str, tuple[str, object]]:
    """char → (class, value) from the rule tables (loaded once, lazily)."""
    info: dict[str, tuple[str, object]] = {}
    for ch, val, *_ in load_table("numbers/digits.tsv", min_cols=2).rows:
        info[ch] = ("Z" if int(val) == 0 else "D", Decimal(val))
    for ch, val, *_ in load_table("numbers/small_units.tsv", min_cols=2).rows:
        info[ch] = ("S", Decimal(val))
    for ch, val, *_ in load_table("numbers/big_units.tsv", min_cols=2).rows:
        info[ch] = ("B", Decimal(val))
    for ch, after, *_ in load_table("numbers/approx_infix.tsv", min_cols=2).rows:
        info[ch] = ("Q", frozenset(after.split()))
    sym = load_table("numbers/symbols.tsv", min_cols=2).mapping(0, 1)
    info[sym["point"]] = ("P", None)
    return info


@functools.lru_cache(maxsize=1)
def _pats() -> dict[str, regex.Pattern]:
    return load_patterns(_RULES)


@functools.lru_cache(maxsize=1)
def _symbols() -> dict[str, str]:
    return load_table("numbers/symbols.tsv", min_cols=2).mapping(0, 1)


def plain(d: Decimal) -> Decimal:
    """Normalise a Decimal without exponent notation (1.64E+9 → 1640000000, 4.800 → 4.8)."""
    if d == d.to_integral_value():
        return Decimal(int(d))
    return d.normalize()


def _tokens(s: str, i: int, decimal_digits: bool = True) -> list[_Tok]:
    """Numeral tokens from ``s[i:]`` (spaces between tokens skipped, never trailing)."""
    info = char_info()
    pats = _pats()
    arabic, sp, nsu = pats["ARABIC"], pats["SP"], pats["NUMERAL_START_UNIT"]
    toks: list[_Tok] = []
    n = len(s)
    pos = i
    run = 0      # consecutive Chinese digits
    while pos < n and len(toks) < _MAX_TOKENS:
        if toks and s[pos].isspace():  # allow horizontal spaces between tokens
            m = sp.match(s, pos)
            nxt = m.end() if m else pos
        else:
            nxt = pos
        if nxt >= n:
            break
        ch = s[nxt]
        if "0" <= ch <= "9" or (ch == "." and nxt + 1 < n and "0" <= s[nxt + 1] <= "9"
                                and (nxt == 0 or s[nxt - 1] != ".")):
            if toks and toks[-1].cls in ("A", "D", "P"):
                break
            chain = nxt >= 2 and s[nxt - 1] == "." and "0" <= s[nxt - 2] <= "9"
            m = (pats["ARABIC_INT"] if chain else arabic).match(s, nxt)
            if not m:
                break
            txt = m.group()
            toks.append(_Tok("A", Decimal(pats["GROUP_SEP"].sub("", txt)), nxt, m.end(), txt))
            pos = m.end()
            continue
        ci = info.get(ch)
        if ci is None:
            if (not toks and ch == _symbols()["half"] and nxt + 1 < n
                    and info.get(s[nxt + 1], ("",))[0] in ("S", "B")):
                toks.append(_Tok("D", Decimal("0.5"), nxt, nxt + 1, ch))  # 半百 = 50
                pos = nxt + 1
                continue
            break
        cls, val = ci
        if cls in ("S", "B") and nxt + 1 < n and info.get(s[nxt + 1], ("B",))[0] == "B" \
                and nsu.match(s, nxt):
            break  # 千瓦, 千克 …: the unit starts here
        # transitions no numeral can continue through (keeps floods like 万万万, 十百十百 linear)
        last = toks[-1] if toks else None
        if last is None and cls == "B":
            break
        if last is not None and (last.cls == "Q" and cls != "B"
                                 or last.cls == "S" and cls == "S" and val >= last.val
                                 or cls in ("D", "Z") and run >= _MAX_DIGIT_RUN):
            break
        run = run + 1 if cls in ("D", "Z") else 0
        if cls == "P":
            if not toks or not decimal_digits:
                break
            m = pats["CN_DECIMALS"].match(s, nxt + 1)
            if not m:
                break
            digs = "".join(str(int(info[c][1])) for c in m.group() if c in info)
            toks.append(_Tok("P", Decimal("0." + digs), nxt, m.end(), m.group()))
            pos = m.end()
            continue
        toks.append(_Tok(cls, val, nxt, nxt + 1, ch))
        pos = nxt + 1
    return toks


def _juxtaposed(a: _Tok, b: _Tok) -> bool:
    return (a.cls == "D" and b.cls == "D" and b.val == a.val + 1 and a.end == b.start)


@dataclass
class _Result:
    ntok: int
    value: Decimal
    place: Decimal | None
    has_big: bool


def _machine(toks: list[_Tok]) -> _Result | None:
    """Longest valid prefix of ``toks`` as a value (section-grouped place arithmetic)."""
    parts: list[list[Decimal]] = []   # [value, magnitude]
    section = Decimal(0)
    pending: Decimal | None = None
    pending_tok: _Tok | None = None
    last_small: Decimal | None = None
    last_big: Decimal | None = None
    zero = False
    prev: str | None = None
    place: Decimal | None = None
    best: _Result | None = None
    has_big = False
    frac = Decimal(0)

    def pend_value() -> Decimal:
        if pending is None:
            return Decimal(0)
        short = pending_tok is not None and not zero and (
            pending_tok.cls == "D" or (pending_tok.cls == "A" and len(pending_tok.text) == 1))
        if short and prev_unit == "S" and last_small is not None and last_small >= 100:
            return (pending * last_small).scaleb(-1)
        if short and prev_unit == "B" and last_big is not None:
            return (pending * last_big).scaleb(-1)
        return pending

    prev_unit: str | None = None   # the class of the unit right before the pending digit
    big_grain = Decimal(1)
    if len(toks) >= 1 and toks[0].cls == "Z" and (len(toks) == 1 or toks[1].cls not in ("S", "P", "D", "A")):
        return _Result(1, Decimal(0), None, False)   # 零 alone
    for k, t in enumerate(toks):
        c = t.cls
        if prev == "Q" and c != "B":
            break
        if prev == "P" and c != "B":
            break
        if c in ("A", "D"):
            if pending is not None:
                break
            if c == "A" and prev is not None and "." in t.text and prev != "Z":
                break
            pending, pending_tok = t.val, t
            prev_unit = prev if prev in ("S", "B") else None
        elif c == "Z":
            if pending is not None:
                break
            zero = True
            prev = c
            continue
        elif c == "S":
            if pending is None:
                if section == 0 and not parts or zero or prev == "B":
                    mult = Decimal(1)
                else:
                    break
            else:
                mult = pending
                if pending_tok is not None and pending_tok.cls == "A" and "." in pending_tok.text and (section or parts):
                    break
            if last_small is not None and t.val >= last_small:
                break
            section += mult * t.val
            last_small = t.val
            pending, pending_tok, zero = None, None, False
        elif c == "B":
            acc = section + (pending if pending is not None else Decimal(0))
            if acc == 0 and pending is None and prev not in ("B", "Q", "P"):
                break
            mag = t.val
            popped_mag = None
            if prev == "B" and parts:
                v, m = parts.pop()
                acc += v
                popped_mag = m
            while parts and parts[-1][1] < t.val:
                v, m = parts.pop()
                acc += v
                popped_mag = m if popped_mag is None else max(popped_mag, m)
            grain = Decimal(1)    # the place of the last written digit, in units of this 万/亿
            if pending_tok is not None and pending_tok.cls == "A" and "." in pending_tok.text:
                grain = Decimal(1).scaleb(-len(pending_tok.text.split(".")[1]))   # 1.5万 → 0.1
            if prev == "P" and frac:
                grain = Decimal(1).scaleb(frac.as_tuple().exponent)
                acc += frac
                frac = Decimal(0)
            if popped_mag is not None:
                mag = t.val * popped_mag
            if parts and parts[-1][1] <= mag:
                break
            parts.append([acc * t.val, mag])
            if place is not None:
                place = place * t.val
            section, pending, pending_tok, last_small, zero = Decimal(0), None, None, None, False
            last_big = mag
            big_grain = grain * mag
            has_big = True
        elif c == "P":
            if prev == "Z" and pending is None and section == 0 and not parts:
                pass  # 零点五
            elif pending is None and section == 0 and not parts:
                break
            if pending is not None and pending_tok is not None and pending_tok.cls == "A":
                break
            section += pend_value()
            pending, pending_tok = None, None
            frac = t.val
        elif c == "Q":
            allowed = t.val  # frozenset of predecessor kinds
            if prev == "S" and "S" in allowed and pending is None:
                place = last_small
            elif prev == "B" and "B" in allowed and pending is None:
                place = big_grain          # 3万多 → 10^4; 1.5万余 → 10^3
            elif prev == "Z" and "Z" in allowed:
                place = _TEN
            elif (prev in ("A", "D") and "A0" in allowed and pending_tok is not None
                  and pending_tok.cls == "A" and prev_unit is None and not section and not parts
                  and "." not in pending_tok.text and pending_tok.text.endswith("0")):
                tz = len(pending_tok.text) - len(pending_tok.text.rstrip("0"))
                place = _TEN ** tz
            else:
                break
            if prev == "Z":
                zero = False
        prev = c
        total = (parts[0][0] if len(parts) == 1 else sum(p[0] for p in parts)) if parts else Decimal(0)
        best = _Result(k + 1, total + section + pend_value() + frac, place, has_big)
    return best


def scan(s: str, i: int, *, allow_digit_string: bool = True) -> Numeral | None:
    """The longest numeral starting at ``s[i]`` (normalised text), or ``None``."""
    if i >= len(s):
        return None
    if "0" <= s[i] <= "9" and not (i >= 2 and s[i - 1] == "." and "0" <= s[i - 2] <= "9"):
        fast = _arabic_only(s, i)
        if fast is not None:
            return fast
    toks = _tokens(s, i)
    if not toks:
        return None
    need = 13 * sum(len(t.text) for t in toks) + 40   # a 兆 can add 12 digits
    if need > getcontext().prec:       # exact arithmetic, however long the numeral
        with localcontext() as ctx:
            ctx.prec = need
            return _scan(s, i, toks, allow_digit_string)
    return _scan(s, i, toks, allow_digit_string)


def _arabic_only(s: str, i: int) -> Numeral | None:
    """Fast path: a plain Arabic number with no numeral character after it (most numbers)."""
    pats = _pats()
    m = pats["ARABIC"].match(s, i)
    if m is None:
        return None
    e = m.end()
    k = e
    n = len(s)
    while k < n and k - e < 8 and s[k].isspace() and s[k] not in "\r\n":
        k += 1
    if k < n and s[k] in char_info():
        return None                      # 4.56万, 3千, 1千零1 …: the full grammar
    txt = m.group()
    digits = pats["GROUP_SEP"].sub("", txt) if not txt.isdigit() else txt
    if len(digits) + 40 > getcontext().prec:
        with localcontext() as ctx:
            ctx.prec = len(digits) + 40
            value = plain(Decimal(digits))
    else:
        value = plain(Decimal(digits))
    return Numeral(i, e, value, has_arabic=True, n_chars=len(txt),
                   single_arabic_digits=len(digits) if digits.isdigit() else 0)


def _scan(s: str, i: int, toks: list[_Tok], allow_digit_string: bool) -> Numeral | None:
    # digit strings: 一九九一, 七五, 二〇二〇 (CN digits, no units)
    if toks[0].cls in ("D", "Z") and len(toks) >= 2 and toks[1].cls in ("D", "Z") \
            and not _juxtaposed(toks[0], toks[1]):
        k = 0
        while k < len(toks) and toks[k].cls in ("D", "Z"):
            k += 1
        if k >= 2 and (k == len(toks) or toks[k].cls not in ("S", "B")):
            if not allow_digit_string:
                return None
            digs = "".join(str(int(t.val)) for t in toks[:k])
            return Numeral(i, toks[k - 1].end, Decimal(digs), digit_string=True, has_cn=True,
                           n_chars=k)
    # juxtaposed neighbours: 三四十, 二三十万, 一两
    for k in range(len(toks) - 1):
        if _juxtaposed(toks[k], toks[k + 1]):
            lo_toks = toks[:k] + [toks[k]] + toks[k + 2:]
            hi_toks = toks[:k] + [toks[k + 1]] + toks[k + 2:]
            lo, hi = _machine(lo_toks), _machine(hi_toks)
            if lo is None or hi is None or lo.ntok <= k:
                break
            n_used = min(lo.ntok, hi.ntok)
            lo, hi = _machine(lo_toks[:n_used]), _machine(hi_toks[:n_used])
            end_tok = toks[n_used]  # shifted by one (the pair took two tokens)
            return Numeral(i, end_tok.end, plain(lo.value), low=plain(lo.value), high=plain(hi.value),
                           juxtaposed=True, has_cn=True, has_big=lo.has_big,
                           has_arabic=any(t.cls == "A" for t in toks[:n_used + 1]),
                           n_chars=n_used + 1)
        if toks[k].cls not in ("D", "Z", "S", "B"):
            break
    r = _machine(toks)
    if r is None:
        return None
    used = toks[:r.ntok]
    # a trailing bare 两 after a unit is the mass unit 两 (两万两), not a digit
    if (len(used) >= 2 and used[-1].cls == "D" and used[-1].val == 2 and used[-2].cls in ("S", "B")
            and used[-1].text in _two_char()):
        used = used[:-1]
        r = _machine(used)
        if r is None:
            return None
    value = plain(r.value)
    low = high = None
    if r.place is not None:
        low, high = value, plain(r.value + r.place)
    has_arabic = any(t.cls == "A" for t in used)
    single = 0
    if len(used) == 1 and used[0].cls == "A":
        digits = _pats()["GROUP_SEP"].sub("", used[0].text)
        single = len(digits) if digits.isdigit() else 0
    return Numeral(i, used[-1].end, value, low=low, high=high, approx=r.place is not None,
                   has_cn=any(t.cls != "A" for t in used), has_arabic=has_arabic,
                   has_big=r.has_big, n_chars=sum(len(t.text) for t in used),
                   single_arabic_digits=single)


@functools.lru_cache(maxsize=1)
def _two_char() -> frozenset[str]:
    """Digits marked ``liang`` in digits.tsv (两: also the mass unit tael)."""
    t = load_table("numbers/digits.tsv", min_cols=3)
    return frozenset(r[0] for r in t.rows if r[2] == "liang")


@functools.lru_cache(maxsize=65536)
def parse_number(s: str) -> Decimal | None:
    """A whole numeral string (Arabic, Chinese, 大写, mixed ``3万2``) → value, else ``None``.

    Folds the string first (full-width, traditional); a leading sign (负 / ``-``) is allowed.
    Fractions written as one expression (三分之一, 三又三分之一, 3/5) parse too.
    Returns ``None`` for anything that is not exactly one numeral (``一些``, ``万``, ``""``).
    """
    if not isinstance(s, str):
        return None
    try:
        t = fold(s).strip()
    except Exception:  # noqa: BLE001 - parse_number never raises on text
        return None
    if not t:
        return None
    sign = 1
    neg = _symbols()["negative"]
    if t[0] in (neg, "-"):
        sign, t = -1, t[1:]
    if not t:
        return None
    n = scan(t, 0)     # scan widens the decimal context as the numeral needs
    if n is not None and n.end == len(t) and not n.juxtaposed:
        return n.value if sign == 1 else n.value.copy_negate()
    return _whole_form(s)


def _whole_form(s: str) -> Decimal | None:
    """Fractions and RT-style forms (三分之一, 三又三分之一, 2e5): one exact-span match."""
    from .numbers import find_numbers
    got = find_numbers(s.strip(), mode="rt")
    if len(got) == 1 and got[0].kind in ("number", "fraction") and got[0].unit is None \
            and got[0].qualifier == "exact" and got[0].text == s.strip():
        return got[0].value
    return None


@functools.lru_cache(maxsize=1)
def _fold_plan() -> tuple[re.Pattern, dict[int, str]]:
    """The folds of :func:`pipeline.normalise.fold_table` (+ ``fold_extra.tsv``) that can
    change what the number rules see, and a plain ``re`` class of their source characters.

    Kept: folds to ASCII or space, and folds to a character that occurs in a file of
    ``rules/numbers/`` (萬 → 万, 兩 → 两, 個 → 个 …); dropped: the punctuation listed in
    ``fold_keep.tsv`` (the patterns read it in both widths) and the thousands of
    traditional → simplified folds of ordinary words, which no number rule can match.
    """
    from .normalise import fold_table
    from .rules import rules_dir
    keep = {ord(c) for c in load_table("numbers/fold_keep.tsv", min_cols=1).column(0)}
    seen: set[str] = set()
    for f in sorted((rules_dir() / "numbers").iterdir()):
        if f.suffix in (".tsv", ".patterns"):
            seen |= set(f.read_text(encoding="utf-8"))
    table = {k: v for k, v in fold_table(fold_pairs()).items()
             if k not in keep and (v.isascii() or v.isspace() or v in seen)}
    cls = "".join(re.escape(chr(k)) for k in sorted(table))
    return re.compile(f"[{cls}]"), table


def fold(text: str) -> str:
    """The number engine's 1:1 folded view of ``text`` (same length, same offsets).

    Same folds as :func:`pipeline.normalise.normalise` plus ``fold_extra.tsv``, except the
    punctuation of ``fold_keep.tsv`` (read in both widths by the patterns); texts with nothing
    to fold are returned as they are (the common case for simplified-script news).
    """
    need, table = _fold_plan()
    if not need.search(text):
        return text
    out = text.translate(table)
    if len(out) != len(text):
        raise AssertionError("folding changed the text length")
    return out


@functools.lru_cache(maxsize=1)
def fold_pairs() -> tuple[tuple[str, str], ...]:
    """Extra 1:1 folds for number matching (``rules/numbers/fold_extra.tsv``)."""
    t = load_table("numbers/fold_extra.tsv", min_cols=2)
    return tuple((r[0], r[1]) for r in t.rows)
