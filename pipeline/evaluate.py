"""Score predicted records against gold: ``cnie eval PRED GOLD``.

Takes predictions (an ``indicators.jsonl`` or an output directory) and gold (a ``.jsonl``
of records, a ``.json`` record, or a directory of ``.json`` records, one per article);
returns precision/recall/F1 per indicator type — strict (same type, span and value) and
lenient (same type, overlapping span) — entity P/R/F1 per label (exact span; a label counts
in a document only where its gold annotates that label), and field accuracy on leniently
matched indicators. Only documents present in the gold are scored.
"""
from __future__ import annotations

import argparse
import difflib
import json
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from .rules import load_table

FIELDS = ("value", "unit", "qualifier", "subject", "subject~", "subject_head", "time", "period",
          "change", "basis", "scope")
# "subject~" scores the subject leniently: the same phrase give or take a modifier — one contains
# the other, or they agree on at least SUBJECT_SIMILARITY of their characters (difflib ratio).
SUBJECT_SIMILARITY = 0.7
TYPES = ("count", "percentage", "ranking", "money")


def _read_records(path: Path) -> dict[str, dict]:
    path = Path(path)
    if path.is_dir():
        cand = path / "indicators.jsonl"
        if cand.exists():
            return _read_records(cand)
        out = {}
        for p in sorted(path.glob("*.json")):
            rec = json.loads(p.read_text(encoding="utf-8"))
            out[rec["doc_id"]] = rec
        return out
    if path.suffix == ".json":
        rec = json.loads(path.read_text(encoding="utf-8"))
        return {rec["doc_id"]: rec}
    out = {}
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError as e:
                    raise ValueError(f"{path}:{n}: not JSON ({e.msg})") from None
                out[rec["doc_id"]] = rec
    return out


def same_value(a, b) -> bool:
    if a is None or b is None:
        return a is b
    try:
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)
    except (TypeError, ValueError):
        return a == b


@dataclass
class PRF:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def p(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def r(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        return 2 * self.p * self.r / (self.p + self.r) if self.p + self.r else 0.0

    def as_dict(self) -> dict:
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn,
                "precision": round(self.p, 4), "recall": round(self.r, 4), "f1": round(self.f1, 4)}


@dataclass
class Report:
    strict: dict[str, PRF] = field(default_factory=dict)
    lenient: dict[str, PRF] = field(default_factory=dict)
    entities: dict[str, PRF] = field(default_factory=dict)
    fields: dict[str, list[int]] = field(default_factory=dict)  # name → [correct, total]
    errors: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "strict": {k: v.as_dict() for k, v in self.strict.items()},
            "lenient": {k: v.as_dict() for k, v in self.lenient.items()},
            "entities": {k: v.as_dict() for k, v in self.entities.items()},
            "fields": {k: {"correct": c, "total": t, "accuracy": round(c / t, 4) if t else None}
                       for k, (c, t) in self.fields.items()},
        }


def _overlap(a: dict, b: dict) -> int:
    return max(0, min(a["end"], b["end"]) - max(a["start"], b["start"]))


def _match(gold: list[dict], pred: list[dict], strict: bool) -> list[tuple[dict, dict]]:
    """One-to-one pairs of the same type, greedy by largest overlap."""
    cands = []
    for gi, g in enumerate(gold):
        for pi, p in enumerate(pred):
            if g["type"] != p["type"]:
                continue
            if strict:
                if g["start"] == p["start"] and g["end"] == p["end"] and same_value(g.get("value"), p.get("value")):
                    cands.append((-(g["end"] - g["start"]), gi, pi))
            else:
                ov = _overlap(g, p)
                if ov > 0:
                    cands.append((-ov, gi, pi))
    cands.sort()
    used_g, used_p, pairs = set(), set(), []
    for _, gi, pi in cands:
        if gi in used_g or pi in used_p:
            continue
        used_g.add(gi)
        used_p.add(pi)
        pairs.append((gold[gi], pred[pi]))
    return pairs


