"""cnie export and pipeline.load: one row per indicator / entity, exact values, all formats."""
from __future__ import annotations

import pandas as pd
import pytest

import pipeline
from pipeline import cli
from pipeline.contract import Entity, Indicator, Meta, Record, Source, Span
from pipeline.export import ENTITY_COLUMNS, INDICATOR_COLUMNS, load, load_entities

TEXT_A = "2019年共成功调解案件46474件，同比上升16.15%。"
_I, _P = TEXT_A.index("46474件"), TEXT_A.index("16.15%")


def _records() -> list[Record]:
    a = Record(
        doc_id="a/1.txt", source=Source(path="arch/a/1.txt", encoding="utf-8"),
        meta=Meta(title="标题甲", published="2020-10-10T08:16:45"), text_sha256="0" * 64,
        indicators=[
            Indicator(type="count", text="46474件", start=_I, end=_I + 6, value=46474, unit="件", subject="成功调解案件",
                      time="2019年", sentence=Span(0, 30)),
            Indicator(type="percentage", text="16.15%", start=_P, end=_P + 6, value=16.15, unit="%", change="increase",
                      basis="同比", sentence=Span(0, 30)),
        ],
        entities=[Entity(label="ORG", text="市委政法委", start=0, end=5, normalized="东莞市委政法委员会")],
    )
    b = Record(doc_id="j1", source=Source(path="d.jsonl", record=3, encoding="utf-8"), meta=Meta(),
               text_sha256="1" * 64,
               indicators=[Indicator(type="money", text="288.5万元", start=2, end=9, value=2885000, unit="元",
                                     approx=True, qualifier="approx", low=2885000, high=2895000)])
    c = Record(doc_id="empty", source=Source(), meta=Meta(title="无指标"), text_sha256="2" * 64)
    return [a, b, c]


def _outdir(tmp_path):
    d = tmp_path / "out"
    d.mkdir()
    (d / "indicators.jsonl").write_text("".join(r.to_json() + "\n" for r in _records()), encoding="utf-8")
    return d


def test_load_indicators_rows_and_columns(tmp_path):
    outdir = _outdir(tmp_path)
    df = load(outdir)
    assert tuple(df.columns) == INDICATOR_COLUMNS
    assert list(df.columns[:15]) == ["doc_id", "title", "published", "type", "value", "unit", "subject", "time",
                                     "scope", "change", "basis", "org", "text", "start", "end"]
    assert len(df) == 3
    assert df["doc_id"].tolist() == ["a/1.txt", "a/1.txt", "j1"]
    assert df["type"].tolist() == ["count", "percentage", "money"]
    assert df["value"].tolist() == [46474, 16.15, 2885000]
    assert df["title"].tolist()[:2] == ["标题甲", "标题甲"] and pd.isna(df["title"].iloc[2])
    r0 = df.iloc[0]
    assert (r0["subject"], r0["time"], r0["start"], r0["end"], r0["sentence_start"], r0["sentence_end"]) == \
        ("成功调解案件", "2019年", 12, 18, 0, 30)
    assert TEXT_A[r0["start"]:r0["end"]] == r0["text"] == "46474件"
    r1 = df.iloc[1]
    assert (r1["change"], r1["basis"], r1["unit"]) == ("increase", "同比", "%")
    r2 = df.iloc[2]
    assert (bool(r2["approx"]), r2["qualifier"], r2["low"], r2["high"], r2["source_record"]) == \
        (True, "approx", 2885000, 2895000, 3)
    assert pipeline.load(outdir).equals(df)
    assert load(outdir / "indicators.jsonl").equals(df)


def test_load_entities(tmp_path):
    outdir = _outdir(tmp_path)
    df = load_entities(outdir)
    assert tuple(df.columns) == ENTITY_COLUMNS
    assert df.to_dict("records") == [{
        "doc_id": "a/1.txt", "title": "标题甲", "published": "2020-10-10T08:16:45", "label": "ORG",
        "text": "市委政法委", "start": 0, "end": 5, "normalized": "东莞市委政法委员会", "generic": False,
        "source_path": "arch/a/1.txt", "source_record": None}]


def test_empty_output_has_columns(tmp_path):
    (tmp_path / "indicators.jsonl").write_text("")
    df = load(tmp_path)
    assert len(df) == 0 and tuple(df.columns) == INDICATOR_COLUMNS


def test_incomplete_last_line_is_skipped_with_warning(tmp_path):
    outdir = _outdir(tmp_path)
    with open(outdir / "indicators.jsonl", "a", encoding="utf-8") as f:
        f.write('{"schema":"cnie/1","doc_id":"tor')
    with pytest.warns(UserWarning, match="incomplete last line"):
        df = load(outdir)
    assert len(df) == 3


@pytest.mark.parametrize("fmt, files", [("csv", ["indicators.csv", "entities.csv"]),
                                        ("parquet", ["indicators.parquet", "entities.parquet"])])
def test_cli_export_round_trip(tmp_path, capsys, fmt, files):
    outdir = _outdir(tmp_path)
    dest = tmp_path / "tables"
    assert cli.main(["export", str(outdir), "--format", fmt, "--out", str(dest)]) == 0
    assert capsys.readouterr().out.split() == [str(dest / f) for f in files]
    read = pd.read_csv if fmt == "csv" else pd.read_parquet
    ind = read(dest / files[0])
    assert ind["value"].tolist() == [46474, 16.15, 2885000]
    assert ind["subject"].tolist()[0] == "成功调解案件"
    assert ind["start"].tolist() == [12, 23, 2]
    ent = read(dest / files[1])
    assert ent["normalized"].tolist() == ["东莞市委政法委员会"]
    if fmt == "csv":
        assert (dest / files[0]).read_bytes().startswith(b"\xef\xbb\xbfdoc_id,title,published,type,value")


def test_cli_export_xlsx(tmp_path):
    outdir = _outdir(tmp_path)
    pytest.importorskip("openpyxl")
    assert cli.main(["export", str(outdir), "--format", "xlsx"]) == 0
    sheets = pd.read_excel(outdir / "cnie.xlsx", sheet_name=None)
    assert list(sheets) == ["indicators", "entities"]
    assert sheets["indicators"]["text"].tolist() == ["46474件", "16.15%", "288.5万元"]
    assert sheets["entities"]["text"].tolist() == ["市委政法委"]


def test_cli_export_missing_dir(tmp_path, capsys):
    assert cli.main(["export", str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("cnie export: error:") and "no such file" in err
