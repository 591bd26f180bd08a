"""Options and prediction shared by the NER benchmarks (bench/cluener.py, bench/msra.py)."""
from __future__ import annotations

import argparse

from pipeline import orgs


def add_model_args(ap: argparse.ArgumentParser) -> None:
    """--with-generic, --model-only, --rules-win, --ner-model, --errors."""
    ap.add_argument("--with-generic", action="store_true",
                    help="also score generic mentions (检察机关, 全市法院); by default only named "
                         "entities are scored, as the gold annotates named entities only")
    ap.add_argument("--model-only", action="store_true", help="score the model without the rules")
    ap.add_argument("--rules-win", default="",
                    help="labels on which rule entities win overlaps with model entities "
                         "(comma-separated; empty = the model wins everywhere)")
    ap.add_argument("--ner-model", help="model dir from `cnie train-ner` to combine with the rules")
    ap.add_argument("--errors", type=int, default=0, help="print this many error examples")


def load_model(a):
    return orgs.load_ner_model(a.ner_model) if a.ner_model else None


def predict(text: str, model, a):
    """Rules, the model, or both combined (rules win on --rules-win labels)."""
    return orgs.predict(text, model, a.model_only, tuple(x for x in a.rules_win.split(",") if x))
