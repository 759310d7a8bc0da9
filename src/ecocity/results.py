"""The results document (``results.json``) of a sponge-city assessment.

Plain JSON-able data: the district, the capture-ratio curve of its rainfall, and per scenario
the indicators, the annual water balance, costs, design-storm hydrographs, flooding and the
map data. The report (:mod:`ecocity.report`) and the dashboard read only this document.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from ecocity import __version__
from ecocity.climate.idf import resolve_idf
from ecocity.district import District, Measure, Scenario
from ecocity.indicators.records import AreaResult, Indicator
from ecocity.stormwater import indicators as ind
from ecocity.stormwater.assess import design_storm_series, years_of
from ecocity.stormwater.catalogue import load_lid

_CONFIDENCE = {"verified": "V", "secondary": "S1", "judgement": "assumed"}


def _finite(value: Any) -> Any:
    """NaN and infinities become None (JSON has no NaN)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _indicator(item: Indicator) -> dict[str, Any]:
    return {k: _finite(v) for k, v in item.to_dict().items()}


def describe_measure(measure: Measure) -> str:
    """A measure's placement in words, e.g. "40 % of roof, all subcatchments"."""
    if measure.area_m2 is not None:
        size = f"{measure.area_m2:g} m² on {measure.on}"
    elif measure.share_of_cover is not None:
        size = f"{measure.share_of_cover:.0%} of {measure.on}"
    else:
        size = (f"treats {measure.treated_share:.0%} of the impervious area, "
                f"facility {measure.surface_ratio:.0%} of the treated area, on {measure.on}")
    where = (", ".join(measure.subcatchments) if measure.subcatchments
             else "sub-areas " + ", ".join(measure.sub_areas) if measure.sub_areas
             else "all subcatchments")  # fmt: skip
    return f"{size}; {where}"


def _water_balance_mm(result: AreaResult, years: float) -> dict[str, float]:
    table = result.series["water_balance"].set_index("component")["depth_mm"]
    names = ("rainfall", "runoff", "infiltration", "evaporation", "storage_change")
    return {name: float(table[name]) / years for name in names}


def _lid_water_balance(result: AreaResult, years: float) -> list[dict[str, Any]]:
    """Per LID type: area and the annual water balance of its units. [m²], [m³/yr]"""
    units = result.series["lid_units"]
    if units.empty:
        return []
    columns = ["inflow_m3", "evaporation_m3", "infiltration_m3", "surface_outflow_m3", "drain_outflow_m3",
               "storage_change_m3"]  # fmt: skip
    totals = units.groupby("lid", sort=False)[["area_m2", *columns]].sum()
    rows = []
    for lid, row in totals.iterrows():
        item = {"lid": lid, "area_m2": float(row["area_m2"])}
        item.update({f"{c[:-3]}_m3_per_yr": float(row[c]) / years for c in columns})
        rows.append(item)
    return rows


def _cost(result: AreaResult, extra: dict[str, Indicator]) -> dict[str, Any]:
    capital = result.figures["capital_cost_yuan"]
    by_lid = result.series["costs"]
    per_m3 = extra.get("cost_per_m3_retained_yuan")
    return {
        "capital_yuan_low": capital["low"],
        "capital_yuan_high": capital["high"],
        "capital_yuan_mid": capital["mid"],
        "per_m3_retained_yuan": None if per_m3 is None else _finite(per_m3.value),
        "by_lid": [
            {"lid": r.lid, "quantity": float(r.quantity), "unit": r.unit, "area_m2": float(r.area_m2),
             "yuan_low": _finite(float(r.yuan_low)), "yuan_high": _finite(float(r.yuan_high))}
            for r in by_lid.itertuples()
        ],
    }  # fmt: skip


