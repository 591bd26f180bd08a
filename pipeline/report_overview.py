"""The overview section of the report: stat cards, charts and count tables.

Takes an :class:`~pipeline.report_stats.Overview`, the parsed ``summary.json``, the shown
window ``(first, last)`` and a paging note; returns the ``<section id="overview">`` HTML.
"""
from __future__ import annotations

from typing import Optional

from .report_charts import overview_charts
from .report_html import esc, short
from .report_stats import MAX_OUTLETS, Overview, ranked, type_order


def counts_table(caption: str, rows: list[tuple[str, int]], cls: str = "") -> str:
    """A small two-column (name, n) table; "none" when there are no rows."""
    body = "".join(f'<tr><td>{esc(k)}</td><td class="num">{v}</td></tr>' for k, v in rows) \
        or '<tr><td colspan="2" class="muted">none</td></tr>'
    return (f'<table class="small {cls}"><caption class="muted">{esc(caption)}</caption>'
            f'<thead><tr><th>name</th><th class="num">n</th></tr></thead><tbody>{body}</tbody></table>')


def errors_table(ov: Overview) -> str:
    """The first failed articles of ``errors.jsonl`` (at most 8 columns), or "No failed articles"."""
    if not ov.errors:
        return '<p class="muted">No failed articles.</p>'
    keys: list[str] = []
    for row in ov.error_rows:
        keys += [k for k in row if k not in keys]
    keys = keys[:8]
    head = "".join(f"<th>{esc(k)}</th>" for k in keys)
    body = "".join("<tr>" + "".join(
        f"<td>{esc(short(row.get(k)))}</td>" for k in keys) + "</tr>" for row in ov.error_rows)
    more = f'<p class="muted">first {len(ov.error_rows)} of {ov.errors} shown</p>' if ov.errors > len(ov.error_rows) else ""
    return f'<table class="errors"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}'


def overview_html(ov: Overview, summary: Optional[dict], shown: tuple[int, int], note: str) -> str:
    """The overview ``<section>``: stat cards, charts, count tables, failed articles, summary.json."""
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
            f"<tr><td>{esc(k)}</td><td>{esc(short(v))}</td></tr>" for k, v in rows) + "</tbody></table>")
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
