"""Run Microsoft Recognizers-Text's Chinese number specs through cnie's number engine.

Usage::

    python bench/recognizers_text.py --specs ../shared/benchmarks/recognizers-text-zh
    python bench/recognizers_text.py --specs DIR --engine rt   # RT's own Python package
                                                               # (run with a venv that has it)

Takes the spec directory (``Number/NumberModel.json``, ``PercentModel.json``,
``OrdinalModel.json``, ``NumberWithUnit/CurrencyModel.json``, ``DimensionModel.json``).
A case passes when the SET of (Text, resolved value) pairs we produce equals the spec's,
following RT's conventions: Text compared after NFKC folding and lower-casing; values compared
as decimals (RT's doubles are matched to 15 significant digits; ``50%`` → 50). Cases RT marks
``NotSupported`` are counted like every other case. Prints pass counts per file, writes the
failing inputs with what we produced to ``bench/out/recognizers_text_failures.txt`` and ends
with ``pass rate: P%`` over Number + Percent + Ordinal.

How cnie's matches are projected onto RT's models (``find_numbers(text, mode="rt",
years=True)``):

* NumberModel: every match as its numeral core (percent, ordinal and currency cores too,
  RT reads 六千零五十一个百分点 as the number 六千零五十一), except 成/折 forms and currency
  amounts written with one character (RT returns nothing for 一美元); a trailing 多 is
  dropped from the text (四百多 → 四百) as RT does;
* PercentModel: percentage matches (not ranges); ‰ and ‱ converted to percent;
* OrdinalModel: ordinal matches; CurrencyModel: currency matches; DimensionModel: none
  (cnie leaves units of measure to the count extractor).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
import unicodedata
from decimal import Decimal, InvalidOperation
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FILES = [
    ("Number", "Number/NumberModel.json"),
    ("Percent", "Number/PercentModel.json"),
    ("Ordinal", "Number/OrdinalModel.json"),
    ("Currency", "NumberWithUnit/CurrencyModel.json"),
    ("Dimension", "NumberWithUnit/DimensionModel.json"),
]
HEADLINE = ("Number", "Percent", "Ordinal")


def fold(s: str) -> str:
    return unicodedata.normalize("NFKC", s).strip().lower()


def to_decimal(v) -> Decimal | None:
    if v is None:
        return None
    s = str(v).strip().rstrip("%")
    try:
        return Decimal(s)
    except InvalidOperation:
        return None


def same_value(ours: Decimal | None, theirs: Decimal | None) -> bool:
    if ours is None or theirs is None:
        return ours is None and theirs is None
    if ours == theirs:
        return True
    if ours == 0 or theirs == 0:
        return False
    # RT resolves through binary doubles printed with 15 significant digits (1.1^23 comes out
    # as 8.95430243255239 where the exact value is 8.954302432552373…): accept a relative
    # difference below 1e-14
    return abs(ours - theirs) <= abs(theirs) * Decimal("1e-14")


def expected_pairs(case: dict) -> list[tuple[str, Decimal | None]]:
    return [(fold(r.get("Text", "")), to_decimal((r.get("Resolution") or {}).get("value")))
            for r in case.get("Results", [])]


def _cnie_engine():
    sys.path.insert(0, str(ROOT))
    from pipeline.numbers import find_numbers
    from pipeline.numparse import char_info
    from pipeline.numparse import fold as engine_fold
    from pipeline.rules import load_patterns
    import regex

    approx_chars = {c for c, (cls, _v) in char_info().items() if cls == "Q"}
    pats = load_patterns("numbers/numbers.patterns")
    tenths = (pats["CHENG"], pats["ZHE"])
    pct_sign = regex.compile(r"[ \t]*[%\u2030\u2031]")
    range_sep = pats["RANGE_SEP"]

    def project(model: str, text: str) -> list[tuple[str, Decimal | None]]:
        out = []
        folded = engine_fold(text)
        for m in find_numbers(text, mode="rt", years=True):
            if model == "Number":
                if m.kind == "percentage" and (any(p.match(folded, m.core_end) for p in tenths)
                                               or pct_sign.match(folded, m.core_end)):
                    continue   # RT's NumberModel leaves 二％, 八成, 九折 to the PercentModel
                core = text[m.core_start:m.core_end]
                if m.kind == "currency" and len(core.strip()) == 1:
                    continue
                val = m.value
                if m.kind == "percentage" and m.unit in ("\u2030", "\u2031"):
                    val = m.value
                if m.qualifier == "range":
                    val = m.low
                if core and core[-1] in approx_chars:
                    core = core[:-1]
                out.append((fold(core), val))
            elif model == "Percent":
                if m.kind != "percentage":
                    continue
                if m.qualifier == "range":
                    # RT reads 5-20% as 20% (its range support stops at the unit-bearing end)
                    sep = range_sep.search(folded, m.core_start, m.end)
                    if sep and not pct_sign.match(folded, m.core_start + len(text[m.core_start:sep.start()].rstrip())):
                        out.append((fold(text[sep.end():m.end]), m.high))
                    continue
                v = m.value
                if m.unit == "\u2030":
                    v = v / 10
                elif m.unit == "\u2031":
                    v = v / 100
                out.append((fold(text[m.start:m.end] if m.qualifier == "exact" else text[m.core_start:m.end]), v))
            elif model == "Ordinal":
                if m.kind == "ordinal":
                    out.append((fold(m.text), m.value))
            elif model == "Currency":
                if m.kind == "currency":
                    out.append((fold(m.text), m.value))
        return out
    return project


def _rt_engine():
    # this script's own name shadows RT's ``recognizers_text`` package: drop its directory
    here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != here]
    from recognizers_number import Culture, NumberRecognizer  # type: ignore
    from recognizers_number_with_unit import NumberWithUnitRecognizer  # type: ignore

    nr = NumberRecognizer(Culture.Chinese)
    ur = NumberWithUnitRecognizer(Culture.Chinese)
    models = {
        "Number": nr.get_number_model(), "Percent": nr.get_percentage_model(),
        "Ordinal": nr.get_ordinal_model(), "Currency": ur.get_currency_model(),
        "Dimension": ur.get_dimension_model(),
    }

    def project(model: str, text: str):
        try:
            res = models[model].parse(text)
        except Exception as e:  # noqa: BLE001 - RT crashes count as failures
            return [("<error>", None, repr(e))]
        return [(fold(r.text), to_decimal((r.resolution or {}).get("value"))) for r in res]
    return project


def run(specs: Path, engine: str, out_path: Path) -> float:
    project = _cnie_engine() if engine == "cnie" else _rt_engine()
    lines: list[str] = []
    totals = {}
    cpu = 0.0
    for model, rel in FILES:
        path = specs / rel
        if not path.exists():
            print(f"{model:10s} missing: {path}")
            continue
        cases = json.loads(path.read_text(encoding="utf-8-sig"))
        ok = 0
        for case in cases:
            text = case["Input"]
            want = expected_pairs(case)
            t0 = time.process_time()
            got = project(model, text)
            cpu += time.process_time() - t0
            got2 = [(t, v) for t, v, *_ in got]
            passed = len(got2) == len(want) and all(
                any(gt == wt and same_value(gv, wv) for gt, gv in got2) for wt, wv in want) and all(
                any(gt == wt and same_value(gv, wv) for wt, wv in want) for gt, gv in got2)
            if passed:
                ok += 1
            else:
                ns = case.get("NotSupported", "")
                lines.append(f"{model}\t{text!r}\twant={[(t, str(v)) for t, v in want]}\t"
                             f"got={[(t, str(v)) for t, v in got2]}\t{('NotSupported: ' + ns) if ns else ''}")
        totals[model] = (ok, len(cases))
        print(f"{model:10s} {ok:4d}/{len(cases):<4d} {100 * ok / max(1, len(cases)):6.2f}%")
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"failing inputs: {out_path}")
    print(f"engine time: {cpu:.2f} s CPU for all cases ({engine})")
    ok = sum(totals[m][0] for m in HEADLINE if m in totals)
    n = sum(totals[m][1] for m in HEADLINE if m in totals)
    rate = 100 * ok / max(1, n)
    print(f"pass rate: {rate:.2f}%")
    return rate


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--specs", required=True, type=Path, help="recognizers-text-zh directory")
    ap.add_argument("--engine", choices=("cnie", "rt"), default="cnie")
    ap.add_argument("--out", type=Path, default=None, help="failures file")
    a = ap.parse_args(argv)
    out = a.out or ROOT / "bench" / "out" / f"recognizers_text_failures{'' if a.engine == 'cnie' else '_rt'}.txt"
    run(a.specs, a.engine, out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
