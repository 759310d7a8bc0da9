"""NSGA-II search for the least-cost sponge design: pymoo's ask-and-tell loop over real SWMM runs.

Objectives (both minimised): the cost (capital, or whole-life) and minus the district's annual
runoff volume capture ratio. Constraints (``g ≤ 0``): the district's TSS reduction target and
an optional budget. The capture target is not a constraint of the search, so the front spans
the whole trade-off; it picks the answer: the least-cost design that meets every target.

Each generation is asked of pymoo, evaluated through :class:`~ecocity.optimise.evaluator.Evaluator`
(memory, store, then SWMM in parallel) and told back. The first population holds the empty
design (the baseline, whose storm peak the peak-flow reductions are measured against) and the
largest design (the best any design can reach); the rest is drawn from the seeded generator.
With the same seed the search is the same on a process pool and a Dask cluster: the
evaluations are deterministic and come back in task order.

Screening: with ``screen_years`` the search runs on the representative stretch of the record
(:func:`~ecocity.optimise.screening.representative_window`); the front's designs (and the
cheapest designs that met every target on the stretch) are then re-run on the full record,
which decides, and the difference is reported as the screening error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from ecocity.compute import open_runner
from ecocity.district.model import District
from ecocity.errors import InputError
from ecocity.optimise.evaluate import INDICATORS, EvaluationSettings, settings_for
from ecocity.optimise.evaluator import Evaluator, Levels, Progress
from ecocity.optimise.screening import representative_window
from ecocity.optimise.surrogate import Surrogate, SurrogateCheck
from ecocity.stormwater.design_space import DesignSpace
from ecocity.stormwater.indicators import reduction

CostName = Literal["capital", "whole_life"]
COST_COLUMN = {"capital": "capital_cost_yuan", "whole_life": "whole_life_cost_yuan"}
EXTRA_CANDIDATES = 3
"""Cheapest designs meeting every target on the screening stretch re-run besides the front."""


@dataclass(frozen=True)
class SearchSettings:
    """NSGA-II settings: evaluations (pymoo function calls), population, seed; operators are
    SBX crossover (p 0.9, η 15) and polynomial mutation (η 20) on integer levels (rounded)."""

    evaluations: int = 200
    population: int = 20
    seed: int = 1
    budget_yuan: float | None = None
    cost: CostName = "capital"
    screen_years: int | None = None
    surrogate: bool = False
    simulate_per_generation: int | None = None

    def simulated_per_generation(self) -> int:
        """With the surrogate: designs simulated per generation (default a quarter of the population, ≥ 2)."""
        return self.simulate_per_generation or max(2, self.population // 4)

    def check(self) -> None:
        if self.population < 2:
            raise InputError(f"the population needs at least 2 designs, got {self.population}", field="population")
        if self.evaluations < self.population:
            raise InputError(f"evaluations ({self.evaluations}) must be at least the population ({self.population})",
                             field="evaluations")  # fmt: skip
        if self.budget_yuan is not None and self.budget_yuan <= 0:
            raise InputError(f"the budget must be positive, got {self.budget_yuan}", field="budget")
        if self.simulate_per_generation is not None and not 1 <= self.simulate_per_generation <= self.population:
            raise InputError(f"designs simulated per generation must lie in 1..{self.population} (the population), "
                             f"got {self.simulate_per_generation}", field="simulate_per_generation")  # fmt: skip
        if self.cost not in COST_COLUMN:
            raise InputError(f"cost must be one of {', '.join(COST_COLUMN)}, got {self.cost!r}", field="cost")


@dataclass
class SearchResult:
    """What a search found. Tables have one row per design with its levels and indicators."""

    status: Literal["feasible", "infeasible"]
    evaluations: pd.DataFrame
    front: pd.DataFrame
    chosen: dict[str, Any] | None
    best_reachable: dict[str, dict[str, float | None]]
    baseline: dict[str, float]
    screening: dict[str, Any] | None
    counts: dict[str, int]
    generations: int
    settings: SearchSettings
    targets: dict[str, float | None]
    variables: tuple[str, ...]
    history: list[dict[str, float]] = field(default_factory=list)
    surrogate: dict[str, Any] | None = None


def optimise(
    district: District,
    rain_depth_mm: pd.Series,
    space: DesignSpace,
    store_path: str | Path,
    search: SearchSettings = SearchSettings(),
    *,
    evaluation: EvaluationSettings | None = None,
    workers: int | None = None,
    dask_address: str | None = None,
    progress: Progress | None = None,
    on_generation: Callable[[int, int], None] | None = None,
) -> SearchResult:
    """Search the design space of ``district`` with NSGA-II.

    Parameters
    ----------
    rain_depth_mm
        The full rainfall record to decide on. [mm per step]
    store_path
        The store (an SQLite file, created if needed) where every evaluation is saved.
    search
        Evaluations, population, seed, budget, cost objective, screening years.
    evaluation
        Design storm and whole-life settings; default :func:`settings_for` the district.
    workers, dask_address
        Where the SWMM runs go (:func:`ecocity.compute.run_tasks`).
    progress
        ``progress(done, total)`` per generation's batch.
    on_generation
        Called as ``on_generation(generation, evaluations_so_far)`` after each generation.

    Raises
    ------
    InputError
        Bad settings; a design that cannot be placed is a bug of the design space, not input.
    """
    search.check()
    settings = evaluation or settings_for(district)
    store_path = Path(store_path)
    store_path.parent.mkdir(parents=True, exist_ok=True)
    from ecocity.store import Store

    Store.open(store_path).close()  # create it, so that workers on this machine save into it
    screening = None
    search_rain = rain_depth_mm
    if search.screen_years is not None:
        search_rain, window = representative_window(rain_depth_mm, search.screen_years)
        screening = {"window": window.as_dict()}

    with open_runner(workers, dask_address) as runner:  # one pool (or client) for the whole search
        return _search(district, rain_depth_mm, space, store_path, search, settings, screening, search_rain,
                       lambda rain: Evaluator(district, space, rain, settings, store_path, progress=progress,
                                              runner=runner), on_generation)  # fmt: skip


def _search(
    district: District, rain_depth_mm: pd.Series, space: DesignSpace, store_path: Path, search: SearchSettings,
    settings: EvaluationSettings, screening: dict[str, Any] | None, search_rain: pd.Series,
    evaluator_for: Callable[[pd.Series], Evaluator], on_generation: Callable[[int, int], None] | None,
) -> SearchResult:  # fmt: skip
    from pymoo.algorithms.moo.nsga2 import NSGA2
    from pymoo.core.problem import Problem
    from pymoo.operators.crossover.sbx import SBX
    from pymoo.operators.mutation.pm import PM
    from pymoo.operators.repair.rounding import RoundingRepair
    from pymoo.problems.static import StaticProblem

    screen = evaluator_for(search_rain)
    zero, top = (0,) * space.n_var, tuple(int(v) for v in space.upper())
    baseline = screen.evaluate([zero])[0]
    targets = {"capture_ratio": district.targets.capture_ratio, "tss_reduction": district.targets.tss_reduction,
               "budget_yuan": search.budget_yuan}  # fmt: skip
    cost_column = COST_COLUMN[search.cost]
    n_constr = int(targets["tss_reduction"] is not None) + int(search.budget_yuan is not None)

    problem = Problem(n_var=space.n_var, n_obj=2, n_ieq_constr=n_constr, xl=0, xu=space.levels, vtype=int)
    rng = np.random.default_rng(search.seed)
    first = rng.integers(0, space.levels + 1, size=(search.population, space.n_var))
    first[0], first[1 % search.population] = zero, top
    algorithm = NSGA2(
        pop_size=search.population, sampling=first.astype(float),
        crossover=SBX(prob=0.9, eta=15, vtype=float, repair=RoundingRepair()),
        mutation=PM(eta=20, vtype=float, repair=RoundingRepair()), eliminate_duplicates=True,
    )  # fmt: skip
    algorithm.setup(problem, termination=("n_eval", search.evaluations), seed=search.seed, verbose=False)
    generation, history = 0, []
    assist = _Assist(screen, search, cost_column, targets) if search.surrogate else None
    while algorithm.has_next():
        population = algorithm.ask()
        if population is None or len(population) == 0:
            break
        designs = _levels_of(population)
        values = screen.evaluate(designs) if assist is None else assist.evaluate(designs)
        F, G = _objectives(values, cost_column, targets)
        static = StaticProblem(problem, F=F, **({"G": G} if n_constr else {}))
        algorithm.evaluator.eval(static, population)
        algorithm.tell(infills=population)
        if assist is not None:
            assist.refresh(algorithm, problem, n_constr)
        generation += 1
        history.append(_progress_row(generation, screen, cost_column, targets))
        if on_generation is not None:
            on_generation(generation, algorithm.evaluator.n_eval)
    if assist is not None:
        assist.verify(_levels_of(algorithm.pop))
    screen.evaluate([top])  # the best reachable, if the search never drew it

    table = _table(screen.memory, space, baseline)
    feasible = _meets(table, targets, cost_column, capture=False)
    pool = table[feasible] if feasible.any() else table  # the front of the designs meeting the constraints
    front = pool[_non_dominated(pool, cost_column)]
    candidates = list(front["levels"])
    meeting = table[_meets(table, targets, cost_column)].sort_values(cost_column, kind="stable")
    candidates += [lv for lv in meeting["levels"].head(EXTRA_CANDIDATES) if lv not in candidates]
    candidates += [top] if top not in candidates else []  # the best reachable, on the full record too

    full = screen
    if screening is not None:
        full = evaluator_for(rain_depth_mm)
        full.evaluate([zero])
        full.evaluate(candidates)
        checked = _table({lv: full.memory[lv] for lv in candidates}, space, full.memory[zero])
        screening.update(_screening_error(table, checked))
        # The front as decided: its designs' full-record values, the screening's capture beside them.
        screened = dict(zip(front["levels"], front["capture_ratio"], strict=True))
        front = checked[checked["levels"].isin(list(front["levels"]))].copy()
        front["capture_ratio_screening"] = front["levels"].map(screened)
    else:
        checked = table[table["levels"].isin(candidates)]
    decided = checked[_meets(checked, targets, cost_column)]
    decided = decided.sort_values([cost_column, "capture_ratio"], ascending=[True, False], kind="stable")
    chosen = _row_dict(decided.iloc[0]) if len(decided) else None
    counts = {name: screen.counts.as_dict()[name] + (full.counts.as_dict()[name] if full is not screen else 0)
              for name in screen.counts.as_dict()}  # fmt: skip
    if assist is not None:
        counts["predicted"] = assist.predicted
    return SearchResult(
        status="feasible" if chosen is not None else "infeasible",
        evaluations=table, front=front.sort_values(cost_column, kind="stable").reset_index(drop=True),
        chosen=chosen, best_reachable=_best_reachable(table, checked, targets, cost_column),
        baseline=baseline, screening=screening, counts=counts, generations=generation,
        settings=search, targets=targets, variables=space.names, history=history,
        surrogate=None if assist is None else assist.summary(),
    )  # fmt: skip


class _Assist:
    """Surrogate-assisted generations: predict every new design, simulate the most promising.

    A generation's designs already simulated keep their SWMM values; of the others, the
    :meth:`SearchSettings.simulated_per_generation` best by prediction are simulated (the
    predicted cheapest design meeting every target first, then the predicted non-dominated
    designs spread over the cost range, the constraint violators last) and the rest are told to
    the search with their predicted values (exact costs). After each generation the surrogate
    is refitted and the surviving population's predicted values are refreshed; at the end the
    population's predicted front is simulated, so the front and the answer hold simulated
    designs only. Until the surrogate has enough designs (:meth:`Surrogate.minimum_designs`)
    every design is simulated.
    """

    def __init__(self, evaluator: Evaluator, search: SearchSettings, cost_column: str, targets: dict) -> None:
        self.evaluator, self.cost_column, self.targets = evaluator, cost_column, targets
        self.per_generation = search.simulated_per_generation()
        self.model = Surrogate(evaluator.space.levels)
        self.check = SurrogateCheck()
        self.predicted = 0
        self.fits = 0

    def _guess(self, designs: list[Levels]) -> list[dict[str, float]]:
        return [{**guess, **cost} for guess, cost in zip(self.model.predict(designs), self.evaluator.costs(designs),
                                                         strict=True)]  # fmt: skip

    def _values(self, designs: list[Levels]) -> list[dict[str, float]]:
        """Simulated values where known, predictions elsewhere."""
        memory = self.evaluator.memory
        unknown = list(dict.fromkeys(d for d in designs if d not in memory))
        guessed = dict(zip(unknown, self._guess(unknown), strict=True)) if unknown else {}
        return [memory[d] if d in memory else guessed[d] for d in designs]

    def _simulate(self, designs: list[Levels], guesses: list[dict[str, float]]) -> None:
        truth = self.evaluator.evaluate(designs)
        self.check.add(guesses, truth)
        self._fit()

    def _fit(self) -> None:
        if self.model.fit(self.evaluator.memory):
            self.fits += 1

    def evaluate(self, designs: list[Levels]) -> list[dict[str, float]]:
        if not self.model.ready:
            values = self.evaluator.evaluate(designs)
            self._fit()
            return values
        memory = self.evaluator.memory
        unknown = list(dict.fromkeys(d for d in designs if d not in memory))
        if unknown:
            guesses = self._guess(unknown)
            picked = _preselect(guesses, self.per_generation, self.cost_column, self.targets)
            self._simulate([unknown[i] for i in picked], [guesses[i] for i in picked])
        values = self._values(designs)
        self.predicted += len({d for d in designs if d not in memory})
        return values

    def refresh(self, algorithm: Any, problem: Any, n_constr: int) -> None:
        """Tell the surviving population its values under the refitted surrogate (not counted)."""
        from pymoo.problems.static import StaticProblem

        if not self.model.ready:
            return
        pop = algorithm.pop
        designs = _levels_of(pop)
        F, G = _objectives(self._values(designs), self.cost_column, self.targets)
        static = StaticProblem(problem, F=F, **({"G": G} if n_constr else {}))
        algorithm.evaluator.eval(static, pop, skip_already_evaluated=False, count_evals=False)

    def verify(self, designs: list[Levels]) -> None:
        """Simulate the predicted front of the final population (and its predicted cheapest design meeting all)."""
        memory = self.evaluator.memory
        unknown = list(dict.fromkeys(d for d in designs if d not in memory))
        if not unknown or not self.model.ready:
            return
        guesses = self._guess(unknown)
        picked = _preselect(guesses, len(unknown), self.cost_column, self.targets, front_only=True)
        self._simulate([unknown[i] for i in picked], [guesses[i] for i in picked])

    def summary(self) -> dict[str, Any]:
        return {"model": "RBF thin-plate spline, linear tail (scipy RBFInterpolator) on levels scaled to 0..1",
                "simulated_per_generation": self.per_generation, "fits": self.fits,
                "predicted": self.predicted, "fitted_on": self.model.fitted_on,
                "error": self.check.summary()}  # fmt: skip


def _preselect(guesses: list[dict[str, float]], k: int, cost_column: str, targets: dict, *,
               front_only: bool = False) -> list[int]:  # fmt: skip
    """Indices of the ``k`` most promising predicted designs (see :class:`_Assist`).

    With ``front_only``, only the predicted cheapest design meeting every target and the
    predicted non-dominated designs meeting the constraints (at most ``k``).
    """
    from pymoo.util.nds.non_dominated_sorting import NonDominatedSorting

    F, G = _objectives(guesses, cost_column, targets)
    violation = np.clip(G, 0.0, None).sum(axis=1) if G.size else np.zeros(len(guesses))
    order: list[int] = []
    meeting = [i for i, g in enumerate(guesses) if meets_targets(g, cost_column, targets)]
    if meeting:
        order.append(min(meeting, key=lambda i: (F[i, 0], F[i, 1], i)))
    feasible = np.flatnonzero(violation <= 0.0)
    if len(feasible):
        for front in NonDominatedSorting().do(F[feasible]):
            members = sorted(feasible[front], key=lambda i: (F[i, 0], F[i, 1], i))
            room = k - len(order)
            if room <= 0:
                break
            fresh = [i for i in members if i not in order]
            if len(fresh) > room:  # spread over the cost range, both ends kept
                fresh = [fresh[j] for j in sorted(set(np.linspace(0, len(fresh) - 1, room).round().astype(int)))]
            order += fresh
            if front_only:
                break
    if not front_only:
        rest = sorted((i for i in range(len(guesses)) if i not in order), key=lambda i: (violation[i], F[i, 0], i))
        order += rest
    return [int(i) for i in order[:k]]


def meets_targets(values: dict[str, float], cost_column: str, targets: dict[str, float | None]) -> bool:
    """One design's test of every target: capture ratio, TSS reduction (if any), budget (if any) on
    ``cost_column``; :func:`_meets` is the same test on a table."""
    return bool(values["capture_ratio"] >= targets["capture_ratio"]
                and (targets.get("tss_reduction") is None or values["tss_reduction"] >= targets["tss_reduction"])
                and (targets.get("budget_yuan") is None or values[cost_column] <= targets["budget_yuan"]))  # fmt: skip


def _levels_of(population: Any) -> list[Levels]:
    """The integer levels of each design of a pymoo population."""
    return [tuple(int(round(v)) for v in x) for x in population.get("X")]


def _objectives(values: list[dict[str, float]], cost_column: str, targets: dict) -> tuple[np.ndarray, np.ndarray]:
    F = np.array([[v[cost_column], -v["capture_ratio"]] for v in values], dtype=float)
    columns = []
    if targets["tss_reduction"] is not None:
        columns.append([targets["tss_reduction"] - v["tss_reduction"] for v in values])
    if targets["budget_yuan"] is not None:
        columns.append([(v[cost_column] - targets["budget_yuan"]) / targets["budget_yuan"] for v in values])
    G = np.array(columns, dtype=float).T if columns else np.zeros((len(values), 0))
    return F, G


def _table(memory: dict[Levels, dict[str, float]], space: DesignSpace, baseline: dict[str, float]) -> pd.DataFrame:
    rows = [{"levels": levels, **values} for levels, values in memory.items()]
    table = pd.DataFrame(rows, columns=["levels", *INDICATORS])
    table["peak_flow_reduction"] = reduction(baseline["peak_flow_m3_per_s"], table["peak_flow_m3_per_s"].to_numpy())
    return table


def _meets(table: pd.DataFrame, targets: dict, cost_column: str, *, capture: bool = True) -> pd.Series:
    ok = pd.Series(True, index=table.index)
    if capture:
        ok &= table["capture_ratio"] >= targets["capture_ratio"]
    if targets["tss_reduction"] is not None:
        ok &= table["tss_reduction"] >= targets["tss_reduction"]
    if targets["budget_yuan"] is not None:
        ok &= table[cost_column] <= targets["budget_yuan"]
    return ok


def _non_dominated(table: pd.DataFrame, cost_column: str) -> pd.Series:
    """Designs no other design beats on both cost and capture ratio."""
    cost = table[cost_column].to_numpy()
    capture = table["capture_ratio"].to_numpy()
    better_or_equal = (cost[None, :] <= cost[:, None]) & (capture[None, :] >= capture[:, None])
    strictly = (cost[None, :] < cost[:, None]) | (capture[None, :] > capture[:, None])
    return pd.Series(~(better_or_equal & strictly).any(axis=1), index=table.index)


def _screening_error(screened: pd.DataFrame, full: pd.DataFrame) -> dict[str, Any]:
    """Capture ratio and TSS reduction of the re-run designs: screening minus full record."""
    merged = full.merge(screened, on="levels", suffixes=("_full", "_screen"))
    errors = {}
    for name in ("capture_ratio", "tss_reduction", "share_of_area_meeting_target"):
        diff = merged[f"{name}_screen"] - merged[f"{name}_full"]
        errors[name] = {"max_abs": float(diff.abs().max()), "mean": float(diff.mean()), "designs": int(len(diff))}
    return {"error": errors}


def _best_reachable(
    table: pd.DataFrame, checked: pd.DataFrame, targets: dict, cost_column: str
) -> dict[str, dict[str, float | None]]:
    """Best value of each constrained indicator over the designs evaluated (full record first)."""
    decide = checked if len(checked) else table
    best = {"capture_ratio": {"target": targets["capture_ratio"], "best": float(decide["capture_ratio"].max())}}
    if targets["tss_reduction"] is not None:
        best["tss_reduction"] = {"target": targets["tss_reduction"], "best": float(decide["tss_reduction"].max())}
    if targets["budget_yuan"] is not None:
        best[cost_column] = {"target": targets["budget_yuan"], "best": float(table[cost_column].min())}
    return best


def _row_dict(row: pd.Series) -> dict[str, Any]:
    out = {key: (list(value) if key == "levels" else float(value)) for key, value in row.items()}
    return out


def _progress_row(generation: int, evaluator: Evaluator, cost_column: str, targets: dict) -> dict[str, float]:
    """After a generation: evaluations so far and the cheapest design meeting every target."""
    values = list(evaluator.memory.values())
    meeting = [v[cost_column] for v in values if meets_targets(v, cost_column, targets)]
    return {"generation": generation, "designs": len(values), "least_cost_meeting": min(meeting) if meeting else None}
