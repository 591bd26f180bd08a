"""pipeline.attribution: spec table of own sentences (figure → owning organisation)."""
from __future__ import annotations

from pathlib import Path

import pytest

from pipeline import orgs
from pipeline.attribution import attribute_org
from pipeline.contract import Entity

SPECS = Path(__file__).parent / "specs"


def _rows():
    for line in (SPECS / "orgs_attribution.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            yield line.split("\t")


@pytest.mark.parametrize("sentence,figure,want", [pytest.param(*r[1:], id=r[0]) for r in _rows()])
def test_spec(sentence, figure, want):
    ents = orgs.find_entities(sentence, locality="")
    got = attribute_org(sentence, 0, len(sentence), sentence.index(figure), ents)
    assert got == (None if want == "-" else want)


def test_only_orgs_inside_the_sentence_count():
    text = "市委政法委召开会议。全年实施司法救助52宗。"
    ents = orgs.find_entities(text, locality="")
    s = text.index("全年")
    assert attribute_org(text, s, len(text), text.index("52宗"), ents) is None
    assert attribute_org(text, 0, len(text), text.index("52宗"), ents) == "市委政法委"


@pytest.mark.parametrize("args", [(-1, 5, 2), (0, 5, 9), (4, 2, 3)])
def test_bad_offsets_give_none(args):
    text = "检察机关批捕32件。"
    ents = [Entity("ORG", "检察机关", 0, 4)]
    assert attribute_org(text, *args, ents) is None
