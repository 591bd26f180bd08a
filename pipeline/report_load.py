"""Reading an ``extract`` output directory for the report.

Takes a directory (``indicators.jsonl``, ``errors.jsonl``, ``summary.json`` and, after
``extract --with-text``, ``texts.jsonl``) and the window of articles to show; returns a
:class:`LoadedRun`: the archive :class:`~pipeline.report_stats.Overview` (streamed, no texts
kept), the records of the window, ``summary.json`` and ``(text, warning)`` per window record.

Texts come from ``texts.jsonl`` or are read again from ``record["source"]["path"]`` and checked
against ``record["text_sha256"]``; a text that does not match comes with a warning.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Optional

from .contract import text_sha256
from .report_stats import Overview


def iter_jsonl(path: Path) -> Iterator[tuple[int, Optional[dict]]]:
    """Yield ``(line_number, object)`` per non-blank line; ``None`` for a line that is not a JSON object."""
    with open(path, encoding="utf-8", errors="replace") as fh:
        for no, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except ValueError:
                yield no, None
                continue
            yield no, obj if isinstance(obj, dict) else None




def _find(path: str, search: tuple[Path, ...]) -> Optional[Path]:
    p = Path(path)
    candidates = [p] + ([] if p.is_absolute() else [d / p for d in search])
    return next((c for c in candidates if c.is_file()), None)


def _read_articles(path: Path, wanted: set[Optional[int]]) -> dict[Optional[int], str]:
    """Texts of the wanted records (None = the file itself) of one source file, read the way
    ``extract`` reads it (:mod:`pipeline.sources` with default options), in one pass."""
    out: dict[Optional[int], str] = {}
    try:
        from .sources import SourceOptions, iter_tasks
    except ImportError:  # reader not available: plain UTF-8 files only
        if None in wanted:
            out[None] = path.read_bytes().decode("utf-8")
        return out
    for task in iter_tasks([str(path)], SourceOptions()):
        if task.record in wanted and task.record not in out:
            text = task.load().text
            if isinstance(text, str):
                out[task.record] = text
            if len(out) == len(wanted):
                break
    return out


def texts_from_sources(records: list[dict], search: tuple[Path, ...] = ()) -> list[tuple[Optional[str], Optional[str]]]:
    """Each record's text read again from ``source.path`` (one pass per source file);
    ``(text, warning)`` per record. ``text`` is None when unreadable; a text whose sha256 differs
    from ``text_sha256`` comes with a warning (the source changed, or was read with other options).
    """
    hint = "; run `cnie extract --with-text` to keep texts"
    out: list[tuple[Optional[str], Optional[str]]] = [(None, "no source path recorded" + hint)] * len(records)
    by_path: dict[str, list[int]] = {}
    for k, rec in enumerate(records):
        path = (rec.get("source") or {}).get("path")
        if isinstance(path, str) and path:
            by_path.setdefault(path, []).append(k)
    for path, idxs in by_path.items():
        found = _find(path, search)
        if found is None:
            for k in idxs:
                out[k] = (None, f"source {path} not found" + hint)
            continue
        wanted = {(records[k].get("source") or {}).get("record") for k in idxs}
        try:
            texts = _read_articles(found, wanted)
        except Exception as e:  # any reader failure becomes a warning on the article, never a crash
            texts, why = {}, f"{type(e).__name__}: {e}"
        else:
            why = "record not found"
        for k in idxs:
            rec_no = (records[k].get("source") or {}).get("record")
            text = texts.get(rec_no)
            where = path + (f" record {rec_no}" if rec_no is not None else "")
            if text is None:
                out[k] = (None, f"cannot read {where}: {why}" + hint)
            elif text_sha256(text) != records[k].get("text_sha256"):
                out[k] = (text, f"{where} differs from the extracted text (sha256); shown without highlights" + hint)
            else:
                out[k] = (text, None)
    return out


def load_texts(path: Path, records: list[dict]) -> list[Optional[str]]:
    """Texts of these records from a ``texts.jsonl`` (streamed; matched by doc_id, and by
    ``text_sha256`` when the line has one); None where absent."""
    want_doc = {str(r.get("doc_id")) for r in records}
    want_sha = {r.get("text_sha256") for r in records}
    by_doc: dict[str, str] = {}
    by_sha: dict[str, str] = {}
    if path.is_file() and records:
        for _, obj in iter_jsonl(path):
            if len(by_sha) == len(want_sha) or len(by_doc) == len(want_doc):
                break  # every wanted text found (texts.jsonl is in record order: stops early)
            text = obj.get("text") if obj else None
            if not isinstance(text, str):
                continue
            sha = obj.get("text_sha256")
            if isinstance(sha, str) and sha in want_sha:
                by_sha.setdefault(sha, text)
            if str(obj.get("doc_id")) in want_doc:
                by_doc.setdefault(str(obj.get("doc_id")), text)
    return [by_sha.get(r.get("text_sha256")) or by_doc.get(str(r.get("doc_id"))) for r in records]


def window_texts(d: Path, window: list[dict]) -> list[tuple[Optional[str], Optional[str]]]:
    """``(text, warning)`` per record: from ``d/texts.jsonl``, else read again from the source
    (searched as given, then under ``d``, ``d``'s parent and the working directory)."""
    texts: list[tuple[Optional[str], Optional[str]]] = []
    for rec, text in zip(window, load_texts(d / "texts.jsonl", window)):
        bad = text is not None and text_sha256(text) != rec.get("text_sha256")
        texts.append((text, "text in texts.jsonl does not match text_sha256; shown without highlights" if bad else None))
    missing = [k for k, (text, _) in enumerate(texts) if text is None]
    for k, got in zip(missing, texts_from_sources([window[k] for k in missing], (d, d.parent, Path.cwd()))):
        texts[k] = got
    return texts


def read_summary(path: Path) -> Optional[dict]:
    """``summary.json`` as a dict; ``{"summary.json": "unreadable"}`` when not JSON; None when
    absent or not an object."""
    if not path.is_file():
        return None
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        summary = {"summary.json": "unreadable"}
    return summary if isinstance(summary, dict) else None


@dataclass
class LoadedRun:
    """What the report needs of one ``extract`` output directory."""

    overview: Overview
    window: list[dict]                                  # records start .. start + max_articles
    texts: list[tuple[Optional[str], Optional[str]]]    # (text, warning) per window record
    summary: Optional[dict]


def load_run(d: Path, start: int, max_articles: int) -> LoadedRun:
    """Stream ``d/indicators.jsonl`` once into the overview, keeping only the records of the
    window ``start`` .. ``start + max_articles``; add ``errors.jsonl``, ``summary.json`` and the
    window's texts. Raises FileNotFoundError when ``indicators.jsonl`` is missing."""
    src = d / "indicators.jsonl"
    if not src.is_file():
        raise FileNotFoundError(f"{src}: not found (is {d} an `cnie extract` output directory?)")
    ov = Overview()
    window: list[dict] = []
    for _, rec in iter_jsonl(src):
        if rec is None:
            ov.bad_lines += 1
            continue
        if start <= ov.articles < start + max_articles:
            window.append(rec)
        ov.add(rec)
    if (d / "errors.jsonl").is_file():
        for _, err in iter_jsonl(d / "errors.jsonl"):
            ov.add_error(err)
    summary = read_summary(d / "summary.json")
    return LoadedRun(ov, window, window_texts(d, window), summary)
