"""``cnie show FILE``: one article's indicators and entities as a readable table.

Takes an article file (or ``-`` for stdin); prints a table (type, text, value, unit,
subject, time, scope, change, basis, org) to stdout, or the record as JSON (``--json``),
or writes the highlighted HTML view (``--html``, the same view as ``cnie report``).
"""
from __future__ import annotations

import sys
import unicodedata
import webbrowser
from pathlib import Path

COLUMNS = ("type", "text", "value", "unit", "subject", "time", "scope", "change", "basis", "org")


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def _pad(s: str, w: int) -> str:
    return s + " " * max(0, w - _width(s))


def _cell(v) -> str:
    if v is None:
        return "-"
    if isinstance(v, bool):
        return "yes" if v else "no"
    return str(v)


def format_table(record: dict) -> str:
    rows = [[_cell(ind.get(c)) for c in COLUMNS] for ind in record["indicators"]]
    for r, ind in zip(rows, record["indicators"]):
        if ind.get("qualifier") not in (None, "exact"):
            r[2] = f"{r[2]} ({ind['qualifier']})"
    widths = [max([_width(c)] + [_width(r[i]) for r in rows]) for i, c in enumerate(COLUMNS)]
    out = [" ".join(_pad(c, w) for c, w in zip(COLUMNS, widths)).rstrip(),
           " ".join("-" * w for w in widths)]
    out += [" ".join(_pad(c, w) for c, w in zip(r, widths)).rstrip() for r in rows]
    meta = record.get("meta") or {}
    head = " | ".join(x for x in (meta.get("title"), meta.get("outlet"), meta.get("published")) if x)
    ents = ", ".join(f"{e['text']}[{e['label']}]" for e in record.get("entities", []))
    lines = [head] if head else []
    lines.append(f"{len(rows)} indicators")
    lines += out
    if ents:
        lines.append(f"entities: {ents}")
    for w in record.get("warnings", []):
        lines.append(f"warning: {w}")
    return "\n".join(lines)


def register(sub) -> None:
    p = sub.add_parser("show", help="show one article's indicators as a table (or HTML)",
                       description=__doc__.splitlines()[0])
    p.add_argument("file", help="an article file (.txt), or - for standard input")
    p.add_argument("--json", action="store_true", help="print the cnie/1 record as JSON")
    p.add_argument("--html", nargs="?", const="", metavar="OUT.html",
                   help="write the highlighted view to OUT.html (default: a temp file opened in a browser)")
    p.set_defaults(func=run)


def _read(path: str) -> tuple[str, str]:
    if path == "-":
        return sys.stdin.read(), "-"
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    from .read import html_text, read_text

    text = read_text(p).text  # encoding detected
    if p.suffix.lower() in (".html", ".htm"):
        text = html_text(text).text
    return text, p.name


def run(args) -> int:
    from .api import extract_record
    from .contract import Source, dumps

    try:
        text, name = _read(args.file)
    except Exception as e:  # ReadError, OSError: one clear line, no traceback
        print(f"cnie show: {e}", file=sys.stderr)
        return 2
    record = extract_record(text, doc_id=name, source=Source(path=args.file)).to_dict()
    if args.html is not None:
        from .report import render_article_html

        html = render_article_html(record, text)
        if args.html:
            Path(args.html).write_text(html, encoding="utf-8")
            print(f"wrote {args.html}")
        else:
            import tempfile

            fd, tmp = tempfile.mkstemp(suffix=".html", prefix="cnie-show-")
            with open(fd, "w", encoding="utf-8") as f:
                f.write(html)
            print(f"wrote {tmp}")
            webbrowser.open(f"file://{tmp}")
        return 0
    print(dumps(record) if args.json else format_table(record))
    return 0
