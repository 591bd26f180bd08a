"""``cnie extract``: run the pipeline over an archive and write the results.

Takes PATH arguments (files, directories, ``-``; see :mod:`pipeline.sources`) and ``-o DIR``;
writes, in DIR:

* ``indicators.jsonl`` — one ``cnie/1`` record (:mod:`pipeline.contract`) per article that was
  read and extracted, in input order. Byte-identical whatever ``--workers`` or ``--engine``.
* ``errors.jsonl`` — one line per article that failed:
  ``{"doc_id", "source": {"path", "record", "encoding"}, "stage", "error", "message"}`` where
  ``stage`` is ``read``, ``decode``, ``html``, ``parse`` (a JSONL/CSV record), ``limit``
  (empty or longer than ``--max-chars``), ``extract``, ``write`` (the record cannot be written
  as UTF-8), ``worker`` (the worker process died) or ``internal`` (a bug in cnie).
* ``texts.jsonl`` (with ``--with-text``) — the article texts the offsets point into:
  ``{"doc_id", "text_sha256", "text"}``, exactly one line per ``indicators.jsonl`` line, same
  order (line *i* of one belongs to line *i* of the other). For HTML inputs this is the
  extracted main text. ``cnie report`` re-reads it.
* ``summary.json`` — articles seen/ok/failed (seen = ok + failed), failures per
  ``stage/error`` (``{"extract/Timeout": 2, "decode/BinaryFile": 1}``), indicators per type,
  entities, characters, bytes, files of other types skipped, elapsed seconds, start-up seconds
  (until the first result: workers loading jieba and the rules), articles/s, MB/s, workers
  really used, engine. Also printed as one paragraph on stderr at the end (not with ``--quiet``).
* ``.cnie-checkpoint.json`` — the journal that makes ``--resume`` exact (see below).

Safety: results are appended as whole lines (one ``os.write`` per batch), the files are
fsync'ed, then the checkpoint (number of inputs done, byte size of every file, counters) is
replaced atomically (write, fsync, rename). ``--resume`` truncates every file to the sizes of
the last checkpoint — dropping any line written after it, whole or half — and skips the inputs
already done, so a run killed at any point (SIGKILL included) and resumed gives exactly the
output of an uninterrupted run. Resuming checks that the inputs, the options, the cnie version
and the rule files are the same as in the interrupted run.

Parallelism: ``--workers N`` (default: all cores) runs a pool of N spawned processes
(:class:`concurrent.futures.ProcessPoolExecutor` with the ``spawn`` context, so it behaves the
same on Linux, macOS and Windows); each worker loads jieba and the rules once, in its
initialiser. Inputs are streamed in document-level chunks with a bounded number of chunks in
flight, so memory stays constant whatever the archive size; results are written in input order.
``--workers 1`` runs in-process, and so does an archive of fewer than ``SMALL_ARCHIVE`` articles
when ``--workers`` is not given. ``--engine dask --scheduler ADDRESS`` sends the same chunks to
a Dask distributed cluster (:mod:`pipeline.dask_engine`).

Progress: a tqdm bar (articles, rate, and an ETA once a background count of the inputs is done)
on stderr when stderr is a terminal; never with ``--quiet``.

Time budget: ``--article-timeout SECONDS`` (default 120; 0: none) bounds the wall-clock time of
one article (reading and extraction). An article over budget is abandoned and listed in
``errors.jsonl`` with error ``Timeout``, stage ``extract`` (or ``read``/``write`` when it ran out
there) and the message ``abandoned after --article-timeout S s (article of N characters)``; the
worker goes on with the next article. Enforced with SIGALRM in the main thread of the process
(``--workers 1`` and pool workers) and with a watchdog thread in Dask worker threads and on
Windows (:mod:`pipeline.run_budget`, which also lists the limits). Output stays byte-identical
across worker counts and engines as long as the same articles time out: an article close to the
budget may finish on a fast or idle machine and not on a busy one.

Other options: ``--max-chars`` (longer articles fail with stage ``limit``), ``--ner-model DIR``
(passed on to ``pipeline.api.extract_record(ner_model=...)``), ``--opencc`` (every stage runs on
a simplified-character view made with the installed OpenCC, one character for one, so offsets
are unchanged; the ``text`` of every indicator and entity and the header strings are put back in
the original characters, derived fields such as ``subject`` stay simplified; the normaliser's own
traditional→simplified table applies with or without it).

Modules: this one holds :func:`run` (the loop from tasks to output), the summary and the
command line, and re-exports the names of the others: :mod:`pipeline.run_work` (one article →
one :class:`Result`, in the workers), :mod:`pipeline.run_budget` (``--article-timeout``),
:mod:`pipeline.run_engines` (in-process and process-pool engines), :mod:`pipeline.dask_engine`,
:mod:`pipeline.run_output` (output files, checkpoint) and :mod:`pipeline.run_config`
(:class:`RunConfig`, the resume fingerprint).

Exit status: 0 when the run finished (failed articles are listed, not fatal); 1 with
``--strict`` when any article failed; 2 for an unusable PATH, no articles, an unwritable
output directory or a resume that does not match.
"""
from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any, Iterator

