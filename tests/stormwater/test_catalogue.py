"""The LID catalogue, soil and surface tables: cited data loaded into frozen models.

Reference values: SWMM 5.2 User's Manual App. C.15 / A.2 (via the engineering notes §5.1-5.2),
Technical Guide 2014 Table 4-1 (SS removal) and Table F3-1 (unit costs); see the data files.
"""

import pytest

from ecocity.errors import InputError
from ecocity.stormwater.catalogue import LAYER_FIELDS, lid_type_names, load_lid, load_soil, load_surfaces, soil_names

SWMM_TYPES = {
    "bioretention": "BC", "rain_garden": "RG", "green_roof": "GR", "permeable_pavement": "PP",
    "infiltration_trench": "IT", "rain_barrel": "RB", "vegetative_swale": "VS", "rooftop_disconnection": "RD",
}  # fmt: skip


def test_catalogue_holds_the_eight_swmm_lid_types():
    assert {name: load_lid(name).swmm_type for name in lid_type_names()} == SWMM_TYPES


@pytest.mark.parametrize("name", sorted(SWMM_TYPES))
def test_every_parameter_has_a_source_and_a_confidence(name):
    design = load_lid(name)
    assert design.default_on in design.allowed_on
    for layer, params in design.layers.items():
        assert set(params) <= {p for p, _ in LAYER_FIELDS[layer]}
        for param in params.values():
            assert param.source.strip()
            assert param.confidence in ("verified", "secondary", "judgement")


def test_ss_removal_is_the_guide_range_midpoint():
    # Guide Table 4-1: complex bioretention 70-95 %, green roof 70-80 %, sunken green space "-".
    assert load_lid("bioretention").ss_removal == pytest.approx(0.825, abs=1e-9)
    assert load_lid("green_roof").ss_removal_range == (0.70, 0.80)
    assert load_lid("rain_garden").ss_removal is None
    assert "no SS removal" in load_lid("rain_garden").ss_removal_note


def test_unit_costs_keep_range_and_unit_and_say_when_missing():
    # Guide Table F3-1: bioretention 150-800 yuan/m², swale 30-200 yuan/m, cistern 800-1200 yuan/m³.
    bc = load_lid("bioretention").cost
    assert (bc.low, bc.high, bc.unit) == (150.0, 800.0, "yuan/m2")
    assert load_lid("vegetative_swale").cost.unit == "yuan/m"
    assert load_lid("rain_barrel").cost.unit == "yuan/m3"
    for name in ("infiltration_trench", "rooftop_disconnection"):
        assert load_lid(name).cost is None
        assert "no unit cost" in load_lid(name).cost_note


def test_design_override_replaces_one_value():
    design = load_lid("bioretention", {"soil.thickness_mm": 450.0})
    assert design.value("soil", "thickness_mm") == 450.0
    assert design.layers["soil"]["thickness_mm"].source == "design override"
    assert load_lid("bioretention").value("soil", "thickness_mm") == 600.0  # the catalogue is untouched


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"roots.depth_mm": 1.0}, "unknown design override 'roots.depth_mm'"),
        ({"pavement.thickness_mm": 1.0}, "has no 'pavement' layer"),
        ({"soil.depth_mm": 1.0}, "unknown soil parameter 'depth_mm'"),
        ({"soil": 1.0}, "unknown design override 'soil'"),
    ],
)
def test_bad_design_override_is_an_input_error_naming_where(override, message):
    with pytest.raises(InputError, match=message) as info:
        load_lid("bioretention", override, where="scenarios/a.toml")
    assert "scenarios/a.toml" in str(info.value)


def test_unknown_lid_type_lists_the_known_ones():
    with pytest.raises(InputError, match="unknown LID type 'pond'.*bioretention"):
        load_lid("pond")


def test_soil_table_green_ampt_values_and_names():
    # Rawls et al. (1983) as in SWMM Table A.2: silt loam Ksat 6.6 mm/h, suction 170 mm.
    soil = load_soil("Silt loam")
    assert (soil.ksat_mm_per_h, soil.suction_mm) == (6.6, 170.0)
    assert soil.initial_deficit == pytest.approx(0.501 - 0.284)
    assert len(soil_names()) == 7


def test_unknown_soil_class_lists_known_classes():
    with pytest.raises(InputError, match="unknown soil class 'peat'.*sand, loamy_sand"):
        load_soil("peat", where="subcatchment 'S1'")


def test_surface_table_has_every_land_cover():
    surfaces, zero_share = load_surfaces()
    assert set(surfaces) == {"roof", "road", "paved", "green", "water"}
    assert surfaces["water"].depression_storage_mm == 0.0
    assert zero_share == 0.25
