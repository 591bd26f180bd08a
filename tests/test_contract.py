"""The output contract: JSON Schema, offsets, determinism, never raising on text."""
from __future__ import annotations

import json
from importlib import resources

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pipeline
from pipeline.contract import dumps


@pytest.fixture(scope="module")
def validator():
    schema = json.loads(resources.files("pipeline").joinpath("schema/cnie-1.schema.json").read_text("utf-8"))
    return jsonschema.Draft202012Validator(schema)


def _check(record: dict, text: str, validator) -> None:
    validator.validate(record)
    for item in record["indicators"] + record["entities"]:
        assert text[item["start"]:item["end"]] == item["text"], item
    for ind in record["indicators"]:
        s = ind["sentence"]
        assert s is None or s["start"] <= ind["start"] < ind["end"] <= s["end"]


def test_seed_record_validates(seed_record, seed_text, validator):
    _check(seed_record, seed_text, validator)
    assert seed_record["schema"] == "cnie/1"
    assert seed_record["meta"]["published"] == "2020-10-10T08:16:45"
    assert len(seed_record["text_sha256"]) == 64


def test_deterministic(seed_text):
    a = dumps(pipeline.extract(seed_text, doc_id="x"))
    b = dumps(pipeline.extract(seed_text, doc_id="x"))
    assert a == b


def test_key_order_is_the_contract(seed_record):
    assert list(seed_record)[:5] == ["schema", "doc_id", "source", "meta", "text_sha256"]
    ind = seed_record["indicators"][0]
    assert list(ind)[:6] == ["type", "text", "start", "end", "value", "unit"]


def test_values_are_plain_numbers(seed_record):
    line = dumps(seed_record)
    assert "e+" not in line and "E+" not in line and "Decimal" not in line


@pytest.mark.parametrize("text", ["", " ", "\n\n", "。。。", "\ud800孤立代理", "1" * 10000,
                                  "…" * 5000, "第" * 300, "万亿" * 200, "%%%％％", "\x00\x01"])
def test_odd_text_never_raises(text, validator):
    rec = pipeline.extract(text)
    _check(rec, text, validator)


CJK_NUMERIC = st.text(alphabet="0123456789.,，%％万亿千百十一二两三四五六七八九零〇第名位件人次元成同比上升下降、。,的全省市", max_size=80)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=120), CJK_NUMERIC))
def test_any_text_never_raises_and_offsets_hold(validator, text):
    rec = pipeline.extract(text)
    assert rec["warnings"] == [] or all(isinstance(w, str) for w in rec["warnings"])
    _check(rec, text, validator)
    assert not [w for w in rec["warnings"] if "Error" in w], rec["warnings"]
