"""buildings.toml: the district's building portfolio, checked with file and field."""

import pytest

from ecocity.district import load_district
from ecocity.errors import InputError


def _portfolio(folder):
    (folder / "bldg").mkdir()
    (folder / "bldg" / "portfolio.csv").write_text("building_id\n")
    return folder / "bldg"


def test_a_district_without_buildings_toml_has_no_portfolio(small_copy):
    assert load_district(small_copy).buildings is None


def test_path_year_and_grid_are_read(small_copy):
    where = _portfolio(small_copy)
    (small_copy / "buildings.toml").write_text('portfolio = "bldg"\nyear = 2024\ngrid = "beijing-2022"\n')
    link = load_district(small_copy).buildings
    assert (link.portfolio, link.year, link.grid) == (where.resolve(), 2024, "beijing-2022")


def test_defaults_and_a_numeric_grid(small_copy):
    _portfolio(small_copy)
    (small_copy / "buildings.toml").write_text('portfolio = "bldg"\ngrid = 1\n')
    link = load_district(small_copy).buildings
    assert (link.year, link.grid) == (None, 1.0)


def test_an_indicator_table_is_resolved_from_the_district_folder(small_copy):
    _portfolio(small_copy)
    (small_copy / "gbt.csv").write_text("building_type\n")
    (small_copy / "buildings.toml").write_text('portfolio = "bldg"\nindicators = "gbt.csv"\n')
    assert load_district(small_copy).buildings.indicators == (small_copy / "gbt.csv").resolve()


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ('portfolio = "bldg"\nmeters = 3\n', "meters"),
        ("year = 2024\n", "portfolio"),
        ('portfolio = "no_such_folder"\n', "portfolio"),
        ('portfolio = "empty"\n', "portfolio"),
        ("portfolio = 3\n", "portfolio"),
        ('portfolio = "bldg"\nyear = "2024"\n', "year"),
        ('portfolio = "bldg"\nyear = 2024.5\n', "year"),
        ('portfolio = "bldg"\nyear = 1066\n', "year"),
        ('portfolio = "bldg"\ngrid = -0.5\n', "grid"),
        ('portfolio = "bldg"\ngrid = true\n', "grid"),
        ('portfolio = "bldg"\nindicators = "missing.csv"\n', "indicators"),
        ('portfolio = "bldg"\nindicators = 5\n', "indicators"),
    ],
)
def test_bad_entries_name_the_file_and_the_field(small_copy, text, field):
    _portfolio(small_copy)
    (small_copy / "empty").mkdir()
    (small_copy / "buildings.toml").write_text(text)
    with pytest.raises(InputError, match=rf"buildings\.toml.*field '{field}'"):
        load_district(small_copy)
