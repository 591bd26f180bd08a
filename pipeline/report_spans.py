"""Escaped text with spans wrapped in elements (the highlighting of the report's articles).

Takes a text and a list of :class:`Mark` (start, end, tag and attributes); returns the HTML-escaped
text with every mark's range wrapped in its element, nested or split where marks cross.
"""
from __future__ import annotations

from dataclasses import dataclass

from .report_html import esc


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
    """True when ``item``'s ``start``/``end`` are a non-empty range of ``text`` holding ``item["text"]`` (if given)."""
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
