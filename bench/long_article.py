"""Long-article scaling: time one article of growing size against plain jieba.lcut on it.

Usage: python bench/long_article.py [--corpus DIR] [--sizes 50000,200000,1000000]
Builds each article by joining the bundled texts (blank line between them), extracts it once
with :func:`pipeline.api.extract_record` and segments it once with ``jieba.lcut``, and prints
seconds, characters per second and the ratio to jieba. Extraction time should grow linearly
with the article (a constant chars/s); a falling rate means some stage is quadratic.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=ROOT / "corpora" / "articles")
    ap.add_argument("--sizes", default="50000,200000,1000000")
    a = ap.parse_args(argv)
    import jieba

    from pipeline.api import extract_record

    texts = [p.read_text(encoding="utf-8") for p in sorted(a.corpus.glob("*.txt"))]
    if not texts:
        sys.exit(f"no articles in {a.corpus}")
    extract_record(texts[0])  # start-up (rules, dictionaries) outside the timings
    tk = jieba.Tokenizer()
    tk.initialize()
    print(f"{'chars':>10} {'indicators':>10} {'cnie s':>8} {'chars/s':>10} {'jieba s':>8} {'ratio':>6}")
    for size in (int(x) for x in a.sizes.split(",")):
        parts, n, i = [], 0, 0
        while n < size:
            t = texts[i % len(texts)]
            parts.append(t)
            n += len(t) + 2
            i += 1
        text = "\n\n".join(parts)
        t0 = time.perf_counter()
        rec = extract_record(text, doc_id="long")
        cnie_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        tk.lcut(text)
        jieba_s = time.perf_counter() - t0
        print(f"{len(text):>10,} {len(rec.indicators):>10,} {cnie_s:>8.2f} {len(text) / cnie_s:>10,.0f} "
              f"{jieba_s:>8.2f} {jieba_s / cnie_s:>6.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
