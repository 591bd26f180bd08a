"""HTML report of an ``extract`` output directory (``cnie report``) and of one article.

Takes an output directory DIR (``indicators.jsonl``, ``errors.jsonl``, ``summary.json`` and,
after ``extract --with-text``, ``texts.jsonl``); returns one self-contained HTML file (inline
CSS, JS and SVG charts; nothing is fetched from the network):

* an overview of the whole archive, computed while streaming the JSONL (counts per indicator
  type, entity label and outlet, failed articles, charts per type / outlet / month);
* one section per article for a capped window of articles (``--start``, ``--max-articles``,
  ``--max-mb``): the text with indicator spans highlighted by type and entities underlined,
  tooltips with the resolved fields, and a sortable, filterable table of the indicators.

Article texts come from ``texts.jsonl`` or are read again from ``record["source"]["path"]``
and checked against ``record["text_sha256"]``; a text that does not match is shown without
highlights and with a warning. All text is HTML-escaped; the page's Content-Security-Policy
only lets its own script (pinned by hash) run.

:func:`render_article_html` renders the same view for one record (``cnie show FILE --html``).
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Iterator, Optional

INDICATOR_TYPES = ("count", "percentage", "ranking", "money")
TYPE_COLOURS = {"count": "#1f6feb", "percentage": "#1a7f37", "ranking": "#bc4c00", "money": "#8250df"}
OTHER_COLOUR = "#6e7781"
DEFAULT_MAX_ARTICLES = 200
DEFAULT_MAX_MB = 50.0
MAX_ERROR_ROWS = 50
MAX_OUTLETS = 20
MAX_WARNING_KINDS = 1000  # distinct extractor warnings counted one by one; the rest as "(other)"

# indicator table: (data-key, header) — the tooltip shows the same fields, read from the row
TABLE_COLUMNS = (
    ("n", "#"), ("type", "type"), ("text", "text"), ("value", "value"), ("unit", "unit"),
    ("qualifier", "qualifier"), ("subject", "subject"), ("time", "time"), ("scope", "scope"),
    ("change", "change"), ("org", "org"), ("more", "more"), ("at", "offsets"),
)
# every other field of an indicator goes to the "more" column, in record order
NOT_MORE = {k for k, _ in TABLE_COLUMNS} | {"start", "end", "approx", "sentence"}


# --------------------------------------------------------------------------- reading

def iter_jsonl(path: Path) -> Iterator[tuple[int, Optional[dict]]]:
    """Yield ``(line_number, object)`` per non-blank line; ``None`` for a line that is not a JSON object."""
    with open(path, encoding="utf-8", errors="replace") as fh:
        for no, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except ValueError:
                yield no, None
                continue
            yield no, obj if isinstance(obj, dict) else None


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _find(path: str, search: tuple[Path, ...]) -> Optional[Path]:
    p = Path(path)
    candidates = [p] + ([] if p.is_absolute() else [d / p for d in search])
    return next((c for c in candidates if c.is_file()), None)


def _read_articles(path: Path, wanted: set[Optional[int]]) -> dict[Optional[int], str]:
    """Texts of the wanted records (None = the file itself) of one source file, read the way
    ``extract`` reads it (:mod:`pipeline.sources` with default options), in one pass."""
    out: dict[Optional[int], str] = {}
    try:
        from .sources import SourceOptions, iter_tasks
    except ImportError:  # reader not available: plain UTF-8 files only
        if None in wanted:
            out[None] = path.read_bytes().decode("utf-8")
        return out
    for task in iter_tasks([str(path)], SourceOptions()):
        if task.record in wanted and task.record not in out:
            text = task.load().text
            if isinstance(text, str):
                out[task.record] = text
            if len(out) == len(wanted):
                break
    return out


def texts_from_sources(records: list[dict], search: tuple[Path, ...] = ()) -> list[tuple[Optional[str], Optional[str]]]:
    """Each record's text read again from ``source.path`` (one pass per source file);
    ``(text, warning)`` per record. ``text`` is None when unreadable; a text whose sha256 differs
    from ``text_sha256`` comes with a warning (the source changed, or was read with other options).
    """
    hint = "; run `cnie extract --with-text` to keep texts"
    out: list[tuple[Optional[str], Optional[str]]] = [(None, "no source path recorded" + hint)] * len(records)
    by_path: dict[str, list[int]] = {}
    for k, rec in enumerate(records):
        path = (rec.get("source") or {}).get("path")
        if isinstance(path, str) and path:
            by_path.setdefault(path, []).append(k)
    for path, idxs in by_path.items():
        found = _find(path, search)
        if found is None:
            for k in idxs:
                out[k] = (None, f"source {path} not found" + hint)
            continue
        wanted = {(records[k].get("source") or {}).get("record") for k in idxs}
        try:
            texts = _read_articles(found, wanted)
        except Exception as e:  # any reader failure becomes a warning on the article, never a crash
            texts, why = {}, f"{type(e).__name__}: {e}"
        else:
            why = "record not found"
        for k in idxs:
            rec_no = (records[k].get("source") or {}).get("record")
            text = texts.get(rec_no)
            where = path + (f" record {rec_no}" if rec_no is not None else "")
            if text is None:
                out[k] = (None, f"cannot read {where}: {why}" + hint)
            elif text_sha256(text) != records[k].get("text_sha256"):
                out[k] = (text, f"{where} differs from the extracted text (sha256); shown without highlights" + hint)
            else:
                out[k] = (text, None)
    return out


def load_texts(path: Path, records: list[dict]) -> list[Optional[str]]:
    """Texts of these records from a ``texts.jsonl`` (streamed; matched by doc_id, and by
    ``text_sha256`` when the line has one); None where absent."""
    want_doc = {str(r.get("doc_id")) for r in records}
    want_sha = {r.get("text_sha256") for r in records}
    by_doc: dict[str, str] = {}
    by_sha: dict[str, str] = {}
    if path.is_file() and records:
        for _, obj in iter_jsonl(path):
            if len(by_sha) == len(want_sha) or len(by_doc) == len(want_doc):
                break  # every wanted text found (texts.jsonl is in record order: stops early)
            text = obj.get("text") if obj else None
            if not isinstance(text, str):
                continue
            sha = obj.get("text_sha256")
            if isinstance(sha, str) and sha in want_sha:
                by_sha.setdefault(sha, text)
            if str(obj.get("doc_id")) in want_doc:
                by_doc.setdefault(str(obj.get("doc_id")), text)
    return [by_sha.get(r.get("text_sha256")) or by_doc.get(str(r.get("doc_id"))) for r in records]


# --------------------------------------------------------------------------- overview

# year and month at the start: 2021-09-17, 2021/9/17, 2021年9月 (any 1-3 non-digits between), 20210917
_MONTH = re.compile(r"^\s*(\d{4})(?:\D{1,3}(\d{1,2})(?!\d)|(\d{2})(?:\d{2})?(?!\d))")


def month_of(published: Any) -> Optional[str]:
    m = _MONTH.match(published) if isinstance(published, str) else None
    month = int(m.group(2) or m.group(3)) if m else 0
    return f"{m.group(1)}-{month:02d}" if 1 <= month <= 12 else None


@dataclass
class Overview:
    """Archive-wide counts, accumulated one record at a time (no texts are kept)."""

    articles: int = 0
    bad_lines: int = 0
    with_indicators: int = 0
    indicators: int = 0
    per_type: Counter = field(default_factory=Counter)
    per_label: Counter = field(default_factory=Counter)
    per_outlet: Counter = field(default_factory=Counter)
    articles_per_outlet: Counter = field(default_factory=Counter)
    per_month: Counter = field(default_factory=Counter)
    undated_indicators: int = 0
    warnings: Counter = field(default_factory=Counter)
    errors: int = 0
    errors_per_stage: Counter = field(default_factory=Counter)
    error_rows: list = field(default_factory=list)

    def add(self, record: dict) -> None:
        inds = [i for i in record.get("indicators") or [] if isinstance(i, dict)]
        meta = record.get("meta") or {}
        outlet = meta.get("outlet") or "(no outlet)"
        self.articles += 1
        self.indicators += len(inds)
        self.with_indicators += bool(inds)
        self.articles_per_outlet[outlet] += 1
        self.per_outlet[outlet] += len(inds)
        month = month_of(meta.get("published"))
        if month:
            self.per_month[month] += len(inds)
        else:
            self.undated_indicators += len(inds)
        for i in inds:
            self.per_type[str(i.get("type"))] += 1
        for e in record.get("entities") or []:
            if isinstance(e, dict):
                self.per_label[str(e.get("label"))] += 1
        for w in record.get("warnings") or []:
            key = str(w)[:120]
            self.warnings[key if key in self.warnings or len(self.warnings) < MAX_WARNING_KINDS else "(other)"] += 1

    def add_error(self, err: Optional[dict]) -> None:
        self.errors += 1
        err = err or {"error": "unreadable line in errors.jsonl"}
        self.errors_per_stage[str(err.get("stage", "?"))] += 1
        if len(self.error_rows) < MAX_ERROR_ROWS:
            self.error_rows.append(err)


def ranked(c: Counter) -> list[tuple[str, int]]:
    """Counter items, most frequent first, ties by name (deterministic)."""
    return sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))


def type_order(c: Counter) -> list[tuple[str, int]]:
    known = [(t, c[t]) for t in INDICATOR_TYPES if t in c]
    return known + sorted((k, v) for k, v in c.items() if k not in INDICATOR_TYPES)


# --------------------------------------------------------------------------- charts

def _cjk_fonts() -> list[str]:
    from matplotlib import font_manager

    have = {f.name for f in font_manager.fontManager.ttflist}
    wish = ["Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei",
            "SimHei", "Microsoft YaHei", "PingFang SC", "DejaVu Sans"]
    return [f for f in wish if f in have] or ["sans-serif"]


def bar_chart_svg(labels: list[str], values: list[int], *, title: str, colours: Optional[list[str]] = None,
                  horizontal: bool = False, xlabel: str = "", min_slots: int = 1) -> str:
    """A bar chart as an inline ``<svg>`` element (text kept as text, deterministic ids, no metadata)."""
    import matplotlib
    from matplotlib.figure import Figure

    n = max(len(labels), 1)
    size = (5.0, max(2.0, 0.3 * n + 0.8)) if horizontal else (5.0, 2.8)
    rc = {"svg.fonttype": "none", "svg.hashsalt": "cnie", "font.family": "sans-serif",
          "font.sans-serif": _cjk_fonts(), "font.size": 10, "axes.spines.top": False,
          "axes.spines.right": False}
    with matplotlib.rc_context(rc):
        fig = Figure(figsize=size)
        ax = fig.add_subplot()
        colours = colours or [TYPE_COLOURS["count"]] * len(values)
        if not any(values):
            ax.text(0.5, 0.5, "no data", ha="center", va="center", transform=ax.transAxes, color=OTHER_COLOUR)
            ax.set_xticks([])
            ax.set_yticks([])
        elif horizontal:
            pos = list(range(len(labels)))[::-1]
            ax.barh(pos, values, color=colours)
            ax.set_yticks(pos, labels)
            ax.set_xlabel(xlabel)
            for y, v in zip(pos, values):
                ax.text(v, y, f" {v}", va="center", fontsize=8)
        else:
            pos = list(range(len(labels)))
            ax.bar(pos, values, color=colours)
            ax.set_xlim(-0.6, max(len(pos), min_slots) - 0.4)  # a lone bar stays bar-sized
            step = -(-len(labels) // 12)  # at most 12 tick labels
            ax.set_xticks(pos[::step], labels[::step], rotation=45 if len(labels) > 6 else 0,
                          ha="right" if len(labels) > 6 else "center")
            ax.set_ylabel(xlabel)
        buf = io.StringIO()
        fig.savefig(buf, format="svg", bbox_inches="tight",
                    metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    svg = buf.getvalue()
    svg = svg[svg.index("<svg"):]
    return svg.replace("<svg ", f'<svg role="img" aria-label="{esc(title)}" ', 1)


def month_series(per_month: Counter) -> tuple[list[str], list[int]]:
    """Months from first to last with zeros filled in; by year when the span is over 20 years."""
    if not per_month:
        return [], []
    keys = sorted(per_month)
    y0, m0 = map(int, keys[0].split("-"))
    y1, m1 = map(int, keys[-1].split("-"))
    if y1 - y0 > 20:
        years: Counter = Counter()
        for k, v in per_month.items():
            years[k[:4]] += v
        labels = [str(y) for y in range(y0, y1 + 1)]
        return labels, [years.get(y, 0) for y in labels]
    labels = []
    y, m = y0, m0
    while (y, m) <= (y1, m1):
        labels.append(f"{y}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return labels, [per_month.get(k, 0) for k in labels]


def overview_charts(ov: Overview) -> list[tuple[str, str]]:
    """``(caption, svg)`` for indicators per type, per outlet and per publication month."""
    types = type_order(ov.per_type)
    outlets = ranked(ov.per_outlet)
    if len(outlets) > MAX_OUTLETS:
        rest = sum(v for _, v in outlets[MAX_OUTLETS - 1:])
        outlets = outlets[:MAX_OUTLETS - 1] + [(f"({len(outlets) - MAX_OUTLETS + 1} others)", rest)]
    months, per_month = month_series(ov.per_month)
    undated = f"; {ov.undated_indicators} in undated articles not shown" if ov.undated_indicators else ""
    return [
        ("Indicators per type", bar_chart_svg(
            [t for t, _ in types], [v for _, v in types], title="Indicators per type",
            colours=[TYPE_COLOURS.get(t, OTHER_COLOUR) for t, _ in types])),
        ("Indicators per outlet", bar_chart_svg(
            [o for o, _ in outlets], [v for _, v in outlets], title="Indicators per outlet",
            horizontal=True, xlabel="indicators")),
        ("Indicators per publication month" + undated, bar_chart_svg(
            months, per_month, title="Indicators per publication month", xlabel="indicators", min_slots=6)),
    ]


# --------------------------------------------------------------------------- highlighting

# what html.escape(quote=True) replaces, plus CR as a character reference (the HTML parser
# would fold CR LF into LF and shift the text; a reference keeps the character)
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;", "\r": "&#13;"})


def esc(s: Any) -> str:
    """HTML-escape text for element content and quoted attribute values."""
    return "" if s is None else str(s).translate(_ESCAPES)


def type_class(t: Any) -> str:
    return f"t-{t}" if t in INDICATOR_TYPES else "t-other"


@dataclass
class Mark:
    """One span to wrap: ``head`` opens its first piece, ``cont`` any later piece of a split span."""

    start: int
    end: int
    rank: int          # outer first when two spans cover the same range: region < indicator < entity
    tag: str
    head: str          # attributes of the first piece
    cont: str          # attributes of later pieces (after a crossing span forced a split)


def valid_span(text: str, item: dict) -> bool:
    s, e = item.get("start"), item.get("end")
    return (isinstance(s, int) and isinstance(e, int) and 0 <= s < e <= len(text)
            and text[s:e] == item.get("text", text[s:e]))


def wrap_spans(text: str, marks: list[Mark]) -> str:
    """Escape ``text`` and wrap each mark's range in its element (a boundary sweep).

    Nested marks become nested elements; a mark that crosses another is closed and reopened
    around the crossing boundary, its later pieces carrying ``Mark.cont``. Document-order
    concatenation of a mark's pieces is exactly ``text[start:end]``.
    """
    starts: dict[int, list[Mark]] = {}
    for m in marks:
        starts.setdefault(m.start, []).append(m)
    bounds = sorted({m.start for m in marks} | {m.end for m in marks})
    out: list[str] = []
    stack: list[Mark] = []
    pos = 0
    for b in bounds:
        out.append(esc(text[pos:b]))
        pos = b
        if any(m.end == b for m in stack):
            reopen = []
            while any(m.end == b for m in stack):
                m = stack.pop()
                out.append(f"</{m.tag}>")
                if m.end != b:
                    reopen.append(m)
            for m in sorted(reopen, key=lambda m: (-m.end, m.rank)):
                out.append(f"<{m.tag} {m.cont}>")
                stack.append(m)
        for m in sorted(starts.get(b, ()), key=lambda m: (-m.end, m.rank)):
            out.append(f"<{m.tag} {m.head}>")
            stack.append(m)
    out.append(esc(text[pos:]))
    return "".join(out)


def article_marks(aid: str, record: dict, text: str) -> tuple[list[Mark], list[str]]:
    """Marks for the record's indicators, entities and header regions; plus problems found."""
    marks: list[Mark] = []
    problems: list[str] = []
    for n, ind in enumerate(record.get("indicators") or []):
        if not valid_span(text, ind):
            problems.append(f"indicator #{n} {ind.get('text')!r} at [{ind.get('start')}, {ind.get('end')}) "
                            "does not match the text; not highlighted")
            continue
        cls = f"ind {type_class(ind.get('type'))}"
        common = f'data-i="{n}" aria-describedby="{aid}-r{n}"'
        marks.append(Mark(ind["start"], ind["end"], 1, "mark",
                          f'class="{cls}" id="{aid}-i{n}" tabindex="0" {common}',
                          f'class="{cls} cont" data-head="{aid}-i{n}" {common}'))
    for n, ent in enumerate(record.get("entities") or []):
        if not valid_span(text, ent):
            problems.append(f"entity #{n} {ent.get('text')!r} does not match the text; not underlined")
            continue
        label = str(ent.get("label"))
        cls = f"ent ent-{label if label in ('ORG', 'LOC', 'PER') else 'other'}" + (" generic" if ent.get("generic") else "")
        norm = ent.get("normalized")
        attrs = f'data-label="{esc(label)}"' + (f' data-norm="{esc(norm)}"' if norm and norm != ent.get("text") else "")
        marks.append(Mark(ent["start"], ent["end"], 2, "span", f'class="{cls}" id="{aid}-e{n}" {attrs}',
                          f'class="{cls} cont" data-head="{aid}-e{n}" {attrs}'))
    meta = record.get("meta") or {}
    regions = [("editor note", meta.get("editor_note"))] + [("caption", c) for c in meta.get("captions") or []]
    for name, span in regions:
        if isinstance(span, dict) and valid_span(text, {"start": span.get("start"), "end": span.get("end")}):
            attrs = f'class="region" title="{name}"'
            marks.append(Mark(span["start"], span["end"], 0, "span", attrs, attrs))
    return marks, problems


