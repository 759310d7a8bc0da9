"""Import of SWMM models and export of scenarios: round trips."""

import warnings

import pytest

from ecocity.district.model import BASELINE, Measure, Scenario
from ecocity.errors import InputError
from ecocity.stormwater.engine import run_swmm
from ecocity.stormwater.inpio import export_inp, import_inp, nearest_soil_class
from ecocity.stormwater.network import network_from_text, parse_sections
from ecocity.stormwater.simulation import simulate

from .helpers import one_hectare, short_storm_series

SCENARIO = Scenario(name="bc", measures=(Measure(lid="bioretention", treated_share=0.8, surface_ratio=0.06),))


def test_export_then_import_keeps_areas_imperviousness_outlets_and_outline(tmp_path, site):
    path = export_inp(site, BASELINE, tmp_path / "site.inp", short_storm_series())
    assert (tmp_path / "site.rain.dat").exists()
    sections = parse_sections(path.read_text())
    assert {"MAP", "COORDINATES", "POLYGONS"} <= set(sections)
    imported = import_inp(path)
    sub, original = imported.subcatchments[0], site.subcatchments[0]
    assert (sub.id, sub.outlet, sub.soil) == (original.id, original.outlet, original.soil)
    assert sub.area_m2 == pytest.approx(original.area_m2)
    assert sub.land_cover.impervious == pytest.approx(original.land_cover.impervious)
    assert sub.polygon == original.polygon
    assert network_from_text(imported.network_text, where="x").nodes() == {"J1", "J1_out"}
    assert parse_sections(imported.network_text)["OPTIONS"] == ["FLOW_UNITS CMS"]  # read back as SI


def test_exported_model_runs_to_the_same_runoff_as_the_direct_run(tmp_path, site):
    rain = short_storm_series()
    direct = simulate(site, SCENARIO, rain)
    path = export_inp(site, SCENARIO, tmp_path / "site.inp", rain)
    exported = run_swmm(path.read_text(), tmp_path / "site.rain.dat")
    assert exported.subcatchments.loc["S1", "runoff_m3"] == pytest.approx(direct.subcatchments.loc["S1", "runoff_m3"], rel=1e-9)
    assert not list(tmp_path.glob("*.rpt")) and not list(tmp_path.glob("*.out"))  # nothing written beside


def test_import_maps_horton_minimum_rate_to_the_nearest_soil_class(tmp_path):
    text = """[OPTIONS]
FLOW_UNITS LPS
INFILTRATION HORTON
[SUBCATCHMENTS]
A RG1 N1 2.5 40 120 0.5 0
[SUBAREAS]
A 0.013 0.1 1.9 3.8 25 OUTLET
[INFILTRATION]
A 76.2 6.35 4 7 0
[LID_USAGE]
A LID1 1 100 10 0 50 0 * * 0
[JUNCTIONS]
N1 1 2 0 0 0
[OUTFALLS]
O1 0 FREE NO
"""
    path = tmp_path / "horton.inp"
    path.write_text(text)
    with pytest.warns(UserWarning) as caught:
        imported = import_inp(path)
    messages = [str(w.message) for w in caught]
    assert any("LID units were not imported" in m for m in messages)
    assert any("1 of 1 subcatchments have no [POLYGONS] outline (A)" in m for m in messages)
    sub = imported.subcatchments[0]
    assert sub.soil == "silt_loam"  # 6.35 mm/h is nearest to silt loam's 6.6 mm/h
    assert (sub.area_m2, sub.slope, sub.land_cover.paved) == (25_000.0, 0.005, 0.4)
    assert nearest_soil_class(100.0) == "sand"


GREEN_AMPT_MODEL = """[OPTIONS]
FLOW_UNITS CMS
INFILTRATION GREEN_AMPT
[SUBCATCHMENTS]
A RG1 N1 2.5 40 120 0.5 0
[SUBAREAS]
A 0.013 0.1 1.9 3.8 25 OUTLET
[INFILTRATION]
A 170 6.6 0.22
[POLYGONS]
A 0 0
A 100 0
A 100 100
[JUNCTIONS]
N1 1 2 0 0 0
[OUTFALLS]
O1 0 FREE NO
"""


def test_import_of_a_well_formed_model_with_outlines_warns_nothing(tmp_path):
    path = tmp_path / "model.inp"
    path.write_text(GREEN_AMPT_MODEL)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (sub,) = import_inp(path).subcatchments
    assert (sub.width_m, sub.soil, len(sub.polygon)) == (120.0, "silt_loam", 3)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("A 100 100\n", "A 100\n", r"record 'A', field 'POLYGONS': expected Subcatchment X-Coord Y-Coord"),
        ("A 100 100\n", "A east 100\n", r"record 'A', field 'POLYGONS X': expected a number, got 'east'"),
        ("N1 2.5 40 120 ", "N1 2.5 40 abc ", r"record 'A', field 'Width': expected a number, got 'abc'"),
        ("N1 2.5 40 120 ", "N1 2.5 40 nan ", r"record 'A', field 'Width': expected a finite number"),
        ("N1 2.5 40 120 ", "N1 2.5 40 0 ", r"record 'A', field 'Width': Input should be greater than 0"),
        ("N1 2.5 40 120 ", "N1 0 40 120 ", r"record 'A', field 'Area': Input should be greater than 0"),
        ("A 170 6.6 0.22", "A 170 fast 0.22", r"record 'A', field 'Ksat': expected a number, got 'fast'"),
        ("A 170 6.6 0.22", "A 170 0 0.22", r"record 'A', field 'Ksat': must be positive"),
    ],
)
def test_malformed_import_lines_are_input_errors_naming_file_record_and_field(tmp_path, old, new, message):
    path = tmp_path / "model.inp"
    path.write_text(GREEN_AMPT_MODEL.replace(old, new, 1))
    with pytest.raises(InputError, match=r"model.inp, " + message):
        import_inp(path)
