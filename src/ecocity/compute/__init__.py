"""Where work runs: in-process, a process pool (default), or a Dask cluster (by address).

``run_tasks(fn, tasks)`` runs one batch; ``open_runner()`` gives a :class:`Runner` that keeps
its process pool (or Dask client) across many batches. ``local_cluster(n)`` starts a Dask
cluster on this machine for tests and benchmarks (importing it loads ``distributed``, so it is
loaded only when asked for).
"""

from typing import Any

from ecocity.compute.run import DASK_ENV, Runner, open_runner, run_tasks
from ecocity.compute.tasks import Task, TaskError

__all__ = ["DASK_ENV", "Runner", "Task", "TaskError", "local_cluster", "open_runner", "run_tasks"]


def __getattr__(name: str) -> Any:
    if name == "local_cluster":
        from ecocity.compute.cluster import local_cluster

        return local_cluster
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
