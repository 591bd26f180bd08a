"""Size and render time of ``cnie report`` for a synthesised archive of N articles.

Takes the bundled article texts (``--corpus``, default ``corpora/articles``), runs the real
pipeline once per text (``pipeline.api.extract_record``), then writes an ``extract``-style
directory of N records (default 1000) cycling through those texts, each with its own doc_id,
outlet and publication month, plus ``texts.jsonl``. Prints, for several ``--max-articles``
settings, the report's size and the time to write it, against a baseline in the same process
(reading the JSONL and HTML-escaping the shown texts: the least any report must do). With
``--browser``, also loads each page in headless Chromium and prints the time to the load event.

Usage: .venv/bin/python bench/report_size.py [--n 1000] [--corpus DIR] [--out DIR] [--browser]
Timings on a shared 2-core machine are noisy: run it twice and compare.
"""
from __future__ import annotations

import argparse
import hashlib
import html
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline import report  # noqa: E402
from pipeline.api import extract_record  # noqa: E402
from pipeline.contract import Source, dumps  # noqa: E402

OUTLETS = ("甲报", "乙网", "丙日报", "丁新闻网", "戊晚报")


def synthesise(corpus: Path, out: Path, n: int) -> tuple[int, int]:
    """Write N records (and texts) cycling through the corpus texts; returns (indicators, text bytes)."""
    texts = [(p, p.read_text(encoding="utf-8")) for p in sorted(corpus.glob("*.txt"))]
    if not texts:
        raise SystemExit(f"{corpus}: no *.txt articles")
    base = [extract_record(t, doc_id=p.name, source=Source(path=str(p), encoding="utf-8")).to_dict()
            for p, t in texts]
    out.mkdir(parents=True, exist_ok=True)
    n_ind = n_bytes = 0
    with open(out / "indicators.jsonl", "w", encoding="utf-8") as ind, \
         open(out / "texts.jsonl", "w", encoding="utf-8") as txt:
        for k in range(n):
            rec = json.loads(json.dumps(base[k % len(base)]))
            text = texts[k % len(texts)][1]
            rec["doc_id"] = f"synth-{k:05d}/{rec['doc_id']}"
            rec["meta"]["outlet"] = OUTLETS[k % len(OUTLETS)]
            rec["meta"]["published"] = f"{2019 + k % 3}-{k % 12 + 1:02d}-15"
            ind.write(dumps(rec) + "\n")
            txt.write(dumps({"doc_id": rec["doc_id"], "text_sha256": rec["text_sha256"], "text": text}) + "\n")
            n_ind += len(rec["indicators"])
            n_bytes += len(text.encode("utf-8"))
    (out / "errors.jsonl").write_text("", encoding="utf-8")
    (out / "summary.json").write_text(dumps({"articles": n, "synthesised_from": len(texts)}), encoding="utf-8")
    assert hashlib.sha256(texts[0][1].encode()).hexdigest() == base[0]["text_sha256"]
    return n_ind, n_bytes


def baseline(d: Path, shown: int) -> float:
    """Seconds to parse every record and HTML-escape the texts of the shown ones."""
    t0 = time.perf_counter()
    with open(d / "indicators.jsonl", encoding="utf-8") as fh:
        for line in fh:
            json.loads(line)
    with open(d / "texts.jsonl", encoding="utf-8") as fh:
        for k, line in enumerate(fh):
            if k >= shown:
                break
            html.escape(json.loads(line)["text"])
    return time.perf_counter() - t0


def browser_load(page: Path) -> float | None:
    """Milliseconds from navigation start to the load event in headless Chromium, or None."""
    chromium, driver_bin = shutil.which("chromium"), shutil.which("chromedriver")
    if not (chromium and driver_bin):
        return None
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    opts = Options()
    opts.binary_location = chromium
    for f in ("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-quic",
              "--disable-background-networking", "--disable-component-update", "--disable-sync",
              f"--user-data-dir={tempfile.mkdtemp(prefix='cnie-bench-')}"):
        opts.add_argument(f)
    drv = webdriver.Chrome(service=Service(executable_path=driver_bin), options=opts)
    try:
        drv.set_page_load_timeout(300)
        drv.get(page.as_uri())
        return drv.execute_script(
            "var t = performance.getEntriesByType('navigation')[0]; return t.loadEventEnd - t.startTime;")
    finally:
        drv.quit()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000, help="articles to synthesise (default 1000)")
    ap.add_argument("--corpus", type=Path, default=ROOT / "corpora" / "articles")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "report")
    ap.add_argument("--browser", action="store_true", help="also time loading each page in headless Chromium")
    args = ap.parse_args()

    d = args.out / "extract"
    t0 = time.perf_counter()
    n_ind, n_bytes = synthesise(args.corpus, d, args.n)
    print(f"synthesised {args.n} records ({n_ind} indicators, {n_bytes / 1e6:.1f} MB of text) "
          f"in {time.perf_counter() - t0:.1f} s")
    print(f"{'--max-articles':>14} {'shown':>6} {'size MB':>8} {'KB/article':>10} {'write s':>8} "
          f"{'baseline s':>10} {'ratio':>6}" + (f" {'chromium load s':>15}" if args.browser else ""))
    report.write_report(d, args.out / "warm-up.html", max_articles=0)  # imports matplotlib, loads fonts
    for cap in (0, report.DEFAULT_MAX_ARTICLES, args.n):
        page = args.out / f"report-{cap}.html"
        t0 = time.perf_counter()
        info = report.write_report(d, page, max_articles=cap)
        took = time.perf_counter() - t0
        base = baseline(d, info.shown)
        per = info.bytes / 1024 / info.shown if info.shown else float("nan")
        line = (f"{cap:>14} {info.shown:>6} {info.bytes / 1e6:>8.2f} {per:>10.1f} {took:>8.2f} "
                f"{base:>10.3f} {took / base:>6.1f}")
        if args.browser:
            ms = browser_load(page)
            line += f" {ms / 1000 if ms is not None else float('nan'):>15.2f}"
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
