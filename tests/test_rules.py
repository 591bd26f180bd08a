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


@pytest.mark.parametrize("table,bad_line", [
    ("indicators/measure_words.tsv", "件\tduplicate of an earlier row\n"),
    ("orgs/heads.tsv", "局长\tmaybe\tbad strength\n"),
    ("time.patterns", "BROKEN = {NOPE}\n"),
])
def test_pipeline_fails_at_load_on_a_bad_rule_file(tmp_path, root, table, bad_line):
    """A broken rule file stops extraction with file, line and reason (never a silent empty result)."""
    import shutil
    import subprocess
    import sys

    rules = tmp_path / "rules"
    shutil.copytree(root / "rules", rules)
    path = rules / table
    lines = path.read_text(encoding="utf-8").count("\n")
    path.write_text(path.read_text(encoding="utf-8") + bad_line, encoding="utf-8")
    code = "import pipeline; pipeline.extract('市委政法委介绍，2019年共成功调解案件46474件，同比上升23.21%。')"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**__import__("os").environ, "CNIE_RULES": str(rules)})
    assert out.returncode != 0
    assert "RuleError" in out.stderr and f"{path}:{lines + 1}:" in out.stderr, out.stderr[-1500:]


def test_compile_fast_picks_re_only_where_it_means_the_same(root):
    """Patterns compiled with Python's re must find exactly what regex V1 finds, on real text."""
    import re as stdre

    import regex

    from pipeline.rules import _load_patterns_cached, _resolve, compile_fast

    assert isinstance(compile_fast("a|b"), stdre.Pattern)
    for regex_only in (r"\bx", r"\p{Han}+", r"(?r)x", r"[[a-z]--[aeiou]]"):
        assert not isinstance(compile_fast(regex_only), stdre.Pattern), regex_only
    texts = [p.read_text(encoding="utf-8") for p in sorted((root / "corpora" / "articles").glob("*.txt"))]
    checked = 0
    for path in sorted((root / "rules").rglob("*.patterns")):
        for name, src in _load_patterns_cached(str(_resolve(path.relative_to(root / "rules"))), regex.V1).items():
            fast = compile_fast(src)
            if not isinstance(fast, stdre.Pattern):
                continue
            slow = regex.compile(src, regex.V1)
            for t in texts:
                assert [m.span() for m in fast.finditer(t)] == [m.span() for m in slow.finditer(t)], (path.name, name)
            checked += 1
    assert checked >= 90
