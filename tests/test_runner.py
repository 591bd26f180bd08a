"""cnie extract: outputs, order, errors, workers, CLI messages (inputs built in tmp_path)."""
from __future__ import annotations

import hashlib
import os
import json
import re
from pathlib import Path

import pytest

from pipeline import cli
from pipeline.contract import Indicator, Record
from pipeline.runner import RunConfig, RunOptions, run, summary_paragraph
from pipeline.sources import InputError

SEED = Path(__file__).resolve().parents[1] / "corpora" / "articles" / "dongguan-2020-10-10.txt"
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
    assert recs[1]["source"] == {"path": str(arch / "b" / "c" / "d.txt"), "record": None, "encoding": "utf-8", "url": None}
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
    (arch / "bin.txt").write_bytes(bytes(range(256)) * 4)
    (arch / "r.jsonl").write_text('{"text": "记录 2件"}\n{"text": \n{"id": 5, "text": "又 9件"}\n', encoding="utf-8")
    run(_cfg([arch], tmp_path / "w1", workers=1))
    s = run(_cfg([arch], tmp_path / "w2", workers=2, chunk_size=3))
    for name in ("indicators.jsonl", "errors.jsonl"):
        assert (tmp_path / "w1" / name).read_bytes() == (tmp_path / "w2" / name).read_bytes()
    assert len((tmp_path / "w1" / "indicators.jsonl").read_bytes().splitlines()) == 25
    assert [e["doc_id"] for e in _lines(tmp_path / "w2" / "errors.jsonl")] == ["bin.txt", "r.jsonl#2"]
    assert s["articles"] == {"seen": 27, "ok": 25, "failed": 2}


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


# --- issue 4 item 9: bad input never stops the run -------------------------------------------

SIMP = "东莞时间网 2020-10-10\n记者从市委政法委获悉，2019年共成功调解案件46474件。"
TRAD = "東莞時間網 2020年10月10日\n記者從市委政法委獲悉，今年調解案件46474件，同比上升16.15%。"
PAGE = ("<html><head><title>页面标题</title><style>.a{content:'样式99件'}</style>"
        "<script>var s='脚本123件';</script></head><body><article><p>{body}</p>"
        "<script>console.log('77件')</script></article></body></html>")
_VANISH: list[Path] = []


def vanishing_extract(text, doc_id, source, meta, **kw):
    """Deletes the files listed in _VANISH when the first article is extracted."""
    while _VANISH:
        _VANISH.pop().unlink()
    return cheap_extract(text, doc_id, source, meta)


def _bad_archive(root: Path) -> Path:
    import os
    import random
    import socket

    root.mkdir()
    (root / "a_first.txt").write_text("第一篇 1件", encoding="utf-8")
    (root / "empty.txt").write_bytes(b"")
    (root / "binary.txt").write_bytes(random.Random(3).randbytes(5000))
    (root / "gbk.txt").write_bytes(SIMP.encode("gbk"))
    (root / "big5.txt").write_bytes(TRAD.encode("big5"))
    (root / "utf16.txt").write_bytes(SIMP.encode("utf-16"))
    (root / "huge.txt").write_bytes(("数据12件。" * 900_000).encode("utf-8"))  # 15 MB, 5.4 M characters
    (root / "records.jsonl").write_text('{"id": "r1", "text": "记录 5件"}\n{"id": "r2", "text": \n', encoding="utf-8")
    (root / "page.html").write_text(PAGE.replace("{body}", "页面正文，共8件。"), encoding="utf-8")
    (root / "nothing" / "inner").mkdir(parents=True)
    (root / "zz_vanish.txt").write_text("会消失 3件", encoding="utf-8")
    if os.geteuid() == 0:  # root reads any file: use a socket, which no one can read
        s = socket.socket(socket.AF_UNIX)
        s.bind(str(root / "unreadable.txt"))
        s.close()
    else:
        (root / "unreadable.txt").write_text("x")
        (root / "unreadable.txt").chmod(0)
    return root


