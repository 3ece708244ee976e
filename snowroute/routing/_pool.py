"""Forked worker processes: the one pool of the engine adapters and the benchmarks.

Workers are forked, so a task and its data reach them without pickling (a closure
or a large numpy model is fine); only results and errors travel back, through one
pipe per worker. Results come back in job order. An exception a worker raises is
raised in the parent as it is (when it is of a ``passthrough`` type and pickles);
any other failure, or a worker that dies without a result, raises
:class:`WorkerCrashed`. The first failure ends the run, and every worker still
running is terminated and joined on the way out, also on ``KeyboardInterrupt``.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import pickle
import signal
import traceback
from collections.abc import Callable, Iterator, Sequence
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from multiprocessing.queues import Queue
from typing import Any, Generic, TypeVar

__all__ = ["Forked", "WorkerCrashed", "fork_queue", "run_forked"]

Job = TypeVar("Job")
Result = TypeVar("Result")

#: Seconds between two calls of ``on_wait`` while workers run.
WAIT_S = 0.25

_FORK = multiprocessing.get_context("fork")

#: Signals held back while a worker is forked. Their Python handlers raise
#: (Ctrl-C, the CLI's SIGTERM); raised inside the fork's own callbacks (logging
#: releasing its lock in both processes), the exception is ignored, the lock
#: stays taken and the process hangs at its next log line: a Ctrl-C just as the
#: workers started hung `snowroute run`.
_HELD = frozenset({signal.SIGINT, signal.SIGTERM})


class WorkerCrashed(Exception):  # noqa: N818 (a state, like BrokenPipe)
    """A worker failed other than by a passthrough exception, or died.

    Parameters
    ----------
    detail
        The worker's traceback, or ``None`` when it died without a result.
    """

    def __init__(self, detail: str | None) -> None:
        super().__init__(detail or "a worker process died without a result")
        self.detail = detail


def fork_queue() -> Queue[Any]:
    """Return a queue that forked workers can put progress messages on."""
    return _FORK.Queue()


def _child(
    task: Callable[[Any], Any],
    job: Any,
    conn: Connection,
    passthrough: tuple[type[BaseException], ...],
) -> None:
    """Run one job in a worker and send ``("ok" | "error" | "crash", payload)``.

    A worker leaves Ctrl-C to its parent, which terminates it (SIGTERM ends it
    quietly), so an interrupt prints nothing from the workers.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _HELD)  # held while forked
    try:
        reply: tuple[str, Any] = ("ok", task(job))
    except passthrough as exc:
        reply = ("error", exc)
    except BaseException:  # anything else comes back as its traceback
        reply = ("crash", traceback.format_exc())
    try:
        conn.send(reply)
    except (pickle.PicklingError, TypeError, AttributeError):
        conn.send(("crash", traceback.format_exc()))
    finally:
        conn.close()


def _start(
    task: Callable[[Job], Result],
    jobs: Sequence[Job],
    passthrough: tuple[type[BaseException], ...],
    processes: list[BaseProcess],
) -> list[Connection]:
    """Fork one worker per job (appended to ``processes``); their result pipes."""
    pipes = []
    for job in jobs:
        parent, child = _FORK.Pipe(duplex=False)
        process = _FORK.Process(target=_child, args=(task, job, child, passthrough))
        with _signals_held():
            process.start()
        child.close()
        processes.append(process)
        pipes.append(parent)
    return pipes


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold back :data:`_HELD` in this thread; one that came is handled after."""
    before = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


def _receive(conn: Connection) -> Any:
    """Return a worker's result, or raise what it failed with."""
    try:
        kind, payload = conn.recv()
    except EOFError:
        kind, payload = "crash", None
    finally:
        conn.close()
    if kind == "error":
        raise payload
    if kind == "crash":
        raise WorkerCrashed(payload)
    return payload


def _stop(
    processes: Sequence[BaseProcess],
    on_wait: Callable[[], None] | None,
    *,
    terminate: bool,
) -> None:
    """Join the workers (terminated first after a failure).

    A worker that has sent its result may still be flushing progress messages;
    ``on_wait`` keeps reading them meanwhile, so it never blocks on a full queue.
    """
    if terminate:
        for process in processes:
            if process.is_alive():
                process.terminate()
    for process in processes:
        process.join(WAIT_S)
        while process.is_alive():
            if on_wait is not None:
                on_wait()
            process.join(WAIT_S)


def run_forked(
    task: Callable[[Job], Result],
    jobs: Sequence[Job],
    *,
    passthrough: tuple[type[BaseException], ...] = (Exception,),
    on_wait: Callable[[], None] | None = None,
) -> list[Result]:
    """
    Run ``task`` on every job, each in a worker process of its own (forked).

    Parameters
    ----------
    task
        Called with one job in the worker; its result must pickle.
    jobs
        One worker per job; all run side by side.
    passthrough
        Exception types a worker's task may raise that are raised here as they are.
    on_wait
        Called about every :data:`WAIT_S` seconds while workers run (to relay
        their progress).

    Returns
    -------
    list
        The results, in job order.

    Raises
    ------
    WorkerCrashed
        When a worker fails otherwise or dies without a result.
    """
    processes: list[BaseProcess] = []
    results: dict[int, Result] = {}
    try:
        pipes = _start(task, jobs, passthrough, processes)
        waiting = dict(enumerate(pipes))
        while waiting:
            ready = set(wait(list(waiting.values()), timeout=WAIT_S))
            for k, conn in list(waiting.items()):
                if conn in ready:
                    del waiting[k]
                    results[k] = _receive(conn)
            if on_wait is not None:
                on_wait()
    finally:
        _stop(processes, on_wait, terminate=len(results) < len(jobs))
    return [results[k] for k in range(len(jobs))]


class Forked(Generic[Result]):
    """
    One task running in a forked worker while the caller goes on.

    Parameters
    ----------
    task, job
        The worker calls ``task(job)``; its result must pickle.
    passthrough
        Exception types the task may raise that :meth:`result` raises as they are.

    Use it as a context manager: leaving the block terminates the worker if its
    result was never asked for (an error in the caller meanwhile).
    """

    def __init__(
        self,
        task: Callable[[Job], Result],
        job: Job,
        *,
        passthrough: tuple[type[BaseException], ...] = (Exception,),
    ) -> None:
        self._processes: list[BaseProcess] = []
        self._pipe = _start(task, [job], passthrough, self._processes)[0]
        self._done = False

    def result(self) -> Result:
        """Wait for the task's result, or raise what it failed with.

        Raises
        ------
        WorkerCrashed
            When the worker fails otherwise or dies without a result.
        """
        try:
            result: Result = _receive(self._pipe)
        finally:
            self._done = True
            _stop(self._processes, None, terminate=False)
        return result

    def __enter__(self) -> Forked[Result]:
        return self

    def __exit__(self, *exc: object) -> None:
        if not self._done:
            self._pipe.close()
            _stop(self._processes, None, terminate=True)
