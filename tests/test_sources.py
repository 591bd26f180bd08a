"""Archive walking: directory order, JSONL(.gz), CSV, Parquet, stdin, field options, doc_ids."""
from __future__ import annotations

import gzip
import io
import json
import sys

import pandas as pd
import pytest

from pipeline.read import ReadError
from pipeline.sources import InputError, SourceOptions, check_paths, iter_tasks, kind_of


def _load_all(paths, opts=SourceOptions()):
    """(doc_id, record, text or error message, title, published, encoding) per task."""
    out = []
    for t in iter_tasks([str(p) for p in paths], opts):
        try:
            a = t.load()
            out.append((a.doc_id, a.source.record, a.text, a.meta.title, a.meta.published, a.source.encoding))
        except ReadError as e:
            out.append((t.doc_id, t.record, f"ERROR {e.stage}: {e.message}", None, None, None))
    return out


@pytest.mark.parametrize("name, kind", [
    ("a.txt", "text"), ("A.TXT", "text"), ("n.md", "text"), ("p.html", "html"), ("p.htm", "html"),
    ("x.jsonl", "jsonl"), ("x.jsonl.gz", "jsonl"), ("x.ndjson", "jsonl"), ("t.csv", "csv"), ("t.tsv", "csv"),
    ("t.parquet", "parquet"), ("img.png", None), ("x.json", None), ("noext", None),
])
def test_kind_of(name, kind):
    assert kind_of(name) == kind


def test_directory_walk_sorted_recursive_skips_hidden_and_output(tmp_path):
    root = tmp_path / "arch"
    for rel in ("b/2.txt", "b/10.txt", "a.txt", "c/d/e.md", ".git/x.txt", "b/.swp.txt", "out/indicators.jsonl",
                "z.png"):
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("正文", encoding="utf-8")
    opts = SourceOptions(exclude=(str(root / "out"),))
    ids = [t.doc_id for t in iter_tasks([str(root)], opts)]
    assert ids == ["a.txt", "b/10.txt", "b/2.txt", "c/d/e.md"]
    # a second argument comes after the first, a single file is named by its file name
    ids = [t.doc_id for t in iter_tasks([str(root / "c"), str(root / "a.txt")], opts)]
    assert ids == ["d/e.md", "a.txt"]


ROWS = [
    {"id": "x-1", "title": "标题一", "published": "2021-09-17", "text": "正文一：12件。"},
    {"id": "x-2", "text": "正文二"},
    {"url": "http://example.cn/3.html", "content": "正文三"},
    {"title": "无正文"},
    {"text": "正文五"},
]


def _write_jsonl(path, rows, extra_lines=()):
    lines = [json.dumps(r, ensure_ascii=False) for r in rows] + list(extra_lines)
    data = ("\n".join(lines) + "\n").encode("utf-8")
    if path.name.endswith(".gz"):
        data = gzip.compress(data)
    path.write_bytes(data)


@pytest.mark.parametrize("name", ["docs.jsonl", "docs.jsonl.gz"])
def test_jsonl_records_defaults(tmp_path, name):
    p = tmp_path / name
    _write_jsonl(p, ROWS, ["", '{"id": "broken", "text": ', "[1, 2]"])
    got = _load_all([p])
    assert got[0] == ("x-1", 1, "正文一：12件。", "标题一", "2021-09-17", "utf-8")
    assert got[1] == ("x-2", 2, "正文二", None, None, "utf-8")
    assert got[2] == ("http://example.cn/3.html", 3, "正文三", None, None, "utf-8")  # url as id, content as text
    assert got[3][0] == f"{name}#4" and got[3][2].startswith("ERROR parse: record has no text field")
    assert got[4] == (f"{name}#5", 5, "正文五", None, None, "utf-8")
    # line 6 is blank (skipped); 7 malformed; 8 not an object
    assert got[5][:2] == (f"{name}#7", 7) and got[5][2].startswith("ERROR parse: malformed JSONL line")
    assert got[6][:2] == (f"{name}#8", 8) and got[6][2] == "ERROR parse: record is a JSON list, not an object"
    assert len(got) == 7


def test_jsonl_explicit_fields(tmp_path):
    p = tmp_path / "d.jsonl"
    _write_jsonl(p, [{"正文": "内容甲", "编号": 7, "标题": "题", "日期": "2021-01-02", "text": "不用"}])
    opts = SourceOptions(text_field="正文", id_field="编号", title_field="标题", date_field="日期")
    assert _load_all([p], opts) == [("7", 1, "内容甲", "题", "2021-01-02", "utf-8")]


