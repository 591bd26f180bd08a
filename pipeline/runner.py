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
* ``summary.json`` — articles seen/ok/failed (seen = ok + failed), indicators per type,
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

Exit status: 0 when the run finished (failed articles are listed, not fatal); 1 with
``--strict`` when any article failed; 2 for an unusable PATH, no articles, an unwritable
output directory or a resume that does not match.
"""
from __future__ import annotations

import argparse
import hashlib
import inspect
import itertools
import json
import os
import sys
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Optional

from . import __version__
from .contract import Meta, Source, dumps
from .read import ReadError
from .run_budget import ArticleTimeout, call_with_budget
from .sources import InputError, SourceOptions, Task, WalkStats, check_paths, count_tasks, iter_tasks

__all__ = ["RunOptions", "Result", "process_task", "process_chunk", "run", "register", "RunError"]

CHECKPOINT = ".cnie-checkpoint.json"
SMALL_ARCHIVE = 32  # with the default --workers, fewer articles than this run in-process
FILES = ("indicators", "errors", "texts")
DEFAULT_MAX_CHARS = 1_000_000
# a 3,500-character press release takes ~0.1 s; an article at --max-chars (1 M characters) ~50 s
DEFAULT_ARTICLE_TIMEOUT = 120.0


class RunError(Exception):
    """The run cannot start or go on (exit status 2): message is one line for the user."""


# --- per-article work (runs in workers) ---------------------------------------------------


@dataclass(frozen=True)
class RunOptions:
    """What every worker needs to turn a task into output lines (picklable)."""

    with_text: bool = False
    max_chars: int = DEFAULT_MAX_CHARS
    ner_model: Optional[str] = None
    opencc: bool = False
    # a top-level function ``f(text, doc_id=, source=, meta=, **kw) -> Record``; None = pipeline.api
    extractor: Optional[Callable[..., Any]] = None
    warm_up: bool = True
    # seconds one article may take (read + extract); 0 = no limit (see pipeline.run_budget)
    article_timeout: float = DEFAULT_ARTICLE_TIMEOUT


@dataclass
class Result:
    """What one article produced: output lines (``str`` without newline) and counts."""

    doc_id: str
    line: Optional[str] = None
    text_line: Optional[str] = None
    error_line: Optional[str] = None
    types: dict[str, int] = field(default_factory=dict)
    entities: int = 0
    chars: int = 0
    nbytes: int = 0


def _extractor(opts: RunOptions) -> Callable[..., Any]:
    if opts.extractor is not None:
        return opts.extractor
    from .api import extract_record

    return extract_record


_SIG_CACHE: dict[int, set[str]] = {}


def _accepts(fn: Callable[..., Any], name: str) -> bool:
    key = id(fn)
    if key not in _SIG_CACHE:
        try:
            params = inspect.signature(fn).parameters
            has_kw = any(p.kind is p.VAR_KEYWORD for p in params.values())
            _SIG_CACHE[key] = set(params) | ({"*"} if has_kw else set())
        except (TypeError, ValueError):
            _SIG_CACHE[key] = set()
    return name in _SIG_CACHE[key]


def _error_result(task_doc: str, source: Source, stage: str, error: str, message: str) -> Result:
    obj = {"doc_id": task_doc, "source": _source_dict(source), "stage": stage, "error": error, "message": message}
    line = dumps(obj)
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates: escape them rather than lose the line
        line = json.dumps(obj, ensure_ascii=True, separators=(",", ":"))
    return Result(doc_id=task_doc, error_line=line)


def _source_dict(s: Source) -> dict[str, Any]:
    return {"path": s.path, "record": s.record, "encoding": s.encoding}


def _one_line(msg: str) -> str:
    msg = " ".join(str(msg).split())
    return msg[:500] + ("…" if len(msg) > 500 else "")


def process_task(task: Task, opts: RunOptions) -> Result:
    """Read, extract and serialise one article within ``opts.article_timeout``; never raises
    (failures, the timeout included, become error lines)."""
    where = _Progress(task)
    try:
        return call_with_budget(opts.article_timeout, _process_task, task, opts, where)
    except ArticleTimeout:
        if where.chars is not None:
            size = f"article of {where.chars:,} characters"
        elif where.nbytes is not None:
            size = f"input of {where.nbytes:,} bytes"
        else:
            size = "article size unknown"
        return _error_result(where.doc_id, where.source, where.stage, "Timeout",
                             f"abandoned after --article-timeout {opts.article_timeout:g} s ({size})")


class _Progress:
    """How far :func:`_process_task` got (for the timeout message)."""

    def __init__(self, task: Task):
        self.doc_id = task.doc_id
        self.source = task.source()
        self.stage = "read"
        self.nbytes = len(task.data) if task.data is not None else None
        self.chars: Optional[int] = None


def _process_task(task: Task, opts: RunOptions, where: _Progress) -> Result:
    try:
        art = task.load()
    except ReadError as e:
        return _error_result(task.doc_id, task.source(), e.stage, e.error, _one_line(e.message))
    except Exception as e:  # a reader bug must not stop the run
        return _error_result(task.doc_id, task.source(), "read", type(e).__name__, _one_line(e))
    text = art.text
    where.doc_id, where.source, where.stage, where.chars = art.doc_id, art.source, "extract", len(text)
    if not text.strip():
        return _error_result(art.doc_id, art.source, "limit", "EmptyArticle", "no text (empty or blank)")
    if opts.max_chars and len(text) > opts.max_chars:
        return _error_result(art.doc_id, art.source, "limit", "ArticleTooLong",
                             f"{len(text)} characters, more than --max-chars {opts.max_chars}")
    try:
        fn = _extractor(opts)
        kw: dict[str, Any] = {}
        if opts.ner_model and _accepts(fn, "ner_model"):
            kw["ner_model"] = opts.ner_model
        if opts.opencc:
            rec = _extract_folded(fn, text, art, kw)
        else:
            rec = fn(text, doc_id=art.doc_id, source=art.source, meta=art.meta, **kw)
        if art.warnings:  # what reading noticed (e.g. an HTML charset that did not fit) comes first
            rec.warnings = list(art.warnings) + list(rec.warnings)
        line = rec.to_json()
    except Exception as e:
        return _error_result(art.doc_id, art.source, "extract", type(e).__name__, _one_line(e))
    where.stage = "write"
    try:
        types = Counter(i.type for i in rec.indicators)
        text_line = None
        if opts.with_text:
            text_line = dumps({"doc_id": art.doc_id, "text_sha256": rec.text_sha256, "text": text})
            text_line.encode("utf-8")
        nbytes = len(line.encode("utf-8")) and len(text.encode("utf-8"))  # the writer needs valid UTF-8
    except Exception as e:
        return _error_result(art.doc_id, art.source, "write", type(e).__name__, _one_line(e))
    return Result(doc_id=art.doc_id, line=line, text_line=text_line, types=dict(types),
                  entities=len(rec.entities), chars=len(text), nbytes=nbytes)


def _extract_folded(fn: Callable[..., Any], text: str, art: Any, kw: dict[str, Any]) -> Any:
    """``--opencc``: extract from the simplified view (same length), then put the ORIGINAL
    surface back into every offset-bearing ``text`` and the meta strings taken from the text.
    Derived fields (subject, time, scope, org, normalized …) stay in simplified characters."""
    from .read import simplified_view

    view = simplified_view(text)
    rec = fn(view, doc_id=art.doc_id, source=art.source, meta=art.meta, **kw)
    if view is text:
        return rec
    rec.text_sha256 = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    for item in list(rec.indicators) + list(rec.entities):
        item.text = text[item.start:item.end]
    for name in ("title", "outlet", "byline"):
        v = getattr(rec.meta, name, None)
        if isinstance(v, str) and v and getattr(art.meta, name, None) is None:
            i = view.find(v)
            if i >= 0:
                setattr(rec.meta, name, text[i:i + len(v)])
    return rec


def process_chunk(tasks: list[Task], opts: RunOptions) -> list[Result]:
    """One result per task, in order; a bug anywhere becomes that article's error line."""
    out = []
    for t in tasks:
        try:
            out.append(process_task(t, opts))
        except Exception as e:  # process_task catches its stages; this is the last net
            out.append(_error_result(t.doc_id, t.source(), "internal", type(e).__name__, _one_line(e)))
    return out