from . import __version__
from .run_config import RunConfig, fingerprint, skip_done
from .run_engines import chunks, pool_results, serial_results
from .run_output import CHECKPOINT, FILES, Counters, Output, RunError, atomic_write, read_checkpoint
from .run_work import (DEFAULT_ARTICLE_TIMEOUT, DEFAULT_MAX_CHARS, Result, RunOptions, error_result,
                       init_worker, load_extractor, process_chunk, process_task)
from .sources import InputError, SourceOptions, Task, WalkStats, check_paths, count_tasks, iter_tasks

_error_result, _chunks = error_result, chunks  # the names older callers imported from here

__all__ = ["RunOptions", "Result", "RunConfig", "RunError", "process_task", "process_chunk", "init_worker",
           "run", "register", "main", "summary_paragraph", "fingerprint", "serial_results", "pool_results",
           "Output", "Counters", "atomic_write", "read_checkpoint", "CHECKPOINT", "FILES", "SMALL_ARCHIVE",
           "DEFAULT_MAX_CHARS", "DEFAULT_ARTICLE_TIMEOUT"]

SMALL_ARCHIVE = 32  # with the default --workers, fewer articles than this run in-process


def run(cfg: RunConfig) -> dict[str, Any]:
    """Run ``extract`` as configured; returns the summary dict. Raises :class:`RunError`/:class:`InputError`."""
    src_opts = cfg.sources
    out_abs = os.path.abspath(cfg.out)
    src_opts = SourceOptions(**{**src_opts.__dict__, "exclude": tuple(src_opts.exclude) + (out_abs,)})
    check_paths(cfg.paths, src_opts)
    if any(p != "-" and os.path.abspath(p) == out_abs for p in cfg.paths):
        raise RunError(f"{cfg.out}: the output directory is also an input; write the results elsewhere")
    if cfg.options.ner_model and not os.path.isdir(cfg.options.ner_model):
        raise InputError(f"{cfg.options.ner_model}: --ner-model is not a directory")
    out = Output(Path(cfg.out), cfg.options.with_text, fingerprint(cfg))
    out._prepare_dir()
    try:
        load_extractor(cfg.options)
    except Exception as e:
        raise RunError(f"the extraction pipeline cannot be loaded: {type(e).__name__}: {e}") from None
    resumed = out.start_resume() if cfg.resume else (out.start_fresh() or False)
    cp = read_checkpoint(out.dir) if resumed else None
    if cp and cp.get("status") == "complete":
        out.close()
        summary = json.loads((out.dir / "summary.json").read_text(encoding="utf-8"))
        if not cfg.quiet:
            print(f"cnie extract: {out.dir} already holds a complete run; nothing to resume", file=sys.stderr)
        return summary

    walk = WalkStats()
    tasks = iter_tasks(cfg.paths, src_opts, walk)
    tasks = skip_done(tasks, out.done, out.last_doc, out.dir)
    bar = _progress(cfg, src_opts, out.done)
    t0 = time.monotonic()
    elapsed = lambda: out.elapsed_before + time.monotonic() - t0  # noqa: E731
    try:
        results, used = _results(cfg, tasks)
        out.workers_used = used
        for r in results:
            if out.first_result_s is None:
                out.first_result_s = time.monotonic() - t0
            out.add(r)
            out.maybe_flush(elapsed(), cfg.flush_every, cfg.flush_seconds)
            if bar is not None:
                bar.update(1)
        summary = _summary(cfg, out, walk, elapsed())
        out.flush(elapsed())  # every line durable first, then the summary, then "complete"
        atomic_write(out.dir / "summary.json", json.dumps(summary, ensure_ascii=False, indent=2) + "\n")
        out.checkpoint(status="complete", elapsed=elapsed())
    except BaseException:
        # keep what is done: whole lines, fsync'ed, checkpointed — ready for --resume
        try:
            out.flush(elapsed())
        except Exception:
            pass
        raise
    finally:
        if bar is not None:
            bar.close()
        out.close()
    return summary