def fmt_value(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        v = int(v)
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return format(v, ",")
    return str(v)


def indicator_table(aid: str, record: dict, highlighted: bool) -> str:
    inds = record.get("indicators") or []
    if not inds:
        return '<p class="muted">No indicators found in this article.</p>'
    types = [t for t, _ in type_order(Counter(str(i.get("type")) for i in inds))]
    options = "".join(f'<option value="{esc(t)}">{esc(t)}</option>' for t in types)
    head = "".join(f'<th data-key="{k}" tabindex="0"{" class=num" if k in ("n", "value") else ""}>{esc(h)}</th>'
                   for k, h in TABLE_COLUMNS)
    rows = []
    for n, i in enumerate(inds):
        t = str(i.get("type"))
        more = "; ".join(f"{k}={_short(fmt_value(v) if not isinstance(v, (dict, list)) else v, 80)}"
                         for k, v in i.items() if k not in NOT_MORE and v not in (None, "", False))
        qual = str(i.get("qualifier") or "") + (" (approx)" if i.get("approx") and i.get("qualifier") != "approx" else "")
        text = esc(i.get("text"))
        link = f'<a class="goto" href="#{aid}-i{n}">{text}</a>' if highlighted else text
        v = i.get("value")
        numeric = isinstance(v, (int, float)) and not isinstance(v, bool)
        vattr = f' data-v="{v!r}"' if numeric else ""
        sattr = i.get("start") if isinstance(i.get("start"), int) else ""
        cells = [
            f'<td class="num">{n}</td>',
            f'<td><span class="swatch {type_class(t)}">{esc(t)}</span></td>',
            f"<td>{link}</td>",
            f'<td class="num"{vattr}>{esc(fmt_value(v))}</td>',
            f"<td>{esc(i.get('unit'))}</td>", f"<td>{esc(qual)}</td>",
            f"<td>{esc(i.get('subject'))}</td>", f"<td>{esc(i.get('time'))}</td>",
            f"<td>{esc(i.get('scope'))}</td>", f"<td>{esc(i.get('change'))}</td>",
            f"<td>{esc(i.get('org'))}</td>", f"<td>{esc(more)}</td>",
            f'<td data-v="{sattr}">'
            f'{esc(i.get("start"))}–{esc(i.get("end"))}</td>',
        ]
        rows.append(f'<tr id="{aid}-r{n}" data-type="{esc(t)}">{"".join(cells)}</tr>')
    return (f'<div class="filter"><label>Show type <select class="type-filter" data-table="{aid}-t">'
            f'<option value="">all</option>{options}</select></label> '
            f'<span class="muted">— click a column header to sort</span></div>'
            f'<table class="inds" id="{aid}-t"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>')


LEGEND = ('<div class="legend">' + "".join(
    f'<span class="swatch {type_class(t)}">{t}</span>' for t in INDICATOR_TYPES)
    + '<span class="ent ent-ORG">organisation</span><span class="ent ent-LOC">place / person</span>'
      '<span class="region">editor note / caption</span></div>')


def article_section(aid: str, record: dict, text: Optional[str], warning: Optional[str] = None) -> str:
    """One ``<article>``: header, warnings, highlighted text, indicator table."""
    meta = record.get("meta") or {}
    title = meta.get("title") or record.get("doc_id") or "(untitled)"
    src = record.get("source") or {}
    bits = [meta.get("outlet"), meta.get("published"), meta.get("byline")]
    where = f"{src.get('path') or ''}" + (f" #{src.get('record')}" if src.get("record") is not None else "")
    warnings = [warning] if warning else []
    highlighted = False
    if text is None:
        body = '<p class="muted">Text unavailable.</p>'
    elif warning:
        body = f'<div class="text" lang="zh">{esc(text)}</div>'
    else:
        marks, problems = article_marks(aid, record, text)
        warnings += problems
        highlighted = True
        body = f'<div class="text" lang="zh">{wrap_spans(text, marks)}</div>'
    warnings += [f"extractor: {w}" for w in record.get("warnings") or []]
    n_ind = len(record.get("indicators") or [])
    n_org = sum(1 for e in record.get("entities") or [] if isinstance(e, dict) and e.get("label") == "ORG")
    return (f'<article class="doc card" id="{aid}" data-doc="{esc(record.get("doc_id"))}">'
            f'<header><h2>{esc(title)}</h2>'
            f'<div class="meta">{" · ".join(esc(b) for b in bits if b)}'
            f'{" · " if any(bits) else ""}<code>{esc(record.get("doc_id"))}</code> {esc(where)}'
            f' · {n_ind} indicators · {n_org} organisations</div></header>'
            + "".join(f'<div class="warn">{esc(w)}</div>' for w in warnings)
            + body + f"<h3>Indicators</h3>{indicator_table(aid, record, highlighted)}</article>")


# --------------------------------------------------------------------------- page

@lru_cache(maxsize=None)
def _template(name: str) -> str:
    """A file of ``pipeline/templates/`` (package data)."""
    return resources.files("pipeline").joinpath("templates", name).read_text(encoding="utf-8")


def page_head(title: str) -> str:
    """Doctype, head (CSP pinning the page script by hash, inline CSS) and the tooltip element."""
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{esc(csp())}">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<meta name="generator" content="cnie report"><title>{esc(title)}</title>'
            f'<style>{_template("report.css")}</style></head><body>'
            f'<div id="tip" role="tooltip"></div>')


