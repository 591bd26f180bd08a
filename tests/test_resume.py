"""--resume after SIGKILL: killed at several points, resumed, byte-identical to an uninterrupted run.

Each run is a separate Python process driven by a small script written into tmp_path (so it
can be SIGKILLed); its extractor is a cheap stand-in (runner mechanics are under test here).
"""
from __future__ import annotations

import atexit
import functools
import json
import os
import shutil
import tempfile
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from pipeline.runner import CHECKPOINT, RunConfig, RunError, RunOptions, run

REPO = Path(__file__).resolve().parents[1]
N_DOCS = 60

SCRIPT = textwrap.dedent('''
    import hashlib, os, re, signal, sys, time
    from pathlib import Path
    from pipeline.contract import Indicator, Record
    from pipeline.runner import RunConfig, RunOptions, run

    def extract(text, doc_id, source, meta, **kw):
        if os.environ.get("KILL_AT") == doc_id:
            os.kill(os.getpid(), signal.SIGKILL)
        time.sleep(float(os.environ.get("SLEEP", "0")))
        inds = [Indicator(type="count", text=m.group(), start=m.start(), end=m.end(), value=int(m.group(1)))
                for m in re.finditer(r"(\\d+)件", text)]
        if "BAD" in text:
            raise ValueError("bad article " + doc_id)
        return Record(doc_id=doc_id, source=source, meta=meta,
                      text_sha256=hashlib.sha256(text.encode()).hexdigest(), indicators=inds)

    if __name__ == "__main__":
        arch, out, workers, resume = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1"
        run(RunConfig(paths=[arch], out=Path(out), workers=workers, chunk_size=2, resume=resume, quiet=True,
                      flush_every=3, flush_seconds=0.05,
                      options=RunOptions(extractor=extract, with_text=True)))
''')


def _archive(root: Path) -> Path:
    root.mkdir()
    for i in range(N_DOCS):
        sub = root / f"d{i % 3}"
        sub.mkdir(exist_ok=True)
        body = f"第{i}篇：共{i * 11}件，另有{i}件。" + ("BAD" if i % 17 == 5 else "")
        (sub / f"{i:03d}.txt").write_text(body, encoding="utf-8")
    return root


