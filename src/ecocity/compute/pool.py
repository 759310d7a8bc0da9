"""A pool of spawned worker processes kept across batches of tasks, and arguments they share.

Starting a worker costs seconds (it imports ecocity, pandas and the engines), so a caller that
runs many batches (an optimiser's generations) keeps one :class:`LocalPool` open through a
:class:`~ecocity.compute.Runner` instead of starting a pool per batch.

Large arguments common to every task of a batch (a district, a year of 5-minute rainfall) are
pickled once into a file of the pool's private folder, named by the sha256 of their bytes; a
task carries only that name, and each worker reads and unpickles the file once, keeping the
newest :data:`KEEP_SHARED` argument tuples in memory for later tasks and batches.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import tempfile
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ecocity.compute.tasks import call_task, raise_task_error

THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
)
"""Thread-count variables of the numeric libraries; set to 1 in every worker."""

KEEP_SHARED = 2
"""Shared-argument tuples a worker keeps unpickled, and files a pool keeps, the newest first."""

Progress = Callable[[int, int], None]
Call = tuple[Callable[..., Any], tuple[Any, ...]]

_worker_shared: OrderedDict[str, tuple[Any, ...]] = OrderedDict()
"""In a worker: the shared-argument tuples read so far, by token."""


class LocalPool:
    """Spawned worker processes, started on the first batch that needs them and kept until closed.

    The pool has as many workers as the largest batch so far needed (``n_workers`` of
    :meth:`run`); a batch needing more replaces it with a larger one. A pool broken by a dying
    worker is replaced on the next batch. One batch at a time: not for concurrent use by threads.
    """

    def __init__(self) -> None:
        self._executor: ProcessPoolExecutor | None = None
        self._size = 0
        self._folder: tempfile.TemporaryDirectory[str] | None = None
        self._shared_files: OrderedDict[str, Path] = OrderedDict()

    def run(
        self, calls: Sequence[Call], tasks: Sequence[Any], n_workers: int, progress: Progress | None
    ) -> list[Any]:
        """Run ``calls[i] = (function, arguments)`` for each task; results in task order.

        ``tasks[i]`` names call ``i`` in errors. The first failure cancels the queued calls,
        waits for the running ones (the pool is then idle and kept) and is raised as
        :func:`~ecocity.compute.tasks.raise_task_error` says.
        """
        futures = self._submit(calls, n_workers)
        results: list[Any] = [None] * len(calls)
        try:
            # as_completed waits on all futures at once: linear in the number of tasks (a loop
            # of wait(FIRST_COMPLETED) over the pending set was quadratic).
            for done_count, future in enumerate(as_completed(futures), start=1):
                index = futures[future]
                error = future.exception()
                if error is not None:
                    if isinstance(error, BrokenProcessPool):
                        self._discard()  # a worker died: the next batch gets a new pool
                    raise_task_error(index, tasks[index], error)
                results[index] = future.result()
                if progress is not None:
                    progress(done_count, len(calls))
        except BaseException:
            for future in futures:
                future.cancel()
            wait(futures)  # running calls finish; the pool is idle for the next batch
            raise
        return results

    def shared_calls(
        self, fn: Callable[..., Any], tasks: Sequence[Any], token: str, pickled: bytes
    ) -> list[Call]:
        """Calls of ``fn(*shared, *task.args, **task.kwargs)``, ``shared`` pickled as ``pickled``.

        ``token`` (the sha256 of ``pickled``) names the file the workers read it from once.
        """
        path = str(self._shared_file(token, pickled))
        return [(call_with_shared_file, (fn, task, token, path)) for task in tasks]

    def close(self) -> None:
        """Stop the workers (queued calls are cancelled, running ones finish), delete the files."""
        self._discard()
        folder, self._folder = self._folder, None
        self._shared_files.clear()
        if folder is not None:
            folder.cleanup()

    def _shared_file(self, token: str, pickled: bytes) -> Path:
        if self._folder is None:
            self._folder = tempfile.TemporaryDirectory(prefix="ecocity-shared-")
        path = self._shared_files.get(token)
        if path is None:
            path = Path(self._folder.name) / f"{token}.pickle"
            path.write_bytes(pickled)
            self._shared_files[token] = path
        self._shared_files.move_to_end(token)
        while len(self._shared_files) > KEEP_SHARED:  # older batches' files: no task needs them
            self._shared_files.popitem(last=False)[1].unlink(missing_ok=True)
        return path

    def _submit(self, calls: Sequence[Call], n_workers: int) -> dict[Future[Any], int]:
        try:
            return _submit_to(self._executor_for(n_workers), calls)
        except BrokenProcessPool:  # a worker died since the last batch: start a new pool
            self._discard()
        return _submit_to(self._executor_for(n_workers), calls)

    def _executor_for(self, n_workers: int) -> ProcessPoolExecutor:
        if self._executor is not None and self._size < n_workers:
            self._discard()
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                max_workers=n_workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_one_thread,
            )
            self._size = n_workers
        return self._executor

    def _discard(self) -> None:
        executor, self._executor, self._size = self._executor, None, 0
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)


def _submit_to(executor: ProcessPoolExecutor, calls: Sequence[Call]) -> dict[Future[Any], int]:
    # Workers are spawned during submit; they inherit the environment set here, before they
    # import numpy. The initializer covers the rest.
    with _one_thread_environment():
        return {executor.submit(fn, *args): index for index, (fn, args) in enumerate(calls)}


def plain_calls(fn: Callable[..., Any], tasks: Sequence[Any]) -> list[Call]:
    """``call_task(fn, task)`` for each task."""
    return [(call_task, (fn, task)) for task in tasks]


def call_with_shared_file(fn: Callable[..., Any], task: Any, token: str, path: str) -> Any:
    """In a worker: ``call_task(fn, task, shared)``, ``shared`` unpickled from ``path`` once."""
    shared = _worker_shared.get(token)
    if shared is None:
        shared = pickle.loads(Path(path).read_bytes())  # written by this pool's parent
        _worker_shared[token] = shared
        while len(_worker_shared) > KEEP_SHARED:
            _worker_shared.popitem(last=False)
    _worker_shared.move_to_end(token)
    return call_task(fn, task, shared)


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
