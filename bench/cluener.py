"""CLUENER2020 dev: span-exact P/R/F1 of cnie's entity finder (measure only; data not shipped).

Takes ``--data dev.json`` (CLUENER JSON lines, end offsets inclusive) and optionally
``--ner-model DIR`` (a model from ``cnie train-ner``, combined with the rules); prints a table
(government / organization / company each mapped to ORG, their union ORG, name→PER,
address→LOC) and, as the last line, ``ORG F1: x.xxx``. For the single gold labels only recall
is meaningful (cnie predicts ORG, not the sub-label), so their precision column counts a
predicted ORG as correct when it matches a gold span of that label among all ORG predictions
that match any gold ORG-family span or none.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ner_common import add_model_args, load_model, predict  # noqa: E402
from pipeline import orgs  # noqa: E402

MAP = {"government": "ORG", "organization": "ORG", "company": "ORG", "name": "PER", "address": "LOC"}


def read(path: str):
    for line in open(path, encoding="utf-8"):
        if line.strip():
            r = json.loads(line)
            gold = set()
            for lab, d in (r.get("label") or {}).items():
                for _surface, spans in d.items():
                    for s, e in spans:
                        gold.add((lab, s, e + 1))
            yield r["text"], gold


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True, help="CLUENER dev.json")
    add_model_args(ap)
    a = ap.parse_args(argv)
    model = load_model(a)
    rows = list(read(a.data))
    orgs.find_entities("预热")  # load lexicons outside the timing
    t0 = time.perf_counter()
    counts: dict[str, list[int]] = {}
    errs_fp, errs_fn = [], []
    nchars = 0
    for text, gold in rows:
        nchars += len(text)
        pred = {(e.label, e.start, e.end) for e in predict(text, model, a)
                if a.with_generic or not e.generic}
        for lab in ("government", "organization", "company", "name", "address"):
            mapped = MAP[lab]
            g = {(s, e) for l, s, e in gold if l == lab}
            other = {(s, e) for l, s, e in gold if MAP.get(l) == mapped and l != lab}
            p = {(s, e) for l, s, e in pred if l == mapped} - other
            c = counts.setdefault(lab, [0, 0, 0])
            c[0] += len(p & g); c[1] += len(p - g); c[2] += len(g - p)
        for mapped in ("ORG", "PER", "LOC"):
            g = {(s, e) for l, s, e in gold if MAP.get(l) == mapped}
            p = {(s, e) for l, s, e in pred if l == mapped}
            c = counts.setdefault(mapped, [0, 0, 0])
            c[0] += len(p & g); c[1] += len(p - g); c[2] += len(g - p)
            if mapped == "ORG":
                errs_fp += [(text, text[s:e], "FP") for s, e in p - g]
                errs_fn += [(text, text[s:e], "FN") for s, e in g - p]
    dt = time.perf_counter() - t0
    print(f"CLUENER dev: {len(rows)} sentences, {nchars} chars, {dt:.1f} s"
          f" ({'rules + model' if model else 'rules only'})")
    print(f"{'label':<14}{'gold':>6}{'P':>8}{'R':>8}{'F1':>8}")
    for lab in ("government", "organization", "company", "ORG", "name", "PER", "address", "LOC"):
        if lab in ("name", "address"):
            continue
        tp, fp, fn = counts[lab]
        p, r, f = prf(tp, fp, fn)
        print(f"{lab:<14}{tp + fn:>6}{p:>8.3f}{r:>8.3f}{f:>8.3f}")
    for text, surf, kind in (errs_fp[: a.errors] + errs_fn[: a.errors]):
        print(f"  {kind} {surf}\t{text}")
    tp, fp, fn = counts["ORG"]
    print(f"ORG F1: {prf(tp, fp, fn)[2]:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
