"""``cnie train-ner TRAIN DEV -o MODEL_DIR``: train an optional spaCy NER for ORG / LOC / PER.

Takes user-provided training and development files, either CLUENER-style JSON lines
(``{"text": …, "label": {label: {surface: [[start, end_inclusive], …]}}}``) or a character
BIO/BIOES file (``char TAG`` per line, blank line between sentences); returns nothing but
writes a spaCy pipeline (``spacy.blank("zh")`` tokenised by cnie's jieba, one ``ner``
component, CPU, small default model) to ``MODEL_DIR``. Load it with
:func:`pipeline.orgs.load_ner_model`; :func:`pipeline.orgs.find_entities` combines it with the
rules (``model=``). Labels are mapped to ORG/LOC/PER (``LABEL_MAP``), others are dropped.
Spans that cut through a jieba word are widened to whole words (``alignment_mode="expand"``)
and counted. Training is seeded (same data, same model) and capped by ``--epochs`` and
``--max-minutes``; the best epoch on DEV (entity F1) is kept.
"""
from __future__ import annotations

import json
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = ["LABEL_MAP", "Sentence", "read_corpus", "train", "register"]

# CLUENER labels → cnie labels (others dropped); BIO files already use ORG/LOC/PER (or NT/NS/NR)
LABEL_MAP = {
    "government": "ORG", "organization": "ORG", "company": "ORG",
    "name": "PER", "address": "LOC",
    "ORG": "ORG", "LOC": "LOC", "PER": "PER", "NT": "ORG", "NS": "LOC", "NR": "PER",
}


@dataclass
class Sentence:
    text: str
    spans: list[tuple[int, int, str]]   # end-exclusive


def read_corpus(path: str | Path) -> list[Sentence]:
    """Read CLUENER JSONL or a BIO/BIOES character file (detected from the first line)."""
    p = Path(path)
    with open(p, encoding="utf-8") as f:
        first = ""
        for line in f:
            if line.strip():
                first = line.strip()
                break
    if first.startswith("{"):
        return _read_jsonl(p)
    return _read_bio(p)


def _read_jsonl(p: Path) -> list[Sentence]:
    out = []
    for n, line in enumerate(open(p, encoding="utf-8"), 1):
        if not line.strip():
            continue
        try:
            r = json.loads(line)
            text = r["text"]
            spans = []
            for lab, d in (r.get("label") or {}).items():
                mapped = LABEL_MAP.get(lab)
                if not mapped:
                    continue
                for _surface, offs in d.items():
                    for s, e in offs:
                        if 0 <= s <= e < len(text):
                            spans.append((s, e + 1, mapped))
        except (ValueError, KeyError, TypeError) as e:
            raise ValueError(f"{p}:{n}: not a CLUENER record ({e})") from None
        out.append(Sentence(text, sorted(set(spans))))
    return out


def _read_bio(p: Path) -> list[Sentence]:
    out: list[Sentence] = []
    chars: list[str] = []
    tags: list[str] = []

    def flush():
        if chars:
            out.append(Sentence("".join(chars), _bio_spans(tags)))
        chars.clear()
        tags.clear()

    for n, line in enumerate(open(p, encoding="utf-8"), 1):
        line = line.rstrip("\n")
        if not line.strip():
            flush()
            continue
        parts = line.split()
        if len(parts) < 2 and not line.startswith(" "):
            raise ValueError(f"{p}:{n}: expected 'char TAG'")
        ch, tag = (parts[0], parts[-1]) if len(parts) >= 2 else (" ", parts[0])
        chars.append(ch[:1])
        tags.append(tag)
    flush()
    return out


def _bio_spans(tags: list[str]) -> list[tuple[int, int, str]]:
    out, start, label = [], None, None
    for i, t in enumerate(tags + ["O"]):
        pre, _, lab = t.partition("-")
        lab = LABEL_MAP.get(lab, "") if lab else ""
        cont = pre in ("I", "M", "E") and lab == label and start is not None
        if not cont and start is not None:
            out.append((start, i, label))
            start, label = None, None
        if pre in ("B", "S") and lab:
            start, label = i, lab
        elif pre in ("I", "M", "E") and lab and start is None:
            start, label = i, lab  # tolerate I- without B-
        if pre in ("E", "S") and start is not None:
            out.append((start, i + 1, label))
            start, label = None, None
    return out


