"""--engine dask: a LocalCluster (threads, in this process) writes what the local engine writes."""
from __future__ import annotations

import atexit
import functools
import json
from pathlib import Path

import pytest

distributed = pytest.importorskip("distributed", reason="optional extra cnie[dask]")

from pipeline import cli  # noqa: E402
from pipeline.runner import RunConfig, RunError, RunOptions, run  # noqa: E402

from test_runner import SEED, cheap_extract  # noqa: E402


@functools.lru_cache(maxsize=1)
def _cluster():
    """One small in-process LocalCluster (threads) per test process, closed at exit."""
    c = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None,
                                 silence_logs=50)
    atexit.register(c.close)
    return c


def _archive(root: Path) -> Path:
    root.mkdir()
    for i in range(17):
        (root / f"{i:02d}.txt").write_text(f"第{i}篇，{i * 3}件。", encoding="utf-8")
    (root / "gbk.txt").write_bytes("简体 8件".encode("gbk"))
    (root / "bad.txt").write_bytes(bytes(range(256)) * 3)
    (root / "r.jsonl").write_text('{"id": "r1", "text": "记录 5件"}\n{"broken\n', encoding="utf-8")
    return root


def test_dask_engine_identical_to_local(tmp_path):
    cluster = _cluster()
    arch = _archive(tmp_path / "arch")
    opts = RunOptions(extractor=cheap_extract, with_text=True)
    local = run(RunConfig(paths=[str(arch)], out=tmp_path / "local", options=opts, workers=1, quiet=True))
    dask = run(RunConfig(paths=[str(arch)], out=tmp_path / "dask", options=opts, engine="dask",
                         scheduler=cluster.scheduler_address, chunk_size=3, quiet=True))
    for name in ("indicators.jsonl", "errors.jsonl", "texts.jsonl"):
        assert (tmp_path / "local" / name).read_bytes() == (tmp_path / "dask" / name).read_bytes()
    assert local["articles"] == dask["articles"] == {"seen": 21, "ok": 19, "failed": 2}
    assert dask["engine"] == "dask"


def test_dask_article_timeout_in_worker_threads(tmp_path):
    """Dask runs tasks in worker threads: the budget is enforced by the watchdog thread there."""
    from test_timeout import _archive as slow_archive, slow_extract

    cluster = _cluster()
    arch = slow_archive(tmp_path / "arch")
    opts = RunOptions(extractor=slow_extract, article_timeout=0.5)
    run(RunConfig(paths=[str(arch)], out=tmp_path / "local", options=opts, workers=1, quiet=True))
    # chunks of 2: the worker thread that abandons 02 then extracts 03
    s = run(RunConfig(paths=[str(arch)], out=tmp_path / "dask", options=opts, engine="dask",
                      scheduler=cluster.scheduler_address, chunk_size=2, quiet=True))
    assert s["articles"] == {"seen": 7, "ok": 6, "failed": 1}
    errs = [json.loads(x) for x in (tmp_path / "dask" / "errors.jsonl").read_text().splitlines()]
    assert [(e["doc_id"], e["stage"], e["error"]) for e in errs] == [("02.txt", "extract", "Timeout")]
    for name in ("indicators.jsonl", "errors.jsonl"):
        assert (tmp_path / "local" / name).read_bytes() == (tmp_path / "dask" / name).read_bytes()


def test_dask_engine_real_pipeline_cli(tmp_path):
    cluster = _cluster()
    arch = tmp_path / "arch"
    arch.mkdir()
    seed = SEED.read_text(encoding="utf-8")
    (arch / "a.txt").write_text(seed, encoding="utf-8")
    (arch / "b.txt").write_bytes(seed[:600].encode("gb18030"))
    base = ["extract", str(arch), "--quiet", "--with-text"]
    assert cli.main(base + ["-o", str(tmp_path / "local"), "--workers", "1"]) == 0
    assert cli.main(base + ["-o", str(tmp_path / "dask"), "--engine", "dask",
                            "--scheduler", cluster.scheduler_address]) == 0
    local = (tmp_path / "local" / "indicators.jsonl").read_bytes()
    assert local == (tmp_path / "dask" / "indicators.jsonl").read_bytes()
    recs = [json.loads(x) for x in local.decode().splitlines()]
    assert [r["source"]["encoding"] for r in recs] == ["utf-8", "gb18030"]
    assert recs[0]["entities"]


def test_dask_needs_reachable_scheduler(tmp_path, capsys):
    arch = _archive(tmp_path / "arch")
    with pytest.raises(RunError, match="cannot reach the Dask scheduler"):
        run(RunConfig(paths=[str(arch)], out=tmp_path / "o", engine="dask", scheduler="tcp://127.0.0.1:1",
                      options=RunOptions(extractor=cheap_extract), quiet=True, connect_timeout=1))
    assert cli.main(["extract", str(arch), "-o", str(tmp_path / "o2"), "--engine", "dask"]) == 2
    assert "--scheduler" in capsys.readouterr().err


class _FakeFuture:
    def __init__(self, fn, args, key):
        self.fn, self.args, self.key = fn, args, key

    def result(self):
        chunk = self.args[0]
        if any("CRASH" in (t.fields.get("text") or "") for t in chunk):
            raise RuntimeError("KilledWorker: workers died under this task")
        return self.fn(*self.args)

    def release(self):
        pass


class _FakeClient:
    """Just enough of distributed.Client to drive dask_results without a cluster."""

    def __init__(self):
        self.n = 0

    def run(self, fn):
        return {"tcp://w1": fn()}

    def nthreads(self):
        return {"tcp://w1": 1}

    def register_plugin(self, plugin, name=None):
        plugin.setup()

    def submit(self, fn, *args, pure=False):
        self.n += 1
        return _FakeFuture(fn, args, f"k{self.n}")


def test_dask_failed_chunk_redone_one_by_one(tmp_path):
    p = tmp_path / "r.jsonl"
    rows = [{"id": f"d{i}", "text": f"第{i}篇 {i}件" + (" CRASH" if i == 4 else "")} for i in range(9)]
    p.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    s = run(RunConfig(paths=[str(p)], out=tmp_path / "o", engine="dask", scheduler=_FakeClient(), chunk_size=3,
                      options=RunOptions(extractor=cheap_extract), quiet=True))
    assert s["articles"] == {"seen": 9, "ok": 8, "failed": 1}
    recs = [json.loads(x) for x in (tmp_path / "o" / "indicators.jsonl").read_text().splitlines()]
    assert [r["doc_id"] for r in recs] == [f"d{i}" for i in range(9) if i != 4]
    errs = [json.loads(x) for x in (tmp_path / "o" / "errors.jsonl").read_text().splitlines()]
    assert [(e["doc_id"], e["stage"], e["error"]) for e in errs] == [("d4", "worker", "RuntimeError")]
