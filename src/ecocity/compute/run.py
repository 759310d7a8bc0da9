"""Where work runs: in this process, a pool of spawned processes, or a Dask cluster.

Every task is independent and carries its inputs, so the same call runs on a laptop and on a
cluster; only ``dask_address`` (or ``ECOCITY_DASK``) changes. A :class:`Runner` keeps its pool
(or its Dask client) across batches; :func:`run_tasks` is a one-batch use of one.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections import OrderedDict
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any

from ecocity.compute.pool import KEEP_SHARED, THREAD_VARIABLES, LocalPool, plain_calls
from ecocity.compute.tasks import call_task, raise_task_error

if TYPE_CHECKING:
    from distributed import Client, Future

DASK_ENV = "ECOCITY_DASK"
"""Environment variable naming a Dask scheduler, e.g. ``tcp://host:8786``."""

__all__ = ["DASK_ENV", "THREAD_VARIABLES", "Runner", "open_runner", "run_tasks"]

Progress = Callable[[int, int], None]


class Runner:
    """Runs batches of tasks, keeping its process pool or Dask client from one batch to the next.

    Open it with :func:`open_runner` as a context manager; :meth:`run` behaves as
    :func:`run_tasks`. The local pool starts on the first batch that needs more than one
    worker and is kept until :meth:`close`; a Dask client is opened on the first batch and
    kept. A batch that fails leaves the pool usable (a pool broken by a dying worker is
    replaced on the next batch). One batch at a time: not for concurrent use by threads.

    Attributes
    ----------
    workers
        The local pool's worker limit (``None``: ``os.cpu_count()``).
    dask_address
        The Dask scheduler used, or ``None`` for this machine.
    """

    def __init__(self, workers: int | None = None, dask_address: str | None = None) -> None:
        if workers is not None and workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        self.workers = workers
        self.dask_address = dask_address or os.environ.get(DASK_ENV) or None
        self._pool = LocalPool()
        self._client: Client | None = None
        self._scattered_shared: OrderedDict[str, Future] = OrderedDict()
        self._closed = False

    def run(
        self,
        fn: Callable[..., Any],
        tasks: Sequence[Any],
        *,
        progress: Progress | None = None,
        shared: tuple[Any, ...] = (),
    ) -> list[Any]:
        """Run ``fn`` on every task and return the results in task order.

        Parameters, results and errors are those of :func:`run_tasks` (``workers`` and
        ``dask_address`` are the runner's), and:

        Parameters
        ----------
        shared
            Arguments common to every task, put before each task's own:
            ``fn(*shared, *task.args, **task.kwargs)`` (``fn(*shared, task)`` for a plain
            task). They are sent once per worker, not with every task: to the pool as one
            pickle file read once by each worker (and kept there for later batches with the
            same content), to a Dask cluster scattered once per runner and content. ``fn``
            must not modify them: a worker hands the same objects to each of its tasks.
        """
        if self._closed:
            raise RuntimeError("this runner is closed; open a new one with open_runner()")
        tasks = list(tasks)
        if not tasks:
            return []
        if progress is not None:
            progress(0, len(tasks))
        if self.dask_address is not None:
            _check_picklable(fn)
            from ecocity.compute.cluster import run_on_client  # imports distributed: ~2 s

            client = self._dask_client()
            scattered = self._scattered(client, shared) if shared else None
            return run_on_client(client, fn, tasks, progress, scattered)
        n_workers = min(len(tasks), self.workers or os.cpu_count() or 1)
        if n_workers == 1:
            return _run_here(fn, tasks, progress, shared)
        _check_picklable(fn)
        if shared:
            token, pickled = _pickle_shared(shared)
            calls = self._pool.shared_calls(fn, tasks, token, pickled)
        else:
            calls = plain_calls(fn, tasks)
        return self._pool.run(calls, tasks, n_workers, progress)

    def close(self) -> None:
        """Stop the pool's workers and close the Dask client; the runner cannot run again."""
        self._closed = True
        self._pool.close()
        client, self._client = self._client, None
        self._scattered_shared.clear()
        if client is not None:
            client.close()

    def __enter__(self) -> Runner:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _scattered(self, client: Client, shared: tuple[Any, ...]) -> Future:
        from ecocity.compute.cluster import scatter_shared

        token, _ = _pickle_shared(shared)
        future = self._scattered_shared.get(token)
        if future is None:
            future = scatter_shared(client, shared)
            self._scattered_shared[token] = future
        self._scattered_shared.move_to_end(token)
        while len(self._scattered_shared) > KEEP_SHARED:  # releases the oldest on the cluster
            self._scattered_shared.popitem(last=False)
        return future

    def _dask_client(self) -> Client:
        if self._client is None:
            from ecocity.compute.cluster import connect

            assert self.dask_address is not None
            self._client = connect(self.dask_address)
        return self._client


