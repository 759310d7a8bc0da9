"""LID placement: units per subcatchment and the corrected imperviousness.

Invariants (derivation in docs/methods/swmm.md): the subcatchment's total area is conserved
(remaining + LID units), and so is its impervious area (remaining impervious + the LID units
that replaced impervious covers).
"""

import pytest

from ecocity.district.model import IMPERVIOUS_COVERS, LandCover, Measure, Scenario, Subcatchment
from ecocity.errors import InputError
from ecocity.stormwater.placement import place_measures

from .helpers import district_of, one_hectare

AREA_TOLERANCE_M2 = 1e-6


def _mixed_scenario() -> Scenario:
    return Scenario(
        name="mixed",
        measures=(
            Measure(lid="green_roof", share_of_cover=0.5, on="roof"),
            Measure(lid="permeable_pavement", area_m2=400.0),  # catalogue default: on paved
            Measure(lid="bioretention", treated_share=0.6, surface_ratio=0.08),
        ),
    )


def test_total_and_impervious_area_are_conserved(site):
    placed = place_measures(site, _mixed_scenario()).subcatchments[0]
    sub = placed.subcatchment
    assert placed.remaining_area_m2 + placed.lid_area_m2 == pytest.approx(sub.area_m2, abs=AREA_TOLERANCE_M2)
    on_impervious = sum(u.area_m2 for u in placed.units if u.on in (*IMPERVIOUS_COVERS, "impervious"))
    before = sub.land_cover.impervious * sub.area_m2
    assert placed.impervious_area_m2 + on_impervious == pytest.approx(before, abs=AREA_TOLERANCE_M2)
    assert placed.impervious_pct == pytest.approx(100 * placed.impervious_area_m2 / placed.remaining_area_m2)


def test_green_roof_lowers_impervious_area_not_green_area(site):
    placed = place_measures(site, Scenario(name="gr", measures=(Measure(lid="green_roof", share_of_cover=0.4),)))
    sub = placed.subcatchments[0]
    assert sub.units[0].area_m2 == pytest.approx(0.4 * 3000.0)
    assert sub.cover_area_m2["roof"] == pytest.approx(1800.0)
    assert sub.cover_area_m2["green"] == pytest.approx(3000.0)
    # 5800 m² impervious left on 8800 m² outside the green roof
    assert sub.impervious_pct == pytest.approx(100 * 5800 / 8800)
    assert sub.units[0].from_impervious_pct == 0.0
    assert sub.width_m == pytest.approx(100.0 * 8800 / 10000)


def test_treated_share_sizes_the_unit_and_routes_that_share_of_impervious_runoff(site):
    scenario = Scenario(name="bc", measures=(Measure(lid="bioretention", treated_share=1.0, surface_ratio=500 / 7000),))
    unit = place_measures(site, scenario).subcatchments[0].units[0]
    assert unit.area_m2 == pytest.approx(500.0)
    assert unit.on == "green"
    assert unit.from_impervious_pct == pytest.approx(100.0)
    assert unit.control == "M0_BC_silt_loam"  # seepage = the native soil's Ksat


def test_treated_share_after_green_roofs_uses_the_impervious_area_left(site):
    placed = place_measures(site, _mixed_scenario()).subcatchments[0]
    bc = next(u for u in placed.units if u.lid == "bioretention")
    impervious_left = 7000.0 - 1500.0 - 400.0  # minus green roofs and permeable pavement
    assert bc.area_m2 == pytest.approx(0.08 * 0.6 * impervious_left)
    assert bc.from_impervious_pct == pytest.approx(60.0)


def test_lid_larger_than_its_cover_names_scenario_measure_and_subcatchment(site):
    scenario = Scenario(name="big", measures=(Measure(lid="green_roof", area_m2=3500.0),))
    with pytest.raises(InputError, match=r"scenario 'big', measure 0, subcatchment 'S1'.*larger than the 3000.0 m²"):
        place_measures(site, scenario)


def test_lids_filling_the_subcatchment_are_rejected():
    district = one_hectare(land_cover=LandCover(green=1.0))
    scenario = Scenario(name="full", measures=(Measure(lid="rain_garden", share_of_cover=1.0),))
    with pytest.raises(InputError, match=r"scenario 'full', measure 0, subcatchment 'S1'.*must leave part"):
        place_measures(district, scenario)


def test_more_than_all_impervious_runoff_is_rejected(site):
    scenario = Scenario(
        name="twice",
        measures=(Measure(lid="bioretention", treated_share=0.7), Measure(lid="rain_garden", treated_share=0.5)),
    )
    with pytest.raises(InputError, match=r"scenario 'twice', measure 1.*impervious runoff"):
        place_measures(site, scenario)


def test_cover_the_lid_may_not_sit_on_is_rejected(site):
    scenario = Scenario(name="odd", measures=(Measure(lid="green_roof", area_m2=10.0, on="green"),))
    with pytest.raises(InputError, match=r"scenario 'odd', measure 0.*green_roof cannot be built on 'green'"):
        place_measures(site, scenario)


def test_unknown_subcatchment_in_a_measure_is_rejected(site):
    scenario = Scenario(name="where", measures=(Measure(lid="bioretention", area_m2=10.0, subcatchments=("S9",)),))
    with pytest.raises(InputError, match=r"scenario 'where', measure 0.*unknown subcatchment\(s\) S9"):
        place_measures(site, scenario)


def test_measures_respect_subcatchment_and_sub_area_choice():
    subs = [
        Subcatchment(id=f"S{k}", area_m2=1000.0, width_m=30.0, slope=0.01, soil="loam", outlet="J1",
                     land_cover=LandCover(paved=0.5, green=0.5), sub_area=area)
        for k, area in enumerate(("north", "south", "north"))
    ]  # fmt: skip
    scenario = Scenario(name="n", measures=(Measure(lid="rain_garden", area_m2=50.0, sub_areas=("north",)),))
    placed = {p.subcatchment.id: p for p in place_measures(district_of(*subs), scenario).subcatchments}
    assert [len(placed[s].units) for s in ("S0", "S1", "S2")] == [1, 0, 1]
