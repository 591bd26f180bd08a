"""The local engines of ``cnie extract``: tasks in, :class:`pipeline.run_work.Result` out, in input order.

Takes the task stream of :mod:`pipeline.sources` and the :class:`pipeline.run_work.RunOptions`.
:func:`serial_results` works in this process; :func:`pool_results` uses a pool of spawned
processes with a bounded number of chunks (:func:`chunks`) in flight, so memory stays constant,
and redoes the chunks of a worker that died one article at a time so that only the culprit is
reported (stage ``worker``). The Dask engine (:mod:`pipeline.dask_engine`) shares the chunking.
"""
from __future__ import annotations

from collections import deque
from typing import Iterable, Iterator

from .run_work import Result, RunOptions, error_result, init_worker, pool_worker_init, process_chunk, process_task
from .sources import Task

__all__ = ["chunks", "InFlight", "serial_results", "pool_results"]


def chunks(tasks: Iterable[Task], size: int, max_bytes: int = 1 << 20) -> Iterator[list[Task]]:
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


class InFlight:
    """Chunks submitted ahead of their results: at most ``limit`` futures in flight, taken back in
    input order as ``(chunk, future)``. ``submit(chunk)`` returns a future; :meth:`drain` hands
    back the chunks still in flight (to redo them elsewhere) and forgets their futures."""

    def __init__(self, chunk_stream: Iterator[list[Task]], submit, limit: int):
        self.src, self.submit, self.limit = chunk_stream, submit, limit
        self.pending: deque = deque()

    def __iter__(self):
        while True:
            while len(self.pending) < self.limit:
                chunk = next(self.src, None)
                if chunk is None:
                    break
                self.pending.append((chunk, self.submit(chunk)))
            if not self.pending:
                return
            yield self.pending.popleft()

    def drain(self) -> list[list[Task]]:
        left = [c for c, _ in self.pending]
        self.pending.clear()
        return left


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
        return ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=pool_worker_init,
                                   initargs=(opts,))

    pool = new_pool()
    flight = InFlight(chunks(tasks, chunk_size), lambda c: pool.submit(process_chunk, c, opts), workers * 3)
    try:
        for chunk, fut in flight:
            try:
                results = fut.result()
            except BrokenProcessPool:
                # a worker died (killed, out of memory, crash in C code): redo the chunks in
                # flight one article at a time so only the culprit is reported
                pool.shutdown(wait=False, cancel_futures=True)
                redo = [chunk] + flight.drain()
                pool = new_pool()
                for c in redo:
                    for t in c:
                        try:
                            yield pool.submit(process_task, t, opts).result()
                        except BrokenProcessPool:
                            pool.shutdown(wait=False, cancel_futures=True)
                            pool = new_pool()
                            yield error_result(t.doc_id, t.source(), "worker", "WorkerDied",
                                                "the worker process died on this article (killed or out of memory)")
                continue
            yield from results
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
