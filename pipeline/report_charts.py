"""Inline SVG bar charts of the report (matplotlib, imported on first use).

Takes labels and values, or an :class:`~pipeline.report_stats.Overview`; returns ``<svg>``
elements as strings: text kept as text, fixed ids (``svg.hashsalt``) and no metadata, so the
same data always gives the same bytes.
"""
from __future__ import annotations

import io
from typing import Optional

from .report_html import esc
from .report_stats import MAX_OUTLETS, Overview, month_series, ranked, top_and_rest, type_order

TYPE_COLOURS = {"count": "#1f6feb", "percentage": "#1a7f37", "ranking": "#bc4c00", "money": "#8250df"}
OTHER_COLOUR = "#6e7781"


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


def overview_charts(ov: Overview) -> list[tuple[str, str]]:
    """``(caption, svg)`` for indicators per type, per outlet and per publication month."""
    types = type_order(ov.per_type)
    outlets = top_and_rest(ranked(ov.per_outlet), MAX_OUTLETS)
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
