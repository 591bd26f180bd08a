"""What one ``cnie extract`` run is (:class:`RunConfig`) and how ``--resume`` recognises it.

Takes the configuration; :func:`fingerprint` returns what must be the same for a resume to
continue a run (inputs as spelt and the directory they were spelt from, field options, every
option that changes the output, cnie version, a hash of the rule files); :func:`skip_done`
skips the inputs an interrupted run has done and checks that the last of them is the same.
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Optional

from . import __version__
from .run_output import RunError
from .run_work import RunOptions
from .sources import SourceOptions, Task

__all__ = ["RunConfig", "fingerprint", "skip_done"]


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


RULE_SUFFIXES = (".tsv", ".txt", ".patterns", ".csv", ".json")  # what the package ships as rules


def _rules_digest() -> Optional[str]:
    """A hash of the rule files: resuming after they changed would mix two rule sets. Notes
    (``README.md``), hidden files and editor backups in the rules directory do not count."""
    try:
        from .rules import rules_dir

        root = rules_dir()
        h = hashlib.sha256()
        for p in sorted(root.rglob("*")):
            rel = p.relative_to(root)
            if p.suffix in RULE_SUFFIXES and p.is_file() and not any(part.startswith(".") for part in rel.parts):
                h.update(rel.as_posix().encode() + b"\0" + p.read_bytes() + b"\0")
        return h.hexdigest()[:16]
    except Exception:
        return None


def skip_done(tasks: Iterator[Task], done: int, last_doc: Optional[str], out_dir: Path) -> Iterator[Task]:
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
