"""Tests of ``cnie report`` (pipeline/report.py) on synthetic extract output directories.

The article texts below are SYNTHETIC (written for these tests, not real news); every record
is built with the ``pipeline.contract`` dataclasses, offsets found by code (``str.index``).
The rendered page is parsed with the standard library's HTML parser, so the assertions are on
elements and their text, as a browser would build them.
"""
from __future__ import annotations

import base64
import hashlib
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import report
from pipeline.cli import main as cli_main
from pipeline.contract import Entity, Indicator, Meta, Record, Source, Span, dumps

# --------------------------------------------------------------------------- synthetic data

SYNTH_TITLE = "合成测试稿|东莞市公安局通报前三季度治安数据"
SYNTH = (
    f"{SYNTH_TITLE}\n东莞时间网 2020-10-10 08:16:45\n\n"
    "【编者按】本文为合成测试文本,不是真实新闻。\n\n"
    "东莞市公安局介绍,前三季度全市刑事立案4.56万宗,同比下降12.5%,破案率达98.01%,在全省排名第二。"
    "市财政投入288.5万元用于东莞市第一人民医院改造。\n"
    "<script>window.__pwned = 1</script> & \"引号\" 'single' <b>粗体</b> <img src=x onerror=\"window.__pwned=2\">\n"
)

# (type, surface, value, unit, extra fields)
SYNTH_INDICATORS = [
    ("count", "4.56万宗", 45600, "宗", {"subject": "刑事立案", "time": "前三季度", "scope": "全市"}),
    ("percentage", "下降12.5%", 12.5, "%", {"change": "decrease", "basis": "yoy", "basis_text": "同比"}),
    ("percentage", "98.01%", 98.01, "%", {"subject": "破案率"}),
    ("ranking", "第二", 2, None, {"scope": "全省"}),
    ("money", "288.5万元", 2885000, "元", {"org": "东莞市财政局"}),
    ("ranking", "第一", 1, None, {}),          # nested inside the hospital ORG below
]
SYNTH_ENTITIES = [
    ("ORG", "东莞市公安局", "东莞市公安局", False),
    ("ORG", "东莞市第一人民医院", None, False),  # contains the ranking 第一
    ("ORG", "市财政", "东莞市财政局", True),
    ("LOC", "全省", None, False),
]


def find(text: str, surface: str, after: int = 0) -> tuple[int, int]:
    start = text.index(surface, after)
    return start, start + len(surface)


def synth_record(text: str = SYNTH, doc_id: str = "synthetic/dongguan.txt", *, path: str | None = None,
                 outlet: str = "东莞时间网", published: str = "2020-10-10 08:16:45",
                 title: str = SYNTH_TITLE) -> Record:
    """A cnie/1 record for a synthetic text: offsets of every surface found by code."""
    body = text.index("东莞市公安局介绍")
    inds = []
    for typ, surface, value, unit, extra in SYNTH_INDICATORS:
        s, e = find(text, surface, body)
        inds.append(Indicator(type=typ, text=surface, start=s, end=e, value=value, unit=unit,
                              sentence=Span(body, e), **extra))
    ents = []
    for label, surface, norm, generic in SYNTH_ENTITIES:
        s, e = find(text, surface, body)
        ents.append(Entity(label=label, text=surface, start=s, end=e, normalized=norm, generic=generic))
    note = find(text, "【编者按】本文为合成测试文本,不是真实新闻。")
    return Record(doc_id=doc_id, source=Source(path=path, encoding="utf-8"),
                  meta=Meta(title=title, outlet=outlet, published=published, editor_note=Span(*note)),
                  text_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
                  indicators=inds, entities=ents)


