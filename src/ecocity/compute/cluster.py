"""The Dask adapter: running tasks on a dask.distributed cluster, and a local one for tests.

This is the only module that imports ``distributed``; swapping the scale-out engine touches
this file alone. Workers of a cluster should run one thread each (``dask worker --nthreads 1``):
models release the GIL rarely and SWMM is not re-entrant. Nanny-started workers already get
``OMP/MKL/OPENBLAS_NUM_THREADS=1`` from distributed's ``nanny.pre-spawn-environ`` setting.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from distributed import Client, Future, LocalCluster, as_completed

from ecocity.compute.tasks import call_task, raise_task_error
from ecocity.errors import EngineError

Progress = Callable[[int, int], None]


def connect(address: str) -> Client:
    """A client of the Dask scheduler at ``address``, kept open by the caller for many batches.

    The connection timeout is Dask's ``distributed.comm.timeouts.connect`` (30 s default).

    Raises
    ------
    EngineError
        The scheduler cannot be reached; the message names the address.
    """
    try:
        return Client(address, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as err:
        raise EngineError(f"cannot reach the Dask scheduler at {address}: {err}") from err


def run_on_client(
    client: Client,
    fn: Callable[..., Any],
    tasks: Sequence[Any],
    progress: Progress | None,
    shared: Future | None = None,
) -> list[Any]:
    """Run every task on ``client``'s cluster; results in task order.

    ``shared`` is a future of scattered arguments (:func:`scatter_shared`) put before each
    task's own. The first failing task cancels the others and is raised (see
    ``raise_task_error``); the client stays usable for the next batch.
    """
    extra = () if shared is None else (shared,)
    futures = [client.submit(call_task, fn, task, *extra, pure=False) for task in tasks]
    position = {future.key: index for index, future in enumerate(futures)}
    results: list[Any] = [None] * len(tasks)
    for done, future in enumerate(as_completed(futures, loop=client.loop), start=1):
        index = position[future.key]
        try:
            results[index] = future.result()
        except Exception as err:  # the task's own error, or a lost/killed worker
            client.cancel(futures)
            raise_task_error(index, tasks[index], err)
        if progress is not None:
            progress(done, len(tasks))
    return results


def scatter_shared(client: Client, shared: tuple[Any, ...]) -> Future:
    """Send the tuple ``shared`` to every worker once; tasks given its future receive the tuple."""
    [future] = client.scatter([shared], broadcast=True, hash=False)
    return future


@contextmanager
def local_cluster(n_workers: int) -> Iterator[LocalCluster]:
    """A Dask cluster on this machine: ``n_workers`` processes, one thread each, no dashboard.

    Use its ``scheduler_address`` as ``open_runner(dask_address=...)`` or
    ``run_tasks(..., dask_address=...)``; for tests and benchmarks.
    """
    with LocalCluster(
        n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        yield cluster