def page_tail() -> str:
    return f'</main><script>{_template("report.js")}</script></body></html>\n'


def csp() -> str:
    digest = base64.b64encode(hashlib.sha256(_template("report.js").encode("utf-8")).digest()).decode()
    return (f"default-src 'none'; script-src 'sha256-{digest}'; style-src 'unsafe-inline'; "
            "img-src data:; base-uri 'none'; form-action 'none'")


def render_article_html(record: dict, text: str) -> str:
    """A whole HTML page for one article record and its text (``cnie show FILE --html``).

    The text is highlighted only when it hashes to ``record["text_sha256"]`` (when present).
    """
    want = record.get("text_sha256")
    warning = None
    if text is not None and want and text_sha256(text) != want:
        warning = "text does not match text_sha256 of the record; shown without highlights"
    title = (record.get("meta") or {}).get("title") or record.get("doc_id") or "article"
    return (page_head(f"cnie: {title}")
            + f'<header class="top"><h1>{esc(title)}</h1><p>cnie — one article</p></header><main>'
            + LEGEND + article_section("a0", record, text, warning) + page_tail())


def counts_table(caption: str, rows: list[tuple[str, int]], cls: str = "") -> str:
    body = "".join(f'<tr><td>{esc(k)}</td><td class="num">{v}</td></tr>' for k, v in rows) \
        or '<tr><td colspan="2" class="muted">none</td></tr>'
    return (f'<table class="small {cls}"><caption class="muted">{esc(caption)}</caption>'
            f'<thead><tr><th>name</th><th class="num">n</th></tr></thead><tbody>{body}</tbody></table>')


