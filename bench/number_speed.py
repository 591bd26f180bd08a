"""Speed of the number engine, side by side with cn2an in the same process.

Usage::

    python bench/number_speed.py [--article PATH] [--repeat 1000] [--specs DIR]

Takes the example article (default ``../shared/seed/dongguan-2020-10-10.txt``) repeated
``--repeat`` times as one corpus of separate documents, and optionally the input strings of
Recognizers-Text's Chinese specs (``--specs``). Times, per corpus:

* ``find_numbers`` (default strict mode) over every document;
* cn2an's ``transform(text, "cn2an")`` (Chinese numerals → Arabic in running text, the closest
  thing cn2an offers to extraction) over the same documents;
* ``parse_number`` against ``cn2an.cn2an(s, "smart")`` on the numeral strings cnie found
  (value parsing alone), with how often the two agree;
* a no-numeral text (the pre-filter path).

Prints MB/s (UTF-8 bytes per CPU second of this process, i.e. per core) and the ratio
cnie / cn2an. Best of ``--rounds`` runs after a warm-up; figures are still noisy on a
shared machine.
"""
from __future__ import annotations

import sys
from os.path import abspath, dirname

# this file is called numbers.py: keep its directory off sys.path so that the standard
# library's ``numbers`` (imported by ``decimal``) is the one that loads
_HERE = dirname(abspath(__file__))
sys.path[:] = [p for p in sys.path if abspath(p or ".") != _HERE]

import argparse  # noqa: E402
import warnings  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402
from decimal import Decimal  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.numbers import find_numbers, parse_number  # noqa: E402
from pipeline import numparse  # noqa: E402


def best_of(fn, rounds: int) -> float:
    """Best CPU time (``time.process_time``: this process only, so "per core" and less
    disturbed by other jobs on a shared machine) over ``rounds`` runs after a warm-up."""
    fn()  # warm-up (rule loading, regex compilation)
    times = []
    for _ in range(rounds):
        t0 = time.process_time()
        fn()
        times.append(time.process_time() - t0)
    return min(times)


def mbps(nbytes: int, secs: float) -> float:
    return nbytes / 1e6 / secs if secs > 0 else float("inf")


def spec_inputs(specs: Path) -> list[str]:
    out = []
    for rel in ("Number/NumberModel.json", "Number/PercentModel.json", "Number/OrdinalModel.json",
                "NumberWithUnit/CurrencyModel.json", "NumberWithUnit/DimensionModel.json"):
        p = specs / rel
        if p.exists():
            out += [c["Input"] for c in json.loads(p.read_text(encoding="utf-8-sig"))]
    return out


def compare(name: str, docs: list[str], rounds: int) -> None:
    import cn2an

    nbytes = sum(len(d.encode("utf-8")) for d in docs)

    def ours():
        for d in docs:
            find_numbers(d)

    def theirs():
        for d in docs:
            try:
                cn2an.transform(d, "cn2an")
            except Exception:  # noqa: BLE001 - cn2an raises on some inputs; count the time anyway
                pass

    t_ours, t_theirs = best_of(ours, rounds), best_of(theirs, rounds)
    print(f"{name}: {len(docs)} docs, {nbytes / 1e6:.2f} MB")
    print(f"  cnie find_numbers     {t_ours:8.3f} s  {mbps(nbytes, t_ours):8.2f} MB/s")
    print(f"  cn2an transform       {t_theirs:8.3f} s  {mbps(nbytes, t_theirs):8.2f} MB/s")
    print(f"  ratio cnie/cn2an      {t_theirs / t_ours:8.2f}x   (cn2an converts; it does not locate or type numbers)")


def parse_compare(docs: list[str], rounds: int) -> None:
    """Value parsing alone: parse_number vs cn2an.cn2an on the numeral cores cnie found."""
    import cn2an

    cores = []
    for d in docs:
        for m in find_numbers(d, mode="rt"):
            core = d[m.core_start:m.core_end]
            if core.strip():
                cores.append(core)
    cores = cores * max(1, 20000 // max(1, len(cores)))

    uncached = numparse.parse_number.__wrapped__   # the lru_cache would make repeats free

    def ours():
        for c in cores:
            uncached(c)

    def theirs():
        for c in cores:
            try:
                cn2an.cn2an(c, "smart")
            except Exception:  # noqa: BLE001
                pass

    agree = total = raises = differs = 0
    for c in set(cores):
        total += 1
        try:
            v = Decimal(str(cn2an.cn2an(c, "smart")))
        except Exception:  # noqa: BLE001
            raises += 1
            continue
        if v == parse_number(c):
            agree += 1
        else:
            differs += 1
    t_ours, t_theirs = best_of(ours, rounds), best_of(theirs, rounds)
    print(f"value parsing: {len(cores)} numeral strings ({len(set(cores))} distinct)")
    print(f"  cnie parse_number (no cache)  {t_ours:8.3f} s  {len(cores) / t_ours:10.0f} /s")
    print(f"  cn2an.cn2an smart            {t_theirs:8.3f} s  {len(cores) / t_theirs:10.0f} /s")
    print(f"  ratio cnie/cn2an      {t_theirs / t_ours:8.2f}x")
    print(f"  on {total} distinct strings: same value {agree}, cn2an raises {raises}, values differ {differs}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--article", type=Path, default=ROOT.parent / "shared" / "seed" / "dongguan-2020-10-10.txt")
    ap.add_argument("--repeat", type=int, default=1000)
    ap.add_argument("--specs", type=Path, default=ROOT.parent / "shared" / "benchmarks" / "recognizers-text-zh")
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args(argv)
    warnings.filterwarnings("ignore")   # cn2an warns on every string it cannot convert
    article = a.article.read_text(encoding="utf-8")
    compare(f"article x{a.repeat}", [article] * a.repeat, a.rounds)
    if a.specs.exists():
        inputs = spec_inputs(a.specs)
        compare("RT spec inputs x20", inputs * 20, a.rounds)
    numeral_chars = set(numparse.char_info())
    plain = "".join(ch for ch in article if not (ch.isdigit() or ch in numeral_chars))
    nbytes = len(plain.encode("utf-8")) * a.repeat
    t = best_of(lambda: [find_numbers(plain) for _ in range(a.repeat)], a.rounds)
    print(f"no-numeral text x{a.repeat}: cnie find_numbers {mbps(nbytes, t):8.2f} MB/s (pre-filter path)")
    parse_compare([article] + (spec_inputs(a.specs) if a.specs.exists() else []), a.rounds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
