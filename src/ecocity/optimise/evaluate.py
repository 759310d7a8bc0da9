"""One design through SWMM: the indicators the optimiser needs, keyed and stored.

:func:`evaluate_design` is a lean version of the sponge-city ``assess``: the continuous run
(runoff only) gives the district capture ratio, the share of the built-up area meeting the
capture target (by drainage sub-area, GB/T 51345-2018) and the TSS load reduction (Guide §4.3);
one routed event run with the Chicago design storm of the district's first design-storm return
period gives the outfall peak flow; the placement gives the capital and whole-life cost.

Every evaluation is keyed by :func:`evaluation_key` (the design's levels, the design space,
the district, the rainfall stretch, the settings and the code and engine versions) and saved in
the store as a run of area :data:`AREA` as soon as it finishes, by the worker that computed it
(:func:`evaluate_task`); the search also saves any result the worker could not save (a remote
Dask worker without the store). A restarted search finds them and simulates nothing twice.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path

import pandas as pd

import ecocity
from ecocity.district.model import District
from ecocity.errors import InputError
from ecocity.indicators.records import AreaResult, Indicator
from ecocity.store import Store, hash_inputs, versions
from ecocity.stormwater import assess as sponge
from ecocity.stormwater import costs
from ecocity.stormwater import indicators as ind
from ecocity.stormwater.design_space import DesignSpace, design_to_scenario
from ecocity.stormwater.engine import engine_version
from ecocity.stormwater.placement import place_measures
from ecocity.stormwater.simulation import simulate
from ecocity.stormwater.whole_life import DISCOUNT_RATE, HORIZON_YR, whole_life_cost_yuan

AREA = "sponge-optimisation"
INDICATORS: dict[str, str] = {
    "capture_ratio": "-",
    "share_of_area_meeting_target": "-",
    "tss_reduction": "-",
    "peak_flow_m3_per_s": "m3/s",
    "capital_cost_yuan": "yuan",
    "om_cost_yuan_per_yr": "yuan/yr",
    "whole_life_cost_yuan": "yuan",
    "lid_area_m2": "m2",
}


@dataclass(frozen=True, kw_only=True)
class EvaluationSettings:
    """What an evaluation computes besides the continuous run.

    ``storm_return_period_yr`` None: no design-storm run (no peak flow). ``storm_factor`` is a
    climate factor on the storm's intensities (1 today; :func:`~ecocity.climate.change.climate_factor`
    of a future climate). The discount rate [1/yr] and horizon [yr] are those of the whole-life cost.
    """

    storm_return_period_yr: float | None = 2.0
    storm_factor: float = 1.0
    discount_rate: float = DISCOUNT_RATE
    horizon_yr: float = HORIZON_YR


def settings_for(district: District, *, peak: bool = True, discount_rate: float = DISCOUNT_RATE,
                 horizon_yr: float = HORIZON_YR) -> EvaluationSettings:  # fmt: skip
    """Settings with the district's first design-storm return period (or no storm run)."""
    period = district.targets.design_storm_return_periods_yr[0] if peak else None
    return EvaluationSettings(storm_return_period_yr=period, discount_rate=discount_rate, horizon_yr=horizon_yr)


def evaluate_design(
    district: District, space: DesignSpace, levels: Sequence[int], rain_depth_mm: pd.Series,
    settings: EvaluationSettings,
) -> dict[str, float]:  # fmt: skip
    """The optimiser's indicators of one design (see :data:`INDICATORS` for units)."""
    scenario = design_to_scenario(district, levels, space)
    continuous = simulate(district, scenario, rain_depth_mm, mode="continuous", routing=False)
    subs = sponge.subcatchment_table(district, continuous)
    units = sponge.lid_unit_table(continuous)
    ratios = ind.capture_ratio_by_scope(subs)
    target = district.targets.capture_ratio
    share = ind.share_meeting_target(subs.groupby("sub_area")["area_m2"].sum(), ratios["sub_area"], target)
    tss = ind.tss_load_reduction(subs["tss_load_kg"], subs["emc_mg_per_l"], units["treated_m3"].astype(float),
                                 units["subcatchment"], units["removal"].astype(float))  # fmt: skip
    peak = float("nan")
    if settings.storm_return_period_yr is not None:
        storm = sponge.design_storm_series(district, settings.storm_return_period_yr, settings.storm_factor)
        run = simulate(district, scenario, storm, mode="event", routing=True)
        flow = run.outfall_flow_m3_per_s.sum(axis=1)
        peak = float(flow.max()) if len(flow) else 0.0
    return {
        "capture_ratio": float(ratios["district"].iloc[0]),
        "share_of_area_meeting_target": float(share),
        "tss_reduction": float(tss.iloc[0]) if len(tss) else 0.0,
        "peak_flow_m3_per_s": peak,
        **design_costs(district, space, levels, settings),
    }


