"""Spec-table tests for the indicator extractors and linking (tests/specs/indicators.tsv)."""
from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

import pytest

import pipeline

SPEC = Path(__file__).parent / "specs" / "indicators.tsv"


def _value(v: str):
    if v == "null":
        return None
    try:
        f = float(v)
        return int(f) if f.is_integer() and "." not in v else f
    except ValueError:
        return v


def load_cases():
    cases: "OrderedDict[str, list[dict]]" = OrderedDict()
    for n, line in enumerate(SPEC.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        inp = cols[0].replace("\\n", "\n")  # a literal \n in the table is a line break
        rows = cases.setdefault(inp, [])
        if cols[1] == "-":
            continue
        exp = {"type": cols[1], "text": cols[2], "value": _value(cols[3]), "unit": _value(cols[4]), "_line": n}
        if len(cols) > 5 and cols[5]:
            for kv in cols[5].split(";"):
                k, _, v = kv.partition("=")
                exp[k] = _value(v)
        rows.append(exp)
    return [pytest.param(inp, rows, id=f"{i}:{inp[:18]}") for i, (inp, rows) in enumerate(cases.items())]


@pytest.mark.parametrize("text,expected", load_cases())
def test_spec(text, expected):
    got = pipeline.extract(text)["indicators"]
    for ind in got:
        assert text[ind["start"]:ind["end"]] == ind["text"]
    assert [(g["type"], g["text"]) for g in got] == [(e["type"], e["text"]) for e in expected], got
    for g, e in zip(got, expected):
        for k, v in e.items():
            if k.startswith("_"):
                continue
            assert g[k] == v, f"line {e['_line']}: {k}: expected {v!r}, got {g[k]!r} in {g}"
