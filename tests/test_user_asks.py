"""Rows of shared/USER-ASKS.md not covered by a module's own spec tables (see docs/USER-ASKS.md)."""
from __future__ import annotations

import subprocess
import sys
import textwrap

import pipeline


def test_row32_no_network_at_run_time(tmp_path):
    """Row 32: everything ships in the package; a fresh process with sockets disabled extracts."""
    code = textwrap.dedent("""
        import socket
        def refuse(*a, **k):
            raise OSError("network disabled by the test")
        socket.socket.connect = refuse
        socket.socket.connect_ex = refuse
        socket.create_connection = refuse
        socket.getaddrinfo = refuse
        import pipeline, spacy
        from pipeline.segment import make_nlp
        rec = pipeline.extract("市委政法委介绍，2019年共成功调解案件46474件，同比上升23.21%。")
        assert [i["text"] for i in rec["indicators"]] == ["46474件", "23.21%"], rec
        assert any(e["text"] == "市委政法委" for e in rec["entities"]), rec["entities"]
        nlp = make_nlp(("cnie_orgs", "cnie_indicators"))
        doc = nlp("东莞法院2019年共成功调解案件7818件。")
        assert [s.text for s in doc.spans["cnie_indicators"]] == ["7818件"]
        print("ok")
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().endswith("ok")


def test_row23_code_point_offsets_with_astral_characters():
    """Row 23: offsets are code points, so characters outside the BMP (emoji, 𠀀) do not shift them."""
    text = "😀𠀀全市共办理案件1,234件，增长１２．５％。"
    rec = pipeline.extract(text)
    assert [(i["text"], i["start"]) for i in rec["indicators"]] == [("1,234件", 9), ("１２．５％", 18)]
    for i in rec["indicators"]:
        assert text[i["start"]:i["end"]] == i["text"]


def test_row20_odd_inputs_give_records_not_errors():
    """Row 20: '-w', '百万', '14万一' give a record (possibly empty), never a traceback."""
    for text in ("-w", "百万", "14万一", "....", "\x00", "第" * 1000):
        rec = pipeline.extract(text)
        assert rec["schema"] == "cnie/1" and isinstance(rec["indicators"], list)
        assert not [w for w in rec["warnings"] if "Error" in w]
