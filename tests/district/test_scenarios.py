"""Scenario files: human rules, design overrides, names."""

from __future__ import annotations

import pytest

from ecocity.district.load import load_district
from ecocity.district.scenarios import parse_rule

from .helpers import LID_TYPES


@pytest.mark.parametrize(
    ("rule", "cover", "share"),
    [
        ("40 % of roofs", "roof", 0.40),
        ("25% of paved", "paved", 0.25),
        ("10 % of impervious", "impervious", 0.10),
        ("all green", "green", 1.0),
        ("All Roofs", "roof", 1.0),
        ("12.5 % of road", "road", 0.125),
        ("100% of roads", "road", 1.0),
    ],
)
def test_rule_names_a_cover_and_its_share(rule, cover, share):
    assert parse_rule(rule) == (cover, pytest.approx(share, rel=1e-12))


@pytest.mark.parametrize(
    "rule", ["0 % of roofs", "140 % of roofs", "40 % of lawns", "40 roofs", "half of the roofs", "all", ""]
)
def test_rule_that_cannot_be_read_or_is_out_of_range_is_refused(rule):
    with pytest.raises(ValueError, match="rule"):
        parse_rule(rule)


def test_design_tables_become_dotted_parameter_names(small_copy):
    (small_copy / "scenarios" / "design.toml").write_text(
        '[[measure]]\nlid = "bioretention"\narea_m2 = 50\n'
        '[measure.design]\nsurface.berm_height = 150\n"soil.thickness" = 600.5\n'
        "[measure.design.storage]\nvoid_ratio = 0.75\n"
    )
    measure = load_district(small_copy, lid_types=LID_TYPES).scenario("design").measures[0]
    assert measure.design == {"surface.berm_height": 150.0, "soil.thickness": 600.5, "storage.void_ratio": 0.75}
    assert measure.area_m2 == 50.0


def test_a_scenario_without_measures_is_allowed(small_copy):
    (small_copy / "scenarios" / "nothing.toml").write_text('description = "as today"\n')
    assert load_district(small_copy).scenario("nothing").measures == ()


def test_files_other_than_toml_in_scenarios_are_ignored(small_copy):
    (small_copy / "scenarios" / "notes.txt").write_text("not a scenario")
    assert [s.name for s in load_district(small_copy).scenarios] == ["green-roofs", "sponge mix"]


def test_baseline_is_always_available_and_not_a_file(small_copy):
    district = load_district(small_copy)
    assert district.scenario("baseline").measures == ()