def write_dir(d: Path, items: list[tuple[Record, str]], *, with_text: bool = True,
              errors: list[dict] = (), summary: dict | None = None) -> Path:
    d.mkdir(parents=True, exist_ok=True)
    (d / "indicators.jsonl").write_text("".join(r.to_json() + "\n" for r, _ in items), encoding="utf-8")
    (d / "errors.jsonl").write_text("".join(dumps(e) + "\n" for e in errors), encoding="utf-8")
    (d / "summary.json").write_text(dumps(summary or {"articles": len(items)}), encoding="utf-8")
    if with_text:
        (d / "texts.jsonl").write_text("".join(
            dumps({"doc_id": r.doc_id, "text_sha256": r.text_sha256, "text": t}) + "\n" for r, t in items),
            encoding="utf-8")
    return d


# --------------------------------------------------------------------------- a tiny DOM

VOID = {"meta", "br", "img", "input", "link", "hr", "col", "wbr", "source", "area", "base", "embed"}


class Node:
    def __init__(self, tag: str, attrs: dict, parent: "Node | None"):
        self.tag, self.attrs, self.parent, self.children = tag, attrs, parent, []

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def iter(self):
        for c in self.children:
            if isinstance(c, Node):
                yield c
                yield from c.iter()

    def find_all(self, tag: str | None = None, cls: str | None = None, **attrs) -> list["Node"]:
        return [n for n in self.iter() if (tag is None or n.tag == tag) and (cls is None or cls in n.classes)
                and all(n.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items())]


class Dom(HTMLParser):
    """Element tree of a page (strict: every non-void element must be closed in order)."""

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {}, None)
        self.cur = self.root
        self.feed(page)
        self.close()
        assert self.cur is self.root, f"unclosed <{self.cur.tag}>"

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs), self.cur)
        self.cur.children.append(node)
        if tag not in VOID:
            self.cur = node

    def handle_endtag(self, tag):
        assert self.cur.tag == tag, f"</{tag}> closes <{self.cur.tag}>"
        self.cur = self.cur.parent

    def handle_data(self, data):
        self.cur.children.append(data)


def pieces(root: Node, cls: str, key: str = "data-i") -> dict[str, str]:
    """Text of each highlighted span, its split pieces joined in document order."""
    out: dict[str, str] = {}
    for n in root.find_all(cls=cls):
        out[n.attrs[key]] = out.get(n.attrs[key], "") + n.text()
    return out


def render(tmp_path: Path, items, **kw) -> tuple[str, Node, report.ReportInfo]:
    d = write_dir(tmp_path / "out", items, **{k: v for k, v in kw.items() if k in ("with_text", "errors", "summary")})
    info = report.write_report(d, tmp_path / "report.html",
                               **{k: v for k, v in kw.items() if k in ("max_articles", "start", "max_mb")})
    page = info.path.read_text(encoding="utf-8")
    return page, Dom(page).root, info


# --------------------------------------------------------------------------- wrap_spans

def M(start, end, name, rank=1):
    return report.Mark(start, end, rank, "b", f'data-k="{name}"', f'data-k="{name}" class="cont"')


WRAP_SPECS = [
    # (text, marks, expected HTML)
    ("abcdef", [], "abcdef"),
    ("abcdef", [M(1, 3, "x")], 'a<b data-k="x">bc</b>def'),
    ("abcdef", [M(0, 6, "x"), M(2, 4, "y")], '<b data-k="x">ab<b data-k="y">cd</b>ef</b>'),
    ("abcdef", [M(2, 4, "y"), M(0, 6, "x")], '<b data-k="x">ab<b data-k="y">cd</b>ef</b>'),
    ("abcdef", [M(0, 2, "x"), M(2, 4, "y")], '<b data-k="x">ab</b><b data-k="y">cd</b>ef'),
    # crossing: x is split at y's end... no: x [0,4) and y [2,6): x closes first, y's piece reopens
    ("abcdef", [M(0, 4, "x"), M(2, 6, "y")],
     '<b data-k="x">ab<b data-k="y">cd</b></b><b data-k="y" class="cont">ef</b>'),
    # same range: lower rank is the outer element
    ("abcdef", [M(1, 3, "e", 2), M(1, 3, "i", 1)], 'a<b data-k="i"><b data-k="e">bc</b></b>def'),
    ("a<b>&\"'\r\nc", [M(1, 4, "x")], 'a<b data-k="x">&lt;b&gt;</b>&amp;&quot;&#x27;&#13;\nc'),
]