def _results(cfg: RunConfig, tasks: Iterator[Task]) -> tuple[Iterator[Result], int]:
    """The result stream for the configured engine, and the number of workers really used."""
    if cfg.engine == "dask":
        from .dask_engine import dask_results

        return dask_results(tasks, cfg.options, cfg.scheduler, cfg.chunk_size, cfg.connect_timeout), 0
    if cfg.workers <= 1:
        return serial_results(tasks, cfg.options), 1
    if cfg.auto_workers:
        # a small archive is done sooner in-process than by starting workers (each loads
        # jieba and the rules): look ahead a little, then decide
        head = list(itertools.islice(tasks, SMALL_ARCHIVE))
        rest = itertools.chain(head, tasks)
        if len(head) < SMALL_ARCHIVE:
            return serial_results(rest, cfg.options), 1
        tasks = rest
    return pool_results(tasks, cfg.options, cfg.workers, cfg.chunk_size), cfg.workers


def _progress(cfg: RunConfig, src_opts: SourceOptions, initial: int):
    show = cfg.progress if cfg.progress is not None else sys.stderr.isatty()
    if cfg.quiet or not show:
        return None
    from tqdm import tqdm

    bar = tqdm(total=None, initial=initial, unit="art", desc="cnie extract", file=sys.stderr,
               dynamic_ncols=True, smoothing=0.1)
    if "-" not in cfg.paths:
        def count() -> None:  # the total, found in the background (ETA once known)
            try:
                bar.total = count_tasks(cfg.paths, src_opts)
            except Exception:
                pass

        threading.Thread(target=count, daemon=True).start()
    return bar


def _summary(cfg: RunConfig, out: Output, walk: WalkStats, elapsed: float) -> dict[str, Any]:
    c = out.counters
    files = {"indicators": str(out.path("indicators")), "errors": str(out.path("errors"))}
    if cfg.options.with_text:
        files["texts"] = str(out.path("texts"))
    return {
        "schema": "cnie/1",
        "cnie": __version__,
        "inputs": list(cfg.paths),
        "articles": {"seen": c.seen, "ok": c.ok, "failed": c.failed},
        "failures": dict(sorted(c.failures.items())),
        "indicators": {"total": sum(c.types.values()), **dict(sorted(c.types.items()))},
        "entities": c.entities,
        "characters": c.chars,
        "bytes": c.nbytes,
        "skipped_files": walk.skipped,
        "elapsed_s": round(elapsed, 3),
        "startup_s": None if out.first_result_s is None else round(out.first_result_s, 3),
        "articles_per_s": round(c.seen / elapsed, 2) if elapsed > 0 else None,
        "mb_per_s": round(c.nbytes / 1e6 / elapsed, 3) if elapsed > 0 else None,
        "workers": out.workers_used,
        "engine": cfg.engine,
        "resumed": cfg.resume,
        "files": files,
    }


def summary_paragraph(s: dict[str, Any]) -> str:
    a, ind = s["articles"], s["indicators"]
    by_type = ", ".join(f"{k} {v:,}" for k, v in ind.items() if k != "total")
    why = ", ".join(f"{n:,} {k}" for k, n in sorted((s.get("failures") or {}).items(), key=lambda kv: -kv[1]))
    parts = [f"cnie extract: {a['seen']:,} articles seen, {a['ok']:,} ok, {a['failed']:,} failed"
             + (f" ({why + '; ' if why else ''}see {s['files']['errors']})" if a["failed"] else "") + ";",
             f"{ind['total']:,} indicators" + (f" ({by_type})" if by_type else "") + f", {s['entities']:,} entities;"]
    rate = f"{s['articles_per_s']:,} articles/s, {s['mb_per_s']} MB/s" if s["articles_per_s"] else "no time measured"
    how = "on the Dask cluster" if s["engine"] == "dask" else f"{s['workers']} worker{'s' if s['workers'] != 1 else ''}"
    start = f" ({s['startup_s']} s of it start-up)" if s.get("startup_s") and s["startup_s"] > 1 else ""
    parts.append(f"{s['elapsed_s']} s{start}, {rate}, {how}.")
    if s.get("skipped_files"):
        parts.append(f"{s['skipped_files']:,} files of other types skipped.")
    parts.append(f"Records in {s['files']['indicators']}.")
    return " ".join(parts)