def _pool_worker_init(opts: RunOptions) -> None:
    """Pool workers leave Ctrl-C to the main process, which stops the pool and checkpoints."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    init_worker(opts)


def init_worker(opts: RunOptions) -> None:
    """Per-process start-up: load jieba (with the user dictionary) and the pipeline once."""
    if opts.warm_up and opts.extractor is None:
        try:
            from .api import extract_record
            from .segment import tokenizer

            tokenizer()
            extract_record("1")  # loads the rules and tables each stage reads lazily
        except Exception:  # reported per article by process_task, with the reason
            pass


# --- output directory ---------------------------------------------------------------------


@dataclass
class Counters:
    seen: int = 0
    ok: int = 0
    failed: int = 0
    types: dict[str, int] = field(default_factory=dict)
    entities: int = 0
    chars: int = 0
    nbytes: int = 0

    def add(self, r: Result) -> None:
        self.seen += 1
        if r.line is not None:
            self.ok += 1
            for k, v in r.types.items():
                self.types[k] = self.types.get(k, 0) + v
            self.entities += r.entities
            self.chars += r.chars
            self.nbytes += r.nbytes
        else:
            self.failed += 1


class Output:
    """The output directory: append-only files plus an atomically replaced checkpoint."""

    def __init__(self, directory: Path, with_text: bool, fingerprint: dict[str, Any]):
        self.dir = directory
        self.with_text = with_text
        self.fingerprint = fingerprint
        self.fds: dict[str, int] = {}
        self.buf: dict[str, list[str]] = {k: [] for k in FILES}
        self.sizes: dict[str, int] = {k: 0 for k in FILES}
        self.done = 0
        self.last_doc: Optional[str] = None
        self.counters = Counters()
        self.elapsed_before = 0.0
        self.pending_lines = 0
        self.last_flush = time.monotonic()
        self.first_result_s: Optional[float] = None  # start-up: workers loading jieba and rules
        self.workers_used = 1

    def path(self, name: str) -> Path:
        return self.dir / f"{name}.jsonl"

    # -- set-up
    def _prepare_dir(self) -> None:
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            probe = self.dir / ".cnie-write-test"
            with open(probe, "wb") as f:
                f.write(b"ok")
            probe.unlink()
        except OSError as e:
            raise RunError(f"{self.dir}: cannot write output directory: {e.strerror or e}") from None

    def _open(self, truncate_to: dict[str, int]) -> None:
        names = [n for n in FILES if n != "texts" or self.with_text]
        for n in names:
            fd = os.open(self.path(n), os.O_WRONLY | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o644)
            os.ftruncate(fd, truncate_to.get(n, 0))
            os.lseek(fd, 0, os.SEEK_END)
            self.fds[n] = fd
            self.sizes[n] = truncate_to.get(n, 0)

    def start_fresh(self) -> None:
        self._prepare_dir()
        for stale in ("texts.jsonl", "summary.json"):
            try:
                (self.dir / stale).unlink()
            except FileNotFoundError:
                pass
        self._open({})
        self.checkpoint(status="running")

    def start_resume(self) -> bool:
        """Reopen at the last checkpoint; False when there is nothing to resume (start fresh)."""
        self._prepare_dir()
        cp = read_checkpoint(self.dir)
        if cp is None:
            self.start_fresh()
            return False
        was = cp.get("fingerprint") or {}
        if was != self.fingerprint:
            diff = ", ".join(f"{k} was {was.get(k)!r}" for k in sorted(set(was) | set(self.fingerprint))
                             if was.get(k) != self.fingerprint.get(k))
            raise RunError(f"{self.dir}: --resume with different inputs or options than the interrupted run "
                           f"({diff}); run without --resume to start over")
        self.done = cp["done"]
        self.last_doc = cp.get("last_doc")
        c = cp["counters"]
        self.counters = Counters(**c)
        self.elapsed_before = cp.get("elapsed", 0.0)
        self._open(cp["sizes"])
        return True

    # -- writing
    def add(self, r: Result) -> None:
        if r.line is not None:
            self.buf["indicators"].append(r.line)
            if self.with_text and r.text_line is not None:
                self.buf["texts"].append(r.text_line)
        else:
            self.buf["errors"].append(r.error_line or "")
        self.counters.add(r)
        self.done += 1
        self.last_doc = r.doc_id
        self.pending_lines += 1

    def maybe_flush(self, elapsed: float, every_lines: int = 512, every_s: float = 2.0) -> None:
        if self.pending_lines >= every_lines or (self.pending_lines and time.monotonic() - self.last_flush >= every_s):
            self.flush(elapsed)

    def flush(self, elapsed: float, status: str = "running") -> None:
        for n, fd in self.fds.items():
            lines = self.buf[n]
            if lines:
                data = ("\n".join(lines) + "\n").encode("utf-8")
                view = memoryview(data)
                while view:
                    k = os.write(fd, view)
                    view = view[k:]
                self.sizes[n] += len(data)
                lines.clear()
        for fd in self.fds.values():
            os.fsync(fd)
        self.pending_lines = 0
        self.last_flush = time.monotonic()
        self.checkpoint(status=status, elapsed=elapsed)

    def checkpoint(self, status: str, elapsed: float = 0.0) -> None:
        c = self.counters
        data = {"cnie": __version__, "status": status, "fingerprint": self.fingerprint,
                "done": self.done, "last_doc": self.last_doc,
                "sizes": {n: self.sizes[n] for n in self.fds},
                "counters": {"seen": c.seen, "ok": c.ok, "failed": c.failed, "types": c.types,
                             "entities": c.entities, "chars": c.chars, "nbytes": c.nbytes},
                "elapsed": round(elapsed, 3)}
        atomic_write(self.dir / CHECKPOINT, json.dumps(data, ensure_ascii=False, indent=1) + "\n")

    def close(self) -> None:
        for fd in self.fds.values():
            os.close(fd)
        self.fds.clear()


def atomic_write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so readers see the old or the new file, never a mix."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    try:
        dfd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:  # some platforms cannot fsync a directory
        pass


def read_checkpoint(directory: Path) -> Optional[dict[str, Any]]:
    try:
        return json.loads((Path(directory) / CHECKPOINT).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except ValueError:
        raise RunError(f"{directory}/{CHECKPOINT}: damaged checkpoint; run without --resume") from None


# --- engines ------------------------------------------------------------------------------


def _chunks(tasks: Iterable[Task], size: int, max_bytes: int = 1 << 20) -> Iterator[list[Task]]:
    chunk: list[Task] = []
    weight = 0
    for t in tasks:
        chunk.append(t)
        txt = t.fields.get("text") if t.fields else None
        weight += len(t.data or b"") + (len(txt) if isinstance(txt, str) else 0)
        if len(chunk) >= size or weight >= max_bytes:
            yield chunk
            chunk, weight = [], 0
    if chunk:
        yield chunk


def serial_results(tasks: Iterable[Task], opts: RunOptions) -> Iterator[Result]:
    init_worker(opts)
    for t in tasks:
        yield from process_chunk([t], opts)


def pool_results(tasks: Iterable[Task], opts: RunOptions, workers: int, chunk_size: int) -> Iterator[Result]:
    """Results in input order from a spawn-based process pool, bounded work in flight."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    ctx = mp.get_context("spawn")

    def new_pool() -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_pool_worker_init,
                                   initargs=(opts,))

    pool = new_pool()
    max_inflight = workers * 3
    pending: deque = deque()
    try:
        src = _chunks(tasks, chunk_size)
        exhausted = False
        while True:
            while not exhausted and len(pending) < max_inflight:
                chunk = next(src, None)
                if chunk is None:
                    exhausted = True
                    break
                pending.append((chunk, pool.submit(process_chunk, chunk, opts)))
            if not pending:
                break
            chunk, fut = pending.popleft()
            try:
                results = fut.result()
            except BrokenProcessPool:
                # a worker died (killed, out of memory, crash in C code): redo the chunks in
                # flight one article at a time so only the culprit is reported
                pool.shutdown(wait=False, cancel_futures=True)
                redo = [chunk] + [c for c, _ in pending]
                pending.clear()
                pool = new_pool()
                for c in redo:
                    for t in c:
                        try:
                            yield pool.submit(process_task, t, opts).result()
                        except BrokenProcessPool:
                            pool.shutdown(wait=False, cancel_futures=True)
                            pool = new_pool()
                            yield _error_result(t.doc_id, t.source(), "worker", "WorkerDied",
                                                "the worker process died on this article (killed or out of memory)")
                continue
            yield from results
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


