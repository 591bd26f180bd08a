"""``cnie extract --engine dask``: the same work units, run on a Dask distributed cluster.

Takes the task stream of :mod:`pipeline.sources`, the :class:`pipeline.run_work.RunOptions` and a
scheduler address (``tcp://host:8786``) or a ``distributed.Client``; yields
:class:`pipeline.run_work.Result` in input order, exactly as the local engine does, so the output
files are byte-identical. Needs the extra ``cnie[dask]``.

How it runs: the client (the machine where ``cnie extract`` was started) walks the archive and
reads every file's bytes itself, so the workers need no access to its file system; chunks of
articles are submitted with a bounded number in flight (three per worker thread), and results
are written by the client, in order, with the same checkpoints as the local engine (``--resume``
works the same way). Every worker must have the same cnie version installed; this is checked
before the first chunk is sent. A worker plugin loads jieba and the rules once per worker. A chunk
that fails on the cluster (e.g. ``KilledWorker``: workers died under it) is redone one article at
a time, and an article that fails again is reported in ``errors.jsonl`` with stage ``worker``.
``--article-timeout`` holds on the cluster too: Dask runs tasks in worker threads, where the
budget is enforced by a watchdog thread (:mod:`pipeline.run_budget`).
"""
from __future__ import annotations

from typing import Any, Iterable, Iterator

from . import __version__
from .read import ReadError, read_bytes
from .run_engines import InFlight, chunks
from .run_output import RunError
from .run_work import error_result, init_worker, process_chunk

__all__ = ["dask_results", "CnieWorkerPlugin"]


def _worker_version() -> str:
    import pipeline

    return pipeline.__version__


try:  # the plugin base class exists only with the dask extra installed
    from distributed.diagnostics.plugin import WorkerPlugin as _Base
except ImportError:  # pragma: no cover
    _Base = object


class CnieWorkerPlugin(_Base):  # type: ignore[misc,valid-type]
    """Warm a worker up once: jieba dictionary, user dictionary, rule tables."""

    name = "cnie-warm-up"

    def __init__(self, opts: Any):
        self.opts = opts

    def setup(self, worker: Any = None) -> None:
        init_worker(self.opts)


def _connect(scheduler: Any, timeout: float):
    try:
        from distributed import Client
    except ImportError:
        raise RunError("--engine dask needs the dask extra: pip install 'cnie[dask]'") from None
    if scheduler is None:
        raise RunError("--engine dask needs --scheduler ADDRESS")
    if isinstance(scheduler, Client) or hasattr(scheduler, "submit"):  # a ready client
        return scheduler, False
    try:
        return Client(scheduler, timeout=f"{timeout}s"), True
    except (OSError, TimeoutError) as e:
        raise RunError(f"cannot reach the Dask scheduler at {scheduler}: {e}") from None


def _check_workers(client) -> int:
    try:
        versions = client.run(_worker_version)
    except Exception as e:  # workers without cnie installed fail to unpickle the function
        raise RunError(f"Dask workers cannot run cnie ({type(e).__name__}: {e}); install cnie on every worker") from None
    bad = {w: v for w, v in versions.items() if v != __version__}
    if not versions:
        raise RunError("the Dask cluster has no workers")
    if bad:
        raise RunError(f"Dask workers run another cnie version than this client ({__version__}): {bad}")
    return sum(client.nthreads().values()) or 1


def _ship(chunk: list) -> list:
    """Read file bytes here, so the workers need not see this machine's files."""
    for t in chunk:
        if t.kind in ("text", "html") and t.data is None and t.error is None:
            try:
                t.data = read_bytes(t.path)
            except ReadError as e:
                t.error = e
    return chunk


def _one_by_one(client, task, opts):
    """Redo one article of a failed chunk; if it fails again it is the culprit."""
    try:
        return client.submit(process_chunk, [task], opts, pure=False).result()[0]
    except Exception as e:
        return error_result(task.doc_id, task.source(), "worker", type(e).__name__,
                            f"Dask could not process this article: {e}"[:500])


def dask_results(tasks: Iterable, opts: Any, scheduler: Any, chunk_size: int, timeout: float = 30.0) -> Iterator:
    client, own = _connect(scheduler, timeout)
    try:
        threads = _check_workers(client)
        client.register_plugin(CnieWorkerPlugin(opts), name=CnieWorkerPlugin.name)
        flight = InFlight(chunks(tasks, chunk_size),
                          lambda c: client.submit(process_chunk, _ship(c), opts, pure=False),
                          max(2, threads * 3))
        for chunk, fut in flight:
            try:
                results = fut.result()
            except Exception:  # KilledWorker (an article kept killing workers) or a lost worker
                results = [_one_by_one(client, t, opts) for t in chunk]
            fut.release()
            yield from results
    finally:
        if own:
            client.close()
