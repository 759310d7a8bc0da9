"""Loading the fixture districts: values, defaults, derived quantities."""

from __future__ import annotations

import pytest
from shapely.geometry import Polygon

from ecocity.district import District, Targets
from ecocity.district.load import load_district

from .helpers import DISTRICTS, LID_TYPES


@pytest.fixture(scope="module")
def small() -> District:
    return load_district(DISTRICTS / "small", lid_types=LID_TYPES)


def test_small_fixture_loads_its_five_subcatchments_and_two_scenarios(small):
    assert small.name == "Tongzhou test block"
    assert small.crs == "EPSG:4548"
    assert [s.id for s in small.subcatchments] == ["R1", "R2", "RD", "C1", "P1"]
    assert [s.name for s in small.scenarios] == ["green-roofs", "sponge mix"]
    assert small.network_inp is None


def test_paths_are_absolute_and_the_rainfall_file_exists(small):
    assert small.folder.is_absolute() and small.folder == (DISTRICTS / "small").resolve()
    assert small.climate.rainfall.is_absolute() and small.climate.rainfall.is_file()


def test_slope_percent_becomes_metres_per_metre(small):
    assert {s.id: s.slope for s in small.subcatchments}["R1"] == pytest.approx(0.008, rel=1e-12)


def test_area_and_width_are_derived_from_the_geometry_when_not_given(small):
    park = {s.id: s for s in small.subcatchments}["P1"]
    assert park.area_m2 == pytest.approx(Polygon(park.polygon).area, rel=1e-12)
    residential = {s.id: s for s in small.subcatchments}["R1"]
    assert residential.area_m2 == pytest.approx(200.0 * 150.0, rel=1e-12)
    # 200 m x 150 m block: flow across the 150 m side, width = area / 150 m = 200 m
    assert residential.width_m == pytest.approx(200.0, rel=1e-12)


def test_a_given_width_is_kept(small):
    assert {s.id: s.width_m for s in small.subcatchments}["RD"] == 800.0


def test_imperviousness_counts_as_paved_and_the_rest_as_green(small):
    commercial = {s.id: s for s in small.subcatchments}["C1"].land_cover
    assert (commercial.paved, commercial.green, commercial.roof, commercial.road) == pytest.approx((0.85, 0.15, 0, 0))


def test_missing_land_cover_fractions_are_zero(small):
    road = {s.id: s for s in small.subcatchments}["RD"].land_cover
    assert (road.road, road.green, road.roof, road.paved, road.water) == (0.8, 0.2, 0.0, 0.0, 0.0)


def test_polygon_is_the_closed_exterior_ring(small):
    ring = {s.id: s for s in small.subcatchments}["R1"].polygon
    assert ring[0] == ring[-1] and len(ring) == 5


def test_sub_area_defaults_to_district_and_is_read_when_given(small):
    assert {s.sub_area for s in small.subcatchments} == {"north", "south"}
    network = load_district(DISTRICTS / "small_network")
    assert {s.sub_area for s in network.subcatchments} == {"district"}


def test_rules_become_cover_and_share(small):
    (green_roofs,) = small.scenario("green-roofs").measures
    assert (green_roofs.on, green_roofs.share_of_cover, green_roofs.sub_areas) == ("roof", 0.4, ("north",))
    paving = small.scenario("sponge mix").measures[1]
    assert (paving.on, paving.share_of_cover) == ("paved", 0.25)


def test_a_scenario_name_defaults_to_the_file_stem_and_can_be_given(small):
    assert small.scenario("green-roofs").name == "green-roofs"
    assert small.scenario("sponge mix").description.startswith("Bioretention")


def test_targets_in_the_file_override_the_defaults(small):
    assert small.targets.tss_reduction == 0.5
    assert small.targets.design_storm_return_periods_yr == (2.0, 5.0, 50.0)
    assert small.climate.peak_ratio == 0.4


def test_missing_targets_and_climate_options_take_the_model_defaults():
    district = load_district(DISTRICTS / "small_network")
    assert district.targets == Targets()
    assert district.climate.rainfall_unit is None and len(district.climate.evaporation_mm_per_day) == 12


def test_network_fixture_drains_into_its_network_nodes():
    district = load_district(DISTRICTS / "small_network")
    assert district.network_inp == (DISTRICTS / "small_network" / "network.inp").resolve()
    assert {s.id: s.outlet for s in district.subcatchments} == {"S1": "J1", "S2": "J2", "S3": "S2"}


def test_lid_types_are_not_checked_when_not_given(small_copy):
    district = load_district(small_copy)
    assert district.scenarios[0].measures[0].lid == "green_roof"


def test_without_a_network_any_outlet_name_is_accepted(small_copy):
    assert {s.outlet for s in load_district(small_copy).subcatchments} == {"OF1", "P1"}


def test_no_scenarios_folder_means_no_scenarios(network_copy):
    assert load_district(network_copy).scenarios == ()
