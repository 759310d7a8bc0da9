"""Every bad input is an InputError naming the file and the field (STYLE.md: messages are contract).

Each case copies a fixture district to tmp_path, breaks one thing, and checks the message
names the file and the field (and, where useful, the record or the problem).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from ecocity.district.load import load_district
from ecocity.errors import InputError

from .helpers import LID_TYPES, edit_features, replace_text

Break = Callable[[Path], None]


def _toml(old: str, new: str, file: str = "district.toml") -> Break:
    return lambda folder: replace_text(folder / file, old, new)


def _feature(index: int, **changes: object) -> Break:
    def change(features: list[dict]) -> None:
        for key, value in changes.items():
            if value is None:
                features[index]["properties"].pop(key, None)
            else:
                features[index]["properties"][key] = value

    return lambda folder: edit_features(folder, change)


def _geometry(index: int, geometry: object) -> Break:
    def change(features: list[dict]) -> None:
        features[index]["geometry"] = geometry

    return lambda folder: edit_features(folder, change)


def _remove(name: str) -> Break:
    return lambda folder: (folder / name).unlink()


def _write(name: str, text: str) -> Break:
    return lambda folder: (folder / name).write_text(text)


def _duplicate_id(folder: Path) -> None:
    edit_features(folder, lambda features: features[1]["properties"].update(id="R1"))


def _loop(folder: Path) -> None:
    edit_features(folder, lambda features: features[4]["properties"].update(outlet="R2"))


DISTRICT_TOML_CASES = {
    "missing district.toml": (_remove("district.toml"), "district.toml", "not found"),
    "TOML syntax error": (_toml('name = "Tongzhou', 'name = Tongzhou'), "district.toml", "line 4"),
    "unknown top-level table": (_toml("[targets]", "[target]"), "district.toml", "field 'target'"),
    "missing name": (_toml('name = "Tongzhou test block"', ""), "district.toml", "field 'name'"),
    "unreadable crs": (_toml('"EPSG:4548"', '"EPSG:999999"'), "district.toml", "field 'crs'"),
    "crs in US feet": (_toml('"EPSG:4548"', '"EPSG:2263"'), "district.toml", "field 'crs'.*metres"),
    "missing climate": (_toml("[climate]", "[targets.climate]"), "district.toml", "record 'climate'"),
    "rainfall file missing": (_remove("rain.csv"), "district.toml", "field 'rainfall'"),
    "rainfall unit unknown": (_toml('rainfall_unit = "mm"', 'rainfall_unit = "inch"'), "district.toml", "field 'rainfall_unit'"),
    "eleven evaporation values": (
        _toml("peak_ratio = 0.4", "evaporation_mm_per_day = [1,1,1,1,1,1,1,1,1,1,1]"),
        "district.toml", "field 'evaporation_mm_per_day'",
    ),
    "negative evaporation": (
        _toml("peak_ratio = 0.4", "evaporation_mm_per_day = [1,1,1,1,1,1,1,1,1,1,1,-1]"),
        "district.toml", "field 'evaporation_mm_per_day'",
    ),
    "typo in targets": (_toml("capture_ratio =", "capture_ration ="), "district.toml", "field 'capture_ration'"),
    "capture ratio above 1": (_toml("capture_ratio = 0.85", "capture_ratio = 1.5"), "district.toml", "field 'capture_ratio'"),
    "capture ratio as text": (_toml("capture_ratio = 0.85", 'capture_ratio = "0.85"'), "district.toml", "field 'capture_ratio'"),
    "TSS reduction negative": (_toml("tss_reduction = 0.5", "tss_reduction = -0.5"), "district.toml", "field 'tss_reduction'"),
    "return period list of text": (
        _toml("[2, 5, 50]", '["2", 5]'), "district.toml", "field 'design_storm_return_periods_yr.0'",
    ),
}

SUBCATCHMENT_CASES = {
    "missing subcatchments.geojson": (_remove("subcatchments.geojson"), "subcatchments.geojson", "not found"),
    "JSON syntax error": (_write("subcatchments.geojson", '{"type": "FeatureCollection",\n'), "subcatchments.geojson", "line 2"),
    "not a FeatureCollection": (_write("subcatchments.geojson", '{"type": "Feature"}'), "subcatchments.geojson", "FeatureCollection"),
    "no features": (_write("subcatchments.geojson", '{"type": "FeatureCollection", "features": []}'), "subcatchments.geojson", "no features"),
    "missing id": (_feature(0, id=None), "subcatchments.geojson", "record 'feature\\[0\\]', field 'id'"),
    "id with a space": (_feature(0, id="R 1"), "subcatchments.geojson", "field 'id'"),
    "duplicate id": (_duplicate_id, "subcatchments.geojson", "record 'R1', field 'id'.*duplicate"),
    "unknown property": (_feature(0, widht_m=10.0), "subcatchments.geojson", "record 'R1', field 'widht_m'"),
    "negative area": (_feature(0, area_m2=-5.0), "subcatchments.geojson", "record 'R1', field 'area_m2'"),
    "zero width": (_feature(0, width_m=0), "subcatchments.geojson", "record 'R1', field 'width_m'"),
    "area as text": (_feature(0, area_m2="5"), "subcatchments.geojson", "record 'R1', field 'area_m2'"),
    "fractions not summing to 1": (_feature(0, green=0.25), "subcatchments.geojson", "record 'R1', field 'roof\\+road\\+paved\\+green'.*sum"),
    "negative fraction": (_feature(0, roof=-0.35, green=1.05), "subcatchments.geojson", "record 'R1', field 'roof'"),
    "imperviousness above 1": (_feature(3, imperviousness=1.2), "subcatchments.geojson", "record 'C1', field 'imperviousness'"),
    "fractions and imperviousness": (_feature(3, roof=0.2), "subcatchments.geojson", "record 'C1', field 'imperviousness'"),
    "no land cover": (_feature(3, imperviousness=None), "subcatchments.geojson", "record 'C1', field 'land cover'"),
    "zero slope": (_feature(0, slope_percent=0), "subcatchments.geojson", "record 'R1', field 'slope_percent'"),
    "slope as text": (_feature(0, slope_percent="0.8"), "subcatchments.geojson", "record 'R1', field 'slope_percent'"),
    "missing slope": (_feature(0, slope_percent=None), "subcatchments.geojson", "record 'R1', field 'slope_percent'"),
    "empty soil": (_feature(0, soil=""), "subcatchments.geojson", "record 'R1', field 'soil'"),
    "missing outlet": (_feature(0, outlet=None), "subcatchments.geojson", "record 'R1', field 'outlet'"),
    "sub_area not text": (_feature(0, sub_area=3), "subcatchments.geojson", "record 'R1', field 'sub_area'"),
    "self-intersecting polygon": (
        _geometry(0, {"type": "Polygon", "coordinates": [[[0, 0], [10, 10], [10, 0], [0, 10], [0, 0]]]}),
        "subcatchments.geojson", "record 'R1', field 'geometry'.*Self-intersection",
    ),
    "zero-area polygon": (
        _geometry(0, {"type": "Polygon", "coordinates": [[[0, 0], [5, 0], [10, 0], [0, 0]]]}),
        "subcatchments.geojson", "record 'R1', field 'geometry'",
    ),
    "point geometry": (
        _geometry(0, {"type": "Point", "coordinates": [470000, 4418400]}),
        "subcatchments.geojson", "record 'R1', field 'geometry'.*Polygon",
    ),
    "infinite coordinate": (
        _write("subcatchments.geojson", '{"type": "FeatureCollection", "features": [{"type": "Feature", '
               '"properties": {"id": "X", "imperviousness": 0.5, "slope_percent": 1, "soil": "loam", "outlet": "O"}, '
               '"geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1e999, 0], [1, 1], [0, 0]]]}}]}'),
        "subcatchments.geojson", "record 'X', field 'geometry'.*non-finite",
    ),
    "NaN in the file": (
        _write("subcatchments.geojson", '{"type": "FeatureCollection", "features": [NaN]}'),
        "subcatchments.geojson", "NaN is not a number",
    ),
    "ring of two points": (
        _geometry(0, {"type": "Polygon", "coordinates": [[[0, 0], [1, 1]]]}),
        "subcatchments.geojson", "record 'R1', field 'geometry'",
    ),
    "no geometry and no area": (_geometry(0, None), "subcatchments.geojson", "record 'R1', field 'geometry'"),
    "routing loop": (_loop, "subcatchments.geojson", "field 'outlet'.*loop: P1 -> R2 -> P1"),
    "projected coordinates in a geographic crs": (
        _toml('"EPSG:4548"', '"EPSG:4326"'), "subcatchments.geojson", "record 'R1', field 'geometry'.*longitude",
    ),
}

SCENARIO_CASES = {
    "scenario TOML syntax error": (
        _toml("lid = \"green_roof\"", "lid = green_roof", "scenarios/green-roofs.toml"), "green-roofs.toml", "line 4",
    ),
    "unknown LID type": (
        _toml('"green_roof"', '"green_rooof"', "scenarios/green-roofs.toml"),
        "green-roofs.toml", "record 'measure\\[0\\]', field 'lid'.*green_rooof.*bioretention, green_roof, permeable_pavement",
    ),
    "unknown subcatchment": (
        _toml('["C1", "R1"]', '["C1", "R9"]', "scenarios/sponge-mix.toml"),
        "sponge-mix.toml", "record 'measure\\[0\\]', field 'subcatchments'.*R9",
    ),
    "unknown sub-area": (
        _toml('["north"]', '["nord"]', "scenarios/green-roofs.toml"),
        "green-roofs.toml", "record 'measure\\[0\\]', field 'sub_areas'.*nord",
    ),
    "measure placed nowhere": (
        _toml('["C1", "R1"]', '["C1"]\nsub_areas = ["north"]', "scenarios/sponge-mix.toml"),
        "sponge-mix.toml", "record 'measure\\[0\\]', field 'sub_areas'",
    ),
    "unreadable rule": (
        _toml('"25% of paved"', '"a quarter of paved"', "scenarios/sponge-mix.toml"),
        "sponge-mix.toml", "record 'measure\\[1\\]', field 'rule'",
    ),
    "rule and a size": (
        _toml('"25% of paved"', '"25% of paved"\narea_m2 = 100.0', "scenarios/sponge-mix.toml"),
        "sponge-mix.toml", "record 'measure\\[1\\]', field 'rule'",
    ),
    "two sizes": (
        _toml("treated_share = 0.3", "treated_share = 0.3\narea_m2 = 100.0", "scenarios/sponge-mix.toml"),
        "sponge-mix.toml", "record 'measure\\[0\\]', field 'area_m2\\|share_of_cover\\|treated_share'",
    ),
    "no size": (
        _toml("treated_share = 0.3", "", "scenarios/sponge-mix.toml"),
        "sponge-mix.toml", "record 'measure\\[0\\]', field 'area_m2\\|share_of_cover\\|treated_share'",
    ),
    "treated share above 1": (
        _toml("treated_share = 0.3", "treated_share = 3", "scenarios/sponge-mix.toml"),
        "sponge-mix.toml", "record 'measure\\[0\\]', field 'treated_share'",
    ),
    "unknown measure key": (
        _toml("surface_ratio =", "surface_ration =", "scenarios/sponge-mix.toml"),
        "sponge-mix.toml", "record 'measure\\[0\\]', field 'surface_ration'",
    ),
    "unknown scenario key": (
        _toml("description =", "descripton =", "scenarios/sponge-mix.toml"), "sponge-mix.toml", "field 'descripton'",
    ),
    "design override not a number": (
        _toml("surface_ratio = 0.08", 'surface_ratio = 0.08\ndesign = { surface = { berm_height = "high" } }',
              "scenarios/sponge-mix.toml"),
        "sponge-mix.toml", "record 'measure\\[0\\]', field 'design.surface.berm_height'",
    ),
    "duplicate scenario name": (
        _toml('name = "sponge mix"', 'name = "green-roofs"', "scenarios/sponge-mix.toml"),
        "sponge-mix.toml", "field 'name'.*already used by green-roofs.toml",
    ),
    "scenario called baseline": (
        _toml('name = "sponge mix"', 'name = "Baseline"', "scenarios/sponge-mix.toml"),
        "sponge-mix.toml", "field 'name'.*reserved",
    ),
}


@pytest.mark.parametrize(
    ("breaks", "file", "expected"),
    list({**DISTRICT_TOML_CASES, **SUBCATCHMENT_CASES, **SCENARIO_CASES}.values()),
    ids=list({**DISTRICT_TOML_CASES, **SUBCATCHMENT_CASES, **SCENARIO_CASES}),
)
def test_broken_small_district_raises_input_error_naming_file_and_field(small_copy, breaks, file, expected):
    breaks(small_copy)
    with pytest.raises(InputError, match=re.escape(file)) as caught:
        load_district(small_copy, lid_types=LID_TYPES)
    assert re.search(expected, str(caught.value)), str(caught.value)


def test_outlet_that_is_not_a_network_node_names_the_feature_and_outlet(network_copy):
    edit_features(network_copy, lambda features: features[0]["properties"].update(outlet="J9"))
    with pytest.raises(InputError, match=r"subcatchments\.geojson, record 'S1', field 'outlet'.*J9"):
        load_district(network_copy)


def test_network_file_without_nodes_is_an_error(network_copy):
    (network_copy / "network.inp").write_text("[TITLE]\nempty\n[CONDUITS]\nL1 J1 J2 1 0.013\n")
    with pytest.raises(InputError, match=r"network\.inp.*no nodes"):
        load_district(network_copy)


def test_a_missing_folder_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no such directory"):
        load_district(tmp_path / "nowhere")


def test_other_gis_attributes_are_kept_out_of_the_model(tmp_path):
    import json
    import shutil

    from ecocity.district.load import load_district

    folder = tmp_path / "d"
    shutil.copytree(Path(__file__).parents[1] / "data" / "districts" / "small", folder)
    path = folder / "subcatchments.geojson"
    collection = json.loads(path.read_text())
    collection["features"][0]["properties"]["land_use"] = "residential"
    path.write_text(json.dumps(collection))
    assert len(load_district(folder).subcatchments) == len(collection["features"])


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ('idf = "beijing-classic-zone2"', 'idf = "beijing-clasic-zone2"', "idf"),
        ("design_storm_step_min = 5", "design_storm_step_min = 7", "design_storm_step_min"),
        ("design_storm_return_periods_yr = [2, 5]", "design_storm_return_periods_yr = []",
         "design_storm_return_periods_yr"),
    ],
)
def test_storm_settings_are_checked_when_the_district_loads(tmp_path, old, new, field):
    import shutil

    folder = tmp_path / "tz"
    shutil.copytree(Path(__file__).parents[2] / "examples" / "tongzhou", folder)
    toml = folder / "district.toml"
    assert old in toml.read_text()
    toml.write_text(toml.read_text().replace(old, new))
    with pytest.raises(InputError, match=rf"district.toml.*{field}"):
        load_district(folder)