@pytest.mark.parametrize("text,marks,expected", WRAP_SPECS, ids=[
    "none", "one", "nested", "nested-given-inner-first", "adjacent", "crossing", "same-range", "escaped"])
def test_wrap_spans_spec(text, marks, expected):
    assert report.wrap_spans(text, marks) == expected


@settings(max_examples=150, deadline=None)
@given(text=st.text(alphabet="ab<>&\"' 中文\n", min_size=1, max_size=30), data=st.data())
def test_wrap_spans_keeps_text_and_every_span(text, data):
    n = len(text)
    spans = data.draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(1, n)).map(sorted)
                               .filter(lambda p: p[0] < p[1]), max_size=6))
    marks = [M(s, e, str(k), rank=k % 3) for k, (s, e) in enumerate(spans)]
    root = Dom("<div>" + report.wrap_spans(text, marks) + "</div>").root
    assert root.text() == text
    got = {n.attrs["data-k"]: "" for n in root.find_all("b")}
    for node in root.find_all("b"):
        got[node.attrs["data-k"]] += node.text()
    assert got == {str(k): text[s:e] for k, (s, e) in enumerate(spans)}
    heads = [n.attrs["data-k"] for n in root.find_all("b") if "cont" not in n.classes]
    assert sorted(heads) == sorted(str(k) for k in range(len(spans)))


# --------------------------------------------------------------------------- article rendering

def test_article_highlights_every_indicator_and_entity(tmp_path):
    rec = synth_record()
    page, root, info = render(tmp_path, [(rec, SYNTH)])
    (art,) = root.find_all("article", cls="doc")
    heads = [n for n in art.find_all("mark", cls="ind") if "cont" not in n.classes]
    assert len(heads) == len(SYNTH_INDICATORS)
    assert pieces(art, "ind") == {str(k): s for k, (_, s, *_r) in enumerate(SYNTH_INDICATORS)}
    for n, (typ, *_r) in enumerate(SYNTH_INDICATORS):
        (head,) = art.find_all("mark", id=f"a0-i{n}")
        assert f"t-{typ}" in head.classes and head.attrs["tabindex"] == "0"
        assert head.attrs["aria-describedby"] == f"a0-r{n}"
    ents = {n.attrs["id"]: n for n in art.find_all(cls="ent") if "cont" not in n.classes}
    assert [ents[f"a0-e{k}"].text() for k in range(len(SYNTH_ENTITIES))] == [e[1] for e in SYNTH_ENTITIES]
    assert "ent-ORG" in ents["a0-e0"].classes and "ent-LOC" in ents["a0-e3"].classes
    assert "generic" in ents["a0-e2"].classes and ents["a0-e2"].attrs["data-norm"] == "东莞市财政局"
    # the ranking 第一 sits inside the hospital ORG element
    (first,) = art.find_all("mark", id="a0-i5")
    assert first.parent.attrs.get("id") == "a0-e1"
    # the whole text survives, character for character
    (body,) = art.find_all("div", cls="text")
    assert body.text() == SYNTH
    (note,) = art.find_all("span", cls="region")
    assert note.text().startswith("【编者按】")
    assert info.shown == 1 and info.indicators == 6


