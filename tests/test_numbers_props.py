"""Property tests for the number engine: round trips of rendered Chinese numerals, robustness."""
from __future__ import annotations

import logging
from decimal import Decimal

from hypothesis import given, settings, strategies as st

from pipeline.numbers import find_numbers, parse_number

SMALL = {"xiao": "零一二三四五六七八九", "da": "零壹贰叁肆伍陆柒捌玖"}
UNITS = {"xiao": ("", "十", "百", "千"), "da": ("", "拾", "佰", "仟")}
BIG = {"xiao": ("", "万", "亿"), "da": ("", "萬", "億")}


def render(n: int, style: str = "xiao", liang: bool = False, zero: bool = True, yi_shi: bool = False) -> str:
    """An integer ≥ 0 as a Chinese numeral (written for these tests, independent of the engine).

    ``liang``: 两 for a 2 before 百/千/万/亿; ``zero=False`` omits 零 wherever the next element
    still carries its own unit (一万二百五十, 一千五十); ``yi_shi``: 一十二 rather than 十二 at the start.
    """
    digits, units, (wan, yi) = SMALL[style], UNITS[style], BIG[style][1:3]

    def section(m: int, first: bool) -> str:
        out: list[str] = []
        gap = False
        for place in (3, 2, 1, 0):
            d = m // 10 ** place % 10
            if d == 0:
                gap = gap or bool(out)
                continue
            if gap and (zero or place == 0):
                out.append(digits[0])
            gap = False
            if d == 1 and place == 1 and first and not out and not yi_shi:
                ch = ""
            elif d == 2 and liang and place >= 2 and style == "xiao":
                ch = "两"
            else:
                ch = digits[d]
            out.append(ch + units[place])
        return "".join(out)

    def rec(m: int, first: bool) -> str:
        for big, word in ((10 ** 8, yi), (10 ** 4, wan)):
            if m >= big:
                hi, lo = divmod(m, big)
                head = rec(hi, first)
                if head == digits[2] and liang and style == "xiao":
                    head = "两"
                out = head + word
                if lo:
                    if lo < big // 10 and (zero or lo < 10):
                        out += digits[0]
                    out += rec(lo, False)
                return out
        return section(m, first)

    return digits[0] if n == 0 else rec(n, True)


styles = st.sampled_from(["xiao", "da"])


@given(st.integers(min_value=0, max_value=10 ** 12), styles, st.booleans(), st.booleans(), st.booleans())
@settings(max_examples=400)
def test_integer_round_trip(n, style, liang, zero, yi_shi):
    s = render(n, style, liang, zero, yi_shi)
    assert parse_number(s) == Decimal(n), s


@given(st.integers(min_value=0, max_value=10 ** 12), styles, st.booleans())
@settings(max_examples=150)
def test_integer_in_text(n, style, liang):
    s = render(n, style, liang)
    text = f"共有{s}个单位"
    got = find_numbers(text, mode="rt")
    assert [(m.text, m.value) for m in got] == [(s, Decimal(n))]


@given(st.integers(min_value=0, max_value=10 ** 8), st.integers(min_value=0, max_value=9999), styles)
@settings(max_examples=150)
def test_decimal_round_trip(whole, frac, style):
    digits = SMALL[style]
    frac_s = str(frac).rjust(4, "0").rstrip("0") or "0"
    s = render(whole, style) + "点" + "".join(digits[int(c)] for c in frac_s)
    assert parse_number(s) == Decimal(f"{whole}.{frac_s}"), s


@given(st.decimals(min_value=Decimal("0.001"), max_value=Decimal(99999), places=3),
       st.sampled_from([("万", 10 ** 4), ("亿", 10 ** 8), ("万亿", 10 ** 12)]))
@settings(max_examples=150)
def test_arabic_with_big_units(d, unit):
    word, mult = unit
    s = f"{d.normalize():f}{word}"
    v = parse_number(s)
    assert v == d * mult, s
    assert "E" not in str(v)


@given(st.integers(min_value=1, max_value=9999), st.sampled_from(["万", "亿"]), st.integers(min_value=1, max_value=9))
def test_arabic_then_trailing_digit(head, big, tail):
    # 3万2 = 32000: a bare digit after 万/亿 is the next lower place
    mult = 10 ** 4 if big == "万" else 10 ** 8
    assert parse_number(f"{head}{big}{tail}") == head * mult + tail * mult // 10


@given(st.text(max_size=200))
@settings(max_examples=300)
def test_never_raises_and_spans_hold(text):
    for mode in ("strict", "rt"):
        got = find_numbers(text, mode=mode)
        last = 0
        for m in got:
            assert text[m.start:m.end] == m.text
            assert last <= m.start < m.end
            assert m.start <= m.core_start < m.core_end <= m.end
            last = m.end


numeral_chars = st.sampled_from(list(
    "0123456789.,%一二两三四五六七八九十百千万亿零〇点多余几来分之第负约近超过成个百分点元美角"
    "-至~ （）“”壹贰叁肆伍陆柒捌玖拾佰仟兆半对打折又/^ekM年月日号时世纪季度左右以上统前\n，。、："))


class _Errors(logging.Handler):
    def __init__(self):
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


@given(st.text(numeral_chars, max_size=60))
@settings(max_examples=300)
def test_numeral_soup_never_raises(text):
    # find_numbers catches internal errors (never raises on text) and logs them: none allowed
    errors = _Errors()
    logger = logging.getLogger("pipeline.numbers")
    logger.addHandler(errors)
    try:
        for mode in ("strict", "rt"):
            for years in (False, True):
                last = 0
                for m in find_numbers(text, mode=mode, years=years):
                    assert text[m.start:m.end] == m.text
                    assert last <= m.start < m.end and m.start <= m.core_start < m.core_end <= m.end
                    last = m.end
    finally:
        logger.removeHandler(errors)
    assert not errors.records, errors.records[0].getMessage()


def test_long_digit_run_and_punctuation_flood():
    run = "7" * 10000
    assert find_numbers(f"编号{run}号") == []            # an identifier, not a quantity
    got = find_numbers(f"共{run}", mode="rt")
    assert len(got) == 1 and got[0].value == Decimal(run)
    assert find_numbers("。" * 20000 + "...." * 5000 + "，" * 10000) == []
    flood = "一" * 10000
    assert find_numbers(flood) == []
    mixed = ("1," * 5000) + "000"
    assert all(mixed[m.start:m.end] == m.text for m in find_numbers(mixed))
    assert find_numbers("万" * 5000) == []
    assert find_numbers("十百" * 1000) == []                  # bare units, no quantity context
    assert [m.value for m in find_numbers("十多，" * 500)] == [Decimal(10)] * 500
    assert len(find_numbers("负一" * 1000)) == 1000