def errors_table(ov: Overview) -> str:
    if not ov.errors:
        return '<p class="muted">No failed articles.</p>'
    keys: list[str] = []
    for row in ov.error_rows:
        keys += [k for k in row if k not in keys]
    keys = keys[:8]
    head = "".join(f"<th>{esc(k)}</th>" for k in keys)
    body = "".join("<tr>" + "".join(
        f"<td>{esc(_short(row.get(k)))}</td>" for k in keys) + "</tr>" for row in ov.error_rows)
    more = f'<p class="muted">first {len(ov.error_rows)} of {ov.errors} shown</p>' if ov.errors > len(ov.error_rows) else ""
    return f'<table class="errors"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}'


def _short(v: Any, n: int = 300) -> str:
    s = v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)
    return s if len(s) <= n else s[:n] + "…"


def overview_html(ov: Overview, summary: Optional[dict], shown: tuple[int, int], note: str) -> str:
    stats = [("articles", ov.articles, ""), ("with indicators", ov.with_indicators, ""),
             ("indicators", ov.indicators, ""), ("entities", sum(ov.per_label.values()), ""),
             ("failed articles", ov.errors, " bad" if ov.errors else "")]
    if ov.bad_lines:
        stats.append(("unreadable JSONL lines", ov.bad_lines, " bad"))
    cards = "".join(f'<div class="stat{c}"><b>{v}</b><span>{esc(k)}</span></div>' for k, v, c in stats)
    charts = "".join(f'<figure class="chart"><figcaption>{esc(cap)}</figcaption>{svg}</figure>'
                     for cap, svg in overview_charts(ov))
    summ = ""
    if summary:
        rows = [(k, v) for k, v in summary.items() if isinstance(v, (str, int, float, bool)) or v is None]
        summ = ('<h3>summary.json</h3><table class="small"><tbody>' + "".join(
            f"<tr><td>{esc(k)}</td><td>{esc(_short(v))}</td></tr>" for k, v in rows) + "</tbody></table>")
    first, last = shown
    window = (f"Articles {first + 1}–{last} of {ov.articles} are shown below. {note}" if last > first
              else f"No article sections shown. {note}")
    return (f'<section class="card overview" id="overview"><h2>Overview</h2><div class="stats">{cards}</div>'
            f'<div class="charts">{charts}</div><div class="tables">'
            + counts_table("indicators per type", type_order(ov.per_type), "per-type")
            + counts_table("entities per label", ranked(ov.per_label), "per-label")
            + counts_table("articles per outlet", ranked(ov.articles_per_outlet)[:MAX_OUTLETS])
            + counts_table("extractor warnings", ranked(ov.warnings)[:15])
            + f'</div><h3>Failed articles</h3>{errors_table(ov)}{summ}'
            f'<p class="muted window">{esc(window)}</p></section>')


