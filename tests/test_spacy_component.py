"""The spaCy component: cnie_indicators on a Doc, same record as the library."""
from __future__ import annotations

import spacy

import pipeline
from pipeline.segment import make_nlp


def test_component_on_jieba_doc(seed_text):
    nlp = make_nlp()
    nlp.add_pipe("cnie_indicators")
    doc = nlp(seed_text)
    rec = pipeline.extract(seed_text)
    assert doc._.cnie["indicators"] == rec["indicators"]
    spans = doc.spans["cnie_indicators"]
    assert len(spans) + doc._.cnie_misaligned >= len(rec["indicators"])
    for span in spans:
        ind = span._.indicator
        assert span.label_ == ind["type"]
        assert span.start_char <= ind["start"] and ind["end"] <= span.end_char


def test_component_on_blank_zh_char_tokenizer():
    nlp = spacy.blank("zh")  # per-character tokens: every span aligns exactly
    nlp.add_pipe("cnie_indicators")
    text = "2019年共成功调解案件46474件，同比上升23.21%。"
    doc = nlp(text)
    assert doc._.cnie_misaligned == 0
    assert [s.text for s in doc.spans["cnie_indicators"]] == ["46474件", "23.21%"]
    assert [s.label_ for s in doc.spans["cnie_indicators"]] == ["count", "percentage"]


def test_misaligned_spans_are_expanded_and_counted():
    from spacy.tokens import Doc

    nlp = make_nlp()
    component = nlp.add_pipe("cnie_indicators")
    # a tokenisation whose word boundary cuts through the figure: 培训4 | .56万人次 | 。
    doc = component(Doc(nlp.vocab, words=["培训4", ".56万人次", "。"], spaces=[False, False, False]))
    assert doc._.cnie["indicators"][0]["text"] == "4.56万人次"
    (span,) = doc.spans["cnie_indicators"]
    assert span.text == "培训4.56万人次"          # expanded to whole tokens
    assert doc._.cnie_misaligned == 1
    assert span._.indicator["start"] == 2        # the record keeps the exact offsets