# --- command line -----------------------------------------------------------------------------


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "extract", help="extract indicators from files, directories, JSONL/CSV/Parquet or stdin",
        description="Extract indicators and organisations from an archive of Chinese news articles.",
    )
    p.add_argument("paths", nargs="*", metavar="PATH",
                   help="files, directories (recursive), JSONL(.gz)/CSV/Parquet files, or - for stdin")
    p.add_argument("-o", "--out", required=True, metavar="DIR", help="output directory")
    p.add_argument("--workers", type=int, default=None, metavar="N", help="worker processes (default: all cores)")
    p.add_argument("--chunk-size", type=int, default=8, metavar="N", help="articles per work unit (default 8)")
    p.add_argument("--resume", action="store_true", help="continue an interrupted run in DIR")
    p.add_argument("--strict", action="store_true", help="exit 1 when any article failed")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar, no summary")
    p.add_argument("--with-text", action="store_true", help="also write DIR/texts.jsonl (article texts)")
    p.add_argument("--max-chars", type=int, default=DEFAULT_MAX_CHARS, metavar="N",
                   help=f"fail articles longer than N characters (default {DEFAULT_MAX_CHARS:,}; 0: no limit)")
    p.add_argument("--article-timeout", type=_seconds, default=DEFAULT_ARTICLE_TIMEOUT, metavar="SECONDS",
                   help=f"abandon an article after SECONDS (reported in errors.jsonl as a Timeout; "
                        f"default {DEFAULT_ARTICLE_TIMEOUT:g}; 0: no limit)")
    p.add_argument("--ner-model", metavar="DIR", help="trained entity model directory (cnie train-ner)")
    p.add_argument("--opencc", action="store_true",
                   help="fold traditional characters to simplified for matching (needs opencc; offsets unchanged)")
    p.add_argument("--input-format", default="auto", choices=["auto", "text", "html", "jsonl", "csv", "parquet"],
                   help="how to read file arguments and stdin (default: by extension / sniffed)")
    for name in ("text", "id", "title", "date", "url"):
        from .sources import DEFAULT_FIELDS

        p.add_argument(f"--{name}-field", metavar="NAME",
                       help=f"record field for the {name} (default: first of {', '.join(DEFAULT_FIELDS[name])})")
    p.add_argument("--engine", choices=["local", "dask"], default="local", help="local processes or a Dask cluster")
    p.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786")
    p.set_defaults(func=main)


def _seconds(value: str) -> float:
    try:
        v = float(value)
    except ValueError:
        v = -1.0
    if not v >= 0 or v == float("inf"):
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of seconds (0 or more)")
    return v


def _default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def main(args: argparse.Namespace) -> int:
    paths = list(args.paths)
    if not paths and args.resume:
        try:
            cp = read_checkpoint(Path(args.out))
        except RunError as e:
            print(f"cnie extract: error: {e}", file=sys.stderr)
            return 2
        paths = list((cp or {}).get("fingerprint", {}).get("paths", []))
    if args.engine == "dask" and not args.scheduler:
        print("cnie extract: error: --engine dask needs --scheduler ADDRESS", file=sys.stderr)
        return 2
    cfg = RunConfig(
        paths=paths, out=Path(args.out),
        sources=SourceOptions(text_field=args.text_field, id_field=args.id_field, title_field=args.title_field,
                              date_field=args.date_field, url_field=args.url_field, input_format=args.input_format),
        options=RunOptions(with_text=args.with_text, max_chars=args.max_chars, ner_model=args.ner_model,
                           opencc=args.opencc, article_timeout=args.article_timeout),
        workers=args.workers or _default_workers(), auto_workers=args.workers is None,
        chunk_size=max(1, args.chunk_size),
        engine=args.engine, scheduler=args.scheduler, resume=args.resume, strict=args.strict, quiet=args.quiet,
    )
    try:
        summary = run(cfg)
    except (InputError, RunError) as e:
        print(f"cnie extract: error: {e}", file=sys.stderr)
        return 2
    if not args.quiet:
        print(summary_paragraph(summary), file=sys.stderr)
    if args.strict and summary["articles"]["failed"]:
        return 1
    return 0
