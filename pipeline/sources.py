"""Walk an archive: the inputs of ``cnie extract`` as a deterministic stream of tasks.

Takes the PATH arguments and :class:`SourceOptions`; :func:`iter_tasks` yields one
:class:`Task` per article, lazily (constant memory: a directory level's names at a time, one
JSONL line, one CSV row, one Parquet batch). :meth:`Task.load` (run in a worker) turns a task
into an :class:`Article` (text, meta, source) or raises :class:`pipeline.read.ReadError`.

Inputs, in argument order:

* a directory — walked recursively, entries of each directory sorted by name (so the order is
  the same on every machine); hidden entries (``.name``) and the output directory are skipped;
  files are dispatched on their extension like file arguments, other files are skipped
  (counted as ``skipped``). ``doc_id`` = path relative to the directory, ``/``-separated.
* a file — ``.txt``, ``.text``, ``.md`` (plain text, any encoding :func:`pipeline.read.decode`
  detects), ``.html``, ``.htm``, ``.xhtml`` (decoded by the page's declared charset when it fits,
  :func:`pipeline.read.decode_html`; main text via trafilatura), ``.jsonl``, ``.ndjson``
  (optionally ``.gz``), ``.csv``, ``.tsv``, ``.parquet`` (one article per record).
  ``doc_id`` of a file argument = its file name.
* ``-`` — standard input: JSONL when its first non-blank byte is ``{``, otherwise one article.

Records (JSONL, CSV, Parquet) take their text from ``--text-field`` and optional id, title, date
and URL from ``--id-field``, ``--title-field``, ``--date-field``, ``--url-field``. Without the
option the first present of the default names is used (see ``DEFAULT_FIELDS``). ``doc_id`` of
a record = its id field, else its URL, else ``<file doc_id>#<record>``. ``source.record`` is the
1-based record number in its file (the line number for JSONL). Lone surrogates in JSON strings
(half an emoji) become U+FFFD, one character for one.
"""
from __future__ import annotations

import csv
import gzip
import io
import json
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Optional

from .contract import Meta, Source
from .read import ReadError, decode, decode_html, html_text, read_bytes

__all__ = ["SourceOptions", "Task", "Article", "InputError", "iter_tasks", "count_tasks", "kind_of",
           "DEFAULT_FIELDS"]

TEXT_EXT = (".txt", ".text", ".md")
HTML_EXT = (".html", ".htm", ".xhtml")
JSONL_EXT = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")
CSV_EXT = (".csv", ".tsv", ".csv.gz", ".tsv.gz")
PARQUET_EXT = (".parquet", ".pq")

# option → names tried in order when the option is not given
DEFAULT_FIELDS: dict[str, tuple[str, ...]] = {
    "text": ("text", "content", "body", "article", "fulltext"),
    "id": ("id", "doc_id", "docid", "uuid"),
    "title": ("title", "headline"),
    "date": ("published", "date", "pubdate", "publish_time", "pub_date", "time", "datetime"),
    "url": ("url", "link", "href"),
}


class InputError(Exception):
    """A PATH argument is unusable (missing, or holds no articles); the run does not start."""


@dataclass(frozen=True)
class SourceOptions:
    text_field: Optional[str] = None
    id_field: Optional[str] = None
    title_field: Optional[str] = None
    date_field: Optional[str] = None
    url_field: Optional[str] = None
    input_format: str = "auto"  # auto | text | html | jsonl | csv | parquet (mainly for stdin)
    exclude: tuple[str, ...] = ()  # absolute paths never walked into (the output directory)


@dataclass
class Article:
    doc_id: str
    text: str
    meta: Meta
    source: Source
    warnings: list[str] = field(default_factory=list)  # what reading noticed; go into the record