def test_bad_input_archive_every_input_accounted(tmp_path):
    arch = _bad_archive(tmp_path / "arch")
    _VANISH[:] = [arch / "zz_vanish.txt"]
    s = run(_cfg([arch], tmp_path / "out", options=RunOptions(extractor=vanishing_extract, with_text=True)))
    recs = {r["doc_id"]: r for r in _lines(tmp_path / "out" / "indicators.jsonl")}
    errs = {e["doc_id"]: (e["stage"], e["error"]) for e in _lines(tmp_path / "out" / "errors.jsonl")}
    assert list(recs) == ["a_first.txt", "big5.txt", "gbk.txt", "page.html", "r1", "utf16.txt"]
    assert errs == {
        "binary.txt": ("decode", "BinaryFile"),
        "empty.txt": ("limit", "EmptyArticle"),
        "huge.txt": ("limit", "ArticleTooLong"),
        "records.jsonl#2": ("parse", "JSONDecodeError"),
        "unreadable.txt": ("read", "NotARegularFile") if os.geteuid() == 0 else ("read", "PermissionError"),
        "zz_vanish.txt": ("read", "FileNotFoundError"),
    }
    assert s["articles"] == {"seen": 12, "ok": 6, "failed": 6}
    assert s["articles"]["seen"] == s["articles"]["ok"] + s["articles"]["failed"]
    assert s["failures"] == {f"{stage}/{error}": 1 for stage, error in errs.values()}
    assert "6 failed (1 decode/BinaryFile, 1 limit/ArticleTooLong, " in summary_paragraph(s)
    enc = {d: r["source"]["encoding"] for d, r in recs.items()}
    assert enc == {"a_first.txt": "utf-8", "big5.txt": "big5", "gbk.txt": "gb18030", "page.html": "utf-8",
                   "r1": "utf-8", "utf16.txt": "utf-16"}
    texts = {t["doc_id"]: t["text"] for t in _lines(tmp_path / "out" / "texts.jsonl")}
    assert texts["gbk.txt"] == SIMP == texts["utf16.txt"] and texts["big5.txt"] == TRAD
    assert texts["page.html"] == "页面正文，共8件。"
    assert recs["page.html"]["meta"]["title"] == "页面标题"
    assert [(i["text"], i["value"]) for i in recs["page.html"]["indicators"]] == [("8件", 8)]
    assert [i["value"] for i in recs["gbk.txt"]["indicators"]] == [46474]
    msgs = {e["doc_id"]: e["message"] for e in _lines(tmp_path / "out" / "errors.jsonl")}
    assert msgs["huge.txt"] == "5400000 characters, more than --max-chars 1000000"
    assert msgs["zz_vanish.txt"] == "file vanished: no such file"


def test_huge_article_processed_without_limit(tmp_path):
    (tmp_path / "huge.txt").write_bytes(("开头12件。" + "数据正文。" * 1_100_000 + "结尾34件。").encode("utf-8"))
    s = run(_cfg([tmp_path / "huge.txt"], tmp_path / "out", options=RunOptions(extractor=cheap_extract, max_chars=0)))
    assert s["articles"] == {"seen": 1, "ok": 1, "failed": 0}
    assert s["characters"] == 5_500_012
    rec = _lines(tmp_path / "out" / "indicators.jsonl")[0]
    assert [(i["value"], i["start"]) for i in rec["indicators"]] == [(12, 2), (34, 5_500_008)]


# --- end to end through the real pipeline (pipeline.api) --------------------------------------


