"""Per-article work of ``cnie extract`` (runs in the workers): one task → one :class:`Result`.

Takes a :class:`pipeline.sources.Task` and the picklable :class:`RunOptions`; returns the
output lines of that article (its ``cnie/1`` record, its text line, or its ``errors.jsonl``
line) and its counts. :func:`process_task` never raises: every failure, the time budget
(:mod:`pipeline.run_budget`) included, becomes an error line. :func:`init_worker` loads jieba
and the rules once per worker process.
"""
from __future__ import annotations

import inspect
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from .contract import Source, dumps, text_sha256
from .read import ReadError
from .run_budget import ArticleTimeout, call_with_budget
from .sources import Task

__all__ = ["RunOptions", "Result", "process_task", "process_chunk", "init_worker", "pool_worker_init",
           "error_result", "load_extractor",
           "DEFAULT_MAX_CHARS", "DEFAULT_ARTICLE_TIMEOUT"]

DEFAULT_MAX_CHARS = 1_000_000
# a 3,500-character press release takes ~0.1 s; an article at --max-chars (1 M characters) ~50 s
DEFAULT_ARTICLE_TIMEOUT = 120.0


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
    error: Optional[str] = None  # a failed article: "stage/ErrorType", counted in the summary


def load_extractor(opts: RunOptions) -> Callable[..., Any]:
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


def error_result(task_doc: str, source: Source, stage: str, error: str, message: str) -> Result:
    obj = {"doc_id": task_doc, "source": _source_dict(source), "stage": stage, "error": error, "message": message}
    line = dumps(obj)
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates: escape them rather than lose the line
        line = json.dumps(obj, ensure_ascii=True, separators=(",", ":"))
    return Result(doc_id=task_doc, error_line=line, error=f"{stage}/{error}")


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
        return error_result(where.doc_id, where.source, where.stage, "Timeout",
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
        return error_result(task.doc_id, task.source(), e.stage, e.error, _one_line(e.message))
    except Exception as e:  # a reader bug must not stop the run
        return error_result(task.doc_id, task.source(), "read", type(e).__name__, _one_line(e))
    text = art.text
    where.doc_id, where.source, where.stage, where.chars = art.doc_id, art.source, "extract", len(text)
    if not text.strip():
        return error_result(art.doc_id, art.source, "limit", "EmptyArticle", "no text (empty or blank)")
    if opts.max_chars and len(text) > opts.max_chars:
        return error_result(art.doc_id, art.source, "limit", "ArticleTooLong",
                             f"{len(text)} characters, more than --max-chars {opts.max_chars}")
    try:
        fn = load_extractor(opts)
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
        return error_result(art.doc_id, art.source, "extract", type(e).__name__, _one_line(e))
    where.stage = "write"
    try:
        types = Counter(i.type for i in rec.indicators)
        text_line = None
        if opts.with_text:
            text_line = dumps({"doc_id": art.doc_id, "text_sha256": rec.text_sha256, "text": text})
            text_line.encode("utf-8")
        nbytes = len(line.encode("utf-8")) and len(text.encode("utf-8"))  # the writer needs valid UTF-8
    except Exception as e:
        return error_result(art.doc_id, art.source, "write", type(e).__name__, _one_line(e))
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
    rec.text_sha256 = text_sha256(text)
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
            out.append(error_result(t.doc_id, t.source(), "internal", type(e).__name__, _one_line(e)))
    return out


def pool_worker_init(opts: RunOptions) -> None:
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
