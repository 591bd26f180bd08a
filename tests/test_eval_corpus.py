"""Accuracy on the bundled gold: the example article (issue 2) and the real corpus (issue 6).

The thresholds are the project's targets (issues 2 and 6); exact subject agreement has no target
and its floor is the measured figure, so a regression fails here (README: Evaluation).
"""
from __future__ import annotations

import pytest

from pipeline.evaluate import evaluate, evaluate_corpus

SEED = "dongguan-2020-10-10.txt"


@pytest.fixture(scope="module")
def corpus(root):
    return evaluate_corpus(root / "corpora" / "articles", root / "corpora" / "gold", split="dev")


@pytest.fixture(scope="module")
def seed(corpus):
    from pipeline.evaluate import _read_records

    _, pred = corpus
    from tests.conftest import GOLD

    gold = _read_records(GOLD / "dongguan-2020-10-10.json")
    return evaluate({SEED: pred[SEED]}, gold)


def acc(rep, name):
    c, t = rep.fields[name]
    return c / t


def test_seed_article_f1(seed):
    assert seed.lenient["all"].f1 >= 0.95
    assert seed.strict["all"].f1 >= 0.90
    for kind in ("count", "percentage", "ranking", "money"):
        assert seed.lenient[kind].f1 >= 0.95, kind


def test_seed_article_fields(seed):
    assert acc(seed, "value") == 1.0
    assert acc(seed, "unit") == 1.0
    for name in ("subject", "time", "change", "basis", "scope"):
        assert acc(seed, name) >= 0.9, name


def test_corpus_detection_and_values(corpus):
    rep, _ = corpus
    assert rep.lenient["all"].f1 >= 0.95
    assert acc(rep, "value") >= 0.97


def test_corpus_fields(corpus):
    rep, _ = corpus
    assert acc(rep, "scope") >= 0.90
    assert acc(rep, "change") >= 0.95
    assert acc(rep, "basis") >= 0.95
    assert acc(rep, "period") >= 0.90
    assert acc(rep, "time") >= 0.90
    # subjects: exact agreement with the gold written by docs/ANNOTATION.md (issue 6 target)
    assert acc(rep, "subject") >= 0.85
    assert acc(rep, "subject~") >= 0.85


@pytest.fixture(scope="module")
def heldout(root):
    return evaluate_corpus(root / "corpora" / "articles", root / "corpora" / "gold", split="heldout")


def test_heldout_floors(heldout):
    """The held-out texts are never tuned on: these floors sit a little under the figures measured
    when they were added (README: Evaluation), so a regression in generalisation fails here."""
    rep, pred = heldout
    assert len(pred) >= 5
    assert rep.lenient["all"].f1 >= 0.90
    assert acc(rep, "value") >= 0.97
    assert acc(rep, "subject~") >= 0.68
    assert acc(rep, "change") >= 0.90
    assert acc(rep, "basis") >= 0.95


def test_every_offset_holds(corpus, root):
    _, pred = corpus
    for doc_id, rec in pred.items():
        text = (root / "corpora" / "articles" / doc_id).read_text(encoding="utf-8")
        for item in rec["indicators"] + rec["entities"]:
            assert text[item["start"]:item["end"]] == item["text"]
