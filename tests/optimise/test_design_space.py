"""The design space: bounds from the land cover, designs as scenarios, grouping, files."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecocity.district.model import LandCover, Subcatchment
from ecocity.district.scenarios import read_scenario
from ecocity.errors import InputError
from ecocity.stormwater.design_space import design_space, design_to_scenario, group_subcatchments, scenario_file_text
from ecocity.stormwater.placement import place_measures
from ecocity.stormwater.whole_life import annuity_factor, maintenance_rates

from .helpers import district_of, small_district

LIDS = ("green_roof", "permeable_pavement", "bioretention")


@pytest.fixture(scope="module")
def district(tmp_path_factory):
    return small_district(tmp_path_factory.mktemp("small"))[0]


def test_variables_are_groups_times_lid_types(district):
    space = design_space(district, LIDS, levels=4)
    assert space.n_var == 2 * 3
    assert space.names[:3] == ("G0:green_roof", "G0:permeable_pavement", "G0:bioretention")
    assert list(space.upper()) == [4] * 6


def test_treated_share_bound_keeps_cells_within_the_green_share():
    # Guide p. 35: cells of 8 % of the treated area; at most 30 % of green space.
    # 0.3 × 0.05 / (0.08 × 0.9) = 0.2083: only a fifth of the impervious runoff can be treated.
    sub = Subcatchment(id="P", area_m2=10_000.0, width_m=100.0, slope=0.01, soil="loam", outlet="J1",
                       land_cover=LandCover(roof=0.3, road=0.3, paved=0.3, green=0.05, water=0.05))
    space = design_space(district_of(sub), ("bioretention",), levels=2)
    assert space.treated_max["bioretention"]["P"] == pytest.approx(0.3 * 0.05 / (0.08 * 0.9), rel=1e-12)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_every_design_is_placeable_within_its_covers(district, data):
    """Property: any levels give a scenario whose LIDs fit their host covers (placement raises otherwise)."""
    space = design_space(district, LIDS, levels=5)
    levels = data.draw(st.lists(st.integers(0, 5), min_size=space.n_var, max_size=space.n_var))
    placed = place_measures(district, design_to_scenario(district, levels, space))
    for sub in placed.subcatchments:
        cover = sub.subcatchment.land_cover
        by_lid: dict[str, float] = {}
        for unit in sub.units:
            by_lid[unit.lid] = by_lid.get(unit.lid, 0.0) + unit.area_m2
        area = sub.subcatchment.area_m2
        assert by_lid.get("green_roof", 0.0) <= cover.roof * area + 1e-6
        assert by_lid.get("permeable_pavement", 0.0) <= cover.paved * area + 1e-6
        assert by_lid.get("bioretention", 0.0) <= 0.3 * cover.green * area + 1e-6
        assert sum(u.from_impervious_pct for u in sub.units) <= 100.0 + 1e-9


def test_levels_out_of_bounds_are_refused(district):
    space = design_space(district, ("green_roof",), levels=2)
    with pytest.raises(ValueError, match="0..2"):
        design_to_scenario(district, (3, 0), space)
    with pytest.raises(ValueError, match="2 levels"):
        design_to_scenario(district, (1,), space)


def test_unknown_lid_type_names_the_known_ones(district):
    with pytest.raises(InputError, match="no optimisation option for LID type.*swamp.*green_roof"):
        design_space(district, ("swamp",))


def test_empty_design_is_the_baseline_and_top_design_fills_the_roofs(district):
    space = design_space(district, ("green_roof",), levels=3)
    assert design_to_scenario(district, (0, 0), space).measures == ()
    top = place_measures(district, design_to_scenario(district, (3, 3), space))
    roof_m2 = sum(s.land_cover.roof * s.area_m2 for s in district.subcatchments)
    assert sum(u.area_m2 for s in top.subcatchments for u in s.units) == pytest.approx(roof_m2, rel=1e-9)


def test_scenario_file_reads_back_as_the_same_scenario(district, tmp_path):
    space = design_space(district, LIDS, levels=4)
    scenario = design_to_scenario(district, (1, 2, 3, 4, 0, 2), space, name="opt")
    path = tmp_path / "opt.toml"
    path.write_text(scenario_file_text(scenario, comment="from a test"), encoding="utf-8")
    assert read_scenario(path, district.subcatchments, None) == scenario


def test_grouping_puts_similar_covers_together_and_never_mixes_soils():
    def block(i: int, roof: float, soil: str) -> Subcatchment:
        return Subcatchment(id=f"S{i}", area_m2=1e4, width_m=100.0, slope=0.01, soil=soil, outlet="J1",
                            land_cover=LandCover(roof=roof, road=0.1, paved=0.1, green=0.8 - roof))

    subs = [block(0, 0.6, "loam"), block(1, 0.1, "loam"), block(2, 0.58, "loam"), block(3, 0.12, "loam"),
            block(4, 0.6, "clay")]
    groups = group_subcatchments(district_of(*subs), 3)
    assert sorted(map(sorted, groups)) == [["S0", "S2"], ["S1", "S3"], ["S4"]]
    assert group_subcatchments(district_of(*subs)) == tuple((s.id,) for s in subs)  # few: one unit each


def test_annuity_factor_against_the_closed_form():
    # (1 - 1.08^-30) / 0.08 = 11.2578 (standard annuity tables, 8 %, 30 years)
    assert annuity_factor(0.08, 30) == pytest.approx(11.2578, abs=1e-4)
    assert annuity_factor(0.0, 30) == 30.0


def test_every_maintenance_rate_is_cited_with_a_confidence():
    for lid, row in maintenance_rates().items():
        assert 0.0 <= row["low"] <= row["high"] <= 0.25, lid
        assert row["source"] and row["confidence"] in ("verified", "secondary", "judgement")


def test_enumerating_a_small_space_gives_distinct_scenarios(district):
    space = design_space(district, ("green_roof", "bioretention"), levels=1)
    scenarios = {design_to_scenario(district, lv, space).model_dump_json()
                 for lv in itertools.product((0, 1), repeat=space.n_var)}
    assert len(scenarios) == 2**space.n_var
