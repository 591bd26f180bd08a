"""spaCy component ``cnie_indicators``: cnie's record on a ``Doc``.

Takes a ``Doc`` (any tokenizer; :func:`pipeline.segment.make_nlp` gives the jieba one);
runs :func:`pipeline.api.extract_record` on ``doc.text`` and sets

* ``doc._.cnie`` — the ``cnie/1`` record (dict), exactly what ``pipeline.extract`` returns;
* ``doc.spans["cnie_indicators"]`` — one ``Span`` per indicator, labelled with its type, and
  ``span._.indicator`` (the indicator dict). Spans are bridged to tokens with
  ``alignment_mode="expand"`` when a figure ends inside a jieba word; the count of such
  spans is ``doc._.cnie_misaligned`` (the character offsets in the record stay exact).

Usage: ``nlp = spacy.blank("zh"); nlp.add_pipe("cnie_indicators")`` (the factory is found
through the ``spacy_factories`` entry point, or by importing this module).
"""
from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span

SPANS_KEY = "cnie_indicators"


def _register_extensions() -> None:
    for name in ("cnie", "cnie_misaligned"):
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=None)
    if not Span.has_extension("indicator"):
        Span.set_extension("indicator", default=None)


class CnieIndicators:
    def __init__(self, nlp: Language, name: str, spans_key: str = SPANS_KEY):
        self.name = name
        self.spans_key = spans_key
        _register_extensions()

    def __call__(self, doc: Doc) -> Doc:
        from .api import extract_record

        record = extract_record(doc.text).to_dict()
        doc._.cnie = record
        spans, misaligned = [], 0
        for ind in record["indicators"]:
            span = doc.char_span(ind["start"], ind["end"], label=ind["type"], alignment_mode="expand")
            if span is None:
                misaligned += 1
                continue
            if (span.start_char, span.end_char) != (ind["start"], ind["end"]):
                misaligned += 1
            span._.indicator = ind
            spans.append(span)
        doc.spans[self.spans_key] = spans
        doc._.cnie_misaligned = misaligned
        return doc


@Language.factory("cnie_indicators", default_config={"spans_key": SPANS_KEY})
def make_indicators(nlp: Language, name: str, spans_key: str) -> CnieIndicators:
    return CnieIndicators(nlp, name, spans_key)
