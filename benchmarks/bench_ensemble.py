"""Benchmark (c): an ensemble of 8 scenarios on 2 worker processes against running them serially.

Work: the Tongzhou example district (120 subcatchments, sewer network), the last year of its
rainfall series; each task is one full scenario assessment (continuous run, design storms,
waterlogging storm). The scenarios differ in the share of impervious area treated by
bioretention. Target: speed-up >= 1.8x on 2 workers.
"""

from __future__ import annotations

import time
from pathlib import Path

from ecocity.assess import _scenario_task, load_inputs
from ecocity.compute import Task, run_tasks
from ecocity.district import Measure, Scenario

EXAMPLE = Path(__file__).parents[1] / "examples" / "tongzhou"


def scenarios(n: int = 8) -> list[Scenario]:
    return [
        Scenario(name=f"bioretention_{k}", measures=(
            Measure(lid="bioretention", on="green", treated_share=0.1 + 0.1 * k, surface_ratio=0.06),))
        for k in range(n)
    ]  # fmt: skip


def run() -> dict:
    district, rain = load_inputs(EXAMPLE, years=1)
    tasks = [Task(args=(district, s, rain), label=s.name) for s in scenarios()]
    start = time.perf_counter()
    serial = run_tasks(_scenario_task, tasks, workers=1)
    serial_s = time.perf_counter() - start
    start = time.perf_counter()
    parallel = run_tasks(_scenario_task, tasks, workers=2)
    parallel_s = time.perf_counter() - start
    same = all(
        a.indicator("capture_ratio").value == b.indicator("capture_ratio").value
        for (a, _), (b, _) in zip(serial, parallel)
    )
    speedup = serial_s / parallel_s
    return {
        "name": "ensemble 8 scenarios, 2 workers",
        "ours_s": parallel_s,
        "peer": "same 8 tasks serially in one process",
        "peer_s": serial_s,
        "ratio": speedup,
        "metric": "speed-up = serial time / 2-worker time",
        "target": ">= 1.8",
        "met": speedup >= 1.8 and same,
        "notes": f"identical results serial vs parallel: {same}",
    }


if __name__ == "__main__":
    print(run())