def _design_storms(result: AreaResult) -> list[dict[str, Any]]:
    storms = []
    for storm in result.figures["design_storms"]:
        series = result.series[f"design_storm_P{storm['return_period_yr']:g}"]
        storms.append({
            "return_period_yr": storm["return_period_yr"],
            "outfall_time_min": series["time_min"].round(3).tolist(),
            "outfall_flow_m3_per_s": series["flow_m3_per_s"].round(5).tolist(),
            "peak_m3_per_s": storm["peak_m3_per_s"],
            "volume_m3": storm["volume_m3"],
        })  # fmt: skip
    return storms


def _flooding(result: AreaResult) -> dict[str, Any] | None:
    if not result.figures.get("flooding"):
        return None
    nodes = result.series.get("flooding", pd.DataFrame(columns=["node", "volume_m3", "hours"]))
    return {
        "return_period_yr": result.figures["flooding"]["return_period_yr"],
        "nodes": [{"node": str(r.node), "volume_m3": float(r.volume_m3), "hours": float(r.hours)}
                  for r in nodes.sort_values("volume_m3", ascending=False).itertuples()],
    }  # fmt: skip


def _scenario(
    scenario: Scenario, result: AreaResult, extra: tuple[Indicator, ...], run_id: str, cached: bool, years: float
) -> dict[str, Any]:
    units = result.series["lid_units"]
    by_name = {i.name: i for i in extra if i.scope == "district"}
    subs = result.series["subcatchments"]
    return {
        "name": scenario.name,
        "description": scenario.description,
        "run_id": run_id,
        "cached": cached,
        "measures": [
            {"lid": m.lid, "where": describe_measure(m),
             "area_m2": float(units.loc[units["measure_index"] == k, "area_m2"].sum()) if len(units) else 0.0}
            for k, m in enumerate(scenario.measures)
        ],  # fmt: skip
        "indicators": [_indicator(i) for i in (*result.indicators, *extra)],
        "water_balance_mm": _water_balance_mm(result, years),
        "lid_water_balance": _lid_water_balance(result, years),
        "cost": _cost(result, by_name),
        "subcatchment_capture_ratio": {r.id: _finite(float(r.capture_ratio)) for r in subs.itertuples()},
        "design_storms": _design_storms(result),
        "flooding": _flooding(result),
    }


def _map(district: District, results: dict[str, AreaResult]) -> dict[str, Any]:
    lids: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for name, result in results.items():
        for row in result.series["lid_units"].itertuples():
            lids.setdefault(row.subcatchment, {}).setdefault(name, []).append(
                {"lid": row.lid, "area_m2": float(row.area_m2)})
    return {
        "crs": district.crs,
        "subcatchments": [
            {"id": s.id, "sub_area": s.sub_area, "polygon": [list(p) for p in s.polygon],
             "lids": lids.get(s.id, {})}
            for s in district.subcatchments
        ],
    }  # fmt: skip


def _sources(district: District, results: dict[str, AreaResult]) -> list[dict[str, str]]:
    idf = resolve_idf(district.climate.idf)
    rows = [{"item": f"storm-intensity formula {idf.name}", "value": f"A={idf.A:g}, C={idf.C:g}, b={idf.b:g}, n={idf.n:g}",
             "source": f"{idf.source} {idf.clause}".strip(), "confidence": idf.confidence}]  # fmt: skip
    rows.append({"item": "Chicago storm peak ratio", "value": f"{district.climate.peak_ratio:g}",
                 "source": "Beijing statistic of 57 storms (Autodesk InfoDrainage 'Chinese Rainfall' table)",
                 "confidence": "V" if district.climate.peak_ratio == 0.355 else "user"})  # fmt: skip
    rows += ind.cited_constants()
    used = sorted({lid for r in results.values() for lid in r.series["lid_units"]["lid"]})
    for name in used:
        design = load_lid(name)
        if design.ss_removal_range is not None:
            low, high = design.ss_removal_range
            rows.append({"item": f"SS removal, {name}", "value": f"{design.ss_removal:.3f} ({low:g}-{high:g})",
                         "source": f"Technical Guide 2014 Table 4-1: {design.ss_removal_row}", "confidence": "V"})
        if design.cost is not None:
            rows.append({"item": f"unit cost, {name}", "value": f"{design.cost.low:g}-{design.cost.high:g} {design.cost.unit}",
                         "source": f"Technical Guide 2014 Table F3-1: {design.cost.row}", "confidence": "V"})
        for layer, params in design.layers.items():
            for key, param in params.items():
                if param.value is not None:
                    rows.append({"item": f"{name} {layer}.{key}", "value": f"{param.value:g}",
                                 "source": param.source, "confidence": _CONFIDENCE.get(param.confidence, param.confidence)})
    return rows


