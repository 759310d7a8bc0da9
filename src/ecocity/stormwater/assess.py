"""The sponge-city area's interface: ``assess(district, scenario, rain) -> AreaResult``.

One scenario is simulated on the SWMM engine:

1. a continuous run over the whole rainfall series (runoff only, no routing) gives each
   subcatchment's rainfall and runoff volumes and each LID unit's water balance, from which the
   annual runoff volume capture ratios follow (GB/T 51345-2018 evaluation item 1);
2. event runs with Chicago design storms of the district's return periods give the outfall
   hydrographs (peak flow, runoff volume);
3. with a drainage network, an event run with the waterlogging design storm gives the flooded
   nodes, their flood volume and duration;
4. the measures' quantities give the capital cost (Guide Table F3-1).

Indicators that need the baseline (TSS load reduction, peak and volume reductions, cost per m³
retained) come from :func:`compare_to_baseline`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ecocity.climate.change import ClimateScenario, climate_factor, scale_design_storm
from ecocity.climate.idf import resolve_idf
from ecocity.climate.storms import chicago_storm
from ecocity.district.model import District, Scenario
from ecocity.indicators.records import AreaResult, Indicator
from ecocity.stormwater import costs
from ecocity.stormwater import indicators as ind
from ecocity.stormwater.catalogue import load_lid
from ecocity.stormwater.placement import place_measures
from ecocity.stormwater.result import SwmmResult
from ecocity.stormwater.simulation import simulate

AREA = "stormwater"
STORM_START = pd.Timestamp("2000-07-15 00:00")  # arbitrary date for design-storm runs
GUIDE = "海绵城市建设技术指南 (2014)"
GBT = "GB/T 51345-2018"


def years_of(rain_depth_mm: pd.Series) -> float:
    """Length of a rainfall series in years of 365.25 days. [yr]"""
    index = pd.DatetimeIndex(rain_depth_mm.index)
    step = index[1] - index[0]
    return (index[-1] - index[0] + step) / pd.Timedelta(days=365.25)


def design_storm_series(district: District, return_period_yr: float, factor: float = 1.0) -> pd.Series:
    """The district's Chicago design storm as a ``depth_mm`` series from :data:`STORM_START`;
    ``factor`` is a climate factor on its intensities (:func:`~ecocity.climate.change.scale_design_storm`)."""
    targets, climate = district.targets, district.climate
    storm = chicago_storm(
        resolve_idf(climate.idf), return_period_yr, targets.design_storm_duration_min,
        targets.design_storm_step_min, climate.peak_ratio,
    )  # fmt: skip
    if factor != 1.0:
        storm = scale_design_storm(storm, factor)
    index = STORM_START + pd.to_timedelta(storm["time_min"], unit="min")
    return pd.Series(storm["depth_mm"].to_numpy(), index=pd.DatetimeIndex(index), name="depth_mm")


def assess(
    district: District, scenario: Scenario, rain_depth_mm: pd.Series, climate: ClimateScenario | None = None
) -> AreaResult:
    """Simulate one scenario and return its indicators, series and figure data.

    With ``climate`` every design storm is scaled by the scenario's climate factor for its
    return period (``rain_depth_mm`` is used as given: pass the future series,
    :func:`~ecocity.climate.change.future_rainfall`, for the continuous run).
    """

    def storm(period: float) -> pd.Series:
        return design_storm_series(district, period, 1.0 if climate is None else climate_factor(climate, period))

    continuous = simulate(district, scenario, rain_depth_mm, mode="continuous", routing=False)
    years = years_of(rain_depth_mm)
    subs = subcatchment_table(district, continuous)
    units = lid_unit_table(continuous)
    quantities = costs.lid_quantities(place_measures(district, scenario))
    capital = costs.capital_cost_yuan(quantities)

    indicators = list(_capture_indicators(district, subs))
    indicators += _tss_indicators(district, subs, units)
    indicators.append(Indicator("runoff_depth_mm_per_yr", continuous.depth_mm("runoff") / years, "mm/yr",
                                source="SWMM"))
    indicators.append(Indicator("capital_cost_yuan", capital["mid"], "yuan", source=f"{GUIDE}, Table F3-1"))

    storms, storm_series = [], {}
    for period in district.targets.design_storm_return_periods_yr:
        run = simulate(district, scenario, storm(period), mode="event", routing=True)
        flow = run.outfall_flow_m3_per_s.sum(axis=1)
        peak, volume = float(flow.max()) if len(flow) else 0.0, _volume_m3(flow)
        tag = f"P{period:g}"
        indicators.append(Indicator(f"peak_flow_{tag}", peak, "m3/s", source="SWMM, Chicago storm"))
        indicators.append(Indicator(f"outfall_volume_{tag}", volume, "m3", source="SWMM, Chicago storm"))
        minutes = (flow.index - STORM_START) / pd.Timedelta(minutes=1)
        storm_series[f"design_storm_{tag}"] = pd.DataFrame({"time_min": minutes, "flow_m3_per_s": flow.to_numpy()})
        storms.append({"return_period_yr": period, "peak_m3_per_s": peak, "volume_m3": volume})

    flooding = None
    if district.network_inp is not None:
        pipe_period = district.targets.pipe_return_period_yr
        run = simulate(district, scenario, storm(pipe_period), mode="event", routing=True)
        surcharged = int((run.flooding["volume_m3"] > 0.0).sum())
        indicators.append(Indicator(
            "flooded_nodes_pipe_storm", float(surcharged), "nodes", target=0.0, passed=surcharged == 0,
            source=f"SWMM, {pipe_period:g}-yr Chicago storm: the pipe design standard holds where no node floods",
        ))  # fmt: skip
        period = district.targets.waterlogging_return_period_yr
        run = simulate(district, scenario, storm(period), mode="event", routing=True)
        flooded = run.flooding[run.flooding["volume_m3"] > 0.0]
        indicators.append(Indicator("flood_volume_m3", float(flooded["volume_m3"].sum()), "m3",
                                    source=f"SWMM, {period:g}-yr Chicago storm"))
        indicators.append(Indicator("flooded_nodes", float(len(flooded)), "nodes",
                                    source=f"SWMM, {period:g}-yr Chicago storm"))
        storm_series["flooding"] = flooded.reset_index()
        flooding = {"return_period_yr": period}

    series = {
        "subcatchments": subs.reset_index(),
        "lid_units": units,
        "water_balance": continuous.totals.reset_index(names="component"),
        "costs": quantities,
        **storm_series,
    }
    figures = {
        "years": years,
        "engine": {"swmm": continuous.engine_version},
        "continuity_error_pct": continuous.runoff_continuity_error_pct,
        "design_storms": storms,
        "flooding": flooding,
        "capital_cost_yuan": capital,
        **({} if climate is None else {"climate_scenario": climate.name}),
    }
    return AreaResult(AREA, scenario.name, tuple(indicators), series, figures)


def _discharged_m3(subs: pd.DataFrame) -> float:
    """Runoff leaving the subcatchments for the drainage network (not onto another one). [m³]"""
    to_network = ~subs["outlet"].isin(subs.index)
    return float(subs.loc[to_network, "runoff_m3"].sum())


def _volume_m3(flow_m3_per_s: pd.Series) -> float:
    if len(flow_m3_per_s) < 2:
        return 0.0
    step_s = (flow_m3_per_s.index[1] - flow_m3_per_s.index[0]).total_seconds()
    return float(flow_m3_per_s.sum() * step_s)


def subcatchment_table(district: District, result: SwmmResult) -> pd.DataFrame:
    """Per subcatchment: area, rainfall and runoff volumes, capture ratio, TSS load and EMC."""
    subs = result.subcatchments
    info = pd.DataFrame(
        {
            "outlet": [s.outlet for s in district.subcatchments],
            "sub_area": [s.sub_area for s in district.subcatchments],
        },
        index=pd.Index([s.id for s in district.subcatchments], name="id"),
    )
    table = info.join(subs[["area_m2", "rainfall_mm", "runoff_m3"]], how="left")
    table["rainfall_m3"] = table.pop("rainfall_mm") * table["area_m2"] / 1000.0
    covers = pd.Series([s.land_cover for s in district.subcatchments], index=table.index)
    table["tss_load_kg"], table["emc_mg_per_l"] = ind.tss_load_kg(table["rainfall_m3"], covers)
    table["capture_ratio"] = ind.subcatchment_capture_ratio(table["rainfall_m3"], table["runoff_m3"], table["outlet"])
    return table


LID_BALANCE = ("inflow", "evaporation", "infiltration", "surface_outflow", "drain_outflow")
LID_COLUMNS = ["subcatchment", "lid", "measure_index", "area_m2", *(f"{c}_m3" for c in LID_BALANCE),
               "storage_change_m3", "treated_m3", "removal"]  # fmt: skip


def lid_unit_table(result: SwmmResult) -> pd.DataFrame:
    """Per LID unit: plan area, water balance volumes, treated volume and SS removal.

    Volumes [m³] over the run: inflow (run-on and rain), evaporation, infiltration into the
    native soil, surface outflow (overflow, untreated), drain outflow, storage change; treated =
    inflow − surface outflow; removal: the Guide's SS removal rate of the LID type [-].
    """
    units = result.lid_units.reset_index()
    if units.empty:
        return pd.DataFrame(columns=LID_COLUMNS)
    scale = units["area_m2"] / 1000.0
    removal = {name: load_lid(name).ss_removal for name in units["lid"].unique()}
    table = units[["subcatchment", "lid", "measure_index", "area_m2"]].copy()
    for component in LID_BALANCE:
        table[f"{component}_m3"] = units[f"{component}_mm"] * scale
    table["storage_change_m3"] = (units["final_storage_mm"] - units["initial_storage_mm"]) * scale
    table["treated_m3"] = (units["inflow_mm"] - units["surface_outflow_mm"]).clip(lower=0.0) * scale
    table["removal"] = units["lid"].map(removal).astype(float).fillna(0.0)
    return table[LID_COLUMNS]


def _capture_indicators(district: District, subs: pd.DataFrame):
    target = district.targets.capture_ratio
    source = f"{GBT}; continuous SWMM simulation"
    ratios = ind.capture_ratio_by_scope(subs)
    for scope, values in (("district", ratios["district"]), ("sub_area", ratios["sub_area"]),
                          ("subcatchment", ratios["subcatchment"])):  # fmt: skip
        for key, value in values.items():
            name = "district" if scope == "district" else f"{scope}:{key}"
            yield _against(name, "capture_ratio", float(value), target, source)
    sub_area_area = subs.groupby("sub_area")["area_m2"].sum()
    share = ind.share_meeting_target(sub_area_area, ratios["sub_area"], target)
    yield Indicator("share_of_area_meeting_target", share, "-", "district", None, None,
                    f"{GBT}: share of the built-up area (by drainage sub-area) meeting the capture target")
    share_plots = ind.share_meeting_target(subs["area_m2"], ratios["subcatchment"], target)
    yield Indicator("share_of_plot_area_meeting_target", share_plots, "-", "district", None, None,
                    f"{GBT}: by subcatchment (plot)")


def _tss_indicators(district: District, subs: pd.DataFrame, units: pd.DataFrame) -> list[Indicator]:
    """TSS load reduction per sub-area and for the district (Guide §4.3, Table 4-1)."""
    out = []
    target = district.targets.tss_reduction
    source = f"{GUIDE} §4.3 and Table 4-1; EMC by land cover"
    for scope, group in (("district", None), ("sub_area", subs["sub_area"])):
        values = ind.tss_load_reduction(
            subs["tss_load_kg"], subs["emc_mg_per_l"], units["treated_m3"].astype(float),
            units["subcatchment"], units["removal"].astype(float), group,
        )  # fmt: skip
        for key, value in values.items():
            name = "district" if scope == "district" else f"sub_area:{key}"
            out.append(_against(name, "tss_reduction", float(value), target, source))
    return out


def _against(scope: str, name: str, value: float, target: float | None, source: str) -> Indicator:
    passed = None if target is None or not np.isfinite(value) else bool(value >= target)
    return Indicator(name, value, "-", scope, target, passed, source)


def compare_to_baseline(district: District, baseline: AreaResult, scenario: AreaResult) -> tuple[Indicator, ...]:
    """Indicators of ``scenario`` that need the baseline run.

    Peak flow and outfall volume reductions per design storm, the additional runoff retained
    per year and the capital cost per m³ of it.
    """
    out: list[Indicator] = []
    base_subs = baseline.series["subcatchments"].set_index("id")
    subs = scenario.series["subcatchments"].set_index("id")
    for period in district.targets.design_storm_return_periods_yr:
        tag = f"P{period:g}"
        for what, name in (("peak_flow", "peak_flow_reduction"), ("outfall_volume", "volume_reduction")):
            base_value = baseline.indicator(f"{what}_{tag}").value
            value = ind.reduction(base_value, scenario.indicator(f"{what}_{tag}").value)
            out.append(Indicator(f"{name}_{tag}", float(value), "-", source=f"SWMM, {period:g}-yr Chicago storm"))
    years = scenario.figures["years"]
    retained_m3_per_yr = (_discharged_m3(base_subs) - _discharged_m3(subs)) / years
    capital = scenario.indicator("capital_cost_yuan").value
    out.append(Indicator("retained_volume_m3_per_yr", retained_m3_per_yr, "m3/yr", source="SWMM, against baseline"))
    out.append(Indicator("cost_per_m3_retained_yuan", costs.cost_per_m3_retained(capital, retained_m3_per_yr),
                         "yuan/(m3/yr)", source=f"{GUIDE}, Table F3-1; SWMM"))
    return tuple(out)
