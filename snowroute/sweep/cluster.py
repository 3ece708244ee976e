"""Every Dask call of snowroute: the client, the network sent once, tasks, results.

By default a sweep starts a ``distributed.LocalCluster`` sized to the machine (one
single-threaded worker process per core; nothing to start by hand). With a
scheduler address (``tcp://HOST:PORT``: the ``--scheduler`` option or the
:data:`SCHEDULER_ENV` environment variable) the same tasks run on that cluster,
whose workers are started with Dask's own ``dask scheduler`` / ``dask worker``.

The tagged network is scattered to every worker once (``broadcast``); each task
then carries only its scenario. A worker that dies loses nothing: the scheduler
runs its tasks again elsewhere (up to ``distributed.scheduler.allowed-failures``
times per task), and the network has copies on the other workers.
"""

from __future__ import annotations

import logging
import os
import resource
import socket
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from snowroute._errors import ClusterError

if TYPE_CHECKING:
    from distributed import Client

__all__ = [
    "SCHEDULER_ENV",
    "dask_client",
    "dask_executor",
    "run_tasks",
    "scheduler_address",
]

logger = logging.getLogger(__name__)

#: Environment variable with the scheduler address used when none is given.
SCHEDULER_ENV = "SNOWROUTE_SCHEDULER"

#: Seconds to wait for a remote scheduler before giving up.
CONNECT_TIMEOUT_S = 15

Job = TypeVar("Job")
Outcome = TypeVar("Outcome")


def scheduler_address(option: str | None) -> str | None:
    """Return the scheduler to use: ``option``, else :data:`SCHEDULER_ENV`, else local.

    Returns ``None`` for a local cluster, ``"serial"`` to run in this process
    without Dask, or a ``tcp://`` (or other Dask protocol) address.

    Raises
    ------
    ClusterError
        When the address is not of the form ``PROTOCOL://HOST:PORT``.
    """
    value = option if option is not None else os.environ.get(SCHEDULER_ENV) or None
    if value in (None, "local"):
        return None
    if value == "serial":
        return value
    if "://" not in value or not value.rsplit(":", 1)[-1].isdigit():
        msg = (
            f"Scheduler `{value}` is not an address like tcp://HOST:PORT "
            "(or `local`, `serial`)."
        )
        raise ClusterError(msg)
    _check_reachable(value)
    return value


def _check_reachable(address: str) -> None:
    """Open and close a TCP connection to a ``tcp://`` scheduler, quickly.

    Raises
    ------
    ClusterError
        When nothing listens there (before any work starts).
    """
    protocol, _, rest = address.partition("://")
    if protocol != "tcp":
        return
    host, _, port = rest.rpartition(":")
    try:
        with socket.create_connection((host.strip("[]"), int(port)), CONNECT_TIMEOUT_S):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        msg = f"Cannot reach the Dask scheduler at {address} ({reason})."
        raise ClusterError(msg) from None


@contextmanager
def dask_client(address: str | None, *, workers: int | None = None) -> Iterator[Client]:
    """Yield a Dask client of a new local cluster (``address`` None) or of ``address``.

    The local cluster has ``workers`` single-threaded worker processes (default:
    one per core) and no dashboard; it is shut down on leaving.

    Raises
    ------
    ClusterError
        When the scheduler at ``address`` cannot be reached.
    """
    from distributed import Client, LocalCluster

    if address is None:
        n = workers or os.cpu_count() or 1
        with (
            LocalCluster(
                n_workers=n,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            ) as cluster,
            Client(cluster) as client,
        ):
            yield client
        return
    try:
        client = Client(address, timeout=f"{CONNECT_TIMEOUT_S}s")
    except (OSError, TimeoutError) as exc:
        msg = f"Cannot reach the Dask scheduler at {address} ({exc})."
        raise ClusterError(msg) from None
    with client:
        yield client


@contextmanager
def dask_executor(
    address: str | None, *, workers: int | None = None
) -> Iterator[Executor]:
    """Yield a ``concurrent.futures`` executor whose tasks run on Dask.

    The planners take it (``executor=``) to route independent problems side by
    side; the cluster is as in :func:`dask_client`.

    Raises
    ------
    ClusterError
        When the scheduler at ``address`` cannot be reached.
    """
    with dask_client(address, workers=workers) as client:
        yield client.get_executor(pure=False)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_tasks(
    client: Client,
    task: Callable[..., Outcome],
    groups: Sequence[tuple[Any, Sequence[Job]]],
    on_done: Callable[[Outcome], None],
    **kwargs: Any,
) -> dict[str, float]:
    """Run ``task(job, shared, **kwargs)`` for every job on the cluster.

    ``groups`` pairs a shared object (the network) with the jobs that use it;
    each shared object is sent to every worker once. ``on_done`` gets each
    outcome as it arrives (in completion order).

    Returns
    -------
    dict
        Each worker's peak resident memory, MB, by worker address.

    Raises
    ------
    ClusterError
        When a task's workers died more often than the scheduler allows.
    """
    from distributed import as_completed
    from distributed.scheduler import KilledWorker

    futures = []
    for shared, jobs in groups:
        handle = client.scatter(shared, broadcast=True, hash=False)
        futures += [
            client.submit(task, job, handle, pure=False, **kwargs) for job in jobs
        ]
    try:
        for future in as_completed(futures):
            on_done(future.result())
    except KilledWorker as exc:
        msg = f"A sweep task lost its worker too often ({exc}); see the workers' logs."
        raise ClusterError(msg) from None
    finally:
        for future in futures:
            future.cancel()
    return {str(k): float(v) for k, v in client.run(_peak_mb).items()}
