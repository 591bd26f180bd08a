"""pipeline.period: time surfaces → normalised periods, driven by tests/specs/periods.tsv."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from pipeline.period import period_bounds, resolve_period

SPEC = Path(__file__).resolve().parent / "specs" / "periods.tsv"


def _cases():
    out = []
    for n, line in enumerate(SPEC.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        f = line.split("\t")
        group, text, published, expected = f[0], f[1], f[2], f[3]
        anchor = f[4] if len(f) > 4 and f[4] and not f[4].startswith("ask") else None
        out.append(pytest.param(text, None if published == "-" else published,
                                None if expected == "-" else expected, anchor,
                                id=f"{n}-{group}-{text.strip() or 'blank'}"))
    return out


CASES = _cases()


def test_spec_table_is_substantial():
    assert len(CASES) >= 80


@pytest.mark.parametrize("text,published,expected,anchor", CASES)
def test_resolve_period(text, published, expected, anchor):
    assert resolve_period(text, published, anchor=anchor) == expected


@pytest.mark.parametrize("text,published,expected,anchor", [c for c in CASES if c.values[2]])
def test_resolved_periods_have_valid_bounds(text, published, expected, anchor):
    start, end = period_bounds(expected)
    assert start is not None or end is not None
    if start and end:
        assert start <= end


def test_half_year_is_six_months_not_zero_length():
    # JioNLP #277: 上半年 gave a zero-length range.
    start, end = period_bounds(resolve_period("上半年", "2024-08-01"))
    assert (start, end) == (dt.date(2024, 1, 1), dt.date(2024, 6, 30))


def test_previous_quarter_is_not_first_quarter():
    # JioNLP #178: 上一季度 was read as 一季度.
    assert resolve_period("上一季度", "2024-11-05") == "2024-Q3"
    assert resolve_period("一季度", "2024-11-05") == "2024-Q1"


def test_bounds_of_each_shape():
    assert period_bounds("2019") == (dt.date(2019, 1, 1), dt.date(2019, 12, 31))
    assert period_bounds("2024-Q4") == (dt.date(2024, 10, 1), dt.date(2024, 12, 31))
    assert period_bounds("2024-02") == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    assert period_bounds("2021-09-17") == (dt.date(2021, 9, 17), dt.date(2021, 9, 17))
    assert period_bounds("2018..") == (dt.date(2018, 1, 1), None)
    assert period_bounds("..2021-07") == (None, dt.date(2021, 7, 31))
    for bad in ("", "..", "2019-13", "2021..2019", "abc"):
        with pytest.raises(ValueError):
            period_bounds(bad)


def test_bad_published_date_is_unknown_not_an_error():
    assert resolve_period("今年", "2024-13-45") is None
    assert resolve_period("今年", "yesterday") is None
    assert resolve_period("2019年", "yesterday") == "2019"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30), st.one_of(st.none(), st.text(max_size=12), st.just("2024-05-01")))
def test_never_raises_and_output_is_wellformed(text, published):
    p = resolve_period(text, published)
    if p is not None:
        period_bounds(p)  # raises if malformed
