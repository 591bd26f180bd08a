"""The development corpus: every gold file is well formed and every offset is right.

Checks each ``corpora/gold/*.json`` against its article ``corpora/articles/<stem>.txt``:
shape and field types (the output contract's fields), ``text[start:end] == item.text`` for
every indicator and entity, ``doc_id == stem + ".txt"``, the publication date's format,
bounds consistent with the value, and that every real article is listed in
``corpora/SOURCES.md``. Synthetic texts (``corpora/synthetic/``) are not part of the corpus.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = ROOT / "corpora" / "articles"
GOLD = ROOT / "corpora" / "gold"
SOURCES = ROOT / "corpora" / "SOURCES.md"

SYNTHETIC = ROOT / "corpora" / "synthetic"

GOLD_FILES = sorted(GOLD.glob("*.json"))
ARTICLE_FILES = sorted(ARTICLES.glob("*.txt"))
SYNTHETIC_GOLD = sorted(SYNTHETIC.glob("*.json"))

TYPES = {"count", "percentage", "ranking", "money"}
QUALIFIERS = {"exact", "approx", "at_least", "at_most", "range"}
CHANGES = {None, "increase", "decrease", "flat"}
BASES = {None, "同比", "环比"}
LABELS = {"ORG", "LOC", "PER"}
INDICATOR_KEYS = {"type", "text", "start", "end", "value", "unit", "qualifier", "subject",
                  "subject_head", "time", "period", "scope", "change", "basis"}
OPTIONAL_KEYS = {"low", "high", "basis_text", "change_mode", "direction", "org", "approx"}
# pipeline/period.py's output grammar: YYYY, YYYY-Qn, YYYY-Hn, YYYY-MM, YYYY-MM-DD, and
# ranges A..B with either end open.
_POINT = r"\d{4}(?:-(?:Q[1-4]|H[12]|(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?))?"
PERIOD_RE = re.compile(rf"{_POINT}|{_POINT}\.\.(?:{_POINT})?|\.\.{_POINT}")


def _load(path: Path) -> tuple[dict, str]:
    gold = json.loads(path.read_text(encoding="utf-8"))
    text_dir = SYNTHETIC if path.parent == SYNTHETIC else ARTICLES
    text = (text_dir / (path.stem + ".txt")).read_text(encoding="utf-8")
    return gold, text


def test_corpus_is_not_empty():
    assert len(GOLD_FILES) >= 1


@pytest.mark.parametrize("path", GOLD_FILES + SYNTHETIC_GOLD, ids=lambda p: p.stem)
def test_gold_shape(path: Path):
    gold, _ = _load(path)
    assert set(gold) >= {"doc_id", "published", "indicators", "entities", "notes"}
    assert gold["doc_id"] == path.stem + ".txt"
    if gold["published"] is not None:
        dt.date.fromisoformat(gold["published"])
    assert isinstance(gold["notes"], str)
    for ind in gold["indicators"]:
        assert INDICATOR_KEYS <= set(ind) <= INDICATOR_KEYS | OPTIONAL_KEYS, ind
        assert ind["type"] in TYPES
        assert ind["qualifier"] in QUALIFIERS
        assert ind["change"] in CHANGES
        assert ind["basis"] in BASES
        v = ind["value"]
        assert v is None or (isinstance(v, (int, float)) and not isinstance(v, bool))
        if ind["type"] == "ranking":
            assert isinstance(v, int) and ind["unit"] is None
        if ind["type"] == "percentage":
            assert ind["unit"] in {"%", "percentage_point", "‰"}
        if ind["type"] == "money":
            assert ind["unit"], "money needs a currency unit"
        for b in ("low", "high"):
            if ind.get(b) is not None and v is not None:
                assert (ind[b] <= v) if b == "low" else (ind[b] >= v), ind
        if ind["period"] is not None:
            assert PERIOD_RE.fullmatch(ind["period"]), ind["period"]
        if ind["subject_head"] is not None:
            assert ind["subject"] is not None
    for ent in gold["entities"]:
        assert set(ent) >= {"label", "text", "start", "end"}
        assert ent["label"] in LABELS


@pytest.mark.parametrize("path", GOLD_FILES + SYNTHETIC_GOLD, ids=lambda p: p.stem)
def test_gold_offsets(path: Path):
    gold, text = _load(path)
    spans = set()
    for item in gold["indicators"] + gold["entities"]:
        assert 0 <= item["start"] < item["end"] <= len(text)
        assert text[item["start"]:item["end"]] == item["text"], item
    for ind in gold["indicators"]:
        key = (ind["start"], ind["end"])
        assert key not in spans, f"duplicate indicator span {key}"
        spans.add(key)


@pytest.mark.parametrize("path", GOLD_FILES + SYNTHETIC_GOLD, ids=lambda p: p.stem)
def test_gold_indicators_do_not_overlap(path: Path):
    gold, _ = _load(path)
    spans = sorted((i["start"], i["end"]) for i in gold["indicators"])
    for (s1, e1), (s2, e2) in zip(spans, spans[1:]):
        assert e1 <= s2, f"overlapping indicators {s1}-{e1} and {s2}-{e2}"


@pytest.mark.parametrize("path", ARTICLE_FILES, ids=lambda p: p.stem)
def test_article_is_listed_in_sources(path: Path):
    assert path.name in SOURCES.read_text(encoding="utf-8"), f"{path.name} not in SOURCES.md"


@pytest.mark.parametrize("path", ARTICLE_FILES, ids=lambda p: p.stem)
def test_article_is_clean_utf8_text(path: Path):
    raw = path.read_bytes()
    text = raw.decode("utf-8")
    assert not text.startswith("\ufeff")
    assert "<p" not in text and "</" not in text, "HTML left in a corpus text"


SEED = "dongguan-2020-10-10"  # the project's example article; its gold is added separately


def test_every_real_article_has_gold():
    missing = [p.name for p in ARTICLE_FILES
               if p.stem != SEED and not (GOLD / (p.stem + ".json")).is_file()]
    assert missing == []


def test_seed_article_has_gold():
    if not (ARTICLES / (SEED + ".txt")).is_file():
        pytest.skip("seed article not in the corpus")
    if not (GOLD / (SEED + ".json")).is_file():
        pytest.skip("seed gold not added yet (owned by the lead)")
    gold, text = _load(GOLD / (SEED + ".json"))
    assert gold["doc_id"] == SEED + ".txt" and gold["indicators"]


@pytest.mark.parametrize("path", sorted(SYNTHETIC.glob("*.txt")), ids=lambda p: p.stem)
def test_synthetic_texts_are_labelled_and_kept_out_of_the_corpus(path: Path):
    text = path.read_text(encoding="utf-8")
    assert "合成" in text.splitlines()[0] or "SYNTHETIC" in text.splitlines()[0]
    assert not (ARTICLES / path.name).exists(), "a synthetic text is in the real corpus"
    assert (SYNTHETIC / (path.stem + ".json")).is_file()
