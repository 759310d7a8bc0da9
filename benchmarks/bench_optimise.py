"""Benchmark (h): sponge-design optimisation on the Tongzhou example (issue 7).

Work: the Tongzhou example district (120 subcatchments, sewer network), the last year of its
rainfall series. Each evaluation is one design's continuous SWMM run (120 subcatchments with
their LID units, runoff only) plus one routed 2-year Chicago design-storm run, and its costs.

Measured:
1. evaluations per minute on 1 and on 2 worker processes (distinct seeded designs, fresh stores,
   one kept pool per measurement: its start-up is counted once);
2. a surrogate-assisted NSGA-II search (3 groups of similar blocks × green roofs, permeable
   paving, bioretention, levels 0..4; ``population`` designs, ``evaluations`` pymoo evaluations,
   ``per_generation`` SWMM runs per generation, 2 workers, seed 1): the SWMM runs it needed,
   the surrogate's out-of-sample error, and the wall time until the least-cost design meeting
   the 85 % capture target (and the 50 % TSS target) was first found;
3. the screening windows' capture-ratio-curve error over the 30-year record (1 and 3 years).

Target (issue 7): none numeric; the figures go to RESULTS.md (h).
Run: ``.venv/bin/python benchmarks/bench_optimise.py [n_rate evaluations population per_generation]``.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from ecocity.assess import load_inputs
from ecocity.compute import open_runner
from ecocity.optimise.evaluate import settings_for
from ecocity.optimise.evaluator import Evaluator
from ecocity.optimise.screening import representative_window
from ecocity.optimise.search import SearchSettings, optimise
from ecocity.stormwater.design_space import DEFAULT_LIDS, design_space

EXAMPLE = Path(__file__).parents[1] / "examples" / "tongzhou"


def _rate(district, rain, space, workers: int, designs: list[tuple[int, ...]], folder: Path) -> float:
    with open_runner(workers) as runner:
        evaluator = Evaluator(district, space, rain, settings_for(district), folder / f"w{workers}.db", runner=runner)
        start = time.perf_counter()
        evaluator.evaluate(designs)
        return len(designs) / (time.perf_counter() - start) * 60.0


def run(n_rate: int = 6, evaluations: int = 800, population: int = 20, per_generation: int = 4,
        surrogate: int = 1) -> dict:
    """The three measurements; ``n_rate`` 0 skips the rates, ``surrogate`` 0 runs a plain NSGA-II."""
    _, full30 = load_inputs(EXAMPLE)
    window1 = representative_window(full30, 1)[1]
    window3 = representative_window(full30, 3)[1]
    district, rain = load_inputs(EXAMPLE, years=1)
    space = design_space(district, DEFAULT_LIDS, groups=3, levels=4)
    rng = np.random.default_rng(0)
    designs = [tuple(int(v) for v in row) for row in rng.integers(1, 5, size=(2 * n_rate, space.n_var))]
    with tempfile.TemporaryDirectory(prefix="bench-optimise-") as tmp:
        folder = Path(tmp)
        per_min_1 = _rate(district, rain, space, 1, designs[:n_rate], folder) if n_rate else None
        per_min_2 = _rate(district, rain, space, 2, designs[n_rate:], folder) if n_rate else None
        print(f"evaluations per minute: {per_min_1} (1 worker), {per_min_2} (2 workers)", file=sys.stderr)
        marks: list[tuple[float, int]] = []
        start = time.perf_counter()
        result = optimise(district, rain, space, folder / "search.db",
                          SearchSettings(evaluations=evaluations, population=population, seed=1, surrogate=bool(surrogate),
                                         simulate_per_generation=per_generation), workers=2,
                          on_generation=lambda g, n: (marks.append((time.perf_counter() - start, n)),
                                                      print(f"generation {g}: {n} evaluations, "
                                                            f"{marks[-1][0]:.0f} s", file=sys.stderr)))  # fmt: skip
        search_s = time.perf_counter() - start
    best = result.chosen["capital_cost_yuan"] if result.chosen else None
    first = next((h["generation"] for h in result.history if best is not None and h["least_cost_meeting"] == best), None)
    reached_s = marks[first - 1][0] if first else (search_s if best is not None else None)  # else: found by the final check
    return {
        "name": "optimise_tongzhou_nsga2",
        "ours_s": search_s,
        "peer": "none (evaluations per minute, 1 vs 2 workers)",
        "peer_s": None,
        "ratio": per_min_2 / per_min_1 if n_rate else None,
        "metric": "speed-up of evaluations per minute on 2 workers over 1",
        "target": "recorded (issue 7: evaluations/min on 1 and 2 workers; time to the least-cost design meeting 85 %)",
        "met": result.status == "feasible",
        "notes": {
            "evaluations_per_min_1_worker": per_min_1,
            "evaluations_per_min_2_workers": per_min_2,
            "variables": space.n_var, "groups": [len(g) for g in space.groups],
            "search": {"status": result.status, "designs": len(result.evaluations), "generations": result.generations,
                       "counts": result.counts, "chosen": result.chosen, "first_found_generation": first,
                       "time_to_least_cost_meeting_s": reached_s, "history": result.history,
                       "surrogate": result.surrogate, "evaluations_per_min_in_search": 60.0 * len(result.evaluations) / search_s,
                       "front_size": len(result.front)},
            "screening_curve_error": {"1yr": window1.as_dict(), "3yr": window3.as_dict()},
        },
    }  # fmt: skip


if __name__ == "__main__":
    import json

    print(json.dumps(run(*map(int, sys.argv[1:])), indent=1, default=str))  # spawned workers re-import this file
