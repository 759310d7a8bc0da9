"""Where work runs: in this process, a pool of spawned processes, or a Dask cluster.

Every task is independent and carries its inputs, so the same call runs on a laptop and on a
cluster; only ``dask_address`` (or ``ECOCITY_DASK``) changes.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from typing import Any

from ecocity.compute.tasks import call_task, raise_task_error

DASK_ENV = "ECOCITY_DASK"
"""Environment variable naming a Dask scheduler, e.g. ``tcp://host:8786``."""

THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
)
"""Thread-count variables of the numeric libraries; set to 1 in every worker."""

Progress = Callable[[int, int], None]


def run_tasks(
    fn: Callable[..., Any],
    tasks: Sequence[Any],
    *,
    workers: int | None = None,
    dask_address: str | None = None,
    progress: Progress | None = None,
) -> list[Any]:
    """Run ``fn`` on every task and return the results in task order.

    Parameters
    ----------
    fn
        A top-level (picklable) function. Each task is ``fn(task)``, or
        ``fn(*task.args, **task.kwargs)`` for a :class:`~ecocity.compute.Task`.
    tasks
        The tasks; their arguments must be picklable.
    workers
        Processes of the local pool; default ``min(len(tasks), os.cpu_count())``. With one
        task or ``workers=1`` everything runs in this process. Ignored on a Dask cluster,
        whose workers are set where it was started.
    dask_address
        A Dask scheduler, e.g. ``tcp://host:8786``; default the ``ECOCITY_DASK`` environment
        variable; without either, the local pool (``spawn`` start method) is used.
    progress
        Called as ``progress(done, total)`` in this process, once with 0 before the first
        task finishes and after each task.

    Returns
    -------
    list
        ``fn``'s result for each task, in the order of ``tasks``.

    Raises
    ------
    EcocityError
        A task raised an ecocity error: the same type, its message prefixed with the task
        (``task 3 ('tongzhou/sponge'): ...``). The first failure stops the others.
    TaskError
        A task raised any other error or its worker died; ``index`` and ``label`` name it.
    EngineError
        The Dask scheduler cannot be reached.
    TypeError
        ``fn`` cannot be pickled (a lambda or a nested function) for a pool or cluster.
    """
    tasks = list(tasks)
    address = dask_address or os.environ.get(DASK_ENV) or None
    if workers is not None and workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    if not tasks:
        return []
    if progress is not None:
        progress(0, len(tasks))
    if address is not None:
        _check_picklable(fn)
        from ecocity.compute.cluster import run_on_cluster  # imports distributed: ~2 s

        return run_on_cluster(fn, tasks, address, progress)
    n_workers = min(len(tasks), workers or os.cpu_count() or 1)
    if n_workers == 1:
        return _run_here(fn, tasks, progress)
    _check_picklable(fn)
    return _run_in_pool(fn, tasks, n_workers, progress)


def _run_here(fn: Callable[..., Any], tasks: list[Any], progress: Progress | None) -> list[Any]:
    results = []
    for index, task in enumerate(tasks):
        try:
            results.append(call_task(fn, task))
        except Exception as err:
            raise_task_error(index, task, err)
        if progress is not None:
            progress(index + 1, len(tasks))
    return results


def _run_in_pool(
    fn: Callable[..., Any], tasks: list[Any], n_workers: int, progress: Progress | None
) -> list[Any]:
    context = multiprocessing.get_context("spawn")
    results: list[Any] = [None] * len(tasks)
    with ProcessPoolExecutor(
        max_workers=n_workers, mp_context=context, initializer=_one_thread
    ) as pool:
        # Workers are spawned during submit; they inherit the environment set here, before
        # they import numpy. The initializer covers a worker started later.
        with _one_thread_environment():
            futures: dict[Future[Any], int] = {
                pool.submit(call_task, fn, task): index for index, task in enumerate(tasks)
            }
        try:
            # as_completed waits on all futures at once: linear in the number of tasks (a loop
            # of wait(FIRST_COMPLETED) over the pending set was quadratic).
            for done_count, future in enumerate(as_completed(futures), start=1):
                index = futures[future]
                error = future.exception()
                if error is not None:
                    raise_task_error(index, tasks[index], error)
                results[index] = future.result()
                if progress is not None:
                    progress(done_count, len(tasks))
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    return results


def _one_thread() -> None:
    """Pool initializer: one thread for numeric libraries (and processes they start)."""
    for name in THREAD_VARIABLES:
        os.environ[name] = "1"


@contextmanager
def _one_thread_environment() -> Iterator[None]:
    """Set the thread variables to 1 in this process's environment, then restore them."""
    saved = {name: os.environ.get(name) for name in THREAD_VARIABLES}
    _one_thread()
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _check_picklable(fn: Callable[..., Any]) -> None:
    try:
        pickle.dumps(fn)
    except (pickle.PicklingError, TypeError, AttributeError) as err:
        raise TypeError(
            f"{fn!r} cannot be sent to another process; give a function defined at the top "
            f"level of a module ({err})"
        ) from err