def _examples(nlp, sents: list[Sentence]):
    from spacy.training import Example
    from spacy.util import filter_spans

    examples, widened = [], 0
    for s in sents:
        doc = nlp.make_doc(s.text)
        spans = []
        for a, b, lab in s.spans:
            sp = doc.char_span(a, b, label=lab)
            if sp is None:
                sp = doc.char_span(a, b, label=lab, alignment_mode="expand")
                widened += 1
            if sp is not None:
                spans.append(sp)
        ref = doc.copy()
        ref.ents = filter_spans(spans)
        examples.append(Example(nlp.make_doc(s.text), ref))
    return examples, widened


def train(train_path: str | Path, dev_path: str | Path, out_dir: str | Path, *,
          epochs: int = 10, max_minutes: float = 30.0, seed: int = 0, batch_size: int = 64,
          dropout: float = 0.2, log=print) -> dict:
    """Train, keep the best DEV epoch in ``out_dir``; return its scores."""
    from spacy.util import fix_random_seed, minibatch

    from .segment import make_nlp

    fix_random_seed(seed)
    rng = random.Random(seed)
    nlp = make_nlp()
    nlp.add_pipe("ner")
    train_ex, w1 = _examples(nlp, read_corpus(train_path))
    dev_ex, w2 = _examples(nlp, read_corpus(dev_path))
    if not train_ex:
        raise ValueError(f"{train_path}: no sentences")
    log(f"train {len(train_ex)} sentences, dev {len(dev_ex)}; spans widened to jieba words: "
        f"{w1} train, {w2} dev")
    optimizer = nlp.initialize(lambda: train_ex)
    best = {"ents_f": -1.0}
    t0 = time.monotonic()
    out = Path(out_dir)
    for epoch in range(1, epochs + 1):
        rng.shuffle(train_ex)
        losses: dict[str, float] = {}
        for batch in minibatch(train_ex, size=batch_size):
            nlp.update(batch, sgd=optimizer, drop=dropout, losses=losses)
            if time.monotonic() - t0 > max_minutes * 60:
                break
        scores = nlp.evaluate(dev_ex) if dev_ex else {"ents_f": 0.0}
        f = float(scores.get("ents_f") or 0.0)
        log(f"epoch {epoch}: loss {losses.get('ner', 0.0):.1f}, dev ents F1 {f:.3f} "
            f"({time.monotonic() - t0:.0f} s)")
        if f > best["ents_f"]:
            best = {"ents_f": f, "epoch": epoch,
                    "per_type": {k: v.get("f") for k, v in (scores.get("ents_per_type") or {}).items()}}
            out.mkdir(parents=True, exist_ok=True)
            nlp.to_disk(out, exclude=["tokenizer"])
        if time.monotonic() - t0 > max_minutes * 60:
            log("time cap reached")
            break
    (out / "cnie-train.json").write_text(json.dumps(best, ensure_ascii=False, sort_keys=True), encoding="utf-8")
    return best


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "train-ner", help="train an optional spaCy NER (ORG/LOC/PER) on your own labelled data",
        description=__doc__.split("\n\n")[0])
    p.add_argument("train", help="training file: CLUENER-style JSONL or char BIO/BIOES")
    p.add_argument("dev", help="development file (same formats); the best epoch on it is kept")
    p.add_argument("-o", "--output", required=True, help="model directory to write")
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--max-minutes", type=float, default=30.0, help="stop training after this long")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--batch-size", type=int, default=64)
    p.set_defaults(func=_run)


def _run(args) -> int:
    best = train(args.train, args.dev, args.output, epochs=args.epochs,
                 max_minutes=args.max_minutes, seed=args.seed, batch_size=args.batch_size,
                 log=lambda m: print(m, file=sys.stderr))
    print(json.dumps(best, ensure_ascii=False, sort_keys=True))
    return 0
