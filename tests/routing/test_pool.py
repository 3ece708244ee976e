import os
import signal
import time

import pytest

from snowroute._errors import ProblemError
from snowroute.routing._pool import Forked, WorkerCrashed, fork_queue, run_forked


def test_run_forked_returns_results_in_job_order() -> None:
    offset = 10  # a closure reaches the workers without pickling

    def task(job: int) -> tuple[int, int]:
        time.sleep(0.05 * (3 - job))  # the last job finishes first
        return job + offset, os.getpid()

    results = run_forked(task, [0, 1, 2])
    assert [r for r, _ in results] == [10, 11, 12]
    assert len({pid for _, pid in results} | {os.getpid()}) == 4


def test_run_forked_raises_a_passthrough_error_as_it_is() -> None:
    def task(job: int) -> int:
        if job == 1:
            msg = "`job` is 1."
            raise ProblemError(msg)
        return job

    with pytest.raises(ProblemError, match="`job` is 1"):
        run_forked(task, [0, 1], passthrough=(ProblemError,))


def test_run_forked_reports_other_errors_with_their_traceback() -> None:
    def task(job: int) -> int:
        raise KeyError(job)

    with pytest.raises(WorkerCrashed) as info:
        run_forked(task, [7], passthrough=(ProblemError,))
    assert info.value.detail is not None
    assert info.value.detail.strip().splitlines()[-1] == "KeyError: 7"


def test_run_forked_reports_a_worker_that_dies() -> None:
    def task(job: int) -> int:
        os._exit(3)

    with pytest.raises(WorkerCrashed, match="died without a result") as info:
        run_forked(task, [0, 1])
    assert info.value.detail is None


def test_run_forked_relays_progress_while_workers_run() -> None:
    queue = fork_queue()
    heard: list[int] = []

    def task(job: int) -> int:
        for k in range(3):
            queue.put(job * 10 + k)
            time.sleep(0.2)
        return job

    def drain() -> None:
        while not queue.empty():
            heard.append(queue.get())

    assert run_forked(task, [1, 2], on_wait=drain) == [1, 2]
    drain()
    assert sorted(heard) == [10, 11, 12, 20, 21, 22]


def test_run_forked_stops_the_other_workers_at_the_first_failure() -> None:
    def task(job: int) -> int:
        if job == 0:
            raise ValueError(job)
        time.sleep(60)
        return job

    start = time.perf_counter()
    with pytest.raises(ValueError, match="0"):
        run_forked(task, [0, 1])
    assert time.perf_counter() - start < 30


def test_forked_returns_its_result_while_the_caller_goes_on() -> None:
    with Forked(lambda job: (job * 2, os.getpid()), 21) as pending:
        here = sum(range(1000))  # the caller's own work meanwhile
        value, pid = pending.result()
    assert (value, here) == (42, 499_500)
    assert pid != os.getpid()


def test_forked_raises_a_passthrough_error_as_it_is() -> None:
    def task(job: int) -> int:
        msg = f"`job` is {job}."
        raise ProblemError(msg)

    with pytest.raises(ProblemError, match="`job` is 3"), Forked(task, 3) as pending:
        pending.result()


def test_forked_worker_is_stopped_when_the_caller_fails() -> None:
    def task(job: int) -> int:
        time.sleep(60)
        return job

    def fail_beside(pending: Forked[int]) -> None:
        raise KeyError(pending)

    start = time.perf_counter()
    pending = Forked(task, 0)
    with pytest.raises(KeyError), pending:
        fail_beside(pending)
    assert not pending._processes[0].is_alive()
    assert time.perf_counter() - start < 30


def _blocked() -> set[signal.Signals]:
    return set(signal.pthread_sigmask(signal.SIG_BLOCK, []))


def test_a_worker_is_forked_with_ctrl_c_and_sigterm_held_back(monkeypatch) -> None:
    # their handlers raise; raised inside the fork's callbacks (logging releasing
    # its lock) the lock stays taken and the process hangs at its next log line
    from snowroute.routing import _pool

    held, real_start = [], _pool._FORK.Process.start

    def start(self) -> None:
        held.append(_blocked())
        real_start(self)

    monkeypatch.setattr(_pool._FORK.Process, "start", start)
    stops = {signal.SIGINT, signal.SIGTERM}
    in_worker = run_forked(lambda _: _blocked(), [0, 1])
    assert len(held) == 2
    assert all(stops <= mask for mask in held)
    # the worker takes them again (its SIGTERM ends it), and so does the caller
    assert not any(stops & mask for mask in in_worker)
    assert not stops & _blocked()
