"""Spec-table tests for pipeline.numbers (tests/specs/numbers.tsv) and the seed article."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from pipeline.numbers import NumberMatch, find_numbers, parse_number

SPECS = Path(__file__).parent / "specs"
_REPO = Path(__file__).resolve().parents[1]
SEED = next((p for p in (_REPO / "corpora" / "articles" / "dongguan-2020-10-10.txt",
                         _REPO.parent / "shared" / "seed" / "dongguan-2020-10-10.txt") if p.exists()),
            _REPO / "corpora" / "articles" / "dongguan-2020-10-10.txt")
FIELDS = ("text", "value", "kind", "unit", "qualifier", "low", "high")
DEFAULTS = (None, None, "number", "-", "exact", "-", "-")


def _rows(name: str):
    for n, line in enumerate((SPECS / name).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        group, text, expected = cols[0], cols[1].replace("\\n", "\n"), cols[2]
        opts = set(cols[3].split(",")) if len(cols) > 3 and cols[3] else set()
        yield pytest.param(text, expected, opts, id=f"{group}:{n}:{text[:20]}")


def _expect(expected: str) -> list[tuple]:
    if expected.strip() == "-":
        return []
    out = []
    for item in expected.split(" ; "):
        f = item.split("|")
        f += list(DEFAULTS[len(f):])
        out.append(tuple(f))
    return out


def _show(m: NumberMatch) -> tuple:
    def d(x):
        return "-" if x is None else str(x)
    return (m.text, str(m.value), m.kind, d(m.unit), m.qualifier, d(m.low), d(m.high))


@pytest.mark.parametrize("text,expected,opts", list(_rows("numbers.tsv")))
def test_spec(text, expected, opts):
    got = find_numbers(text, years="years" in opts, mode="rt" if "rt" in opts else "strict")
    for m in got:
        assert text[m.start:m.end] == m.text
        assert m.start <= m.core_start < m.core_end <= m.end
    assert [_show(m) for m in got] == _expect(expected)


# every number of the seed article, in order: surface, value, kind, unit
SEED_EXPECTED = [
    ("第二", "2", "ordinal", None), ("第二", "2", "ordinal", None), ("第二", "2", "ordinal", None),
    ("42", "42", "number", None), ("46474", "46474", "number", None), ("29", "29", "number", None),
    ("172", "172", "number", None), ("7818", "7818", "number", None), ("74", "74", "number", None),
    ("428", "428", "number", None), ("19659", "19659", "number", None),
    ("第一", "1", "ordinal", None), ("98.01%", "98.01", "percentage", "%"),
    ("第二", "2", "ordinal", None), ("16.15%", "16.15", "percentage", "%"),
    ("23.21%", "23.21", "percentage", "%"), ("27.59%", "27.59", "percentage", "%"),
    ("64.86%", "64.86", "percentage", "%"), ("八成", "80", "percentage", "%"),
    ("49.78%", "49.78", "percentage", "%"), ("2801", "2801", "number", None),
    ("9884", "9884", "number", None), ("33", "33", "number", None),
    ("160多", "160", "number", None), ("4.56万", "45600", "number", None),
    ("228.6万", "2286000", "number", None), ("33", "33", "number", None),
    ("32", "32", "number", None), ("64", "64", "number", None), ("32", "32", "number", None),
    ("74", "74", "number", None), ("32", "32", "number", None), ("57", "57", "number", None),
    ("26", "26", "number", None), ("58", "58", "number", None),
    ("24.9%", "24.9", "percentage", "%"), ("28.2%", "28.2", "percentage", "%"),
    ("16.7%", "16.7", "percentage", "%"), ("26.6%", "26.6", "percentage", "%"),
    ("57.8%", "57.8", "percentage", "%"), ("3", "3", "number", None),
    ("90%", "90", "percentage", "%"), ("52", "52", "number", None), ("84", "84", "number", None),
    ("288.5万元", "2885000", "currency", "元"), ("12954", "12954", "number", None),
]
NOT_IN_SEED = ["2019", "2018", "2020", "1+1+6", "1+2+3", "七五", "十九", "08", "10-10"]


@pytest.mark.skipif(not SEED.exists(), reason="seed article not available")
def test_seed_article():
    text = SEED.read_text(encoding="utf-8")
    got = find_numbers(text)
    for m in got:
        assert text[m.start:m.end] == m.text
        assert not any(bad in m.text for bad in NOT_IN_SEED), m
    # Arabic digits, %, 成, 万 and ordinals: all of them, in order, with values
    main = [(m.text, str(m.value), m.kind, m.unit) for m in got
            if any(c.isdigit() for c in m.text) or m.kind in ("ordinal", "percentage")]
    assert main == SEED_EXPECTED
    approx = [m for m in got if m.text == "160多"][0]
    assert (approx.low, approx.high, approx.qualifier, approx.approx) == (Decimal(160), Decimal(170), "approx", True)


@pytest.mark.parametrize("s,value", [
    ("一百五十二", "152"), ("两千四百五", "2450"), ("四亿五千六百四十二万零一十五", "456420015"),
    ("五兆六十二亿四万五千二", "5006200045200"), ("四万万", "400000000"), ("壹佰壹拾万", "1100000"),
    ("１２３", "123"), ("1,234", "1234"), ("16.4亿", "1640000000"), ("负三十二", "-32"),
    ("-10000", "-10000"), ("一千多万", "10000000"), ("零点五", "0.5"), ("兩千", "2000"),
    ("一七二零", "1720"), ("百分", None), ("4.56万", "45600"), ("228.6万", "2286000"),
    ("一千五百万零三百零一", "15000301"), ("壹拾万零叁仟", "103000"), ("1,100.9亿", "110090000000"),
    ("三分之一", "0.3333333333333333333333333333"), ("负一又二分之一", "-1.5"), ("百分之五", None),
])
def test_parse_number(s, value):
    if value is None:
        assert parse_number(s) is None
        return
    assert parse_number(s) == Decimal(value)
    assert "E" not in str(parse_number(s))


@pytest.mark.parametrize("s", ["", "一些", "万", "万万", "abc", "3-", "三四十", "1+1"])
def test_parse_number_rejects(s):
    assert parse_number(s) is None


def test_offsets_survive_folding():
    text = "增长１２．５％，共計兩千萬元"
    got = find_numbers(text)
    assert [(m.text, m.start, m.end) for m in got] == [("１２．５％", 2, 7), ("兩千萬元", 10, 14)]
    assert [m.value for m in got] == [Decimal("12.5"), Decimal(20000000)]
    assert got[1].core_start == 10 and got[1].core_end == 13


@pytest.mark.parametrize("bad", [None, 123, b"bytes", "\ud800", "\x00" * 10])
def test_never_raises(bad):
    assert find_numbers(bad) == [] or isinstance(find_numbers(bad), list)


def test_bad_mode_is_a_programming_error():
    with pytest.raises(ValueError):
        find_numbers("3个", mode="loose")


@pytest.mark.parametrize("text,strict,rt", [
    ("这是五那是四", [], ["五", "四"]),          # bare numerals: only in RT mode
    ("答案是四不是五", [], ["四", "五"]),
    ("十斤", ["十"], ["十"]),                    # a unit claims it in both modes
    ("七五普法", [], []),                         # stop-lexicon in both
    ("这不是四川这是五台山", [], ["五"]),          # 五台山 is strict-only (RT's spec wants 五)
])
def test_modes(text, strict, rt):
    assert [m.text for m in find_numbers(text)] == strict
    assert [m.text for m in find_numbers(text, mode="rt")] == rt
