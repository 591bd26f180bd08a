"""Evaluate cnie on the bundled real corpus (corpora/articles + corpora/gold).

Usage: python bench/corpus_eval.py [--articles DIR] [--gold DIR] [--update-readme] [--errors FILE]
Prints the evaluation table; --update-readme rewrites the README's evaluation section
(between the markers) with it, so the README never shows figures no command produced.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.evaluate import evaluate_corpus, format_report  # noqa: E402

BEGIN, END = "<!-- eval:begin -->", "<!-- eval:end -->"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=Path, default=ROOT / "corpora" / "articles")
    ap.add_argument("--gold", type=Path, default=ROOT / "corpora" / "gold")
    ap.add_argument("--update-readme", action="store_true")
    ap.add_argument("--errors", type=Path)
    a = ap.parse_args(argv)
    rep, _ = evaluate_corpus(a.articles, a.gold)
    n_docs = len(list(a.gold.glob("*.json")))
    table = format_report(rep)
    print(f"{n_docs} gold articles\n{table}")
    if a.errors:
        with a.errors.open("w", encoding="utf-8") as f:
            for e in rep.errors:
                f.write(json.dumps(e, ensure_ascii=False) + "\n")
    if a.update_readme:
        readme = ROOT / "README.md"
        text = readme.read_text(encoding="utf-8")
        if BEGIN not in text or END not in text:
            print("README.md has no evaluation markers", file=sys.stderr)
            return 1
        head, rest = text.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        block = f"{BEGIN}\n```\n$ make eval   # {n_docs} gold articles\n{table}\n```\n{END}"
        readme.write_text(head + block + tail, encoding="utf-8")
        print("README.md evaluation section updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