# --- the run --------------------------------------------------------------------------------


@dataclass
class RunConfig:
    paths: list[str]
    out: Path
    sources: SourceOptions = field(default_factory=SourceOptions)
    options: RunOptions = field(default_factory=RunOptions)
    workers: int = 1
    chunk_size: int = 8
    engine: str = "local"
    scheduler: Optional[str] = None
    resume: bool = False
    strict: bool = False
    quiet: bool = False
    progress: Optional[bool] = None  # None: when stderr is a terminal
    flush_every: int = 512  # checkpoint after this many articles …
    flush_seconds: float = 2.0  # … or this many seconds, whichever comes first
    connect_timeout: float = 30.0  # seconds to reach a Dask scheduler
    auto_workers: bool = False  # workers not chosen by the user: small archives run in-process


def fingerprint(cfg: RunConfig) -> dict[str, Any]:
    s, o = cfg.sources, cfg.options
    ext = o.extractor
    return {
        # source.path is written as given, so a resume must see the same spelling from the same place
        "paths": list(cfg.paths), "cwd": os.getcwd(),
        "fields": [s.text_field, s.id_field, s.title_field, s.date_field, s.url_field, s.input_format],
        "with_text": o.with_text, "max_chars": o.max_chars, "ner_model": o.ner_model, "opencc": o.opencc,
        "article_timeout": o.article_timeout,
        "extractor": None if ext is None else f"{ext.__module__}.{ext.__qualname__}",
        "cnie": __version__, "rules": _rules_digest(),
    }


