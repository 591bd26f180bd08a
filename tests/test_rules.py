"""Rule files: bad files fail at load with file, line and reason; references compose."""
from __future__ import annotations

import pytest

from pipeline.rules import RuleError, load_patterns, load_table


def test_table_reports_file_line_and_reason(tmp_path):
    p = tmp_path / "bad.tsv"
    p.write_text("# comment\n件\titem\n人\tperson\n件\tdup\n", encoding="utf-8")
    with pytest.raises(RuleError) as e:
        load_table(p)
    assert e.value.path == str(p) and e.value.line == 4
    assert "duplicate" in e.value.reason
    assert str(e.value).startswith(f"{p}:4: ")


def test_table_column_count(tmp_path):
    p = tmp_path / "cols.tsv"
    p.write_text("a\tb\nc\n", encoding="utf-8")
    with pytest.raises(RuleError) as e:
        load_table(p, min_cols=2)
    assert e.value.line == 2


def test_table_not_utf8(tmp_path):
    p = tmp_path / "gbk.tsv"
    p.write_bytes("件\titem\n".encode("gbk"))
    with pytest.raises(RuleError, match="not UTF-8"):
        load_table(p)


def test_patterns_compose_and_expand_lexicons(tmp_path):
    (tmp_path / "w.tsv").write_text("人\n人次\n", encoding="utf-8")
    (tmp_path / "a.patterns").write_text(
        "NUM = \\d+\nMW = {@w.tsv}\nCOUNT = {NUM}{MW}\nHAN = \\p{Han}{2,4}\n", encoding="utf-8")
    pats = load_patterns(tmp_path / "a.patterns")
    assert pats["COUNT"].fullmatch("12人次")
    assert pats["COUNT"].match("12人次").group() == "12人次"  # longest lexicon entry first
    assert pats["HAN"].fullmatch("东莞")  # \p{Han} and {2,4} are not references


def test_patterns_unknown_reference(tmp_path):
    p = tmp_path / "b.patterns"
    p.write_text("A = x\n\nB = {A}{NOPE}\n", encoding="utf-8")
    with pytest.raises(RuleError) as e:
        load_patterns(p)
    assert e.value.line == 3 and "NOPE" in e.value.reason


def test_patterns_bad_regex(tmp_path):
    p = tmp_path / "c.patterns"
    p.write_text("A = (unclosed\n", encoding="utf-8")
    with pytest.raises(RuleError) as e:
        load_patterns(p)
    assert e.value.line == 1 and "does not compile" in e.value.reason


def test_patterns_bad_syntax(tmp_path):
    p = tmp_path / "d.patterns"
    p.write_text("just a line\n", encoding="utf-8")
    with pytest.raises(RuleError, match=":1: expected 'NAME = regex'"):
        load_patterns(p)


def test_shipped_rule_files_load(root):
    """Every shipped table and pattern file loads (a broken one fails here, not at first match)."""
    rules = root / "rules"
    for p in sorted(rules.rglob("*.patterns")):
        load_patterns(p)
    for p in sorted(rules.rglob("*.tsv")):
        load_table(p, key_cols=2 if p.name == "subject.tsv" else 1)
