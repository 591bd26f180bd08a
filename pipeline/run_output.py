"""The output directory of ``cnie extract``: append-only JSONL files and the checkpoint journal.

Takes :class:`pipeline.run_work.Result` objects in input order; :class:`Output` buffers their
lines, appends them as whole lines (one ``os.write`` per file and batch), fsyncs, then replaces
``.cnie-checkpoint.json`` atomically (inputs done, byte size of every file, counters).
:meth:`Output.start_resume` truncates every file back to the sizes of the last checkpoint, so a
run killed at any point continues exactly. :func:`atomic_write` and :func:`read_checkpoint` are
the file primitives; :class:`RunError` is the one-line error that stops a run (exit status 2).
"""
from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from . import __version__
from .run_work import Result

__all__ = ["RunError", "Output", "Counters", "atomic_write", "read_checkpoint", "CHECKPOINT", "FILES"]

CHECKPOINT = ".cnie-checkpoint.json"
FILES = ("indicators", "errors", "texts")


class RunError(Exception):
    """The run cannot start or go on (exit status 2): message is one line for the user."""


@dataclass
class Counters:
    seen: int = 0
    ok: int = 0
    failed: int = 0
    types: dict[str, int] = field(default_factory=dict)
    entities: int = 0
    chars: int = 0
    nbytes: int = 0
    failures: dict[str, int] = field(default_factory=dict)  # "stage/ErrorType" → articles

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
            key = r.error or "unknown"
            self.failures[key] = self.failures.get(key, 0) + 1


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
                             "entities": c.entities, "chars": c.chars, "nbytes": c.nbytes,
                             "failures": c.failures},
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