def test_end_to_end_real_pipeline_cli(tmp_path, capsys):
    seed = SEED.read_text(encoding="utf-8")
    arch = tmp_path / "arch"
    (arch / "a").mkdir(parents=True)
    (arch / "a" / "seed.txt").write_text(seed, encoding="utf-8")
    (arch / "b.txt").write_bytes(seed.encode("gbk"))
    (arch / "c.jsonl").write_text(json.dumps({"id": "j1", "title": "给定标题", "text": seed}, ensure_ascii=False) + "\n",
                                  encoding="utf-8")
    (arch / "d.txt").write_bytes(b"\x00\x01\x02" * 100)
    out = tmp_path / "out"
    rc = cli.main(["extract", str(arch), "-o", str(out), "--workers", "1", "--with-text"])
    err = capsys.readouterr().err
    assert rc == 0
    assert "4 articles seen, 3 ok, 1 failed" in err
    recs = _lines(out / "indicators.jsonl")
    texts = _lines(out / "texts.jsonl")
    assert [r["doc_id"] for r in recs] == ["a/seed.txt", "b.txt", "j1"] == [t["doc_id"] for t in texts]
    assert [r["source"]["encoding"] for r in recs] == ["utf-8", "gb18030", "utf-8"]
    assert recs[2]["source"]["record"] == 1
    assert recs[2]["meta"]["title"] == "给定标题"
    assert recs[0]["meta"]["title"] == seed.splitlines()[0].strip()
    assert recs[0]["meta"]["published"].startswith("2020-10-10")
    for r, t in zip(recs, texts):
        assert r["schema"] == "cnie/1"
        assert t["text"] == seed
        for item in r["indicators"] + r["entities"]:
            assert t["text"][item["start"]:item["end"]] == item["text"]
    strip = lambda r: {k: v for k, v in r.items() if k not in ("doc_id", "source", "meta")}  # noqa: E731
    assert strip(recs[0]) == strip(recs[1])  # GBK copy: same findings as the UTF-8 original
    assert len(recs[0]["entities"]) > 0
    assert _lines(out / "errors.jsonl")[0]["doc_id"] == "d.txt"
    # --strict: failures turn into exit status 1 (the resumed complete run is reused)
    assert cli.main(["extract", str(arch), "-o", str(out), "--workers", "1", "--with-text", "--resume",
                     "--strict", "--quiet"]) == 1
    # two spawned workers write the same bytes
    assert cli.main(["extract", str(arch), "-o", str(tmp_path / "w2"), "--workers", "2", "--with-text",
                     "--chunk-size", "1", "--quiet"]) == 0
    assert (tmp_path / "w2" / "indicators.jsonl").read_bytes() == (out / "indicators.jsonl").read_bytes()


def kw_extract(text, doc_id, source, meta, ner_model=None):
    rec = cheap_extract(text, doc_id, source, meta)
    rec.warnings.append(f"ner_model={ner_model}")
    return rec


def test_ner_model_is_passed_to_the_extractor(tmp_path):
    arch = _archive(tmp_path / "arch")
    model = tmp_path / "model"
    model.mkdir()
    run(_cfg([arch / "a.txt"], tmp_path / "o1", options=RunOptions(extractor=kw_extract, ner_model=str(model))))
    assert _lines(tmp_path / "o1" / "indicators.jsonl")[0]["warnings"] == [f"ner_model={model}"]
    run(_cfg([arch / "a.txt"], tmp_path / "o2", options=RunOptions(extractor=kw_extract)))
    assert _lines(tmp_path / "o2" / "indicators.jsonl")[0]["warnings"] == ["ner_model=None"]
    with pytest.raises(InputError, match="--ner-model is not a directory"):
        run(_cfg([arch], tmp_path / "o3", options=RunOptions(extractor=kw_extract, ner_model=str(tmp_path / "x"))))


def test_progress_bar_only_when_asked_or_on_a_terminal(tmp_path, capsys):
    arch = _archive(tmp_path / "arch")
    run(RunConfig(paths=[str(arch)], out=tmp_path / "o1", options=RunOptions(extractor=cheap_extract)))
    assert capsys.readouterr().err == ""  # stderr is not a terminal under pytest
    run(RunConfig(paths=[str(arch)], out=tmp_path / "o2", options=RunOptions(extractor=cheap_extract), progress=True))
    err = capsys.readouterr().err
    assert err.startswith("\rcnie extract: ") and "art/s" in err
    assert " 3/3 " in err or "3art " in err  # the total arrives from the counting thread, or not yet
    run(RunConfig(paths=[str(arch)], out=tmp_path / "o3", options=RunOptions(extractor=cheap_extract), progress=True,
                  quiet=True))
    assert capsys.readouterr().err == ""


def test_small_archive_runs_in_process_with_default_workers(tmp_path):
    arch = _archive(tmp_path / "arch")
    s = run(_cfg([arch], tmp_path / "o", workers=4, auto_workers=True))
    assert s["workers"] == 1 and s["articles"]["seen"] == 3


def crash_extract(text, doc_id, source, meta, **kw):
    if "CRASH" in text:
        os._exit(3)  # a worker dying under an article (segfault, OOM killer …)
    return cheap_extract(text, doc_id, source, meta)


