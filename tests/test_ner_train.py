"""pipeline.ner_train: corpus readers, and a tiny end-to-end training run on sentences the test
writes (the model learns one organisation name and is combined with the rules)."""
from __future__ import annotations

import json

import pytest

from pipeline import ner_train, orgs


def test_read_cluener_jsonl_maps_labels_and_makes_end_exclusive(tmp_path):
    p = tmp_path / "t.json"
    rec = {"text": "张三在星辰科技工作，住在北京。",
           "label": {"name": {"张三": [[0, 1]]}, "company": {"星辰科技": [[3, 6]]},
                     "address": {"北京": [[12, 13]]}, "game": {"工作": [[7, 8]]}}}
    p.write_text(json.dumps(rec, ensure_ascii=False) + "\n", encoding="utf-8")
    (s,) = ner_train.read_corpus(p)
    assert s.text == rec["text"]
    assert s.spans == [(0, 2, "PER"), (3, 7, "ORG"), (12, 14, "LOC")]


def test_read_bio_and_bioes(tmp_path):
    p = tmp_path / "t.bio"
    p.write_text("新 B-ORG\n华 I-ORG\n社 I-ORG\n报 O\n道 O\n\n北 S-LOC\n京 O\n李 B-PER\n四 E-PER\n", encoding="utf-8")
    a, b = ner_train.read_corpus(p)
    assert (a.text, a.spans) == ("新华社报道", [(0, 3, "ORG")])
    assert (b.text, b.spans) == ("北京李四", [(0, 1, "LOC"), (2, 4, "PER")])


def test_bad_jsonl_line_names_file_and_line(tmp_path):
    p = tmp_path / "bad.json"
    p.write_text('{"text": "好", "label": {}}\n{"label": 3}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad.json:2"):
        ner_train.read_corpus(p)


def _tiny_corpus(path):
    names = ["星辰科技", "蓝海集团", "启明公司"]
    frames = ["{}发布了新产品。", "记者走访了{}。", "{}今年营收增长。", "我们和{}签了合同。"]
    with open(path, "w", encoding="utf-8") as f:
        for i in range(12):
            for n in names:
                fr = frames[i % len(frames)]
                text = fr.format(n)
                s = text.index(n)
                f.write(json.dumps({"text": text, "label": {"company": {n: [[s, s + len(n) - 1]]}}},
                                   ensure_ascii=False) + "\n")


def test_train_load_and_combine_with_rules(tmp_path):
    train, dev, out = tmp_path / "train.json", tmp_path / "dev.json", tmp_path / "model"
    _tiny_corpus(train)
    _tiny_corpus(dev)
    best = ner_train.train(train, dev, out, epochs=10, max_minutes=1.5, batch_size=4,
                           log=lambda m: None)
    assert best["ents_f"] > 0.5
    assert (out / "meta.json").is_file() and (out / "cnie-train.json").is_file()
    model = orgs.load_ner_model(str(out))
    text = "记者走访了星辰科技。市委政法委通报情况。"
    ents = orgs.find_entities(text, locality="东莞市", model=model)
    for e in ents:
        assert text[e.start:e.end] == e.text
    got = {(e.label, e.text) for e in ents}
    assert ("ORG", "星辰科技") in got      # from the model
    assert ("ORG", "市委政法委") in got    # from the rules, normalised
    assert next(e for e in ents if e.text == "市委政法委").normalized == "东莞市委政法委员会"


def test_cli_registers_train_ner():
    from pipeline.cli import build_parser

    args = build_parser().parse_args(["train-ner", "a.json", "b.json", "-o", "m", "--epochs", "2"])
    assert args.func is not None and args.epochs == 2 and args.output == "m"