@dataclass
class Task:
    """One article to process. ``kind``: ``text``/``html`` (a file, read by :meth:`load`) or
    ``record`` (text already in ``fields``). ``error`` is set when listing already failed."""

    doc_id: str
    kind: str
    path: Optional[str] = None
    record: Optional[int] = None
    data: Optional[bytes] = None
    fields: dict[str, Any] = field(default_factory=dict)
    encoding: Optional[str] = None
    error: Optional[ReadError] = None

    def source(self, encoding: Optional[str] = None) -> Source:
        return Source(path=self.path, record=self.record, encoding=encoding or self.encoding,
                      url=_no_surrogates(_str_or_none(self.fields.get("url"))))

    def load(self) -> Article:
        """Read and decode this task's article; :class:`ReadError` when it cannot be."""
        if self.error is not None:
            raise self.error
        if self.kind == "record":
            text = _no_surrogates(self.fields.get("text"))
            meta = Meta(title=_no_surrogates(_str_or_none(self.fields.get("title"))),
                        published=_no_surrogates(_str_or_none(self.fields.get("date"))))
            return Article(self.doc_id, text, meta, self.source())
        data = self.data if self.data is not None else read_bytes(self.path)
        if self.kind == "html":
            dec = decode_html(data)
            page = html_text(dec.text)
            return Article(self.doc_id, page.text, Meta(title=page.title, published=page.published),
                           self.source(dec.encoding), [dec.warning] if dec.warning else [])
        dec = decode(data)
        return Article(self.doc_id, dec.text, Meta(), self.source(dec.encoding))


_SURROGATE = re.compile("[\ud800-\udfff]")


def _no_surrogates(s: Optional[str]) -> Optional[str]:
    """JSON may carry lone surrogates (half an emoji, cut by a scraper); they cannot be
    written as UTF-8, so each becomes U+FFFD — one character for one, offsets unchanged."""
    return _SURROGATE.sub("\ufffd", s) if s and _SURROGATE.search(s) else s


def _str_or_none(v: Any) -> Optional[str]:
    if v is None:
        return None
    if isinstance(v, float) and v != v:  # NaN from CSV/Parquet
        return None
    s = str(v).strip()
    return s or None


def kind_of(name: str) -> Optional[str]:
    """``text``, ``html``, ``jsonl``, ``csv``, ``parquet`` from a file name, or None."""
    low = name.lower()
    for kind, exts in (("jsonl", JSONL_EXT), ("csv", CSV_EXT), ("parquet", PARQUET_EXT),
                       ("html", HTML_EXT), ("text", TEXT_EXT)):
        if low.endswith(exts):
            return kind
    return None


@dataclass
class WalkStats:
    """Counts kept while walking (files skipped for their extension)."""

    skipped: int = 0
    skipped_examples: list[str] = field(default_factory=list)

    def skip(self, path: str) -> None:
        self.skipped += 1
        if len(self.skipped_examples) < 5:
            self.skipped_examples.append(path)


def check_paths(paths: list[str], opts: SourceOptions) -> None:
    """Raise :class:`InputError` for a missing PATH or one that holds no article at all."""
    if not paths:
        raise InputError("no input PATH given")
    for p in paths:
        if p == "-":
            continue
        if not os.path.exists(p):
            raise InputError(f"{p}: no such file or directory")
        if os.path.isdir(p):
            if next(_walk_files(Path(p), opts, WalkStats()), None) is None:
                raise InputError(f"{p}: directory holds no articles "
                                 f"(looked for {', '.join(TEXT_EXT + HTML_EXT + JSONL_EXT + CSV_EXT + PARQUET_EXT)})")
        elif opts.input_format == "auto" and kind_of(p) is None:
            raise InputError(f"{p}: unknown file type (use --input-format)")


def iter_tasks(paths: list[str], opts: SourceOptions, stats: Optional[WalkStats] = None) -> Iterator[Task]:
    """Every article of every PATH, in deterministic order."""
    stats = stats if stats is not None else WalkStats()
    for p in paths:
        if p == "-":
            yield from _stdin_tasks(opts)
        elif os.path.isdir(p):
            root = Path(p)
            for f in _walk_files(root, opts, stats):
                rel = f.relative_to(root).as_posix()
                yield from _file_tasks(f, rel, kind_of(f.name), opts)
        else:
            kind = opts.input_format if opts.input_format != "auto" else kind_of(p)
            yield from _file_tasks(Path(p), Path(p).name, kind, opts)


