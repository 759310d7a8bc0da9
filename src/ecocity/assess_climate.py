"""Today against a future climate: every scenario of a district again under climate scenarios.

For each climate scenario (:mod:`ecocity.climate.change`) every design scenario is simulated
once more, through :mod:`ecocity.compute` and the store like today's runs: the continuous run on
the delta-changed rainfall series, the design-storm runs on storms scaled by the climate factor
of their return period. A future run's input hash is today's hash plus the climate scenario, so
an unchanged future run is read from the store.

The results document gets a ``climate`` section (:func:`climate_section`): per climate scenario
its factors and sources, the rainfall and capture-ratio curve today and in the future, and per
design scenario every district indicator today and in the future, the change, whether it
degraded, and whether the design still meets its targets. See ``docs/methods/climate-change.md``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ecocity.climate.capture import capture_ratio_curve, daily_depth_mm, design_depth_mm
from ecocity.climate.change import ClimateScenario, climate_factor, climate_scenario, future_rainfall
from ecocity.climate.rainfall import check_rainfall, fill_gaps_with_zero
from ecocity.district import BASELINE, District, Scenario
from ecocity.indicators.records import AreaResult, Indicator
from ecocity.scenario_runs import stored_scenario_runs
from ecocity.store import Store, hash_inputs
from ecocity.stormwater import assess as sponge
from ecocity.stormwater.assess import years_of

Progress = Callable[[int, int], None]
STORE_FILE = "ecocity.db"

HIGHER_IS_BETTER = ("capture_ratio", "tss_reduction", "share_of_area_meeting_target",
                    "share_of_plot_area_meeting_target", "peak_flow_reduction_", "volume_reduction_",
                    "retained_volume_m3_per_yr")  # fmt: skip
LOWER_IS_BETTER = ("runoff_depth_mm_per_yr", "peak_flow_P", "outfall_volume_P", "flooded_nodes_pipe_storm",
                   "flood_volume_m3", "flooded_nodes", "cost_per_m3_retained_yuan")  # fmt: skip


def direction(name: str) -> str | None:
    """``">="`` where a larger value of indicator ``name`` is better, ``"<="`` where a smaller
    one is, None where neither (a cost that the climate does not change)."""
    if any(name == p or (p.endswith("_") and name.startswith(p)) for p in HIGHER_IS_BETTER):
        return ">="
    if any(name == p or (p.endswith("P") and name.startswith(p)) for p in LOWER_IS_BETTER):
        return "<="
    return None


def scenario_names(district: District, extra: Sequence[str] | None = None) -> list[str]:
    """The climate scenarios to assess: the district's ``[climate] scenarios`` then ``extra``,
    each once, in that order."""
    names: list[str] = []
    for name in (*district.climate.scenarios, *(extra or ())):
        if name not in names:
            names.append(name)
    return names


def future_input_hash(district: District, scenario: Scenario, rain: pd.Series, climate: ClimateScenario) -> str:
    """Hash of a future run: today's input hash (:func:`ecocity.assess.input_hash`) and the
    climate scenario (its factors, delta change and sources)."""
    from ecocity.assess import input_hash

    return hash_inputs(input_hash(district, scenario, rain), "climate", climate)


def future_series(rain_depth_mm: pd.Series, climate: ClimateScenario) -> pd.Series:
    """The long series under ``climate``; missing steps count as dry (as in today's run) and
    stay missing."""
    if check_rainfall(rain_depth_mm).gaps:
        return future_rainfall(fill_gaps_with_zero(rain_depth_mm), climate).reindex(rain_depth_mm.index)
    return future_rainfall(rain_depth_mm, climate)


def _future_task(district: District, scenario: Scenario, rain: pd.Series, climate: ClimateScenario
                 ) -> tuple[AreaResult, float]:  # fmt: skip
    start = time.perf_counter()
    result = sponge.assess(district, scenario, rain, climate)
    return result, time.perf_counter() - start


def run_future(
    district: District, rain: pd.Series, chosen: Sequence[Scenario], climate: ClimateScenario, store: Store, *,
    use_cache: bool = True, workers: int | None = None, dask_address: str | None = None,
    progress: Progress | None = None,
) -> tuple[dict[str, AreaResult], dict[str, str], set[str], pd.Series]:  # fmt: skip
    """Every scenario in ``chosen`` under ``climate``, read from ``store`` where unchanged.

    Returns the results and run ids by scenario name, the names read from the store, and the
    future rainfall series.
    """
    future = future_series(rain, climate)
    hashes = {s.name: future_input_hash(district, s, rain, climate) for s in chosen}
    results, run_ids, todo = stored_scenario_runs(
        store, district, chosen, hashes, _future_task, lambda s: (district, s, future, climate),
        lambda s: f"{s.name} @ {climate.name}", use_cache=use_cache, workers=workers,
        dask_address=dask_address, progress=progress,
    )  # fmt: skip
    cached = {s.name for s in chosen} - {s.name for s in todo}
    return {s.name: results[s.name] for s in chosen}, run_ids, cached, future


def _district_indicators(result: AreaResult, extra: Sequence[Indicator]) -> dict[str, Indicator]:
    return {i.name: i for i in (*result.indicators, *extra) if i.scope == "district"}


def _finite(value: float | None) -> float | None:
    return None if value is None or not np.isfinite(value) else float(value)


def indicator_rows(today: dict[str, Indicator], future: dict[str, Indicator]) -> list[dict[str, Any]]:
    """One row per district indicator: today, future, change, whether it degraded, targets."""
    rows = []
    for name, now in today.items():
        then = future.get(name)
        a, b = _finite(now.value), None if then is None else _finite(then.value)
        change = None if a is None or b is None else b - a
        sense = direction(name)
        tolerance = 1e-9 * max(abs(a or 0.0), 1.0)
        degraded = None
        if change is not None and sense is not None:
            degraded = bool(change < -tolerance) if sense == ">=" else bool(change > tolerance)
        rows.append({
            "name": name, "unit": now.unit, "target": now.target, "direction": sense,
            "today": a, "future": b, "change": change,
            "relative_change": None if change is None or not a else change / abs(a),
            "degraded": degraded,
            "passed_today": now.passed, "passed_future": None if then is None else then.passed,
        })  # fmt: skip
    return rows


def _meets(rows: list[dict[str, Any]], key: str) -> bool | None:
    checked = [row[key] for row in rows if row[key] is not None]
    return all(checked) if checked else None


def _storm_periods(district: District) -> list[float]:
    targets = district.targets
    periods = set(targets.design_storm_return_periods_yr)
    if district.network_inp is not None:
        periods |= {targets.pipe_return_period_yr, targets.waterlogging_return_period_yr}
    return sorted(periods)


def _curve(rain: pd.Series, target: float) -> dict[str, Any]:
    daily = daily_depth_mm(rain.dropna())
    curve = capture_ratio_curve(daily)
    return {"depth_mm": curve["depth_mm"].round(3).tolist(), "capture_ratio": curve["capture_ratio"].round(5).tolist(),
            "design_depth_mm": float(design_depth_mm(daily, target))}  # fmt: skip


def scenario_section(
    district: District, rain: pd.Series, future_rain: pd.Series, climate: ClimateScenario,
    today: dict[str, AreaResult], future: dict[str, AreaResult], run_ids: dict[str, str], cached: set[str],
) -> dict[str, Any]:  # fmt: skip
    """The ``climate`` entry of one climate scenario (see :func:`climate_section`)."""
    years = years_of(rain)
    target = district.targets.capture_ratio
    designs = []
    for name, now in today.items():
        then = future[name]
        extra_now = extra_then = ()
        if name != BASELINE.name:
            extra_now = sponge.compare_to_baseline(district, today[BASELINE.name], now)
            extra_then = sponge.compare_to_baseline(district, future[BASELINE.name], then)
        rows = indicator_rows(_district_indicators(now, extra_now), _district_indicators(then, extra_then))
        designs.append({"name": name, "run_id": run_ids[name], "cached": name in cached, "indicators": rows,
                        "meets_targets_today": _meets(rows, "passed_today"),
                        "meets_targets_future": _meets(rows, "passed_future")})  # fmt: skip
    delta = climate.delta_change
    return {
        "name": climate.name, "title": climate.title, "horizon_yr": climate.horizon_yr,
        "source": climate.source, "clause": climate.clause, "confidence": climate.confidence,
        "storm_factors": [{"return_period_yr": p, "factor": climate_factor(climate, p)} for p in _storm_periods(district)],
        "delta_change": {"quantiles": list(delta.quantiles), "factors": list(delta.factors),
                         "min_inter_event_h": delta.min_inter_event_h, "source": delta.source,
                         "confidence": delta.confidence,
                         "monthly_factors": None if delta.monthly_factors is None else list(delta.monthly_factors)},
        "rainfall": {"annual_mean_mm_today": float(rain.sum()) / years,
                     "annual_mean_mm_future": float(future_rain.sum()) / years},
        "capture_curve": {"today": _curve(rain, target), "future": _curve(future_rain, target), "target": target},
        "designs": designs,
    }  # fmt: skip


def climate_section(
    district: District, rain: pd.Series, chosen: Sequence[Scenario], today: dict[str, AreaResult],
    names: Sequence[str], out_dir: str | Path, *, use_cache: bool = True, workers: int | None = None,
    dask_address: str | None = None, progress: Progress | None = None, store: str | Path | Store | None = None,
) -> dict[str, Any]:  # fmt: skip
    """The results document's ``climate`` section: every scenario today and under each climate.

    Parameters
    ----------
    district, rain, chosen, today
        The district, today's rainfall series, the design scenarios (baseline first) and their
        results today.
    names
        Climate scenarios (:func:`~ecocity.climate.change.climate_scenario` names; a relative
        scenario file is taken from the district folder).
    out_dir
        Folder of the store ``ecocity.db``.
    store
        The run store instead: an open :class:`~ecocity.store.Store` (left open) or a path/URL,
        as :func:`ecocity.assess.assess_district` takes it.

    Returns
    -------
    dict
        ``{"scenarios": [...]}``, one entry per climate scenario with ``name``, ``title``,
        ``horizon_yr``, ``source``, ``clause``, ``confidence``, ``storm_factors`` (per return
        period simulated), ``delta_change``, ``rainfall`` (annual means today and future
        [mm/yr]), ``capture_curve`` (today and future, with design depths [mm]) and ``designs``:
        per design scenario its future ``run_id``, ``cached``, ``indicators`` (rows of
        :func:`indicator_rows`), ``meets_targets_today`` and ``meets_targets_future``.
    """
    climates = [climate_scenario(name, folder=district.folder) for name in names]
    entries = []
    with _open_store(store, Path(out_dir)) as run_store:
        for climate in climates:
            future, run_ids, cached, future_rain = run_future(
                district, rain, chosen, climate, run_store, use_cache=use_cache, workers=workers,
                dask_address=dask_address, progress=progress,
            )  # fmt: skip
            entries.append(scenario_section(district, rain, future_rain, climate, dict(today), future, run_ids, cached))
    return {"scenarios": entries}


def _open_store(store: str | Path | Store | None, out_dir: Path) -> AbstractContextManager[Store]:
    if isinstance(store, Store):
        return nullcontext(store)
    return Store.open(out_dir / STORE_FILE if store is None else store)


__all__ = ["climate_section", "direction", "future_input_hash", "future_series", "indicator_rows", "run_future",
           "scenario_names", "scenario_section"]  # fmt: skip
