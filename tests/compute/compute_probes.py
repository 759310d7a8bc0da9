"""Task functions for the compute tests, in a module light enough for spawned workers to import.

Kept apart from the test module so each worker imports only ``os``, ``time`` and ecocity's
errors, not pytest plugins or distributed.
"""

import os
import time
from pathlib import Path

from ecocity.errors import InputError


def pid_and_square(x):
    return os.getpid(), x * x


def meet_then_square(folder, parties, x):
    """Wait (up to 30 s) until ``parties`` tasks run at once, then return (pid, x²).

    Proves parallel work whatever the machine's load: two tasks only meet if they run in
    two processes at the same time. Earlier tasks finish later, to test result ordering.
    """
    (Path(folder) / f"{x}-{os.getpid()}").touch()
    deadline = time.monotonic() + 30.0
    while len(list(Path(folder).iterdir())) < parties and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.1 * (parties - x))
    return os.getpid(), x * x


def threads_variables(_):
    return os.environ.get("OMP_NUM_THREADS"), os.environ.get("OPENBLAS_NUM_THREADS")


def reject_two(x):
    if x == 2:
        raise InputError("must be below 2", file="scenario.toml", field="x")
    return x


def divide(x, *, by):
    return x / by


def die_on_one(x):
    """Kill this worker process for x == 1 (a crashed engine), else return (pid, x)."""
    if x == 1:
        os._exit(3)
    return os.getpid(), x


_kept = []


def sum_with_shared(values, offset, x):
    """(pid, id of ``values`` in this process, sum(values) + offset * x).

    ``values`` is kept alive, so two different objects never show the same id.
    """
    _kept.append(values)
    return os.getpid(), id(values), sum(values) + offset * x
