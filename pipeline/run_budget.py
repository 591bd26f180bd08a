"""Per-article time budget (``cnie extract --article-timeout SECONDS``).

Takes a number of seconds and a function; :func:`call_with_budget` calls the function and
raises :class:`ArticleTimeout` in it once it has run longer than that (wall-clock), so a worker
abandons a runaway article and goes on with the next one. ``seconds <= 0`` disables the budget.

How the call is interrupted (:func:`mechanism` says which applies in the calling thread):

* ``"signal"`` — in the main thread of a POSIX process (the in-process ``--workers 1`` run and
  every worker of the process pool): a ``SIGALRM`` timer (``signal.setitimer``, repeating every 50 ms once spent). The
  previous SIGALRM handler is put back afterwards; when an interval timer is already running
  (someone else's), the thread mechanism is used instead so that timer is left alone.
* ``"thread"`` — in any other thread (a Dask worker runs tasks in threads) or where SIGALRM
  does not exist (Windows): a watchdog timer thread raises the exception in the worker thread
  (CPython's ``PyThreadState_SetAsyncExc``). It takes effect at the next Python bytecode, so a
  blocking call (``time.sleep``, a read) is interrupted only when it returns.
* ``None`` — neither is available (a Python other than CPython without SIGALRM): the budget is
  not enforced and the function runs to its end.

Python code is interrupted between bytecodes. A long call into C code is interrupted by the
signal only if it checks for signals (the ``re`` module's matcher does, so a backtracking
``re`` search is cut at the deadline); otherwise, and always with the thread mechanism, it is
abandoned only when it returns. A hard limit for C code that never returns would need the
process to be killed from outside, which this module does not do.

:class:`ArticleTimeout` derives from ``BaseException`` so that the pipeline's own
``except Exception`` (a stage that fails adds a warning) cannot swallow it. The interrupted
article's partial state is dropped with it; the pipeline keeps no locks and its caches
(``functools.lru_cache``) store nothing for a call that raised, so the worker stays usable.
"""
from __future__ import annotations

import signal
import threading
from typing import Any, Callable, Optional, TypeVar

__all__ = ["ArticleTimeout", "call_with_budget", "mechanism"]

T = TypeVar("T")


class ArticleTimeout(BaseException):
    """The article used up its time budget (raised inside the budgeted call)."""


def _async_exc() -> Optional[Callable[[int, Optional[type]], int]]:
    """``set(thread_id, exc_type)`` raises ``exc_type`` in that thread; ``None`` clears a pending one."""
    try:
        import ctypes

        fn = ctypes.pythonapi.PyThreadState_SetAsyncExc
    except (ImportError, AttributeError):  # not CPython
        return None

    def set_async_exc(tid: int, exc: Optional[type]) -> int:
        return fn(ctypes.c_ulong(tid), None if exc is None else ctypes.py_object(exc))  # None → NULL

    return set_async_exc


_SET_ASYNC_EXC = _async_exc()


def mechanism() -> Optional[str]:
    """How a budget would be enforced in the calling thread: ``signal``, ``thread`` or None."""
    if (hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
            and signal.getitimer(signal.ITIMER_REAL)[0] == 0):
        return "signal"
    if _SET_ASYNC_EXC is not None:
        return "thread"
    return None


def call_with_budget(seconds: float, fn: Callable[..., T], *args: Any, **kw: Any) -> T:
    """``fn(*args, **kw)``, or :class:`ArticleTimeout` once it ran for ``seconds``."""
    how = mechanism() if seconds and seconds > 0 else None
    if how is None:
        return fn(*args, **kw)
    timer = _Alarm(seconds) if how == "signal" else _Watchdog(seconds)
    try:
        timer.start()
        try:
            return fn(*args, **kw)
        finally:
            timer.stop()
    except ArticleTimeout:
        # the timeout may have cut the first stop() short; stop() disarms first, so a repeat
        # that lands here is a no-op
        timer.stop()
        raise


REPEAT = 0.05  # seconds between alarms once the budget is spent (see _Alarm)


class _Alarm:
    """SIGALRM in the main thread; the handler raises only while armed. After the budget it keeps
    firing every :data:`REPEAT` seconds until stopped: an alarm that lands where Python cannot
    raise (a finaliser run by the garbage collector reports the exception as "unraisable" and
    drops it) is followed by another one instead of being lost."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.armed = False
        self.old: Any = None
        self.installed = False

    def _on_alarm(self, signum: int, frame: Any) -> None:
        if self.armed:
            raise ArticleTimeout()

    def start(self) -> None:
        self.old = signal.signal(signal.SIGALRM, self._on_alarm)
        self.installed = True
        self.armed = True
        signal.setitimer(signal.ITIMER_REAL, self.seconds, REPEAT)

    def stop(self) -> None:
        self.armed = False  # from here on a late alarm is a no-op
        if self.installed:
            try:
                signal.setitimer(signal.ITIMER_REAL, 0)
            finally:
                # signal.signal() runs any pending Python handler (ours, disarmed) before it swaps
                signal.signal(signal.SIGALRM, self.old if self.old is not None else signal.SIG_DFL)
                self.installed = False


class _Watchdog:
    """A timer thread that raises :class:`ArticleTimeout` in the budgeted thread.

    The lock makes "still running? then raise" (watchdog) and "finished: disarm" (worker)
    exclusive. When the watchdog fired just as the call returned, the exception may still be
    pending: :meth:`stop` clears it and raises it itself, so it never escapes later."""

    def __init__(self, seconds: float):
        self.tid = threading.get_ident()
        self.lock = threading.Lock()
        self.armed = False
        self.fired = False
        self.timer = threading.Timer(seconds, self._fire)
        self.timer.daemon = True

    def _fire(self) -> None:
        with self.lock:
            if self.armed:
                self.armed = False
                self.fired = True
                _SET_ASYNC_EXC(self.tid, ArticleTimeout)  # type: ignore[misc]

    def start(self) -> None:
        self.armed = True
        self.timer.start()

    def stop(self) -> None:
        with self.lock:
            self.armed = False
            fired = self.fired
        self.timer.cancel()
        if fired:
            self.fired = False
            _SET_ASYNC_EXC(self.tid, None)  # type: ignore[misc]  # a still-pending one, if any
            raise ArticleTimeout()