def similar_subject(gold, pred) -> bool:
    if gold is None or pred is None:
        return gold is pred
    g, p = "".join(str(gold).split()), "".join(str(pred).split())
    if not g or not p:
        return g == p
    if g in p or p in g:
        return True
    return difflib.SequenceMatcher(None, g, p).ratio() >= SUBJECT_SIMILARITY


def _norm_field(name: str, v):
    if isinstance(v, str):
        return v.strip()
    return v


def evaluate(pred: dict[str, dict], gold: dict[str, dict]) -> Report:
    rep = Report()
    for kind in TYPES + ("all",):
        rep.strict[kind], rep.lenient[kind] = PRF(), PRF()
    for name in FIELDS:
        rep.fields[name] = [0, 0]
    for doc_id in sorted(gold):
        g = gold[doc_id]
        p = pred.get(doc_id, {"indicators": [], "entities": []})
        gi, pi = g.get("indicators", []), p.get("indicators", [])
        for mode, table in (("strict", rep.strict), ("lenient", rep.lenient)):
            pairs = _match(gi, pi, mode == "strict")
            for kind in TYPES:
                tp = sum(1 for a, _ in pairs if a["type"] == kind)
                table[kind].tp += tp
                table[kind].fn += sum(1 for a in gi if a["type"] == kind) - tp
                table[kind].fp += sum(1 for a in pi if a["type"] == kind) - tp
            if mode == "lenient":
                matched_g = {id(a) for a, _ in pairs}
                matched_p = {id(b) for _, b in pairs}
                for a in gi:
                    if id(a) not in matched_g:
                        rep.errors.append({"doc_id": doc_id, "kind": "missed", "gold": a})
                for b in pi:
                    if id(b) not in matched_p:
                        rep.errors.append({"doc_id": doc_id, "kind": "spurious", "pred": b})
                for a, b in pairs:
                    for name in FIELDS:
                        key = name.rstrip("~")
                        if key not in a:
                            continue
                        rep.fields[name][1] += 1
                        if name == "value":
                            ok = same_value(a[key], b.get(key))
                        elif name == "subject~":
                            ok = similar_subject(a[key], b.get(key))
                        else:
                            ok = _norm_field(name, a[key]) == _norm_field(name, b.get(key))
                        if ok:
                            rep.fields[name][0] += 1
                        else:
                            rep.errors.append({"doc_id": doc_id, "kind": f"field:{name}",
                                               "text": a["text"], "start": a["start"],
                                               "gold": a[key], "pred": b.get(key)})
        ge = {(e["label"], e["start"], e["end"]) for e in g.get("entities", [])}
        pe = {(e["label"], e["start"], e["end"]) for e in p.get("entities", [])}
        if "entities" in g:
            # a label is scored in a document only where the gold annotated it: the labels listed
            # in "entity_labels", else those its entities use (a gold file of ORGs says nothing of LOC)
            labels = set(g.get("entity_labels") or {x[0] for x in ge})
            for label in sorted(labels):
                prf = rep.entities.setdefault(label, PRF())
                gl = {x for x in ge if x[0] == label}
                pl = {x for x in pe if x[0] == label}
                prf.tp += len(gl & pl)
                prf.fp += len(pl - gl)
                prf.fn += len(gl - pl)
                surface = {(e["label"], e["start"], e["end"]): e.get("text")
                           for e in g.get("entities", []) + p.get("entities", [])}
                for kind, items in (("entity_missed", gl - pl), ("entity_spurious", pl - gl)):
                    for x in sorted(items, key=lambda x: (x[1], x[2])):
                        rep.errors.append({"doc_id": doc_id, "kind": kind, "label": x[0],
                                           "start": x[1], "end": x[2], "text": surface.get(x)})
    for table in (rep.strict, rep.lenient):
        for kind in TYPES:
            table["all"].tp += table[kind].tp
            table["all"].fp += table[kind].fp
            table["all"].fn += table[kind].fn
    return rep


