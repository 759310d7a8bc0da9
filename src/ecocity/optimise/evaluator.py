"""Evaluating batches of designs: memory, then the store, then SWMM runs through ``compute/``.

A batch (one generation) is deduplicated; designs already evaluated in this search come from
memory, designs in the store (an earlier or interrupted search) from the store, and the rest run
in parallel through :func:`ecocity.compute.run_tasks` (process pool, or Dask with an address),
each saved by its worker as it finishes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ecocity.compute import Task, run_tasks
from ecocity.district.model import District
from ecocity.optimise.evaluate import (
    EvaluationSettings,
    evaluate_task,
    evaluation_key,
    find_evaluation,
    save_evaluation,
)
from ecocity.store import Store
from ecocity.stormwater.design_space import DesignSpace

Levels = tuple[int, ...]
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
    memory: dict[Levels, dict[str, float]] = field(default_factory=dict)
    counts: Counts = field(default_factory=Counts)

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
                tasks = [
                    Task(args=(self.district, self.space, levels, self.rain_depth_mm, self.settings, key, store_name),
                         label="design " + "-".join(map(str, levels)))
                    for levels, key in todo.items()
                ]  # fmt: skip
                results = run_tasks(evaluate_task, tasks, workers=self.workers, dask_address=self.dask_address,
                                    progress=self.progress)  # fmt: skip
                for (levels, key), (values, wall, saved) in zip(todo.items(), results, strict=True):
                    if not saved and store.find(key, "sponge-optimisation") is None:
                        save_evaluation(store, self.district, levels, values, key, wall)
                    self.memory[levels] = values
                    self.counts.simulated += 1
        return [self.memory[levels] for levels in wanted]