def test_csv_records_with_newlines_and_gbk(tmp_path):
    p = tmp_path / "t.csv"
    df = pd.DataFrame({"id": ["a", "b"], "title": ["甲", "乙"], "text": ["第一段\n第二段，12件。", "另一篇"]})
    p.write_bytes(df.to_csv(index=False).encode("gbk"))
    got = _load_all([p])
    assert got == [("a", 1, "第一段\n第二段，12件。", "甲", None, "gb18030"),
                   ("b", 2, "另一篇", "乙", None, "gb18030")]


def test_parquet_records(tmp_path):
    p = tmp_path / "t.parquet"
    pd.DataFrame({"doc_id": ["p1", "p2", "p3"], "body": ["甲文", None, "丙文"],
                  "date": ["2020-01-01", None, "2020-03-03"]}).to_parquet(p)
    got = _load_all([p])
    assert got[0] == ("p1", 1, "甲文", None, "2020-01-01", None)
    assert got[1][0] == "p2" and got[1][2].startswith("ERROR parse: record has no text field")
    assert got[2] == ("p3", 3, "丙文", None, "2020-03-03", None)


class _Stdin:
    def __init__(self, data: bytes):
        self.buffer = io.BufferedReader(io.BytesIO(data))


def test_stdin_jsonl_and_text(monkeypatch):
    monkeypatch.setattr(sys, "stdin", _Stdin('{"id": "s1", "text": "标准输入"}\n{"text": "二"}\n'.encode()))
    assert _load_all(["-"]) == [("s1", 1, "标准输入", None, None, "utf-8"), ("stdin#2", 2, "二", None, None, "utf-8")]
    monkeypatch.setattr(sys, "stdin", _Stdin("一篇文章\n第二行".encode("gbk")))
    assert _load_all(["-"]) == [("stdin", None, "一篇文章\n第二行", None, None, "gb18030")]


def test_check_paths(tmp_path):
    (tmp_path / "empty" / "sub").mkdir(parents=True)
    (tmp_path / "empty" / "sub" / "x.png").write_bytes(b"\x89PNG")
    with pytest.raises(InputError, match="no such file"):
        check_paths([str(tmp_path / "nope")], SourceOptions())
    with pytest.raises(InputError, match="holds no articles"):
        check_paths([str(tmp_path / "empty")], SourceOptions())
    (tmp_path / "x.docx").write_bytes(b"PK")
    with pytest.raises(InputError, match="unknown file type"):
        check_paths([str(tmp_path / "x.docx")], SourceOptions())
    check_paths([str(tmp_path / "x.docx")], SourceOptions(input_format="text"))  # forced format is fine


def test_count_tasks_matches_iter_tasks(tmp_path):
    root = tmp_path / "arch"
    (root / "sub").mkdir(parents=True)
    (root / "a.txt").write_text("甲", encoding="utf-8")
    (root / "sub" / "p.html").write_text("<p>乙</p>", encoding="utf-8")
    _write_jsonl(root / "sub" / "d.jsonl.gz", ROWS, ["", "{broken"])
    pd.DataFrame({"text": ["一", "二", "三"]}).to_parquet(root / "t.parquet")
    (root / "t.csv").write_text("text\n\"多\n行\"\n单行\n", encoding="utf-8")
    from pipeline.sources import count_tasks

    expected = sum(1 for _ in iter_tasks([str(root), str(root / "a.txt")], SourceOptions()))
    assert expected == 1 + 1 + 6 + 3 + 2 + 1
    assert count_tasks([str(root), str(root / "a.txt")], SourceOptions()) == expected


def test_lone_surrogates_in_json_become_replacement_characters(tmp_path):
    p = tmp_path / "s.jsonl"
    p.write_text('{"id": "e\\ud83d", "title": "半个\\ud83d表情", "text": "前\\ud83d后 12件"}\n', encoding="utf-8")
    got = _load_all([p])
    assert got == [("e\ufffd", 1, "前\ufffd后 12件", "半个\ufffd表情", None, "utf-8")]
    assert len(got[0][2]) == len("前\ud83d后 12件")


def test_url_field_goes_into_source(tmp_path):
    import json

    from pipeline.cli import main

    p = tmp_path / "a.jsonl"
    p.write_text(json.dumps({"id": "x1", "url": "http://example.cn/1.html", "date": "2021/09/17",
                             "text": "2019年共成功调解案件46474件。"}, ensure_ascii=False) + "\n", encoding="utf-8")
    assert main(["extract", str(p), "-o", str(tmp_path / "out"), "--quiet", "--workers", "1"]) == 0
    rec = json.loads((tmp_path / "out" / "indicators.jsonl").read_text(encoding="utf-8"))
    assert rec["source"]["url"] == "http://example.cn/1.html"
    assert rec["meta"]["published"] == "2021-09-17"
    assert rec["indicators"][0]["period"] == "2019"
