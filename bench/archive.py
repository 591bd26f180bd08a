"""Archive benchmark: build a synthetic archive, run ``cnie extract`` on it, print speed and memory.

Usage::

    python bench/archive.py --articles 10000 [--workers 1,2] [--format dir|jsonl] [--work DIR] [--keep]

Takes the bundled articles (``corpora/articles/*.txt``) and writes N variants of them (every
digit re-drawn, so the figures differ; place names of the form XX市/XX省/XX县 found in the
corpus itself swapped between articles) as a directory tree of 1,000 files per folder (or as
JSONL shards). Then, in this one process run:

1. the baseline: plain ``jieba.lcut`` (a fresh ``jieba.Tokenizer``, default dictionary) over a
   sample of the same texts, after a warm-up, giving characters per second;
2. ``cnie extract ARCHIVE -o OUT --workers W --quiet`` for each W, as a child process whose
   whole process tree is sampled for resident memory every 0.1 s.

Prints per run: articles/s and MB/s (wall clock, and steady state = after the first result,
i.e. without the workers' start-up), the start-up time, CPU seconds of the whole process tree,
peak RSS of the main process, of the largest worker and of the whole tree, and the ratio of the
pipeline's throughput to jieba.lcut's, in characters per wall-clock second (steady state) and per
CPU-second (less sensitive to other load on a shared machine). The baseline is measured before
and after the runs and averaged. Targets (issue 4): one worker ≥ 0.5× jieba.lcut;
2 workers ≥ 1.7× one worker; peak RSS at 100k articles within 10 % of 10k (run twice).
Figures on a shared machine are noisy.
"""
from __future__ import annotations

import sys
from pathlib import Path

# bench/ holds a numbers.py that would shadow the standard library's ``numbers`` (and make
# ``decimal`` fall back to its slow pure-Python version) when this script runs as bench/archive.py
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse
import json
import os
import random
import re
import resource
import shutil
import subprocess
import tempfile
import time

REPO = Path(__file__).resolve().parents[1]
PLACE = re.compile(r"[\u4e00-\u9fff]{2}[市省县]")
DIGIT = re.compile(r"\d")


def bundled_texts(corpus: Path) -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted(corpus.glob("*.txt"))]
    if not texts:
        sys.exit(f"no articles in {corpus}")
    return texts


def variants(texts: list[str], n: int, seed: int = 2024):
    """``n`` article texts: bundled ones with every digit redrawn and place names swapped."""
    rng = random.Random(seed)
    places = sorted({m.group() for t in texts for m in PLACE.finditer(t)})
    for i in range(n):
        base = texts[i % len(texts)]
        swap = {}
        if places:
            for p in sorted(set(PLACE.findall(base))):
                swap[p] = rng.choice(places)
        text = PLACE.sub(lambda m: swap.get(m.group(), m.group()), base) if swap else base
        yield DIGIT.sub(lambda m: str(rng.randrange(10)), text)


def build_archive(root: Path, n: int, texts: list[str], fmt: str) -> int:
    """Write the archive; returns its size in bytes."""
    root.mkdir(parents=True)
    size = 0
    if fmt == "dir":
        for i, text in enumerate(variants(texts, n)):
            d = root / f"{i // 1000:04d}"
            if i % 1000 == 0:
                d.mkdir()
            data = text.encode("utf-8")
            (d / f"{i:07d}.txt").write_bytes(data)
            size += len(data)
    else:
        f = None
        for i, text in enumerate(variants(texts, n)):
            if i % 10000 == 0:
                if f:
                    f.close()
                f = open(root / f"shard-{i // 10000:04d}.jsonl", "w", encoding="utf-8")
            line = json.dumps({"id": f"doc-{i:07d}", "text": text}, ensure_ascii=False) + "\n"
            f.write(line)
            size += len(text.encode("utf-8"))
        if f:
            f.close()
    return size


def jieba_baseline(texts: list[str], sample: int) -> dict:
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    tk = jieba.Tokenizer()
    tk.initialize()
    tk.lcut(texts[0])  # warm-up
    chosen = texts[:sample]
    t0, c0 = time.perf_counter(), time.process_time()
    for t in chosen:
        tk.lcut(t)
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    chars = sum(len(t) for t in chosen)
    nbytes = sum(len(t.encode("utf-8")) for t in chosen)
    return {"articles": len(chosen), "seconds": dt, "cpu_s": cpu, "chars_per_s": chars / dt,
            "chars_per_cpu_s": chars / cpu, "mb_per_s": nbytes / 1e6 / dt, "articles_per_s": len(chosen) / dt}


