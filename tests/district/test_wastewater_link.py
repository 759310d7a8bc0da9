"""wastewater.toml: the plant that treats a district's wastewater, checked with file and field."""

import pytest

from ecocity.district import load_district
from ecocity.errors import InputError
from ecocity.wastewater.compliance import known_standards


def test_a_district_without_wastewater_toml_has_no_plant(small_copy):
    assert load_district(small_copy).wastewater is None


def test_names_and_paths_are_read(small_copy):
    (small_copy / "my_plant.toml").write_text("name = 'x'\n")
    (small_copy / "wastewater.toml").write_text(
        'plant = "my_plant.toml"\ninfluent = "dry"\ncontrol = "default"\ndays = 2\nstandards = ["gb18918_2002_1b"]\n'
    )
    link = load_district(small_copy, effluent_standards=known_standards()).wastewater
    assert link.plant == (small_copy / "my_plant.toml").resolve()
    assert (link.influent, link.control, link.days, link.standards) == ("dry", "default", 2.0, ("gb18918_2002_1b",))


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ('plant = "bsm1"\nflow = 3\n', "flow"),
        ('plant = "no_such_plant.toml"\n', "plant"),
        ('influent = "monsoon"\n', "influent"),
        ('control = "fuzzy"\n', "control"),
        ('standards = ["gb_nonsense"]\n', "standards"),
        ("days = -1.0\n", "days"),
        ("plant = 3\n", "plant"),
    ],
)
def test_bad_entries_name_the_file_and_the_field(small_copy, text, field):
    (small_copy / "wastewater.toml").write_text(text)
    with pytest.raises(InputError, match=rf"wastewater\.toml.*field '{field}'"):
        load_district(small_copy, effluent_standards=known_standards())


def test_the_plant_wide_preset_dynamic_influent_and_grid_are_read(small_copy):
    (small_copy / "wastewater.toml").write_text(
        'plant = "bsm2"\ninfluent = "dynamic"\ncontrol = "default"\ngrid = "denmark-2023"\n'
    )
    link = load_district(small_copy).wastewater
    assert (link.plant, link.influent, link.control, link.grid) == ("bsm2", "dynamic", "default", "denmark-2023")
