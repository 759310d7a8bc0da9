"""The sponge-city area's orchestrator and costs, on the small fixture district.

Unit costs: Technical Guide (2014) Table F3-1: green roof 100-300 yuan/m², permeable paving
60-200 yuan/m², bioretention 150-800 yuan/m².
"""

from pathlib import Path

import pandas as pd
import pytest

from ecocity.climate.rainfall import read_rainfall
from ecocity.district import BASELINE, load_district
from ecocity.stormwater.assess import assess, compare_to_baseline, design_storm_series
from ecocity.stormwater.catalogue import lid_type_names
from ecocity.stormwater.costs import capital_cost_yuan, cost_per_m3_retained, lid_quantities
from ecocity.stormwater.placement import place_measures

SMALL = Path(__file__).parents[1] / "data" / "districts" / "small"


@pytest.fixture(scope="module")
def district():
    return load_district(SMALL, lid_types=lid_type_names())


@pytest.fixture(scope="module")
def runs(district):
    rain = read_rainfall(district.climate.rainfall)
    base = assess(district, BASELINE, rain)
    return base, {s.name: assess(district, s, rain) for s in district.scenarios}


def test_costs_are_guide_unit_costs_times_area(district):
    scenario = district.scenario("green-roofs")
    quantities = lid_quantities(place_measures(district, scenario)).set_index("lid")
    area = quantities.loc["green_roof", "area_m2"]
    assert quantities.loc["green_roof", "unit"] == "m2"
    assert quantities.loc["green_roof", "yuan_low"] == pytest.approx(100.0 * area)
    assert quantities.loc["green_roof", "yuan_high"] == pytest.approx(300.0 * area)
    total = capital_cost_yuan(quantities.reset_index())
    assert total["mid"] == pytest.approx(200.0 * area)


def test_cost_per_m3_retained():
    assert cost_per_m3_retained(1000.0, 50.0) == pytest.approx(20.0)
    assert pd.isna(cost_per_m3_retained(1000.0, 0.0))


def test_design_storm_series_holds_the_formula_depth(district):
    from ecocity.climate.idf import depth_mm, resolve_idf

    storm = design_storm_series(district, 2.0)
    expected = depth_mm(resolve_idf(district.climate.idf), 2.0, district.targets.design_storm_duration_min)
    assert storm.sum() == pytest.approx(float(expected), rel=1e-9)


def test_lids_raise_the_capture_ratio_and_cut_peaks(runs):
    base, scenarios = runs
    # bioretention and permeable paving store water: the capture ratio rises even on two days
    assert scenarios["sponge mix"].indicator("capture_ratio").value > base.indicator("capture_ratio").value
    # a green roof starting at field capacity stores little in a two-day record, but it
    # attenuates the design-storm peak
    for result in scenarios.values():
        assert result.indicator("peak_flow_P2").value < base.indicator("peak_flow_P2").value


def test_baseline_has_no_cost_and_scenarios_do(runs):
    base, scenarios = runs
    assert base.indicator("capital_cost_yuan").value == 0.0
    assert all(r.indicator("capital_cost_yuan").value > 0.0 for r in scenarios.values())


def test_capture_ratio_agrees_with_the_district_water_balance(runs):
    base, _ = runs
    subs = base.series["subcatchments"].set_index("id")
    to_network = ~subs["outlet"].isin(subs.index)
    expected = 1.0 - subs.loc[to_network, "runoff_m3"].sum() / subs["rainfall_m3"].sum()
    assert base.indicator("capture_ratio").value == pytest.approx(expected, rel=1e-12)
    balance = base.series["water_balance"].set_index("component")
    assert subs["rainfall_m3"].sum() == pytest.approx(balance.loc["rainfall", "volume_m3"], rel=1e-3)


def test_comparison_gives_reductions_in_range(district, runs):
    base, scenarios = runs
    for result in scenarios.values():
        extra = {(i.name, i.scope): i for i in compare_to_baseline(district, base, result)}
        assert 0.0 < extra[("peak_flow_reduction_P2", "district")].value < 1.0
    mix = {(i.name, i.scope): i for i in compare_to_baseline(district, base, scenarios["sponge mix"])}
    assert mix[("retained_volume_m3_per_yr", "district")].value > 0.0
    assert mix[("cost_per_m3_retained_yuan", "district")].value > 0.0


def test_tss_reduction_is_the_guide_sum_over_the_lid_units(district, runs):
    # Guide §4.3: sum over facilities of removal x EMC x treated volume, over the load
    # EMC x phi x rainfall of all subcatchments (checked against the stored series by hand)
    base, scenarios = runs
    assert base.indicator("tss_reduction").value == 0.0
    for result in scenarios.values():
        subs = result.series["subcatchments"].set_index("id")
        units = result.series["lid_units"]
        removed = sum(u.removal * subs.loc[u.subcatchment, "emc_mg_per_l"] * u.treated_m3 * 1e-3
                      for u in units.itertuples())
        expected = removed / subs["tss_load_kg"].sum()
        tss = result.indicator("tss_reduction")
        assert tss.value == pytest.approx(expected, rel=1e-9)
        assert 0.0 < tss.value < 1.0 and tss.target == district.targets.tss_reduction


def test_swale_length_for_costs_follows_the_design():
    from ecocity.stormwater.catalogue import load_lid
    from ecocity.stormwater.placement import swale_top_width_m

    # trapezoid: bed 0.6 m + 2 x side slope x depth; catalogue 300 mm deep, side slope 4 -> 3.0 m
    assert swale_top_width_m(load_lid("vegetative_swale")) == pytest.approx(3.0)
    deeper = load_lid("vegetative_swale", {"surface.berm_height_mm": 500.0, "surface.side_slope": 3.0})
    assert swale_top_width_m(deeper) == pytest.approx(0.6 + 2 * 3.0 * 0.5)
