"""Evaluating batches of designs: memory, then the store, then SWMM runs through ``compute/``.

A batch (one generation) is deduplicated; designs already evaluated in this search come from
memory, designs in the store (an earlier or interrupted search) from the store, and the rest run
in parallel through :func:`ecocity.compute.run_tasks` (process pool, or Dask with an address;
on the caller's :class:`~ecocity.compute.Runner` when given, so that a search starts its workers
once), each saved by its worker as it finishes. The district, design space, rainfall and
settings are sent once per worker, not with every design.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ecocity.compute import Runner, Task, run_tasks
from ecocity.district.model import District
from ecocity.optimise.evaluate import (
    EvaluationSettings,
    design_costs,
    evaluate_task,
    evaluation_key,
    find_evaluation,
    save_evaluation,
)
from ecocity.store import Store
from ecocity.stormwater.design_space import DesignSpace

Levels = tuple[int, ...]
COST_NAMES = ("capital_cost_yuan", "om_cost_yuan_per_yr", "whole_life_cost_yuan", "lid_area_m2")
Progress = Callable[[int, int], None]


@dataclass
class Counts:
    """How the evaluations of a search were obtained."""

    simulated: int = 0
    from_store: int = 0
    repeated: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"simulated": self.simulated, "from_store": self.from_store, "repeated": self.repeated}


@dataclass
class Evaluator:
    """Evaluations of one district, design space and rainfall stretch, with their memory."""

    district: District
    space: DesignSpace
    rain_depth_mm: pd.Series
    settings: EvaluationSettings
    store_path: Path
    workers: int | None = None
    dask_address: str | None = None
    progress: Progress | None = None
    runner: Runner | None = None
    memory: dict[Levels, dict[str, float]] = field(default_factory=dict)
    counts: Counts = field(default_factory=Counts)
    cost_memory: dict[Levels, dict[str, float]] = field(default_factory=dict)

    def costs(self, designs: Sequence[Sequence[int]]) -> list[dict[str, float]]:
        """Each design's costs and LID area (exact, no SWMM; from the evaluation when simulated)."""
        out = []
        for levels in (self.space.check(d) for d in designs):
            if levels not in self.cost_memory:
                known = self.memory.get(levels)
                self.cost_memory[levels] = (
                    {name: known[name] for name in COST_NAMES} if known is not None
                    else design_costs(self.district, self.space, levels, self.settings)
                )  # fmt: skip
            out.append(self.cost_memory[levels])
        return out

    def evaluate(self, designs: Sequence[Sequence[int]]) -> list[dict[str, float]]:
        """The indicator values of each design, in order."""
        wanted = [self.space.check(d) for d in designs]
        todo: dict[Levels, str] = {}
        with Store.open(self.store_path) as store:
            for levels in wanted:
                if levels in self.memory or levels in todo:
                    self.counts.repeated += 1
                    continue
                key = evaluation_key(self.district, self.space, levels, self.rain_depth_mm, self.settings)
                found = find_evaluation(store, key)
                if found is not None:
                    self.memory[levels] = found
                    self.counts.from_store += 1
                else:
                    todo[levels] = key
            if todo:
                store_name = str(self.store_path)
                tasks = [Task(args=(levels, key, store_name), label="design " + "-".join(map(str, levels)))
                         for levels, key in todo.items()]  # fmt: skip
                shared = (self.district, self.space, self.rain_depth_mm, self.settings)
                where = {"runner": self.runner} if self.runner is not None else {
                    "workers": self.workers, "dask_address": self.dask_address}  # fmt: skip
                results = run_tasks(evaluate_task, tasks, progress=self.progress, shared=shared, **where)
                for (levels, key), (values, wall, saved) in zip(todo.items(), results, strict=True):
                    if not saved and store.find(key, "sponge-optimisation") is None:
                        save_evaluation(store, self.district, levels, values, key, wall)
                    self.memory[levels] = values
                    self.counts.simulated += 1
        return [self.memory[levels] for levels in wanted]