def count_tasks(paths: list[str], opts: SourceOptions) -> int:
    """How many tasks :func:`iter_tasks` will yield, found cheaply (for the progress bar's ETA):
    JSONL lines are counted without parsing, Parquet rows read from the file footer."""
    n = 0
    for p in paths:
        if p == "-":
            continue
        files = ([(f, kind_of(f.name)) for f in _walk_files(Path(p), opts, WalkStats())] if os.path.isdir(p)
                 else [(Path(p), opts.input_format if opts.input_format != "auto" else kind_of(p))])
        for f, kind in files:
            try:
                if kind == "jsonl":
                    with _open_binary(f) as fh:
                        n += sum(1 for line in fh if line.strip())
                elif kind == "parquet":
                    import pyarrow.parquet as pq

                    n += pq.ParquetFile(str(f)).metadata.num_rows
                elif kind == "csv":
                    n += sum(1 for _ in _csv_tasks(f, "", opts))
                else:
                    n += 1
            except Exception:  # unreadable files are reported by the run itself
                n += 1
    return n


def _walk_files(root: Path, opts: SourceOptions, stats: WalkStats) -> Iterator[Path]:
    """Article files under ``root``: sorted, recursive, depth first, lazily."""
    excl = {os.path.abspath(e) for e in opts.exclude}
    try:
        entries = sorted(os.scandir(root), key=lambda e: e.name)
    except OSError:
        return
    for e in entries:
        if e.name.startswith("."):
            continue
        path = Path(e.path)
        try:
            is_dir = e.is_dir(follow_symlinks=True)
        except OSError:
            is_dir = False
        if is_dir:
            if os.path.abspath(e.path) in excl:
                continue
            yield from _walk_files(path, opts, stats)
        elif kind_of(e.name) is not None:
            yield path
        else:
            stats.skip(e.path)


def _file_tasks(path: Path, rel: str, kind: Optional[str], opts: SourceOptions) -> Iterator[Task]:
    if kind in ("text", "html"):
        yield Task(doc_id=rel, kind=kind, path=str(path))
    elif kind == "jsonl":
        yield from _jsonl_tasks(path, rel, opts)
    elif kind == "csv":
        yield from _csv_tasks(path, rel, opts)
    elif kind == "parquet":
        yield from _parquet_tasks(path, rel, opts)
    else:
        yield Task(doc_id=rel, kind="text", path=str(path),
                   error=ReadError("read", f"unknown file type {kind!r}", "UnknownFileType"))


# --- records -------------------------------------------------------------------------------


def _pick(row: dict, option: Optional[str], key: str) -> Any:
    if option:
        return row.get(option)
    for name in DEFAULT_FIELDS[key]:
        if name in row and row[name] is not None:
            return row[name]
    return None


def _record_task(row: Any, rel: str, path: str, n: int, opts: SourceOptions,
                 encoding: Optional[str]) -> Task:
    fallback = f"{rel}#{n}"
    if not isinstance(row, dict):
        return Task(doc_id=fallback, kind="record", path=path, record=n, encoding=encoding,
                    error=ReadError("parse", f"record is a JSON {type(row).__name__}, not an object", "BadRecord"))
    doc_id = _no_surrogates(_str_or_none(_pick(row, opts.id_field, "id")) or _str_or_none(_pick(row, opts.url_field, "url"))
                            or fallback)
    text = _pick(row, opts.text_field, "text")
    fields = {"text": text, "title": _pick(row, opts.title_field, "title"),
              "date": _pick(row, opts.date_field, "date"), "url": _pick(row, opts.url_field, "url")}
    err = None
    if text is None or (isinstance(text, float) and text != text):
        wanted = opts.text_field or "|".join(DEFAULT_FIELDS["text"])
        err = ReadError("parse", f"record has no text field ({wanted}); fields: {', '.join(map(str, row))[:200]}",
                        "MissingTextField")
    elif not isinstance(text, str):
        err = ReadError("parse", f"text field is a {type(text).__name__}, not a string", "BadRecord")
    return Task(doc_id=doc_id, kind="record", path=path, record=n, fields=fields, encoding=encoding, error=err)


def _open_binary(path: Path):
    f = open(path, "rb")
    if path.name.lower().endswith(".gz"):
        return gzip.GzipFile(fileobj=f, mode="rb")
    return f


def _jsonl_tasks(path: Path, rel: str, opts: SourceOptions) -> Iterator[Task]:
    try:
        fh = _open_binary(path)
    except OSError as e:
        yield Task(doc_id=rel, kind="record", path=str(path),
                   error=ReadError("read", f"cannot read: {e.strerror or e}", type(e).__name__))
        return
    with fh:
        yield from _jsonl_lines(fh, rel, str(path), opts)


