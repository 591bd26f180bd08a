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

from pipeline.evaluate import evaluate_corpus, format_report, heldout_stems  # noqa: E402

BEGIN, END = "<!-- eval:begin -->", "<!-- eval:end -->"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=Path, default=ROOT / "corpora" / "articles")
    ap.add_argument("--gold", type=Path, default=ROOT / "corpora" / "gold")
    ap.add_argument("--update-readme", action="store_true")
    ap.add_argument("--errors", type=Path)
    a = ap.parse_args(argv)
    held = heldout_stems(a.gold.parent)
    stems = sorted(p.stem for p in a.gold.glob("*.json"))
    n_dev = sum(1 for x in stems if x not in held)
    n_held = len(stems) - n_dev
    blocks, errors = [], []
    for split, n, label in (("dev", n_dev, "development corpus (rules were tuned on these)"),
                            ("heldout", n_held, "held-out test set (corpora/heldout.txt; never tuned on)")):
        if not n:
            continue
        rep, _ = evaluate_corpus(a.articles, a.gold, split=split)
        errors.extend(rep.errors)
        blocks.append(f"# {label}: {n} articles\n{format_report(rep)}")
    table = "\n\n".join(blocks)
    print(table)
    if a.errors:
        with a.errors.open("w", encoding="utf-8") as f:
            for e in errors:
                f.write(json.dumps(e, ensure_ascii=False) + "\n")
    if a.update_readme:
        readme = ROOT / "README.md"
        text = readme.read_text(encoding="utf-8")
        if BEGIN not in text or END not in text:
            print("README.md has no evaluation markers", file=sys.stderr)
            return 1
        head, rest = text.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        block = f"{BEGIN}\n```\n$ make eval   # {len(stems)} gold articles\n{table}\n```\n{END}"
        readme.write_text(head + block + tail, encoding="utf-8")
        print("README.md evaluation section updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
