"""One article of the report: its text with highlighted spans and its indicator table.

Takes a record (dict of ``indicators.jsonl``) and its text; returns HTML:
:func:`article_section` (an ``<article>``: header, warnings, the text with indicator spans
highlighted by type, entities underlined and header regions boxed, and a sortable,
filterable indicator table) and :func:`render_article_html` (a whole page for one article,
``cnie show FILE --html``).
"""
from __future__ import annotations

from collections import Counter
from typing import Any, Optional

from .report_html import esc, page_head, page_tail, short
from .report_load import text_sha256
from .report_spans import Mark, valid_span, wrap_spans
from .report_stats import INDICATOR_TYPES, type_order

# indicator table: (data-key, header) — the tooltip shows the same fields, read from the row
TABLE_COLUMNS = (
    ("n", "#"), ("type", "type"), ("text", "text"), ("value", "value"), ("unit", "unit"),
    ("qualifier", "qualifier"), ("subject", "subject"), ("time", "time"), ("scope", "scope"),
    ("change", "change"), ("org", "org"), ("more", "more"), ("at", "offsets"),
)
# every other field of an indicator goes to the "more" column, in record order
NOT_MORE = {k for k, _ in TABLE_COLUMNS} | {"start", "end", "approx", "sentence"}


def type_class(t: Any) -> str:
    """CSS class of an indicator type (``t-other`` for an unknown one)."""
    return f"t-{t}" if t in INDICATOR_TYPES else "t-other"


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
    """A value as shown in the table: numbers with thousands separators, whole floats as ints."""
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        v = int(v)
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return format(v, ",")
    return str(v)


def indicator_table(aid: str, record: dict, highlighted: bool) -> str:
    """The type filter and the table of the record's indicators (links to the spans when ``highlighted``)."""
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
        more = "; ".join(f"{k}={short(fmt_value(v) if not isinstance(v, (dict, list)) else v, 80)}"
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
