"""MSRA (SIGHAN bakeoff, People's-Daily style) char-level BIO file: span P/R/F1 of cnie's
entity finder for ORG / LOC / PER, plus its speed against plain ``jieba.lcut``.

Takes ``--data example.test`` (``char TAG`` per line, blank line between sentences; measure
only, never shipped) and optionally ``--ner-model DIR`` and ``--article FILE`` (an article to
time as well). Prints a table, the throughput of ``find_entities`` and of ``jieba.lcut`` on
the same text in this process (warm, best CPU time of ``--repeat`` interleaved runs; still
noisy on shared cores), and as
the last line ``ORG F1: x.xxx``.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ner_common import add_model_args, load_model, predict  # noqa: E402
from pipeline import orgs, segment  # noqa: E402


def read_bio(path: str):
    chars, tags = [], []
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if not line.strip():
            if chars:
                yield "".join(chars), spans(tags)
            chars, tags = [], []
            continue
        parts = line.split()
        ch, tag = (parts[0], parts[-1]) if len(parts) >= 2 else (" ", parts[0])
        chars.append(ch[:1])
        tags.append(tag)
    if chars:
        yield "".join(chars), spans(tags)


def spans(tags: list[str]) -> set[tuple[str, int, int]]:
    out, start, label = set(), None, None
    for i, t in enumerate(tags + ["O"]):
        if t.startswith("B-") or t == "O" or (t.startswith("I-") and t[2:] != label):
            if start is not None:
                out.add((label, start, i))
            start, label = (i, t[2:]) if t != "O" else (None, None)
    return out


def timed(fn, texts, repeat: int) -> float:
    """Best CPU time (``time.process_time``: steadier than wall time on shared cores)."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.process_time()
        for t in texts:
            fn(t)
        best = min(best, time.process_time() - t0)
    return best


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True)
    add_model_args(ap)
    ap.add_argument("--article", action="append", default=[], help="extra text file(s) to time")
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args(argv)
    model = load_model(a)
    rows = list(read_bio(a.data))
    orgs.find_entities("预热")
    counts = {lab: [0, 0, 0] for lab in ("ORG", "LOC", "PER")}
    errs = []
    for text, gold in rows:
        pred = {(e.label, e.start, e.end) for e in predict(text, model, a)
                if a.with_generic or not e.generic}
        for lab in counts:
            g = {x for x in gold if x[0] == lab}
            p = {x for x in pred if x[0] == lab}
            counts[lab][0] += len(p & g); counts[lab][1] += len(p - g); counts[lab][2] += len(g - p)
            if lab == "ORG":
                errs += [("FP", text[s:e], text) for _, s, e in p - g][:1]
                errs += [("FN", text[s:e], text) for _, s, e in g - p][:1]
    nchars = sum(len(t) for t, _ in rows)
    print(f"MSRA test: {len(rows)} sentences, {nchars} chars ({'rules + model' if model else 'rules only'})")
    print(f"{'label':<8}{'gold':>7}{'P':>8}{'R':>8}{'F1':>8}")
    f1 = {}
    for lab, (tp, fp, fn) in counts.items():
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        f1[lab] = 2 * p * r / (p + r) if p + r else 0.0
        print(f"{lab:<8}{tp + fn:>7}{p:>8.3f}{r:>8.3f}{f1[lab]:>8.3f}")
    for kind, surf, text in errs[: 2 * a.errors]:
        print(f"  {kind} {surf}\t{text[:80]}")
    # speed: whole articles are what the pipeline sees; join sentences into ~2000-char documents
    docs, cur = [], []
    for t, _ in rows:
        cur.append(t)
        if sum(map(len, cur)) > 2000:
            docs.append("".join(cur)); cur = []
    docs = docs[:60] + [Path(p).read_text(encoding="utf-8") for p in a.article]
    tk = segment.tokenizer()
    n = sum(map(len, docs))
    t_jieba = t_ents = float("inf")
    for _ in range(a.repeat):  # interleaved, so both see the same machine load
        t_jieba = min(t_jieba, timed(tk.lcut, docs, 1))
        t_ents = min(t_ents, timed(lambda t: orgs.find_entities(t, model=model), docs, 1))
    print(f"speed on {len(docs)} documents, {n} chars: jieba.lcut {n / t_jieba:,.0f} chars/s, "
          f"find_entities {n / t_ents:,.0f} chars/s, cost ratio find_entities/jieba.lcut = "
          f"{t_ents / t_jieba:.2f}")
    print(f"ORG F1: {f1['ORG']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