def run_extract(archive: Path, out: Path, workers: int, extra: list[str]) -> dict:
    import psutil

    cmd = [sys.executable, "-m", "pipeline.cli", "extract", str(archive), "-o", str(out),
           "--workers", str(workers), "--quiet", *extra]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    load0 = os.getloadavg()[0]
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env)
    ps = psutil.Process(proc.pid)
    peak_main = peak_worker = peak_total = 0
    while proc.poll() is None:
        try:
            main_rss = ps.memory_info().rss
            kids = [c.memory_info().rss for c in ps.children(recursive=True)]
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            kids, main_rss = [], 0
        peak_main = max(peak_main, main_rss)
        peak_worker = max([peak_worker, *kids])
        peak_total = max(peak_total, main_rss + sum(kids))
        time.sleep(0.1)
    wall = time.perf_counter() - t0
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)  # includes the workers, waited for by the child
    cpu = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
    if proc.returncode != 0:
        sys.exit(f"cnie extract failed with status {proc.returncode}")
    s = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    steady_s = s["elapsed_s"] - (s.get("startup_s") or 0)
    seen = s["articles"]["seen"]
    return {"workers": workers, "wall_s": wall, "summary": s, "steady_s": steady_s, "cpu_s": cpu,
            "load_before": load0, "load_after": os.getloadavg()[0],
            "steady_mb_per_s": s["bytes"] * (seen - 1) / seen / 1e6 / steady_s if steady_s > 0 else float("nan"),
            "steady_articles_per_s": (seen - 1) / steady_s if steady_s > 0 else float("nan"),
            "steady_chars_per_s": s["characters"] * (seen - 1) / seen / steady_s if steady_s > 0 else float("nan"),
            "peak_rss_main": peak_main, "peak_rss_worker": peak_worker, "peak_rss_total": peak_total}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=1000, help="archive size (default 1000)")
    ap.add_argument("--workers", default="1,2", help="comma-separated worker counts (default 1,2)")
    ap.add_argument("--format", choices=["dir", "jsonl"], default="dir", help="archive layout (default dir)")
    ap.add_argument("--corpus", type=Path, default=REPO / "corpora" / "articles", help="bundled articles")
    ap.add_argument("--work", type=Path, help="working directory (default: a temporary one)")
    ap.add_argument("--keep", action="store_true", help="keep the archive and outputs")
    ap.add_argument("--baseline-sample", type=int, default=2000, help="articles timed with jieba.lcut (2000)")
    args = ap.parse_args(argv)

    work = args.work or Path(tempfile.mkdtemp(prefix="cnie-bench-"))
    archive = work / "archive"
    if archive.exists():
        shutil.rmtree(archive)
    texts = bundled_texts(args.corpus)
    t0 = time.perf_counter()
    size = build_archive(archive, args.articles, texts, args.format)
    print(f"archive: {args.articles:,} articles ({args.format}), {size / 1e6:.1f} MB of text, "
          f"built in {time.perf_counter() - t0:.1f} s at {archive}")
    sample = list(variants(texts, min(args.articles, args.baseline_sample)))
    bases = [jieba_baseline(sample, len(sample))]
    print(f"jieba.lcut baseline: {bases[0]['articles_per_s']:.1f} articles/s, {bases[0]['mb_per_s']:.3f} MB/s, "
          f"{bases[0]['chars_per_s']:,.0f} chars/s wall, {bases[0]['chars_per_cpu_s']:,.0f} chars per CPU-second "
          f"({bases[0]['articles']} articles; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
    results = []
    for w in [int(x) for x in args.workers.split(",")]:
        out = work / f"out-w{w}"
        if out.exists():
            shutil.rmtree(out)
        r = run_extract(archive, out, w, [])
        # the CPU the same worker count spends on start-up (and a few articles), to leave it out
        one_out = work / f"out-start-w{w}"
        if one_out.exists():
            shutil.rmtree(one_out)
        # (w chunks of 8 articles, so that every worker process is started)
        small = work / "start-archive"
        if small.exists():
            shutil.rmtree(small)
        build_archive(small, 8 * w, texts, "dir")
        start = run_extract(small, one_out, w, [])
        r["startup_cpu_s"] = start["cpu_s"]
        steady_cpu = r["cpu_s"] - start["cpu_s"]
        r["chars_per_cpu_s"] = r["summary"]["characters"] / steady_cpu if steady_cpu > 0.2 * r["cpu_s"] else float("nan")
        results.append(r)
        s = r["summary"]
        print(f"workers={w}: {s['articles']['seen']:,} articles ({s['articles']['failed']} failed) in {r['wall_s']:.1f} s wall; "
              f"{s['articles_per_s']:.1f} articles/s, {s['mb_per_s']:.3f} MB/s overall; steady "
              f"{r['steady_articles_per_s']:.1f} articles/s, {r['steady_mb_per_s']:.3f} MB/s after "
              f"{s.get('startup_s')} s start-up; {r['cpu_s']:.0f} CPU-s ({r['startup_cpu_s']:.0f} of them start-up); "
              f"peak RSS main {r['peak_rss_main'] / 2**20:.0f} MiB, largest worker {r['peak_rss_worker'] / 2**20:.0f} MiB, "
              f"tree {r['peak_rss_total'] / 2**20:.0f} MiB; load average {r['load_before']:.1f} → {r['load_after']:.1f}")
    bases.append(jieba_baseline(sample, len(sample)))
    wall_base = sum(b["chars_per_s"] for b in bases) / len(bases)
    cpu_base = sum(b["chars_per_cpu_s"] for b in bases) / len(bases)
    print(f"jieba.lcut baseline again: {bases[1]['chars_per_s']:,.0f} chars/s wall, "
          f"{bases[1]['chars_per_cpu_s']:,.0f} chars per CPU-second")
    for r in results:
        print(f"ratio to jieba.lcut, workers={r['workers']}: {r['steady_chars_per_s'] / wall_base:.2f}x wall-clock "
              f"(steady), {r['chars_per_cpu_s'] / cpu_base:.2f}x per CPU-second (all processes, start-up excluded)")
    one = next((r for r in results if r["workers"] == 1), None)
    for r in results:
        if one and r is not one:
            print(f"speed-up {r['workers']} workers / 1 worker (steady): "
                  f"{r['steady_articles_per_s'] / one['steady_articles_per_s']:.2f}x")
    outs = [r["summary"] for r in results]
    same = len({(work / f"out-w{r['workers']}" / "indicators.jsonl").read_bytes() for r in results}) == 1
    print(f"outputs byte-identical across worker counts: {same}; indicators: {outs[0]['indicators']['total']:,}")
    print(json.dumps({"articles": args.articles, "format": args.format, "baseline": bases,
                      "runs": [{k: v for k, v in r.items() if k != "summary"} | {"summary": r["summary"]}
                               for r in results]}, ensure_ascii=False, default=str))
    if not args.keep and args.work is None:
        shutil.rmtree(work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
