"""Parse the header of a press release the way these releases are laid out.

Takes the article text; returns a :class:`pipeline.contract.Meta`: ``title`` (first
non-empty line), ``outlet`` and ``published`` (ISO 8601) from a dateline such as
``东莞时间网 2020-10-10 08:16:45``, ``byline`` (``记者 吕晓敢``), the editor's note span
(``【编者按】`` and the paragraph after it) and image-caption spans (``■…供图``).
Line patterns live in ``rules/header.patterns``. Only the first lines are searched for
the dateline and byline; captions are found anywhere.
"""
from __future__ import annotations

import functools

from .contract import Meta, Span
from .rules import load_patterns

HEADER_LINES = 8  # dateline/byline are looked for in this many first non-empty lines


@functools.lru_cache(maxsize=1)
def _patterns():
    return load_patterns("header.patterns")


def _lines(text: str):
    """(start, end) of each line, end excluding the newline."""
    i = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        yield i, i + len(body)
        i += len(line)


def _iso(m) -> str:
    g = m.groupdict()
    out = f"{int(g['y']):04d}-{int(g['m']):02d}-{int(g['d']):02d}"
    if g.get("H"):
        out += f"T{int(g['H']):02d}:{g['M']}"
        out += f":{g['S']}" if g.get("S") else ":00"
    return out


def normalise_date(value) -> str | None:
    """A date from metadata (2021/09/17, 2021年9月17日 10:20, a datetime) as ISO 8601, or None."""
    if value is None:
        return None
    if hasattr(value, "isoformat"):
        value = value.isoformat()
    m = _patterns()["DATE"].search(str(value))
    if not m:
        return None
    try:
        return _iso(m)
    except (TypeError, ValueError):
        return None


DATELINE_MAX = 160  # non-space characters: a longer line is body text, never a dateline


def _short(line: str) -> bool:
    """Can ``line`` be a dateline? (skips the slow pattern on paragraphs)"""
    return len(line) <= DATELINE_MAX or len("".join(line.split())) <= DATELINE_MAX


def parse_header(text: str) -> Meta:
    p = _patterns()
    meta = Meta()
    lines = [(s, e) for s, e in _lines(text) if text[s:e].strip()]
    if not lines:
        return meta
    s, e = lines[0]
    first = text[s:e].strip()
    if not (_short(first) and p["DATELINE"].match(first)):
        meta.title = first
    for idx, (s, e) in enumerate(lines[:HEADER_LINES]):
        line = text[s:e]
        if meta.published is None:
            m = p["DATELINE"].match(line) if _short(line) else None
            if m:
                try:
                    meta.published = _iso(m)
                except (TypeError, ValueError):
                    pass
                outlet = (m.group("outlet") or m.group("outlet2") or "").strip()
                meta.outlet = outlet or None
                continue
        if meta.byline is None and p["BYLINE"].match(line):
            meta.byline = line.strip()
            continue
        if meta.editor_note is None and p["EDITOR_NOTE"].match(line):
            # the note is the label line plus the next non-empty paragraph
            end = lines[idx + 1][1] if idx + 1 < len(lines) else e
            meta.editor_note = Span(s + (len(line) - len(line.lstrip())), end)
    if meta.byline is None:  # many releases sign off at the end: "记者 吕晓敢"
        for s, e in lines[max(HEADER_LINES, len(lines) - 3):]:
            if p["BYLINE"].match(text[s:e]):
                meta.byline = text[s:e].strip()
    for s, e in lines:
        if p["CAPTION"].match(text[s:e]):
            meta.captions.append(Span(s + (len(text[s:e]) - len(text[s:e].lstrip())), e))
    return meta