def test_indicator_table_rows_carry_resolved_fields(tmp_path):
    page, root, _ = render(tmp_path, [(synth_record(), SYNTH)])
    (table,) = root.find_all("table", cls="inds")
    keys = [th.attrs["data-key"] for th in table.find_all("th")]
    assert keys == [k for k, _ in report.TABLE_COLUMNS]
    rows = table.find_all("tr", cls=None)[1:]
    assert [r.attrs["data-type"] for r in rows] == [t for t, *_r in SYNTH_INDICATORS]
    cells = dict(zip(keys, (td.text() for td in rows[0].find_all("td"))))
    assert cells["text"] == "4.56万宗" and cells["value"] == "45,600" and cells["unit"] == "宗"
    assert (cells["subject"], cells["time"], cells["scope"]) == ("刑事立案", "前三季度", "全市")
    cells = dict(zip(keys, (td.text() for td in rows[1].find_all("td"))))
    assert cells["change"] == "decrease" and cells["more"] == "basis=yoy; basis_text=同比"
    assert rows[2].find_all("td")[3].attrs["data-v"] == "98.01"
    assert [o.attrs["value"] for o in root.find_all("select", cls="type-filter")[0].find_all("option")] == \
        ["", "count", "percentage", "ranking", "money"]


def test_script_and_markup_in_text_stay_text(tmp_path):
    nasty = '<script>alert("x")</script>'
    rec = synth_record(doc_id='doc"><script>alert(1)</script>', outlet=nasty, title='T&amp;<i>itle</i>')
    rec.indicators[0].subject = "<img src=x onerror=alert(1)>"
    page, root, _ = render(tmp_path, [(rec, SYNTH)], errors=[
        {"doc": "bad<script>", "stage": "read", "error": "ReadError", "message": "<b>boom</b> & more"}])
    scripts = root.find_all("script")
    assert len(scripts) == 1 and scripts[0].text() == report._template("report.js")
    assert root.find_all("img") == [] and root.find_all("i") == []
    assert not [n for n in root.iter() if any(k.startswith("on") for k in n.attrs)]
    (art,) = root.find_all("article", cls="doc")
    assert art.find_all("div", cls="text")[0].text() == SYNTH
    assert art.find_all("h2")[0].text() == "T&amp;<i>itle</i>"
    assert art.attrs["data-doc"] == 'doc"><script>alert(1)</script>'
    assert nasty in art.find_all("div", cls="meta")[0].text()
    assert "<b>boom</b> & more" in root.find_all("table", cls="errors")[0].text()
    assert "<script>window.__pwned" not in page and "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in page