def format_report(rep: Report) -> str:
    lines = ["indicators        gold  pred | strict P    R     F1   | lenient P   R     F1"]
    for kind in TYPES + ("all",):
        s, l = rep.strict[kind], rep.lenient[kind]
        gold_n, pred_n = s.tp + s.fn, s.tp + s.fp
        if kind != "all" and gold_n == 0 and pred_n == 0:
            continue
        lines.append(f"  {kind:<14}{gold_n:>6}{pred_n:>6} |       {s.p:.3f} {s.r:.3f} {s.f1:.3f} |        "
                     f"{l.p:.3f} {l.r:.3f} {l.f1:.3f}")
    if rep.entities:
        lines.append("entities          gold  pred |        P     R     F1")
        for label, e in sorted(rep.entities.items()):
            lines.append(f"  {label:<14}{e.tp + e.fn:>6}{e.tp + e.fp:>6} |       {e.p:.3f} {e.r:.3f} {e.f1:.3f}")
    lines.append("fields (on lenient matches)   correct/total  accuracy")
    for name, (c, t) in rep.fields.items():
        if t:
            lines.append(f"  {name:<28}{c:>6}/{t:<6}   {c / t:.3f}")
    return "\n".join(lines)


def register(sub) -> None:
    p = sub.add_parser("eval", help="score predictions against gold annotations",
                       description=__doc__.splitlines()[0])
    p.add_argument("pred", type=Path, help="indicators.jsonl (or an extract output directory)")
    p.add_argument("gold", type=Path, help="gold .jsonl, .json or a directory of .json records")
    p.add_argument("--json", action="store_true", help="print the scores as JSON")
    p.add_argument("--errors", type=Path, help="write every miss, spurious item and field error here (JSONL)")
    p.set_defaults(func=run)


def run(args) -> int:
    for path in (args.pred, args.gold):
        if not path.exists():
            print(f"cnie eval: {path}: no such file or directory", file=sys.stderr)
            return 2
    try:
        pred, gold = _read_records(args.pred), _read_records(args.gold)
    except (ValueError, KeyError) as e:
        print(f"cnie eval: {e}", file=sys.stderr)
        return 2
    if not gold:
        print(f"cnie eval: {args.gold}: no gold records", file=sys.stderr)
        return 2
    rep = evaluate(pred, gold)
    if args.errors:
        with args.errors.open("w", encoding="utf-8") as f:
            for e in rep.errors:
                f.write(json.dumps(e, ensure_ascii=False) + "\n")
    print(json.dumps(rep.as_dict(), ensure_ascii=False, indent=1) if args.json else format_report(rep))
    return 0


def iter_errors(rep: Report) -> Iterable[dict]:
    return iter(rep.errors)


def heldout_stems(corpus_root: Path) -> set[str]:
    """Stems listed in ``corpora/heldout.txt`` (the held-out test set; ``#`` comments)."""
    path = Path(corpus_root) / "heldout.txt"
    if not path.exists():
        return set()
    return set(load_table(path.resolve()).column(0))  # '#' comments; a duplicate stem is an error


def evaluate_corpus(articles: Path, gold_dir: Path, *, split: str = "all") -> tuple[Report, dict[str, dict]]:
    """Extract every gold-annotated article in ``articles`` and score it against ``gold_dir``.

    The publication date recorded with each gold record (the article's metadata, as an archive's
    date field would give it) is passed to the pipeline, as ``cnie extract --date-field`` does.
    ``split``: ``all``, ``dev`` (articles not listed in ``heldout.txt`` beside ``gold_dir``) or
    ``heldout`` (those listed).
    """
    from .api import extract_record
    from .contract import Meta, Source

    if split not in ("all", "dev", "heldout"):
        raise ValueError(f"split must be all, dev or heldout, not {split!r}")
    gold = _read_records(Path(gold_dir))
    if split != "all":
        held = heldout_stems(Path(gold_dir).parent)
        gold = {k: v for k, v in gold.items() if (Path(k).stem in held) == (split == "heldout")}
    pred = {}
    for doc_id, g in sorted(gold.items()):
        path = Path(articles) / doc_id
        text = path.read_text(encoding="utf-8")
        rec = extract_record(text, doc_id=doc_id, source=Source(path=str(path)),
                             meta=Meta(published=g.get("published")))
        pred[doc_id] = rec.to_dict()
    return evaluate(pred, gold), pred