def _start(tmp: Path, arch: Path, out: Path, workers: int, resume: bool, **env) -> subprocess.Popen:
    script = tmp / "runit.py"
    if not script.exists():
        script.write_text(SCRIPT, encoding="utf-8")
    e = {**os.environ, "PYTHONPATH": str(REPO), **{k: str(v) for k, v in env.items()}}
    return subprocess.Popen([sys.executable, str(script), str(arch), str(out), str(workers), "1" if resume else "0"],
                            env=e, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _run(tmp, arch, out, workers=1, resume=False, **env) -> int:
    p = _start(tmp, arch, out, workers, resume, **env)
    _, err = p.communicate(timeout=120)
    if p.returncode not in (0, -signal.SIGKILL):
        raise AssertionError(err.decode())
    return p.returncode


def _outputs(out: Path) -> dict[str, bytes]:
    return {n: (out / n).read_bytes() for n in ("indicators.jsonl", "errors.jsonl", "texts.jsonl")}


def _summary_counts(out: Path) -> dict:
    s = json.loads((out / "summary.json").read_text())
    return {k: s[k] for k in ("articles", "failures", "indicators", "entities", "characters", "bytes")}


@functools.lru_cache(maxsize=1)
def _reference():
    """The uninterrupted run every killed run is compared with (built once per test process)."""
    tmp = Path(tempfile.mkdtemp(prefix="cnie-resume-ref-"))
    atexit.register(shutil.rmtree, tmp, True)
    arch = _archive(tmp / "arch")
    assert _run(tmp, arch, tmp / "out") == 0
    out = _outputs(tmp / "out")
    assert len(out["indicators.jsonl"].splitlines()) == N_DOCS - 4  # docs 5, 22, 39, 56 fail
    assert len(out["errors.jsonl"].splitlines()) == 4
    assert _summary_counts(tmp / "out")["failures"] == {"extract/ValueError": 4}
    return arch, out, _summary_counts(tmp / "out")


@pytest.mark.slow
@pytest.mark.parametrize("kill_at", ["d0/000.txt", "d1/004.txt", "d2/029.txt", "d2/059.txt"])
def test_sigkill_inside_run_then_resume_is_identical(tmp_path, kill_at):
    arch, ref, ref_counts = _reference()
    out = tmp_path / "out"
    assert _run(tmp_path, arch, out, KILL_AT=kill_at) == -signal.SIGKILL
    assert not (out / "summary.json").exists()
    cp = json.loads((out / CHECKPOINT).read_text())
    assert cp["status"] == "running"
    # every line on disk at the kill is whole
    for name in ("indicators.jsonl", "errors.jsonl"):
        data = (out / name).read_bytes()
        assert data == b"" or data.endswith(b"\n")
    assert _run(tmp_path, arch, out, resume=True) == 0
    assert _outputs(out) == ref
    assert _summary_counts(out) == ref_counts


@pytest.mark.slow
def test_repeated_sigkill_of_worker_pool_then_resume_is_identical(tmp_path):
    """Kill the whole process group (main + 2 workers) at several moments, resume each time."""
    arch, ref, ref_counts = _reference()
    out = tmp_path / "out"
    kills = 0
    for delay in (0.05, 0.6, 0.9, 1.2):
        p = _start(tmp_path, arch, out, workers=2, resume=kills > 0, SLEEP=0.05)
        time.sleep(delay)
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
            kills += 1
        p.communicate(timeout=60)
    assert kills >= 2
    assert _run(tmp_path, arch, out, workers=2, resume=True) == 0
    assert _outputs(out) == ref
    assert _summary_counts(out) == ref_counts


@pytest.mark.slow
def test_torn_last_line_and_stale_checkpoint_tmp_are_repaired(tmp_path):
    arch, ref, _ = _reference()
    out = tmp_path / "out"
    assert _run(tmp_path, arch, out, KILL_AT="d1/031.txt") == -signal.SIGKILL
    # simulate a write torn by a power cut and a checkpoint replaced half-way
    with open(out / "indicators.jsonl", "ab") as f:
        f.write('{"schema":"cnie/1","doc_id":"d1/0'.encode())
    (out / (CHECKPOINT + ".tmp")).write_text('{"done": 9')
    assert _run(tmp_path, arch, out, resume=True) == 0
    assert _outputs(out) == ref


def _cheap(text, doc_id, source, meta, **kw):
    from pipeline.contract import Record

    return Record(doc_id=doc_id, source=source, meta=meta, text_sha256="0" * 64)


def test_resume_refuses_other_options_and_is_noop_when_complete(tmp_path):
    arch = tmp_path / "arch"
    arch.mkdir()
    (arch / "a.txt").write_text("甲", encoding="utf-8")
    cfg = dict(paths=[str(arch)], out=tmp_path / "out", quiet=True)
    run(RunConfig(**cfg, options=RunOptions(extractor=_cheap)))
    before = (tmp_path / "out" / "indicators.jsonl").read_bytes()
    with pytest.raises(RunError, match="different inputs or options"):
        run(RunConfig(**cfg, resume=True, options=RunOptions(extractor=_cheap, with_text=True)))
    s = run(RunConfig(**cfg, resume=True, options=RunOptions(extractor=_cheap)))
    assert s["articles"] == {"seen": 1, "ok": 1, "failed": 0}
    assert (tmp_path / "out" / "indicators.jsonl").read_bytes() == before


def test_resume_refuses_changed_archive(tmp_path):
    arch = tmp_path / "arch"
    arch.mkdir()
    for n in ("b.txt", "c.txt"):
        (arch / n).write_text("乙", encoding="utf-8")
    out = tmp_path / "out"
    run(RunConfig(paths=[str(arch)], out=out, quiet=True, options=RunOptions(extractor=_cheap)))
    cp = json.loads((out / CHECKPOINT).read_text())
    cp.update(status="running", done=1, last_doc="b.txt")
    (out / CHECKPOINT).write_text(json.dumps(cp))
    (arch / "a.txt").write_text("甲", encoding="utf-8")  # a new first input shifts everything
    with pytest.raises(RunError, match="inputs changed"):
        run(RunConfig(paths=[str(arch)], out=out, quiet=True, resume=True, options=RunOptions(extractor=_cheap)))


def test_resume_without_checkpoint_starts_fresh(tmp_path):
    arch = tmp_path / "arch"
    arch.mkdir()
    (arch / "a.txt").write_text("甲", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "indicators.jsonl").write_text("garbage from elsewhere\n")
    s = run(RunConfig(paths=[str(arch)], out=out, quiet=True, resume=True, options=RunOptions(extractor=_cheap)))
    assert s["articles"]["seen"] == 1
    assert [json.loads(x)["doc_id"] for x in (out / "indicators.jsonl").read_text().splitlines()] == ["a.txt"]


def test_rules_digest_counts_rule_files_only(tmp_path, monkeypatch):
    import shutil

    from pipeline.run_config import _rules_digest

    shutil.copytree(REPO / "rules", tmp_path / "rules")
    monkeypatch.setenv("CNIE_RULES", str(tmp_path / "rules"))
    before = _rules_digest()
    assert before is not None
    (tmp_path / "rules" / "NOTES.md").write_text("notes")
    (tmp_path / "rules" / ".units.tsv.swp").write_text("editor")
    (tmp_path / "rules" / "units.tsv~").write_text("backup")
    assert _rules_digest() == before
    table = next((tmp_path / "rules").rglob("*.tsv"))
    table.write_text(table.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert _rules_digest() != before
