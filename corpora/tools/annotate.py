"""Build a gold file from a hand-written draft, computing every offset from the text.

Takes a draft JSON (written by a person reading the article) and the article; returns
the gold record ``corpora/gold/<stem>.json`` with ``start``/``end`` filled in, so offsets
are right by construction. A draft item names its surface ``text`` and, when that surface
occurs more than once, either ``ctx`` (a string that occurs exactly once in the article
and contains the surface; ``ctx_occ`` picks which occurrence of the surface inside it,
default 0) or ``occ`` (the 0-based occurrence of the surface in the whole article).
Entities may say ``"occ": "all"`` to expand to every occurrence.

Draft shape::

    {"doc_id": "x.txt", "published": "2021-12-27", "notes": "...",
     "defaults": {"time": "1—11月份", ...},          # optional, per-item override
     "indicators": [{"type": "percentage", "text": "38.0%", "ctx": "同比增长38.0%（",
                     "value": 38.0, "unit": "%", ...}],
     "entities": [{"label": "ORG", "text": "南京海关", "occ": "all"}]}

Usage: ``python corpora/tools/annotate.py DRAFT.json [--out corpora/gold/STEM.json]``
(``--text-dir corpora/synthetic`` for a synthetic text; its gold is written beside it).
Nothing here reads cnie's own output: the draft is the annotator's judgement.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ARTICLES = ROOT / "corpora" / "articles"
GOLD = ROOT / "corpora" / "gold"

INDICATOR_FIELDS = ("type", "text", "start", "end", "value", "unit", "qualifier", "low", "high",
                    "subject", "subject_head", "time", "period", "scope", "change", "basis",
                    "basis_text", "change_mode", "direction")
REQUIRED_NULLABLE = ("unit", "subject", "subject_head", "time", "period", "scope", "change",
                     "basis")


class DraftError(ValueError):
    pass


def occurrences(text: str, needle: str) -> list[int]:
    """Start offsets of every (possibly overlapping) occurrence of ``needle``."""
    out, i = [], text.find(needle)
    while i != -1:
        out.append(i)
        i = text.find(needle, i + 1)
    return out


def locate(text: str, surface: str, ctx: str | None = None, ctx_occ: int = 0,
           occ: int | None = None) -> tuple[int, int]:
    """(start, end) of ``surface`` in ``text`` as described; raises DraftError if ambiguous."""
    if not surface:
        raise DraftError("empty surface")
    if ctx is not None:
        hits = occurrences(text, ctx)
        if len(hits) != 1:
            raise DraftError(f"context {ctx!r} occurs {len(hits)} times (need exactly 1)")
        inner = occurrences(ctx, surface)
        if ctx_occ >= len(inner):
            raise DraftError(f"surface {surface!r} occurrence {ctx_occ} not in context {ctx!r}")
        start = hits[0] + inner[ctx_occ]
    else:
        hits = occurrences(text, surface)
        if occ is None:
            if len(hits) != 1:
                raise DraftError(f"surface {surface!r} occurs {len(hits)} times: give ctx or occ")
            start = hits[0]
        else:
            if occ >= len(hits):
                raise DraftError(f"surface {surface!r} has no occurrence {occ}")
            start = hits[occ]
    end = start + len(surface)
    assert text[start:end] == surface
    return start, end


def build(draft: dict, text: str) -> dict:
    """The gold record for ``draft`` over ``text`` (items sorted by offset)."""
    defaults = draft.get("defaults", {})
    indicators = []
    for n, item in enumerate(draft.get("indicators", [])):
        try:
            start, end = locate(text, item["text"], item.get("ctx"), item.get("ctx_occ", 0),
                                item.get("occ"))
        except (DraftError, KeyError) as e:
            raise DraftError(f"indicator #{n} {item.get('text')!r}: {e}") from None
        if start > 0 and (text[start - 1].isdigit() or text[start - 1] == "."):
            raise DraftError(f"indicator #{n} {item['text']!r} starts inside a number at {start}")
        rec = {}
        for f in INDICATOR_FIELDS:
            if f == "start":
                rec[f] = start
            elif f == "end":
                rec[f] = end
            elif f in item:
                rec[f] = item[f]
            elif f in defaults:
                rec[f] = defaults[f]
            elif f == "qualifier":
                rec[f] = "exact"
            elif f in REQUIRED_NULLABLE:
                rec[f] = None
        indicators.append(rec)
    entities = []
    for n, item in enumerate(draft.get("entities", [])):
        if item.get("occ") == "all":
            starts = occurrences(text, item["text"])
            if not starts:
                raise DraftError(f"entity #{n} {item['text']!r} not in text")
            spans = [(s, s + len(item["text"])) for s in starts]
        else:
            try:
                spans = [locate(text, item["text"], item.get("ctx"), item.get("ctx_occ", 0),
                                item.get("occ"))]
            except DraftError as e:
                raise DraftError(f"entity #{n} {item['text']!r}: {e}") from None
        for s, e in spans:
            entities.append({"label": item["label"], "text": item["text"], "start": s, "end": e})
    indicators.sort(key=lambda r: (r["start"], r["end"]))
    entities.sort(key=lambda r: (r["start"], r["end"]))
    keys = [(r["start"], r["end"]) for r in indicators]
    if len(set(keys)) != len(keys):
        raise DraftError("two indicators share a span")
    return {"doc_id": draft["doc_id"], "published": draft.get("published"),
            "indicators": indicators, "entities": entities, "notes": draft.get("notes", "")}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("draft", type=Path)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--text-dir", type=Path, default=ARTICLES,
                    help="where the article is (corpora/synthetic for synthetic texts)")
    a = ap.parse_args(argv)
    draft = json.loads(a.draft.read_text(encoding="utf-8"))
    text = (a.text_dir / draft["doc_id"]).read_text(encoding="utf-8")
    try:
        gold = build(draft, text)
    except DraftError as e:
        print(f"{a.draft}: {e}", file=sys.stderr)
        return 1
    gold_dir = GOLD if a.text_dir.resolve() == ARTICLES.resolve() else a.text_dir
    out = a.out or gold_dir / (Path(draft["doc_id"]).stem + ".json")
    out.write_text(json.dumps(gold, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {out}: {len(gold['indicators'])} indicators, {len(gold['entities'])} entities")
    return 0


if __name__ == "__main__":
    sys.exit(main())
