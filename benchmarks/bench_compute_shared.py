"""Per-task overhead of large constant arguments on a kept process pool: sent once vs every task.

The payload is an optimiser's: the example district ``examples/tongzhou`` (120 subcatchments),
a year of 5-minute rainfall (105 408 float steps with their timestamps) and a dict of 120 small
records. The task function does nothing with them, so a batch's wall time is all overhead.
On one :func:`ecocity.compute.open_runner` pool of 2 workers, after a warm-up batch:

- peer: the payload in every task's arguments (pickled in the caller and unpickled in a worker
  for each task);
- ours: the payload as ``shared=`` (pickled once per batch, read once per worker, a task
  carries a 64-character token and a path), steady state (later batches, same content) and a
  first batch with new content (each worker reads it once).

Median of three batches of 200 tasks; ratio = ours / peer per-task overhead.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from ecocity.compute import Task, open_runner
from ecocity.district.load import load_district

N_TASKS = 200
WORKERS = 2
REPEATS = 3
STEPS = 105_408  # 366 days x 288 five-minute steps
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "tongzhou"


def touch(district, rain, records, x):  # type: ignore[no-untyped-def]
    """A task that only looks at its arguments: its wall time is the transport overhead."""
    return x + len(district.subcatchments) + len(rain) + len(records)


def _payload(seed: int) -> tuple[object, pd.Series, dict[str, dict[str, object]]]:
    district = load_district(EXAMPLE)
    index = pd.date_range("2024-01-01", periods=STEPS, freq="5min")
    depth_mm = np.random.default_rng(seed).gamma(0.1, 1.0, STEPS)
    rain = pd.Series(depth_mm, index=index, name="depth_mm")
    records = {f"S{i}": {"id": i, "name": f"record {i}", "value": float(i)} for i in range(120)}
    return district, rain, records


def _batch_s(run: object) -> float:
    started = time.perf_counter()
    run()  # type: ignore[operator]
    return time.perf_counter() - started


def run() -> dict:
    shared = _payload(1)
    plain = [Task(args=(*shared, x)) for x in range(N_TASKS)]
    own = [Task(args=(x,)) for x in range(N_TASKS)]
    expected = [x + 120 + STEPS + 120 for x in range(N_TASKS)]
    with open_runner(workers=WORKERS) as runner:
        assert runner.run(touch, plain) == expected  # warm-up: the workers start
        peer = statistics.median(_batch_s(lambda: runner.run(touch, plain)) for _ in range(REPEATS))
        assert runner.run(touch, own, shared=shared) == expected
        ours = statistics.median(
            _batch_s(lambda: runner.run(touch, own, shared=shared)) for _ in range(REPEATS)
        )
        fresh = [_payload(10 + seed) for seed in range(REPEATS)]
        first = statistics.median(
            _batch_s(lambda new=new: runner.run(touch, own, shared=new)) for new in fresh
        )
    batches = {"peer": peer, "ours": ours, "first": first}
    per_task_ms = {name: 1e3 * seconds / N_TASKS for name, seconds in batches.items()}
    return {
        "name": "compute shared arguments (per task)",
        "ours_s": ours / N_TASKS,
        "peer": "payload in every task's arguments",
        "peer_s": peer / N_TASKS,
        "ratio": ours / peer,
        "metric": "per-task overhead with shared= / with the payload in every task",
        "target": "< 0.5",
        "met": ours / peer < 0.5,
        "notes": (
            f"{N_TASKS} tasks on {WORKERS} kept workers; per task: payload in every task "
            f"{per_task_ms['peer']:.2f} ms, shared= {per_task_ms['ours']:.2f} ms (same content as "
            f"the last batch), {per_task_ms['first']:.2f} ms (new content: pickled once, read "
            f"once per worker)"
        ),
    }


if __name__ == "__main__":
    import json

    json.dump(run(), sys.stdout, indent=2)
    print()