def _rules_digest() -> Optional[str]:
    """A hash of the rule files: resuming after they changed would mix two rule sets."""
    try:
        from .rules import rules_dir

        root = rules_dir()
        h = hashlib.sha256()
        for p in sorted(root.rglob("*")):
            if p.is_file():
                h.update(p.relative_to(root).as_posix().encode() + b"\0" + p.read_bytes() + b"\0")
        return h.hexdigest()[:16]
    except Exception:
        return None


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
        _extractor(cfg.options)
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
    tasks = _skip_done(tasks, out.done, out.last_doc, out.dir)
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


def _skip_done(tasks: Iterator[Task], done: int, last_doc: Optional[str], out_dir: Path) -> Iterator[Task]:
    if done:
        t = None
        for _ in range(done):
            t = next(tasks, None)
            if t is None:
                break
        if t is None or (last_doc is not None and t.doc_id != last_doc):
            raise RunError(f"{out_dir}: the inputs changed since the interrupted run "
                           f"(input #{done} is {getattr(t, 'doc_id', 'missing')!r}, was {last_doc!r}); "
                           "run without --resume to start over")
    yield from tasks


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
    parts = [f"cnie extract: {a['seen']:,} articles seen, {a['ok']:,} ok, {a['failed']:,} failed"
             + (f" (see {s['files']['errors']})" if a["failed"] else "") + ";",
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