# --------------------------------------------------------------------------- report

@dataclass
class ReportInfo:
    """What :func:`write_report` wrote."""

    path: Path
    articles: int
    shown: int
    indicators: int
    errors: int
    bytes: int
    truncated_by_size: bool = False


def write_report(directory: Path | str, out: Path | str, *, max_articles: int = DEFAULT_MAX_ARTICLES,
                 start: int = 0, max_mb: float = DEFAULT_MAX_MB, title: Optional[str] = None) -> ReportInfo:
    """Write the report of an ``extract`` output directory to ``out``; returns what was written.

    Streams ``indicators.jsonl`` once for the overview, keeping only the records of the shown
    window (``start`` .. ``start + max_articles``); article sections stop early when the page
    would exceed ``max_mb`` megabytes.
    """
    d = Path(directory)
    src = d / "indicators.jsonl"
    if not src.is_file():
        raise FileNotFoundError(f"{src}: not found (is {d} an `cnie extract` output directory?)")
    ov = Overview()
    window: list[dict] = []
    for _, rec in iter_jsonl(src):
        if rec is None:
            ov.bad_lines += 1
            continue
        if start <= ov.articles < start + max_articles:
            window.append(rec)
        ov.add(rec)
    if (d / "errors.jsonl").is_file():
        for _, err in iter_jsonl(d / "errors.jsonl"):
            ov.add_error(err)
    summary = None
    if (d / "summary.json").is_file():
        try:
            summary = json.loads((d / "summary.json").read_text(encoding="utf-8"))
        except ValueError:
            summary = {"summary.json": "unreadable"}
        summary = summary if isinstance(summary, dict) else None
    texts: list[tuple[Optional[str], Optional[str]]] = []
    for rec, text in zip(window, load_texts(d / "texts.jsonl", window)):
        bad = text is not None and text_sha256(text) != rec.get("text_sha256")
        texts.append((text, "text in texts.jsonl does not match text_sha256; shown without highlights" if bad else None))
    missing = [k for k, (text, _) in enumerate(texts) if text is None]
    for k, got in zip(missing, texts_from_sources([window[k] for k in missing], (d, d.parent, Path.cwd()))):
        texts[k] = got

    budget = int(max_mb * 1024 * 1024)
    sections: list[str] = []
    size = 0
    truncated = False
    for k, (rec, (text, warning)) in enumerate(zip(window, texts)):
        sec = article_section(f"a{start + k}", rec, text, warning)
        n = len(sec.encode("utf-8", "replace"))
        if sections and size + n > budget:
            truncated = True
            break
        sections.append(sec)
        size += n
    shown = (start, start + len(sections))
    note = (f"(stopped at {max_mb:g} MB; use --start {start + len(sections)} for the next page)" if truncated
            else (f"(use --start {start + len(sections)} for the next page)"
                  if start + len(sections) < ov.articles and sections else ""))
    name = title or f"cnie report: {d.resolve().name}"
    toc = "".join(
        f'<li><a href="#a{start + k}">{esc((r.get("meta") or {}).get("title") or r.get("doc_id"))}</a> '
        f'<span class="muted">({len(r.get("indicators") or [])})</span></li>'
        for k, r in enumerate(window[:len(sections)]))
    outp = Path(out)
    outp.parent.mkdir(parents=True, exist_ok=True)
    with open(outp, "w", encoding="utf-8", errors="replace", newline="\n") as fh:
        fh.write(page_head(name))
        fh.write(f'<header class="top"><h1>{esc(name)}</h1><p>{ov.articles} articles · {ov.indicators} '
                 f'indicators · {ov.errors} failed · from {esc(str(d))}</p></header><main>')
        fh.write(overview_html(ov, summary, shown, note))
        if sections:
            fh.write(f'<section class="card"><h2>Articles</h2>{LEGEND}<nav class="toc"><ol start="{start + 1}">'
                     f"{toc}</ol></nav></section>")
        for sec in sections:
            fh.write(sec)
        fh.write(page_tail())
    return ReportInfo(outp, ov.articles, len(sections), ov.indicators, ov.errors, outp.stat().st_size, truncated)