def design_costs(
    district: District, space: DesignSpace, levels: Sequence[int], settings: EvaluationSettings
) -> dict[str, float]:
    """A design's capital, annual O&M and whole-life cost [yuan, yuan/yr] and LID area [m²]: no SWMM."""
    quantities = costs.lid_quantities(place_measures(district, design_to_scenario(district, levels, space)))
    cost = whole_life_cost_yuan(quantities, rate=settings.discount_rate, years=settings.horizon_yr)
    return {
        "capital_cost_yuan": cost["capital"],
        "om_cost_yuan_per_yr": cost["om_per_yr"],
        "whole_life_cost_yuan": cost["whole_life"],
        "lid_area_m2": float(quantities["area_m2"].sum()) if len(quantities) else 0.0,
    }


def evaluation_key(
    district: District, space: DesignSpace, levels: Sequence[int], rain_depth_mm: pd.Series,
    settings: EvaluationSettings,
) -> str:  # fmt: skip
    """Hash of everything an evaluation depends on (the rainfall file by content)."""
    span = {"start": str(rain_depth_mm.index[0]), "end": str(rain_depth_mm.index[-1]), "steps": len(rain_depth_mm),
            "total_mm": round(float(rain_depth_mm.sum()), 6)}  # fmt: skip
    # The TSS target and the return periods of other storms do not change an evaluation.
    district_settings = district.model_dump(exclude={"folder": True, "scenarios": True, "wastewater": True,
                                                     "buildings": True, "targets": {"tss_reduction"}})  # fmt: skip
    return hash_inputs(
        "sponge-optimisation-evaluation-v1", district_settings, space, [int(v) for v in levels], span,
        asdict(settings), evaluation_versions(),
    )  # fmt: skip


EVALUATION_PACKAGES = ("stormwater", "district", "climate", "indicators", "optimise")
"""The ecocity packages an evaluation runs; their files' digest keys it (not the whole tree's)."""


@cache
def evaluation_versions() -> dict[str, str]:
    """The versions an evaluation depends on: the libraries, SWMM, and the digest of the code it runs.

    :func:`ecocity.store.versions` digests all of ecocity's source; an evaluation keeps that
    digest's intent (never reuse a result after the models or their data changed) but counts only
    the packages it runs, so that work on the other areas (buildings, wastewater, web, report)
    does not void a stored search.
    """
    found = {k: v for k, v in versions({"swmm": engine_version()}).items() if k != "ecocity_code"}
    root = Path(ecocity.__file__).parent
    digest = hashlib.sha256()
    for package in EVALUATION_PACKAGES:
        for path in sorted(p for p in (root / package).rglob("*")
                           if p.suffix in (".py", ".toml", ".csv", ".json") and "__pycache__" not in p.parts):
            digest.update(path.relative_to(root).as_posix().encode("utf-8"))
            digest.update(hashlib.sha256(path.read_bytes()).hexdigest().encode("ascii"))
    found["ecocity_code"] = "sponge:" + digest.hexdigest()[:16]
    return found


def as_area_result(levels: Sequence[int], values: dict[str, float], key: str) -> AreaResult:
    """An evaluation as a storable result (indicators; the levels in its figures)."""
    indicators = tuple(Indicator(name, float(values[name]), unit, source="SWMM, sponge optimisation")
                       for name, unit in INDICATORS.items())  # fmt: skip
    return AreaResult(AREA, f"design-{key[:12]}", indicators, {}, {"levels": [int(v) for v in levels]})


def values_of(result: AreaResult) -> dict[str, float]:
    """The indicator values of a stored evaluation."""
    return {item.name: float(item.value) for item in result.indicators if item.name in INDICATORS}


def find_evaluation(store: Store, key: str) -> dict[str, float] | None:
    """A stored evaluation's values, or None."""
    record = store.find(key, AREA)
    return None if record is None else values_of(store.load(record.id))


def save_evaluation(store: Store, district: District, levels: Sequence[int], values: dict[str, float],
                    key: str, wall_s: float) -> str:  # fmt: skip
    """Save an evaluation; returns the run id."""
    return store.save(as_area_result(levels, values, key), district=district.name, input_hash=key,
                      versions=evaluation_versions(), wall_time_s=wall_s)  # fmt: skip


def evaluate_task(
    district: District, space: DesignSpace, rain_depth_mm: pd.Series, settings: EvaluationSettings,
    levels: tuple[int, ...], key: str, store_path: str | None,
) -> tuple[dict[str, float], float, bool]:  # fmt: skip
    """Worker side: evaluate, save into the store at ``store_path`` when it can be opened.

    The first four arguments are the same for every design of a search (sent once per worker
    as ``run_tasks``' ``shared``).

    Returns the values, the wall time [s] and whether this worker saved the evaluation.
    """
    start = time.perf_counter()
    values = evaluate_design(district, space, levels, rain_depth_mm, settings)
    wall = time.perf_counter() - start
    saved = False
    if store_path is not None and Path(store_path).exists():
        try:
            with Store.open(store_path) as store:
                save_evaluation(store, district, levels, values, key, wall)
            saved = True
        except InputError:
            saved = False  # the search saves it instead
    return values, wall, saved