def results_document(
    district: District,
    rain: pd.Series,
    scenarios: list[Scenario],
    results: dict[str, AreaResult],
    comparisons: dict[str, tuple[Indicator, ...]],
    run_ids: dict[str, str],
    *,
    cached: set[str],
    curve: pd.DataFrame,
    design_depth_mm: float,
    created_utc: str,
) -> dict[str, Any]:
    """Assemble the results document (see ``docs/report.md`` for its fields)."""
    years = years_of(rain)
    step_min = (rain.index[1] - rain.index[0]) / pd.Timedelta(minutes=1)
    first_period = district.targets.design_storm_return_periods_yr[0]
    storm = design_storm_series(district, first_period)
    idf = resolve_idf(district.climate.idf)
    source = str(rain.attrs.get("source", district.climate.rainfall))
    synthetic = bool(rain.attrs.get("synthetic", False)) or "synthetic" in source.lower()
    baseline = results[scenarios[0].name]
    return {
        "ecocity_version": __version__,
        "created_utc": created_utc,
        "engine": dict(baseline.figures["engine"]),
        "district": {
            "name": district.name,
            "crs": district.crs,
            "area_m2": district.area_m2,
            "n_subcatchments": len(district.subcatchments),
            "targets": district.targets.model_dump(mode="json"),
            "rainfall": {
                "file": district.climate.rainfall.name,
                "synthetic": synthetic,
                "years": years,
                "step_min": step_min,
                "annual_mean_mm": float(rain.sum()) / years,
                "start": str(rain.index[0]),
                "end": str(rain.index[-1]),
            },
        },
        "capture_curve": {
            "depth_mm": curve["depth_mm"].round(3).tolist(),
            "capture_ratio": curve["capture_ratio"].round(5).tolist(),
            "design_depth_mm": design_depth_mm,
            "target": district.targets.capture_ratio,
        },
        "scenarios": [
            _scenario(s, results[s.name], comparisons.get(s.name, ()), run_ids[s.name], s.name in cached, years)
            for s in scenarios
        ],
        "design_storm": {
            "name": idf.title or idf.name,
            "return_period_yr": first_period,
            "duration_min": district.targets.design_storm_duration_min,
            "step_min": district.targets.design_storm_step_min,
            "peak_ratio": district.climate.peak_ratio,
            "time_min": ((storm.index - storm.index[0]) / pd.Timedelta(minutes=1)).tolist(),
            "depth_mm": storm.round(4).tolist(),
        },
        "map": _map(district, results),
        "sources": _sources(district, results),
    }


def wastewater_section(result: AreaResult, run_id: str, *, cached: bool) -> dict[str, Any]:
    """The plant section of the results document: the run's JSON summary with its run id and
    indicators. BSM1 (``plant`` a layout's name): effluent, BSM1 criteria, compliance per
    standard, energy per m³. Plant-wide BSM2 (``plant == "bsm2"``): effluent, BSM2 criteria,
    compliance, ``digester``, ``energy`` (the biogas balance with self-sufficiency), ``ghg``,
    ``notes`` and the cited ``sources`` (:mod:`ecocity.wastewater.plantwide`)."""
    return {
        **result.figures["plant"],
        "run_id": run_id,
        "cached": cached,
        "indicators": [_indicator(i) for i in result.indicators],
    }