def test_worker_death_is_reported_for_that_article_only(tmp_path):
    arch = tmp_path / "arch"
    arch.mkdir()
    for i in range(12):
        (arch / f"{i:02d}.txt").write_text(f"第{i}篇 {i}件" + (" CRASH" if i == 5 else ""), encoding="utf-8")
    s = run(_cfg([arch], tmp_path / "out", workers=2, chunk_size=3, options=RunOptions(extractor=crash_extract)))
    assert s["articles"] == {"seen": 12, "ok": 11, "failed": 1}
    recs = _lines(tmp_path / "out" / "indicators.jsonl")
    assert [r["doc_id"] for r in recs] == [f"{i:02d}.txt" for i in range(12) if i != 5]
    assert [r["indicators"][0]["value"] for r in recs] == [i for i in range(12) if i != 5]
    errs = _lines(tmp_path / "out" / "errors.jsonl")
    assert [(e["doc_id"], e["stage"], e["error"]) for e in errs] == [("05.txt", "worker", "WorkerDied")]


def test_lone_surrogates_never_break_the_output(tmp_path):
    p = tmp_path / "s.jsonl"
    p.write_text('{"id": "x\\udc00", "text": "前\\ud83d后 12件"}\n{"id": "y\\udc00"}\n', encoding="utf-8")
    s = run(_cfg([p], tmp_path / "out", options=RunOptions(extractor=cheap_extract, with_text=True)))
    assert s["articles"] == {"seen": 2, "ok": 1, "failed": 1}
    rec = _lines(tmp_path / "out" / "indicators.jsonl")[0]
    text = _lines(tmp_path / "out" / "texts.jsonl")[0]["text"]
    assert rec["doc_id"] == "x\ufffd" and text == "前\ufffd后 12件"
    assert [(text[i["start"]:i["end"]], i["value"]) for i in rec["indicators"]] == [("12件", 12)]
    assert _lines(tmp_path / "out" / "errors.jsonl")[0]["doc_id"] == "y\ufffd"


def test_output_inside_archive_is_not_read_and_output_equal_to_input_is_refused(tmp_path):
    from pipeline.runner import RunError

    arch = _archive(tmp_path / "arch")
    run(_cfg([arch], arch / "out"))
    s = run(_cfg([arch], arch / "out"))  # the second run must not read out/indicators.jsonl
    assert s["articles"]["seen"] == 3
    with pytest.raises(RunError, match="also an input"):
        run(_cfg([arch], arch))


def test_html_declared_charset_in_source_and_a_lie_in_warnings(tmp_path):
    arch = tmp_path / "arch"
    arch.mkdir()
    page = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset={cs}">'
            "<title>东莞</title></head><body><article><p>调解案件46474件。</p></article></body></html>")
    (arch / "honest.html").write_bytes(page.format(cs="gb2312").encode("gbk"))
    (arch / "liar.htm").write_bytes(page.format(cs="utf-8").encode("gbk"))
    s = run(_cfg([arch], tmp_path / "out", options=RunOptions(extractor=cheap_extract, with_text=True)))
    assert s["articles"] == {"seen": 2, "ok": 2, "failed": 0}
    recs = {r["doc_id"]: r for r in _lines(tmp_path / "out" / "indicators.jsonl")}
    assert {d: r["source"]["encoding"] for d, r in recs.items()} == {"honest.html": "gb18030", "liar.htm": "gb18030"}
    assert recs["honest.html"]["warnings"] == []
    first_non_ascii = page.format(cs="utf-8").index("东")  # everything before it is ASCII: bytes = characters
    assert recs["liar.htm"]["warnings"] == [
        f"read: the page declares charset utf-8 but its bytes do not decode as it (invalid start byte at byte "
        f"{first_non_ascii}); decoded as gb18030 (detected)"]
    texts = {t["doc_id"]: t["text"] for t in _lines(tmp_path / "out" / "texts.jsonl")}
    assert texts == {"honest.html": "调解案件46474件。", "liar.htm": "调解案件46474件。"}
    assert [i["value"] for r in recs.values() for i in r["indicators"]] == [46474, 46474]
