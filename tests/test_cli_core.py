"""`cnie show` and `cnie eval` end to end (the `extract` command has its own tests)."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from pipeline.cli import main


def test_show_table(capsys, root):
    assert main(["show", str(root / "corpora/articles/dongguan-2020-10-10.txt")]) == 0
    out = capsys.readouterr().out
    assert "46474件" in out and "成功调解案件" in out
    assert out.splitlines()[0].startswith("平安东莞①|东莞市综治考评蝉联全省第二 | 东莞时间网")


def test_show_json_equals_library(capsys, root, seed_text):
    import pipeline

    assert main(["show", "--json", str(root / "corpora/articles/dongguan-2020-10-10.txt")]) == 0
    rec = json.loads(capsys.readouterr().out)
    lib = pipeline.extract(seed_text, doc_id="dongguan-2020-10-10.txt")
    assert rec["indicators"] == lib["indicators"]


def test_show_missing_file(capsys):
    assert main(["show", "/nonexistent/article.txt"]) == 2
    assert "no such file" in capsys.readouterr().err


def test_eval_gold_against_itself(capsys, root):
    gold = root / "corpora/gold/dongguan-2020-10-10.json"
    assert main(["eval", str(gold), str(gold), "--json"]) == 0
    rep = json.loads(capsys.readouterr().out)
    assert rep["strict"]["all"]["f1"] == 1.0 and rep["lenient"]["all"]["f1"] == 1.0
    assert rep["fields"]["value"]["accuracy"] == 1.0


def test_eval_counts_misses_and_spurious(tmp_path, capsys, root):
    gold = json.loads((root / "corpora/gold/dongguan-2020-10-10.json").read_text("utf-8"))
    pred = dict(gold)
    inds = [dict(i) for i in gold["indicators"]]
    dropped = inds.pop(0)                                   # one miss
    inds[0] = dict(inds[0], value=inds[0]["value"] + 1)     # one wrong value: strict miss, lenient hit
    inds.append(dict(dropped, type="money"))                # one spurious item of another type
    pred["indicators"] = inds
    p = tmp_path / "pred.jsonl"
    p.write_text(json.dumps(pred, ensure_ascii=False) + "\n", encoding="utf-8")
    assert main(["eval", str(p), str(root / "corpora/gold/dongguan-2020-10-10.json"), "--json"]) == 0
    rep = json.loads(capsys.readouterr().out)
    n = len(gold["indicators"])
    assert rep["lenient"]["all"] == {"tp": n - 1, "fp": 1, "fn": 1, "precision": round((n - 1) / n, 4),
                                     "recall": round((n - 1) / n, 4), "f1": round((n - 1) / n, 4)}
    assert rep["strict"]["all"]["tp"] == n - 2
    assert rep["fields"]["value"]["correct"] == n - 2


def test_eval_errors_list_entity_misses_and_spurious(tmp_path, root):
    gold_path = root / "corpora/gold/dongguan-2020-10-10.json"
    gold = json.loads(gold_path.read_text("utf-8"))
    pred = dict(gold)
    ents = [dict(e) for e in gold["entities"]]
    lost = ents.pop(0)
    ents.append(dict(lost, label="ORG" if lost["label"] != "ORG" else "LOC"))  # same span, other label
    pred["entities"] = ents
    p = tmp_path / "pred.jsonl"
    p.write_text(json.dumps(pred, ensure_ascii=False) + "\n", encoding="utf-8")
    errors = tmp_path / "errors.jsonl"
    assert main(["eval", str(p), str(gold_path), "--errors", str(errors)]) == 0
    lines = [json.loads(x) for x in errors.read_text("utf-8").splitlines()]
    ent = [(e["kind"], e["label"], e["start"], e["end"], e["text"]) for e in lines if e["kind"].startswith("entity")]
    other = "ORG" if lost["label"] != "ORG" else "LOC"
    assert other in {e["label"] for e in gold["entities"]}  # a label the gold annotates is scored
    assert ("entity_missed", lost["label"], lost["start"], lost["end"], lost["text"]) in ent
    assert ("entity_spurious", other, lost["start"], lost["end"], lost["text"]) in ent


def test_eval_missing_paths(capsys, tmp_path):
    assert main(["eval", str(tmp_path / "nope.jsonl"), str(tmp_path / "gold")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_console_script_runs():
    out = subprocess.run([sys.executable, "-m", "pipeline.cli", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.startswith("cnie ")