def _jsonl_lines(fh, rel: str, path: str, opts: SourceOptions) -> Iterator[Task]:
    n = 0
    try:
        for raw in fh:
            n += 1
            if not raw.strip():
                continue
            try:
                line = raw.decode("utf-8-sig" if n == 1 else "utf-8")
            except UnicodeDecodeError as e:
                yield Task(doc_id=f"{rel}#{n}", kind="record", path=path, record=n,
                           error=ReadError("decode", f"JSONL line is not UTF-8 ({e.reason} at byte {e.start})",
                                           "UnicodeDecodeError"))
                continue
            try:
                row = json.loads(line)
            except ValueError as e:
                yield Task(doc_id=f"{rel}#{n}", kind="record", path=path, record=n,
                           error=ReadError("parse", f"malformed JSONL line: {e}", "JSONDecodeError"))
                continue
            yield _record_task(row, rel, path, n, opts, "utf-8")
    except (OSError, EOFError, gzip.BadGzipFile) as e:
        yield Task(doc_id=f"{rel}#{n + 1}", kind="record", path=path, record=n + 1,
                   error=ReadError("read", f"file unreadable after record {n}: {e}", type(e).__name__))


def _csv_tasks(path: Path, rel: str, opts: SourceOptions) -> Iterator[Task]:
    try:
        with _open_binary(path) as fh:
            head = fh.read(1 << 16)
    except OSError as e:
        yield Task(doc_id=rel, kind="record", path=str(path),
                   error=ReadError("read", f"cannot read: {e.strerror or e}", type(e).__name__))
        return
    try:
        enc = decode(head).encoding if head else "utf-8"
    except ReadError:
        enc = "utf-8"
    if enc == "utf-8":
        enc = "utf-8-sig"
    delim = "\t" if ".tsv" in path.name.lower() else ","
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    with _open_binary(path) as fb:
        fh = io.TextIOWrapper(fb, encoding=enc, errors="strict", newline="")
        reader = csv.DictReader(fh, delimiter=delim)
        n = 0
        try:
            for row in reader:
                n += 1
                yield _record_task(row, rel, str(path), n, opts, codecs_name(enc))
        except (UnicodeDecodeError, csv.Error, OSError) as e:
            yield Task(doc_id=f"{rel}#{n + 1}", kind="record", path=str(path), record=n + 1,
                       error=ReadError("parse", f"CSV unreadable after row {n}: {e}", type(e).__name__))


def codecs_name(enc: str) -> str:
    return "utf-8" if enc == "utf-8-sig" else enc


def _parquet_tasks(path: Path, rel: str, opts: SourceOptions) -> Iterator[Task]:
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(str(path))
    except Exception as e:  # pyarrow raises ArrowInvalid/OSError for broken files
        yield Task(doc_id=rel, kind="record", path=str(path),
                   error=ReadError("read", f"not a readable Parquet file: {e}", type(e).__name__))
        return
    n = 0
    try:
        for batch in pf.iter_batches(batch_size=256):
            for row in batch.to_pylist():
                n += 1
                yield _record_task(row, rel, str(path), n, opts, None)
    except Exception as e:
        yield Task(doc_id=f"{rel}#{n + 1}", kind="record", path=str(path), record=n + 1,
                   error=ReadError("read", f"Parquet unreadable after row {n}: {e}", type(e).__name__))


def _stdin_tasks(opts: SourceOptions) -> Iterator[Task]:
    buf = sys.stdin.buffer
    fmt = opts.input_format
    if fmt == "auto":
        head = buf.peek(4096)[:4096] if hasattr(buf, "peek") else b""
        if not head:
            data = buf.read()
            fmt = "jsonl" if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{") else "text"
            buf = io.BytesIO(data)
        else:
            fmt = "jsonl" if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{") else "text"
    if fmt == "jsonl":
        yield from _jsonl_lines(buf, "stdin", "-", opts)
    elif fmt in ("text", "html"):
        yield Task(doc_id="stdin", kind=fmt, path="-", data=buf.read())
    else:
        raise InputError(f"-: --input-format {fmt} is not supported on standard input (use jsonl or text)")