# --------------------------------------------------------------------------- CLI

def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "report", help="HTML report of an extract output directory",
        description="Write one self-contained HTML page: archive overview with charts, and the "
                    "articles with their indicators and organisations highlighted.")
    p.add_argument("directory", type=Path, metavar="DIR", help="output directory of `cnie extract`")
    p.add_argument("-o", "--output", type=Path, default=None, help="HTML file to write (default DIR/report.html)")
    p.add_argument("--max-articles", type=int, default=DEFAULT_MAX_ARTICLES, metavar="N",
                   help=f"article sections to include (default {DEFAULT_MAX_ARTICLES}); the overview covers all")
    p.add_argument("--start", type=int, default=0, metavar="K",
                   help="index of the first article section (0-based), to page through an archive")
    p.add_argument("--max-mb", type=float, default=DEFAULT_MAX_MB, metavar="MB",
                   help=f"stop adding article sections beyond this page size (default {DEFAULT_MAX_MB:g})")
    p.add_argument("--title", default=None, help="page title")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.max_articles < 0 or args.start < 0 or args.max_mb <= 0:
        print("cnie report: --max-articles and --start must be >= 0, --max-mb > 0", file=sys.stderr)
        return 2
    out = args.output or args.directory / "report.html"
    try:
        info = write_report(args.directory, out, max_articles=args.max_articles, start=args.start,
                            max_mb=args.max_mb, title=args.title)
    except FileNotFoundError as e:
        print(f"cnie report: {e}", file=sys.stderr)
        return 2
    more = " (size cap reached)" if info.truncated_by_size else ""
    print(f"wrote {info.path}: {info.articles} articles ({info.shown} shown{more}), "
          f"{info.indicators} indicators, {info.errors} failed, {info.bytes / 1e6:.1f} MB", file=sys.stderr)
    return 0