def open_runner(workers: int | None = None, dask_address: str | None = None) -> Runner:
    """A :class:`Runner` for many batches: ``with open_runner(workers=4) as runner: ...``.

    Parameters
    ----------
    workers
        Processes of the local pool at most; default ``os.cpu_count()``. A batch uses
        ``min(len(tasks), workers)``; with one task or ``workers=1`` it runs in this process.
        Ignored on a Dask cluster, whose workers are set where it was started.
    dask_address
        A Dask scheduler, e.g. ``tcp://host:8786``; default the ``ECOCITY_DASK`` environment
        variable (read now); without either, the local pool (``spawn`` start method).

    Raises
    ------
    ValueError
        ``workers`` is below 1.
    """
    return Runner(workers=workers, dask_address=dask_address)


def run_tasks(
    fn: Callable[..., Any],
    tasks: Sequence[Any],
    *,
    workers: int | None = None,
    dask_address: str | None = None,
    progress: Progress | None = None,
    runner: Runner | None = None,
    shared: tuple[Any, ...] = (),
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
    runner
        An open :class:`Runner` to run on (its pool or client is kept for the caller's next
        batch); ``workers`` and ``dask_address`` are then the runner's and must not be given.
        Without one, a runner is opened for this batch and closed after it.
    shared
        Arguments common to every task, put before each task's own and sent once per worker
        rather than with every task (see :meth:`Runner.run`).

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
        ``fn`` (a lambda or a nested function) or ``shared`` cannot be pickled for a pool or
        cluster.
    ValueError
        ``workers`` is below 1, or ``workers``/``dask_address`` are given with a ``runner``.
    """
    if runner is not None:
        if workers is not None or dask_address is not None:
            raise ValueError("give workers and dask_address to open_runner(), not with runner=")
        return runner.run(fn, tasks, progress=progress, shared=shared)
    with Runner(workers=workers, dask_address=dask_address) as one_batch:
        return one_batch.run(fn, tasks, progress=progress, shared=shared)


def _run_here(
    fn: Callable[..., Any], tasks: list[Any], progress: Progress | None, shared: tuple[Any, ...]
) -> list[Any]:
    results = []
    for index, task in enumerate(tasks):
        try:
            results.append(call_task(fn, task, shared))
        except Exception as err:
            raise_task_error(index, task, err)
        if progress is not None:
            progress(index + 1, len(tasks))
    return results


def _check_picklable(fn: Callable[..., Any]) -> None:
    try:
        pickle.dumps(fn)
    except (pickle.PicklingError, TypeError, AttributeError) as err:
        raise TypeError(
            f"{fn!r} cannot be sent to another process; give a function defined at the top "
            f"level of a module ({err})"
        ) from err


def _pickle_shared(shared: tuple[Any, ...]) -> tuple[str, bytes]:
    """``(sha256 hex digest of the pickle, the pickle)`` of the shared arguments."""
    try:
        pickled = pickle.dumps(tuple(shared), protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError) as err:
        raise TypeError(f"the shared arguments cannot be sent to another process ({err})") from err
    return hashlib.sha256(pickled).hexdigest(), pickled
