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

This module assembles the page and registers the subcommand; the parts live in
:mod:`pipeline.report_load` (reading DIR), :mod:`pipeline.report_stats` (archive counts),
:mod:`pipeline.report_charts` (SVG charts), :mod:`pipeline.report_overview` (overview section),
:mod:`pipeline.report_spans` and :mod:`pipeline.report_article` (highlighted articles) and
:mod:`pipeline.report_html` (escaping, page shell); their public names are re-exported here.
:func:`render_article_html` renders the same view for one record (``cnie show FILE --html``).
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from .report_article import (LEGEND, NOT_MORE, TABLE_COLUMNS, article_marks, article_section, fmt_value,
                             indicator_table, render_article_html, type_class)
from .report_charts import OTHER_COLOUR, TYPE_COLOURS, bar_chart_svg, overview_charts
from .report_html import _template  # noqa: F401  (re-exported: the tests read the templates through it)
from .report_html import csp, esc, page_head, page_tail, short
from .report_load import (LoadedRun, iter_jsonl, load_run, load_texts, read_summary, text_sha256, texts_from_sources,
                          window_texts)
from .report_overview import counts_table, errors_table, overview_html
from .report_spans import Mark, valid_span, wrap_spans
from .report_stats import (INDICATOR_TYPES, MAX_ERROR_ROWS, MAX_OUTLETS, MAX_WARNING_KINDS, Overview, month_of,
                           month_series, ranked, top_and_rest, type_order)

__all__ = [
    "DEFAULT_MAX_ARTICLES", "DEFAULT_MAX_MB", "ReportInfo", "article_sections", "write_report", "register", "run",
    "LEGEND", "NOT_MORE", "TABLE_COLUMNS", "article_marks", "article_section", "fmt_value", "indicator_table",
    "render_article_html", "type_class",
    "OTHER_COLOUR", "TYPE_COLOURS", "bar_chart_svg", "overview_charts",
    "csp", "esc", "page_head", "page_tail", "short",
    "LoadedRun", "iter_jsonl", "load_run", "load_texts", "read_summary", "text_sha256", "texts_from_sources",
    "window_texts",
    "counts_table", "errors_table", "overview_html",
    "Mark", "valid_span", "wrap_spans",
    "INDICATOR_TYPES", "MAX_ERROR_ROWS", "MAX_OUTLETS", "MAX_WARNING_KINDS", "Overview", "month_of", "month_series",
    "ranked", "top_and_rest", "type_order",
]

DEFAULT_MAX_ARTICLES = 200
DEFAULT_MAX_MB = 50.0


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


def article_sections(window: list[dict], texts: list[tuple[Optional[str], Optional[str]]], start: int,
                     budget: int) -> tuple[list[str], bool]:
    """The ``<article>`` of each window record (ids ``a{start + k}``), stopping before the
    sections would exceed ``budget`` bytes (the first one is always kept); and whether it stopped."""
    sections: list[str] = []
    size = 0
    for k, (rec, (text, warning)) in enumerate(zip(window, texts)):
        sec = article_section(f"a{start + k}", rec, text, warning)
        n = len(sec.encode("utf-8", "replace"))
        if sections and size + n > budget:
            return sections, True
        sections.append(sec)
        size += n
    return sections, False


def write_report(directory: Path | str, out: Path | str, *, max_articles: int = DEFAULT_MAX_ARTICLES,
                 start: int = 0, max_mb: float = DEFAULT_MAX_MB, title: Optional[str] = None) -> ReportInfo:
    """Write the report of an ``extract`` output directory to ``out``; returns what was written.

    Streams ``indicators.jsonl`` once for the overview, keeping only the records of the shown
    window (``start`` .. ``start + max_articles``); article sections stop early when the page
    would exceed ``max_mb`` megabytes.
    """
    d = Path(directory)
    loaded = load_run(d, start, max_articles)
    ov, window = loaded.overview, loaded.window
    sections, truncated = article_sections(window, loaded.texts, start, int(max_mb * 1024 * 1024))
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
        fh.write(overview_html(ov, loaded.summary, shown, note))
        if sections:
            fh.write(f'<section class="card"><h2>Articles</h2>{LEGEND}<nav class="toc"><ol start="{start + 1}">'
                     f"{toc}</ol></nav></section>")
        for sec in sections:
            fh.write(sec)
        fh.write(page_tail())
    return ReportInfo(outp, ov.articles, len(sections), ov.indicators, ov.errors, outp.stat().st_size, truncated)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``report`` subcommand."""
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
    """``cnie report``: write the page, print one line about it to stderr; exit code 2 on bad arguments or DIR."""
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
