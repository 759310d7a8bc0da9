"""write_district: the folder it writes loads back to the same district."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecocity.district import District, LandCover, Measure, Scenario, Subcatchment
from ecocity.district.load import load_district
from ecocity.district.write import percent_of, write_district
from ecocity.errors import InputError

from .helpers import DISTRICTS, LID_TYPES


def _moved(district: District, folder: Path) -> District:
    """``district`` as written into ``folder``: its files now live there."""
    folder = folder.resolve()
    return district.model_copy(
        update={
            "folder": folder,
            "climate": district.climate.model_copy(update={"rainfall": folder / district.climate.rainfall.name}),
            "network_inp": folder / "network.inp" if district.network_inp else None,
        }
    )


@pytest.mark.parametrize("fixture", ["small", "small_network"])
def test_fixture_district_round_trips_through_write_and_load(fixture, tmp_path):
    original = load_district(DISTRICTS / fixture, lid_types=LID_TYPES)
    written = write_district(original, tmp_path / "copy")
    assert load_district(written, lid_types=LID_TYPES) == _moved(original, written)


def test_written_folder_is_self_contained(tmp_path):
    written = write_district(load_district(DISTRICTS / "small_network"), tmp_path / "copy")
    assert sorted(p.name for p in written.iterdir()) == [
        "district.toml", "network.inp", "rain.csv", "subcatchments.geojson",
    ]


def test_district_without_polygons_with_awkward_values_round_trips(tmp_path):
    base = load_district(DISTRICTS / "small")
    subcatchment = Subcatchment(
        id="汇水区-7",
        area_m2=1234.5678901234,
        width_m=0.1 + 0.2,
        slope=0.07 / 100,  # as read from slope_percent = 0.07
        soil="silty clay loam",
        outlet="OF\"2",
        land_cover=LandCover(roof=1 / 3, green=2 / 3),
        sub_area="东区",
    )
    scenarios = (
        Scenario(
            name="mix / 2030: \"tight\"",
            description="line one\nline two",
            measures=(
                Measure(lid="bioretention", subcatchments=("汇水区-7",), treated_share=0.3, surface_ratio=0.061,
                        design={"surface.berm_height": 150.0, "soil.thickness": 600.25}),
                Measure(lid="green_roof", on="roof", share_of_cover=1 / 3),
                Measure(lid="permeable_pavement", on="impervious", area_m2=12.5, sub_areas=("东区",)),
            ),
        ),
        Scenario(name="mix - 2030: -tight-"),  # same file stem as the first once cleaned
    )
    original = base.model_copy(update={"subcatchments": (subcatchment,), "scenarios": scenarios})
    written = write_district(original, tmp_path / "awkward")
    assert load_district(written) == _moved(original, written)


def test_writing_into_a_folder_with_files_is_refused(tmp_path):
    (tmp_path / "keep.txt").write_text("someone's file")
    with pytest.raises(InputError, match="not empty"):
        write_district(load_district(DISTRICTS / "small"), tmp_path)


@given(st.floats(min_value=1e-4, max_value=100.0))
def test_a_slope_read_as_percent_over_100_is_written_back_as_a_percent_giving_the_same_slope(percent):
    slope = percent / 100.0
    assert percent_of(slope) / 100.0 == slope


@pytest.mark.parametrize(
    "names",
    [("b", "a"), ("a", "B"), ("x", "x-"), ("Plan", "plan"), ("a b", "a/b"), ("green roofs", "sponge mix")],
)
def test_scenarios_load_back_in_their_order_whatever_their_names(names, tmp_path):
    base = load_district(DISTRICTS / "small")
    original = base.model_copy(update={"scenarios": tuple(Scenario(name=name) for name in names)})
    assert [s.name for s in load_district(write_district(original, tmp_path / "out")).scenarios] == list(names)
