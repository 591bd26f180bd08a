"""cnie extract: outputs, order, errors, workers, CLI messages (inputs built in tmp_path)."""
from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from pipeline import cli
from pipeline.contract import Indicator, Record
from pipeline.runner import RunConfig, RunOptions, run, summary_paragraph
from pipeline.sources import InputError

SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "dongguan-2020-10-10.txt"
_NUM = re.compile(r"(\d+)件")


def cheap_extract(text, doc_id, source, meta, **kw):
    """A fast stand-in for pipeline.api.extract_record (runner mechanics only): N件 counts."""
    inds = [Indicator(type="count", text=m.group(), start=m.start(), end=m.end(), value=int(m.group(1)), unit="件")
            for m in _NUM.finditer(text)]
    return Record(doc_id=doc_id, source=source, meta=meta,
                  text_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(), indicators=inds)


def failing_extract(text, doc_id, source, meta, **kw):
    if "BOOM" in text:
        raise ValueError("synthetic failure")
    return cheap_extract(text, doc_id, source, meta)


def _archive(root: Path) -> Path:
    (root / "b" / "c").mkdir(parents=True)
    (root / "a.txt").write_text("甲 12件", encoding="utf-8")
    (root / "b" / "c" / "d.txt").write_text("乙 3件 和 4件", encoding="utf-8")
    (root / "b" / "z.md").write_text("丙 7件", encoding="utf-8")
    (root / "b" / "notes.bin").write_bytes(b"\x00\x01")
    (root / ".hidden.txt").write_text("隐 9件", encoding="utf-8")
    return root


def _lines(p: Path) -> list[dict]:
    return [json.loads(x) for x in p.read_text(encoding="utf-8").splitlines()]


def _cfg(paths, out, **kw) -> RunConfig:
    opts = kw.pop("options", RunOptions(extractor=cheap_extract))
    return RunConfig(paths=[str(p) for p in paths], out=Path(out), options=opts, quiet=True, **kw)


def test_directory_outputs_in_sorted_order_with_offsets(tmp_path):
    arch = _archive(tmp_path / "arch")
    s = run(_cfg([arch], tmp_path / "out", options=RunOptions(extractor=cheap_extract, with_text=True)))
    recs = _lines(tmp_path / "out" / "indicators.jsonl")
    assert [r["doc_id"] for r in recs] == ["a.txt", "b/c/d.txt", "b/z.md"]
    assert recs[1]["source"] == {"path": str(arch / "b" / "c" / "d.txt"), "record": None, "encoding": "utf-8"}
    texts = _lines(tmp_path / "out" / "texts.jsonl")
    assert [t["doc_id"] for t in texts] == ["a.txt", "b/c/d.txt", "b/z.md"]
    for rec, t in zip(recs, texts):
        assert rec["text_sha256"] == hashlib.sha256(t["text"].encode()).hexdigest()
        for ind in rec["indicators"]:
            assert t["text"][ind["start"]:ind["end"]] == ind["text"]
    assert [i["value"] for i in recs[1]["indicators"]] == [3, 4]
    assert s["articles"] == {"seen": 3, "ok": 3, "failed": 0}
    assert s["indicators"] == {"total": 4, "count": 4}
    assert s["skipped_files"] == 1
    assert json.loads((tmp_path / "out" / "summary.json").read_text()) == s
    assert (tmp_path / "out" / "errors.jsonl").read_text() == ""
    assert "3 articles seen, 3 ok, 0 failed" in summary_paragraph(s)


def test_single_file_doc_id_is_file_name(tmp_path):
    arch = _archive(tmp_path / "arch")
    run(_cfg([arch / "b" / "c" / "d.txt"], tmp_path / "out"))
    assert [r["doc_id"] for r in _lines(tmp_path / "out" / "indicators.jsonl")] == ["d.txt"]


def test_failed_article_goes_to_errors_and_strict_exit(tmp_path):
    arch = _archive(tmp_path / "arch")
    (arch / "b" / "e.txt").write_text("BOOM 5件", encoding="utf-8")
    s = run(_cfg([arch], tmp_path / "out", options=RunOptions(extractor=failing_extract)))
    assert s["articles"] == {"seen": 4, "ok": 3, "failed": 1}
    errs = _lines(tmp_path / "out" / "errors.jsonl")
    assert errs == [{"doc_id": "b/e.txt", "source": {"path": str(arch / "b" / "e.txt"), "record": None,
                                                      "encoding": "utf-8"},
                     "stage": "extract", "error": "ValueError", "message": "synthetic failure"}]


def test_workers_output_byte_identical(tmp_path):
    arch = tmp_path / "arch"
    arch.mkdir()
    for i in range(23):
        (arch / f"{i:03d}.txt").write_text(f"第{i}篇 {i * 7}件 {i}件", encoding="utf-8")
    run(_cfg([arch], tmp_path / "w1", workers=1))
    run(_cfg([arch], tmp_path / "w2", workers=2, chunk_size=3))
    a = (tmp_path / "w1" / "indicators.jsonl").read_bytes()
    assert a == (tmp_path / "w2" / "indicators.jsonl").read_bytes()
    assert len(a.splitlines()) == 23


@pytest.mark.parametrize("setup, expected", [
    (lambda t: [str(t / "missing")], "missing: no such file or directory"),
    (lambda t: [str((t / "empty").mkdir() or t / "empty")], "empty: directory holds no articles"),
])
def test_cli_input_errors(tmp_path, capsys, setup, expected):
    rc = cli.main(["extract", *setup(tmp_path), "-o", str(tmp_path / "out")])
    err = capsys.readouterr().err.strip()
    assert rc == 2
    assert err.startswith("cnie extract: error: ") and expected in err
    assert len(err.splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_cli_unwritable_output(tmp_path, capsys):
    arch = _archive(tmp_path / "arch")
    (tmp_path / "file").write_text("x")
    rc = cli.main(["extract", str(arch), "-o", str(tmp_path / "file" / "out")])
    err = capsys.readouterr().err.strip()
    assert rc == 2
    assert "cannot write output directory" in err and len(err.splitlines()) == 1


def test_check_paths_raises_input_error(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        run(_cfg([tmp_path / "nope"], tmp_path / "out"))
