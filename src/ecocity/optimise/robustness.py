"""The designs of a search under a future climate: which still meet every target.

After a search (:func:`~ecocity.optimise.search.optimise`) the designs a planner would pick from
(the Pareto front, the chosen design), the baseline (the empty design) and the largest design
(the best any design can reach) are evaluated once more under a climate scenario
(:mod:`ecocity.climate.change`): the continuous run on the delta-changed long series
(:func:`~ecocity.assess_climate.future_series`, the same as ``ecocity assess --climate``) and
the design storm scaled by the scenario's climate factor k(T) at the storm's return period T.
Costs do not change with the climate.

Both today's and the future values go through :class:`~ecocity.optimise.evaluator.Evaluator`,
so today's come from the store of the search (no SWMM run) and the future runs are stored under
their own key (rainfall stretch and settings) and read back when the check is run again. A
climate factor of exactly 1 (``user:1``) reproduces today's values, read from the store.

"Meets every target" is the search's own test: the district's capture ratio target, its TSS
reduction target (if any) and the budget (if any) on the search's cost; the peak-flow reduction
is reported, not judged (the district's targets name none). See
``docs/methods/optimisation.md`` ("Future climate").
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ecocity.assess_climate import future_series
from ecocity.climate.change import ClimateScenario, climate_factor
from ecocity.compute import open_runner
from ecocity.district.model import District
from ecocity.optimise.evaluate import EvaluationSettings, settings_for
from ecocity.optimise.evaluator import Evaluator, Levels, Progress
from ecocity.optimise.search import COST_COLUMN, SearchResult, meets_targets
from ecocity.stormwater.assess import years_of
from ecocity.stormwater.design_space import DesignSpace
from ecocity.stormwater.indicators import reduction

COMPARED = ("capture_ratio", "tss_reduction", "share_of_area_meeting_target", "peak_flow_m3_per_s",
            "peak_flow_reduction")  # fmt: skip
"""Indicators reported today and in the future (``<name>_today``, ``<name>_future``)."""
UNCHANGED = ("capital_cost_yuan", "om_cost_yuan_per_yr", "whole_life_cost_yuan", "lid_area_m2")
"""Columns the climate does not change (cost and size)."""


@dataclass
class FutureCheck:
    """The designs of a search today and under one future climate.

    Attributes
    ----------
    climate
        The climate scenario's metadata: ``name``, ``title``, ``horizon_yr`` [yr], ``source``,
        ``clause``, ``confidence``, ``return_period_yr`` (of the design storm, None without a
        storm run) [yr], ``storm_factor`` (k at that return period) [-], ``storm_factors`` (the
        scenario's table), ``delta_change`` (event-depth factors, source, confidence) and
        ``rainfall`` (annual mean today and future) [mm/yr].
    table
        One row per checked design, by ascending cost: ``levels``, ``roles`` (of ``baseline``,
        ``front``, ``chosen``, ``largest``), :data:`UNCHANGED` columns, ``<name>_today`` and
        ``<name>_future`` for each of :data:`COMPARED`, ``peak_flow_reduction_future_vs_today``,
        ``meets_today`` and ``meets_future``. ``peak_flow_reduction_today`` is against today's
        baseline peak, ``peak_flow_reduction_future`` against the FUTURE baseline peak (what
        the design removes of the future storm's runoff peak),
        ``peak_flow_reduction_future_vs_today`` = 1 − future peak / today's baseline peak (what
        a planner compares: negative where the design lets more than today's undeveloped-plan
        peak through). [-]
    chosen
        The least-cost design meeting every target in the future climate among those checked
        (a row of ``table`` as a dict, ``levels`` a list), or None.
    best_reachable
        The best future value of each judged indicator among the checked designs, with its
        target: ``{"capture_ratio": {"target": ..., "best": ..., "levels": [...]}, ...}``.
    baseline
        Today's and future capture ratio [-] and design-storm peak flow [m³/s] of the empty design.
    targets
        The search's targets (``capture_ratio``, ``tss_reduction``, ``budget_yuan``).
    cost_column
        The search's cost objective (column of ``table``).
    counts
        How the values were obtained: ``simulated`` and ``from_store`` over today's and the
        future evaluations.
    """

    climate: dict[str, Any]
    table: pd.DataFrame
    chosen: dict[str, Any] | None
    best_reachable: dict[str, dict[str, Any]]
    baseline: dict[str, float]
    targets: dict[str, float | None]
    cost_column: str
    counts: dict[str, int]

    @property
    def status(self) -> str:
        """``feasible`` when a checked design meets every target in the future, else ``infeasible``."""
        return "feasible" if self.chosen is not None else "infeasible"


def future_check(
    result: SearchResult,
    district: District,
    space: DesignSpace,
    rain: pd.Series,
    climate: ClimateScenario,
    store_path: str | Path,
    *,
    evaluation: EvaluationSettings | None = None,
    workers: int | None = None,
    dask_address: str | None = None,
    progress: Progress | None = None,
) -> FutureCheck:
    """Evaluate a search's front, chosen, baseline and largest designs under ``climate``.

    Parameters
    ----------
    result
        The search's result (its front, chosen design, targets and cost objective).
    district, space
        The district and design space the search ran on.
    rain
        The full rainfall record the search decided on (today's climate). [mm per step]
    climate
        The future climate (:func:`~ecocity.climate.change.climate_scenario`).
    store_path
        The search's store: today's values are read from it, the future ones saved into it.
    evaluation
        The evaluation settings of the search (default :func:`settings_for` the district, as the
        search's). The future design storm is today's scaled by k(T) at its return period T
        (``storm_factor`` × k).
    workers, dask_address, progress
        Where the SWMM runs go (:func:`ecocity.compute.run_tasks`), and progress per batch.

    Returns
    -------
    FutureCheck
        The checked designs today and in the future, the least-cost design meeting every target
        in the future (or None with the best reachable values), the climate's metadata.
    """
    today_settings = evaluation or settings_for(district)
    period = today_settings.storm_return_period_yr
    factor = None if period is None else float(climate_factor(climate, period))
    future_settings = today_settings if factor is None else replace(
        today_settings, storm_factor=today_settings.storm_factor * factor)  # fmt: skip
    future_rain = future_series(rain, climate)
    roles = _designs(result, space)
    designs = list(roles)
    store_path = Path(store_path)

    with open_runner(workers, dask_address) as runner:  # one pool for today's and the future runs
        today, future = (Evaluator(district, space, series, settings, store_path, progress=progress, runner=runner)
                         for series, settings in ((rain, today_settings), (future_rain, future_settings)))
        now, then = today.evaluate(designs), future.evaluate(designs)
    cost_column = COST_COLUMN[result.settings.cost]
    table = _table(designs, roles, now, then, result.targets, cost_column)
    zero = designs[0]
    baseline = {"capture_ratio_today": today.memory[zero]["capture_ratio"],
                "capture_ratio_future": future.memory[zero]["capture_ratio"],
                "peak_flow_m3_per_s_today": today.memory[zero]["peak_flow_m3_per_s"],
                "peak_flow_m3_per_s_future": future.memory[zero]["peak_flow_m3_per_s"]}  # fmt: skip
    counts = {name: today.counts.as_dict()[name] + future.counts.as_dict()[name]
              for name in ("simulated", "from_store")}  # fmt: skip
    return FutureCheck(
        climate=climate_metadata(climate, period, factor, rain, future_rain), table=table,
        chosen=_least_cost(table, cost_column), best_reachable=_best_reachable(table, result.targets, cost_column),
        baseline=baseline, targets=dict(result.targets), cost_column=cost_column, counts=counts,
    )  # fmt: skip


def climate_metadata(
    climate: ClimateScenario, period: float | None, factor: float | None, rain: pd.Series, future_rain: pd.Series
) -> dict[str, Any]:
    """What the report says about the climate scenario (see :attr:`FutureCheck.climate`)."""
    delta = climate.delta_change
    years = years_of(rain)
    return {
        "name": climate.name, "title": climate.title, "horizon_yr": climate.horizon_yr,
        "source": climate.source, "clause": climate.clause, "confidence": climate.confidence,
        "return_period_yr": period, "storm_factor": factor,
        "storm_factors": [{"return_period_yr": p, "factor": k}
                          for p, k in zip(climate.return_periods_yr, climate.storm_factors, strict=True)],
        "delta_change": {"quantiles": list(delta.quantiles), "factors": list(delta.factors),
                         "monthly_factors": None if delta.monthly_factors is None else list(delta.monthly_factors),
                         "source": delta.source, "confidence": delta.confidence},
        "rainfall": {"annual_mean_mm_today": float(rain.sum()) / years,
                     "annual_mean_mm_future": float(future_rain.sum()) / years},
    }  # fmt: skip


def _designs(result: SearchResult, space: DesignSpace) -> dict[Levels, list[str]]:
    """The designs to check, baseline first, with their roles."""
    roles: dict[Levels, list[str]] = {(0,) * space.n_var: ["baseline"]}
    for levels in result.front["levels"]:
        roles.setdefault(tuple(int(v) for v in levels), []).append("front")
    if result.chosen is not None:
        roles.setdefault(tuple(int(v) for v in result.chosen["levels"]), []).append("chosen")
    roles.setdefault(tuple(int(v) for v in space.upper()), []).append("largest")
    return roles


def _table(
    designs: list[Levels], roles: dict[Levels, list[str]], now: list[dict[str, float]],
    then: list[dict[str, float]], targets: dict[str, float | None], cost_column: str,
) -> pd.DataFrame:  # fmt: skip
    base_today, base_future = now[0]["peak_flow_m3_per_s"], then[0]["peak_flow_m3_per_s"]
    rows = []
    for levels, a, b in zip(designs, now, then, strict=True):
        row: dict[str, Any] = {"levels": levels, "roles": list(roles[levels])}
        row |= {name: a[name] for name in UNCHANGED}
        a = a | {"peak_flow_reduction": reduction(base_today, a["peak_flow_m3_per_s"])}
        b = b | {"peak_flow_reduction": reduction(base_future, b["peak_flow_m3_per_s"])}
        for name in COMPARED:
            row[f"{name}_today"], row[f"{name}_future"] = a[name], b[name]
        row["peak_flow_reduction_future_vs_today"] = reduction(base_today, b["peak_flow_m3_per_s"])
        row["meets_today"] = meets_targets(a, cost_column, targets)
        row["meets_future"] = meets_targets(b, cost_column, targets)
        rows.append(row)
    table = pd.DataFrame(rows)
    return table.sort_values([cost_column, "capture_ratio_today"], ascending=[True, False], kind="stable"
                             ).reset_index(drop=True)  # fmt: skip


def _row_dict(row: pd.Series) -> dict[str, Any]:
    out = {}
    for key, value in row.items():
        if key == "levels":
            out[key] = [int(v) for v in value]
        elif key == "roles":
            out[key] = list(value)
        elif isinstance(value, bool | np.bool_):
            out[key] = bool(value)
        else:
            out[key] = float(value)
    return out


def _least_cost(table: pd.DataFrame, cost_column: str) -> dict[str, Any] | None:
    meeting = table[table["meets_future"]]
    if not len(meeting):
        return None
    meeting = meeting.sort_values([cost_column, "capture_ratio_future"], ascending=[True, False], kind="stable")
    return _row_dict(meeting.iloc[0])


def _best_reachable(table: pd.DataFrame, targets: dict[str, float | None], cost_column: str
                    ) -> dict[str, dict[str, Any]]:  # fmt: skip
    best = {}
    judged = [("capture_ratio", targets["capture_ratio"])]
    if targets.get("tss_reduction") is not None:
        judged.append(("tss_reduction", targets["tss_reduction"]))
    for name, target in judged:
        top = table.loc[table[f"{name}_future"].idxmax()]
        best[name] = {"target": target, "best": float(top[f"{name}_future"]), "levels": [int(v) for v in top["levels"]]}
    if targets.get("budget_yuan") is not None:
        best[cost_column] = {"target": targets["budget_yuan"], "best": float(table[cost_column].min()),
                             "levels": [int(v) for v in table.loc[table[cost_column].idxmin(), "levels"]]}
    return best


__all__ = ["COMPARED", "UNCHANGED", "FutureCheck", "climate_metadata", "future_check"]
