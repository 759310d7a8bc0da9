"""The scenarios of a district through the run store: unchanged ones read back, the others
simulated in parallel through ``compute/`` and saved (today's climate and future climates alike)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ecocity.compute import Task, run_tasks
from ecocity.district import District, Scenario
from ecocity.indicators.records import AreaResult
from ecocity.store import Store, versions
from ecocity.stormwater import assess as sponge

Progress = Callable[[int, int], None]


def stored_scenario_runs(
    store: Store, district: District, chosen: Sequence[Scenario], hashes: Mapping[str, str],
    task: Callable[..., tuple[AreaResult, float]], task_args: Callable[[Scenario], tuple[Any, ...]],
    label: Callable[[Scenario], str], *, use_cache: bool = True, workers: int | None = None,
    dask_address: str | None = None, progress: Progress | None = None,
) -> tuple[dict[str, AreaResult], dict[str, str], list[Scenario]]:  # fmt: skip
    """Results and run ids by scenario name, and the scenarios simulated (not read back).

    ``hashes`` holds each scenario's input hash; ``task(*task_args(scenario))`` returns
    ``(result, wall time [s])`` and runs on the pool or cluster (:func:`ecocity.compute.run_tasks`).
    """
    results: dict[str, AreaResult] = {}
    run_ids: dict[str, str] = {}
    todo = []
    for scenario in chosen:
        record = store.find(hashes[scenario.name], sponge.AREA) if use_cache else None
        if record is not None:
            results[scenario.name], run_ids[scenario.name] = store.load(record.id), record.id
        else:
            todo.append(scenario)
    tasks = [Task(args=task_args(s), label=label(s)) for s in todo]
    done = run_tasks(task, tasks, workers=workers, dask_address=dask_address, progress=progress)
    for scenario, (result, wall_s) in zip(todo, done, strict=True):
        results[scenario.name] = result
        run_ids[scenario.name] = store.save(
            result, district=district.name, input_hash=hashes[scenario.name],
            versions=versions({"swmm": result.figures["engine"]["swmm"]}), wall_time_s=wall_s,
        )  # fmt: skip
    return results, run_ids, todo