def test_page_is_self_contained_and_pins_its_script(tmp_path):
    page, root, _ = render(tmp_path, [(synth_record(), SYNTH)])
    assert root.find_all("link") == [] and not [n for n in root.iter() if "src" in n.attrs]
    assert not re.search(r"@import|url\((?!#)", page)
    assert not [n for n in root.iter() if n.attrs.get("href", "#").split("#")[0]]
    (meta,) = [m for m in root.find_all("meta") if m.attrs.get("http-equiv") == "Content-Security-Policy"]
    digest = base64.b64encode(hashlib.sha256(root.find_all("script")[0].text().encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in meta.attrs["content"]
    assert meta.attrs["content"].startswith("default-src 'none';")


# --------------------------------------------------------------------------- overview

def test_overview_counts_everything_but_shows_a_window(tmp_path):
    items = []
    for k in range(7):
        rec = synth_record(doc_id=f"synthetic/{k}.txt", outlet="甲报" if k < 5 else "乙网",
                           published=f"2021-{k + 1:02d}-03")
        rec.indicators = rec.indicators[:k % 4 + 1]
        items.append((rec, SYNTH))
    page, root, info = render(tmp_path, items, max_articles=3, start=2,
                              errors=[{"doc": "x.txt", "stage": "read", "error": "ReadError", "message": "m"}])
    assert (info.articles, info.shown, info.errors) == (7, 3, 1)
    n_ind = sum(k % 4 + 1 for k in range(7))
    assert info.indicators == n_ind
    stats = {s.find_all("span")[0].text(): s.find_all("b")[0].text() for s in root.find_all("div", cls="stat")}
    assert stats == {"articles": "7", "with indicators": "7", "indicators": str(n_ind),
                     "entities": str(7 * len(SYNTH_ENTITIES)), "failed articles": "1"}
    per_type = {tr.find_all("td")[0].text(): int(tr.find_all("td")[1].text())
                for tr in root.find_all("table", cls="per-type")[0].find_all("tr")[1:]}
    assert per_type == {"count": 7, "percentage": 8, "ranking": 1}
    assert [a.attrs["id"] for a in root.find_all("article")] == ["a2", "a3", "a4"]
    assert len(root.find_all("figure", cls="chart")) == 3
    assert all(f.find_all("svg") for f in root.find_all("figure", cls="chart"))
    assert "Articles 3–5 of 7" in root.find_all("p", cls="window")[0].text()


def test_charts_name_types_outlets_and_months(tmp_path):
    items = [(synth_record(doc_id=f"d{k}", outlet=["甲报", "乙网"][k % 2], published=f"2021-0{k + 1}-01"), SYNTH)
             for k in range(3)]
    charts = report.overview_charts(_overview(items))
    assert [c for c, _ in charts] == ["Indicators per type", "Indicators per outlet", "Indicators per publication month"]
    texts = [" ".join(re.findall(r"<text[^>]*>([^<]*)</text>", svg)) for _, svg in charts]
    assert all(t in texts[0] for t in ("count", "percentage", "ranking", "money"))
    assert "甲报" in texts[1] and "乙网" in texts[1] and "12" in texts[1]
    assert all(m in texts[2] for m in ("2021-01", "2021-02", "2021-03"))


def _overview(items) -> report.Overview:
    ov = report.Overview()
    for rec, _ in items:
        ov.add(rec.to_dict())
    return ov


@pytest.mark.parametrize("published,month", [
    ("2020-10-10 08:16:45", "2020-10"), ("2021年9月17日", "2021-09"), ("2021/1/3", "2021-01"),
    ("20210917", "2021-09"), ("2021 年 9 月", "2021-09"), ("2021-13-01", None), ("12345-01", None),
    ("2021091", None), ("昨天", None), (None, None)])
def test_month_of(published, month):
    assert report.month_of(published) == month


def test_month_series_fills_gaps_and_folds_long_spans_by_year():
    from collections import Counter
    assert report.month_series(Counter({"2020-11": 2, "2021-02": 5})) == (
        ["2020-11", "2020-12", "2021-01", "2021-02"], [2, 0, 0, 5])
    assert report.month_series(Counter({"1990-01": 1, "2015-06": 2, "2015-07": 3})) == (
        [str(y) for y in range(1990, 2016)], [1] + [0] * 24 + [5])


# --------------------------------------------------------------------------- texts and their sources

def test_text_reread_from_source_when_not_stored(tmp_path):
    src = tmp_path / "in" / "a.txt"
    src.parent.mkdir()
    src.write_bytes(SYNTH.encode("utf-8"))
    page, root, _ = render(tmp_path, [(synth_record(path=str(src)), SYNTH)], with_text=False)
    assert root.find_all("div", cls="warn") == []
    assert len(pieces(root, "ind")) == len(SYNTH_INDICATORS)


def test_changed_source_shown_without_highlights_and_warned(tmp_path):
    src = tmp_path / "a.txt"
    src.write_text(SYNTH.replace("4.56万宗", "4.57万宗"), encoding="utf-8")
    page, root, _ = render(tmp_path, [(synth_record(path=str(src)), SYNTH)], with_text=False)
    (warn,) = root.find_all("div", cls="warn")
    assert "differs from the extracted text" in warn.text()
    assert root.find_all("mark") == []
    assert "4.57万宗" in root.find_all("div", cls="text")[0].text()
    assert len(root.find_all("table", cls="inds")[0].find_all("tr")) == 1 + len(SYNTH_INDICATORS)


def test_missing_source_keeps_table_and_says_why(tmp_path):
    page, root, _ = render(tmp_path, [(synth_record(path=str(tmp_path / "gone.txt")), SYNTH)], with_text=False)
    (warn,) = root.find_all("div", cls="warn")
    assert "not found" in warn.text() and "--with-text" in warn.text()
    assert root.find_all("div", cls="text") == [] and root.find_all("mark") == []
    assert len(root.find_all("table", cls="inds")[0].find_all("tr")) == 1 + len(SYNTH_INDICATORS)


def test_bad_offsets_are_reported_not_highlighted(tmp_path):
    rec = synth_record()
    rec.indicators[2].start += 1
    page, root, _ = render(tmp_path, [(rec, SYNTH)])
    assert sorted(pieces(root, "ind")) == ["0", "1", "3", "4", "5"]
    (warn,) = root.find_all("div", cls="warn")
    assert "indicator #2 '98.01%'" in warn.text()


def test_size_cap_stops_article_sections(tmp_path):
    items = [(synth_record(doc_id=f"d{k}"), SYNTH) for k in range(5)]
    one = len(report.article_section("a0", items[0][0].to_dict(), SYNTH).encode())
    page, root, info = render(tmp_path, items, max_mb=2.5 * one / 1024 / 1024)
    assert info.shown == 2 and info.truncated_by_size and info.articles == 5
    assert "--start 2" in root.find_all("p", cls="window")[0].text()


def test_report_is_deterministic(tmp_path):
    items = [(synth_record(doc_id=f"d{k}"), SYNTH) for k in range(2)]
    a = render(tmp_path / "1", items)[0]
    b = render(tmp_path / "2", items)[0]
    assert a.replace(str(tmp_path / "1"), "") == b.replace(str(tmp_path / "2"), "")


def test_render_article_html_is_a_whole_page(tmp_path):
    rec = synth_record().to_dict()
    root = Dom(report.render_article_html(rec, SYNTH)).root
    assert root.find_all("title")[0].text() == f"cnie: {SYNTH_TITLE}"
    assert len(root.find_all("script")) == 1 and len(root.find_all("article")) == 1
    assert pieces(root, "ind") == {str(k): s for k, (_, s, *_r) in enumerate(SYNTH_INDICATORS)}
    other = Dom(report.render_article_html(rec, SYNTH + "x")).root
    assert other.find_all("mark") == [] and "text_sha256" in other.find_all("div", cls="warn")[0].text()


def test_cli_writes_report_and_rejects_a_non_output_dir(tmp_path, capsys):
    d = write_dir(tmp_path / "out", [(synth_record(), SYNTH)])
    assert cli_main(["report", str(d), "-o", str(tmp_path / "r.html"), "--max-articles", "0"]) == 0
    root = Dom((tmp_path / "r.html").read_text(encoding="utf-8")).root
    assert root.find_all("article") == [] and len(root.find_all("figure", cls="chart")) == 3
    assert "1 articles (0 shown)" in capsys.readouterr().err
    assert cli_main(["report", str(d)]) == 0 and (d / "report.html").is_file()
    assert cli_main(["report", str(tmp_path / "nothing")]) == 2
    assert "indicators.jsonl: not found" in capsys.readouterr().err


def test_unreadable_lines_are_counted(tmp_path):
    d = write_dir(tmp_path / "out", [(synth_record(), SYNTH)])
    with open(d / "indicators.jsonl", "a", encoding="utf-8") as fh:
        fh.write("{not json\n[1, 2]\n\n")
    info = report.write_report(d, tmp_path / "r.html")
    root = Dom(info.path.read_text(encoding="utf-8")).root
    stats = {s.find_all("span")[0].text(): s.find_all("b")[0].text() for s in root.find_all("div", cls="stat")}
    assert stats["unreadable JSONL lines"] == "2" and stats["articles"] == "1"


def test_text_of_an_archive_record_reread_from_its_jsonl(tmp_path):
    other = SYNTH.replace("4.56万宗", "9.99万宗")
    arc = tmp_path / "archive.jsonl"
    arc.write_text(dumps({"id": "x", "text": other}) + "\n" + dumps({"id": "y", "text": SYNTH}) + "\n",
                   encoding="utf-8")
    rec = synth_record(doc_id="y", path=str(arc))
    rec.source.record = 2
    page, root, _ = render(tmp_path, [(rec, SYNTH)], with_text=False)
    assert root.find_all("div", cls="warn") == []
    assert root.find_all("div", cls="text")[0].text() == SYNTH
    assert len(pieces(root, "ind")) == len(SYNTH_INDICATORS)


def test_stored_text_that_does_not_match_is_not_highlighted(tmp_path):
    rec = synth_record()
    d = write_dir(tmp_path / "out", [(rec, SYNTH)])
    (d / "texts.jsonl").write_text(dumps({"doc_id": rec.doc_id, "text": SYNTH + "!"}) + "\n", encoding="utf-8")
    root = Dom(report.write_report(d, tmp_path / "r.html").path.read_text(encoding="utf-8")).root
    assert "texts.jsonl does not match" in root.find_all("div", cls="warn")[0].text()
    assert root.find_all("mark") == [] and root.find_all("div", cls="text")[0].text() == SYNTH + "!"


def test_fields_without_a_column_go_to_more_in_record_order():
    rec = synth_record().to_dict()
    rec["indicators"][1]["future_field"] = {"a": 1}
    rec["indicators"][1]["low"] = 12.0
    root = Dom(report.indicator_table("a0", rec, highlighted=True)).root
    keys = [th.attrs["data-key"] for th in root.find_all("th")]
    cells = dict(zip(keys, (td.text() for td in root.find_all("tr", id="a0-r1")[0].find_all("td"))))
    assert cells["more"] == 'low=12; basis=yoy; basis_text=同比; future_field={"a": 1}'


# --------------------------------------------------------------------------- split modules: stats, load

TOP_AND_REST_SPECS = [
    # (items, n, expected)
    ([], 3, []),
    ([("a", 5), ("b", 4), ("c", 3)], 3, [("a", 5), ("b", 4), ("c", 3)]),
    ([("a", 5), ("b", 4), ("c", 3), ("d", 2)], 3, [("a", 5), ("b", 4), ("(2 others)", 5)]),
    ([("a", 5), ("b", 4), ("c", 3), ("d", 2), ("e", 1)], 2, [("a", 5), ("(4 others)", 10)]),
]


@pytest.mark.parametrize("items,n,expected", TOP_AND_REST_SPECS, ids=["empty", "fits", "fold-two", "fold-four"])
def test_top_and_rest(items, n, expected):
    assert report.top_and_rest(items, n) == expected


def test_outlets_beyond_the_cap_fold_into_one_bar(tmp_path):
    items = [(synth_record(doc_id=f"d{k}", outlet=f"outlet{k:02d}"), SYNTH) for k in range(report.MAX_OUTLETS + 2)]
    d = write_dir(tmp_path / "out", items)
    charts = dict(report.overview_charts(report.load_run(d, 0, 0).overview))
    svg = charts["Indicators per outlet"]
    assert "(3 others)" in svg and "outlet18" in svg and "outlet19" not in svg


@pytest.mark.parametrize("content,expected", [
    ('{"articles": 3, "ok": true}', {"articles": 3, "ok": True}),
    ("{not json", {"summary.json": "unreadable"}),
    ("[1, 2]", None),
    (None, None),
], ids=["object", "not-json", "not-an-object", "absent"])
def test_read_summary(tmp_path, content, expected):
    path = tmp_path / "summary.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    assert report.read_summary(path) == expected


def test_load_run_keeps_only_the_window_and_matches_texts(tmp_path):
    texts = [SYNTH + f"\n第{k}篇" for k in range(4)]
    items = [(synth_record(t, doc_id=f"d{k}"), t) for k, t in enumerate(texts)]
    run = report.load_run(write_dir(tmp_path / "out", items, errors=[{"doc_id": "x", "stage": "read"}]), 1, 2)
    assert [r["doc_id"] for r in run.window] == ["d1", "d2"]
    assert run.texts == [(texts[1], None), (texts[2], None)]
    assert run.overview.articles == 4 and run.overview.errors == 1 and run.summary == {"articles": 4}
