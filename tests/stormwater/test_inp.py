"""The SWMM input builder: options, sections, rain file, network merge, input errors."""

from pathlib import Path

import pandas as pd
import pytest

from ecocity.district.model import BASELINE, LandCover, Measure, Scenario
from ecocity.errors import InputError
from ecocity.stormwater.inp import build_inp, rain_file_text
from ecocity.stormwater.network import network_from_text, parse_sections

from .helpers import one_hectare, short_storm_series

NETWORK = """[OPTIONS]
FLOW_UNITS CMS
[JUNCTIONS]
;;Name Elev MaxDepth
MH1 10.0 3.0 0 0 0
[OUTFALLS]
OUT1 9.0 FREE NO
[CONDUITS]
P1 MH1 OUT1 50 0.013 0 0 0 0
[XSECTIONS]
P1 CIRCULAR 0.6 0 0 0 1
[SUBCATCHMENTS]
OLD RG OUT1 1 50 10 1 0
[COORDINATES]
MH1 0 0
OUT1 50 0
"""


def _options(text: str) -> dict[str, str]:
    return dict(line.split(maxsplit=1) for line in parse_sections(text)["OPTIONS"])


def test_continuous_options_follow_the_house_defaults(site):
    options = _options(build_inp(site, BASELINE, short_storm_series()))
    assert options["FLOW_UNITS"] == "CMS"
    assert options["INFILTRATION"] == "GREEN_AMPT"
    assert options["FLOW_ROUTING"] == "KINWAVE"
    assert (options["WET_STEP"], options["DRY_STEP"], options["ROUTING_STEP"]) == ("00:05:00", "01:00:00", "60")
    assert options["IGNORE_ROUTING"] == "NO"
    assert options["END_DATE"] == "07/11/2021"


def test_event_mode_uses_fine_steps_and_a_dry_tail(site):
    storm = pd.Series(1.0, index=pd.date_range("2021-07-01 08:00", periods=24, freq="5min"))
    options = _options(build_inp(site, BASELINE, storm, mode="event"))
    assert (options["WET_STEP"], options["REPORT_STEP"], options["ROUTING_STEP"]) == ("00:01:00", "00:01:00", "5")
    assert options["FLOW_ROUTING"] == "DYNWAVE"  # pipes may surcharge before a node floods
    assert options["END_TIME"] == "22:00:00"  # 10:00 + 12 dry hours


def test_ignore_routing_is_an_explicit_option(site):
    assert _options(build_inp(site, BASELINE, short_storm_series(), routing=False))["IGNORE_ROUTING"] == "YES"


def test_sections_carry_areas_soil_evaporation_and_report_none(site):
    sections = parse_sections(build_inp(site, BASELINE, short_storm_series()))
    assert sections["SUBCATCHMENTS"] == ["S1 RG1 J1 1.000000 70.0000 100.0000 1.0000 0"]
    assert sections["INFILTRATION"][0].split()[1:] == ["170.00", "6.600", "0.2170"]  # silt loam, Rawls 1983
    assert sections["EVAPORATION"][1] == "DRY_ONLY YES"
    assert "SUBCATCHMENTS NONE" in sections["REPORT"] and "NODES J1_out" in sections["REPORT"]
    assert sections["XSECTIONS"] == ["J1_link DUMMY 0 0 0 0 1"]  # a link before the outfall (pitfall #8)


def test_water_has_no_depression_storage():
    district = one_hectare(land_cover=LandCover(paved=0.4, water=0.2, green=0.4))
    subareas = parse_sections(build_inp(district, BASELINE, short_storm_series()))["SUBAREAS"][0].split()
    # %Zero = (water + 25 % of hard) / all impervious = (0.2 + 0.1) / 0.6
    assert float(subareas[5]) == pytest.approx(50.0)


def test_lid_rows_use_the_corrected_imperviousness(site):
    scenario = Scenario(name="gr", measures=(Measure(lid="green_roof", share_of_cover=0.4),))
    sections = parse_sections(build_inp(site, scenario, short_storm_series()))
    assert float(sections["SUBCATCHMENTS"][0].split()[4]) == pytest.approx(100 * 5800 / 8800, abs=1e-4)
    assert sections["LID_USAGE"][0].split()[:4] == ["S1", "M0_GR", "1", "1200.0000"]
    assert sections["LID_CONTROLS"][0] == "M0_GR GR"



def test_lid_soil_starts_at_field_capacity_like_the_native_soil(site):
    # SWMM lid.c: θ0 = WP + InitSat·(φ − WP), so InitSat = (FC − WP)/(φ − WP) puts θ0 at FC.
    scenario = Scenario(name="mix", measures=(
        Measure(lid="bioretention", area_m2=500.0),  # φ 0.5, FC 0.2, WP 0.1
        Measure(lid="green_roof", share_of_cover=0.4, on="roof"),  # φ 0.45, FC 0.2, WP 0.1
        Measure(lid="permeable_pavement", area_m2=300.0, on="paved"),  # no soil layer
        Measure(lid="bioretention", area_m2=200.0, design={"soil.field_capacity": 0.3}),
    ))  # fmt: skip
    usage = parse_sections(build_inp(site, scenario, short_storm_series()))["LID_USAGE"]
    init_sat = {row.split()[1]: float(row.split()[5]) for row in usage}
    assert init_sat["M0_BC_silt_loam"] == pytest.approx(25.0, abs=1e-4)
    assert init_sat["M1_GR"] == pytest.approx(100 * 0.1 / 0.35, abs=1e-4)
    assert init_sat["M2_PP_silt_loam"] == 0.0  # storage starts empty
    assert init_sat["M3_BC_silt_loam"] == pytest.approx(50.0, abs=1e-4)


def test_lid_soil_out_of_order_is_an_input_error(site):
    scenario = Scenario(name="bad", measures=(
        Measure(lid="bioretention", area_m2=500.0, design={"soil.wilting_point": 0.3}),))  # fmt: skip
    with pytest.raises(InputError, match=r"lid_catalogue.toml, field 'soil'.*wilting point ≤ field capacity"):
        build_inp(site, scenario, short_storm_series())

def test_rain_file_lists_wet_steps_in_swmm_user_format():
    lines = rain_file_text(short_storm_series()).splitlines()
    assert lines[0] == "STA1 2021 07 02 06 00 5.0000"
    assert len(lines) == 10


@pytest.mark.parametrize(
    ("series", "message"),
    [
        (pd.Series([1.0, 2.0], index=[0, 1]), "DatetimeIndex"),
        (pd.Series([1.0, -2.0], index=pd.date_range("2021-01-01", periods=2, freq="h")), "non-negative"),
        (pd.Series([1.0, 2.0], index=pd.date_range("2021-01-01", periods=2, freq="30s")), "whole minutes"),
        (pd.Series(1.0, index=pd.DatetimeIndex(["2021-01-01 00:00", "2021-01-01 01:00", "2021-01-01 03:00"])), "regular"),
    ],
)
def test_bad_rainfall_series_is_an_input_error(site, series, message):
    with pytest.raises(InputError, match=f"rainfall series.*{message}"):
        build_inp(site, BASELINE, series)


def test_network_is_merged_and_its_subcatchments_dropped(tmp_path):
    path = tmp_path / "network.inp"
    path.write_text(NETWORK)
    sections = parse_sections(build_inp(one_hectare(outlet="MH1", network=path), BASELINE, short_storm_series()))
    assert [line.split()[0] for line in sections["SUBCATCHMENTS"]] == ["S1"]
    assert sections["CONDUITS"] == ["P1 MH1 OUT1 50 0.013 0 0 0 0"]
    assert "NODES OUT1" in sections["REPORT"]


def test_outlet_missing_from_the_network_names_file_and_subcatchment(tmp_path):
    path = tmp_path / "network.inp"
    path.write_text(NETWORK)
    with pytest.raises(InputError, match=r"network.inp, record 'S1', field 'outlet'"):
        build_inp(one_hectare(outlet="MH9", network=path), BASELINE, short_storm_series())


def test_network_in_us_units_is_rejected(tmp_path):
    path = tmp_path / "network.inp"
    path.write_text(NETWORK.replace("FLOW_UNITS CMS", "FLOW_UNITS CFS"))
    with pytest.raises(InputError, match=r"network.inp, field 'FLOW_UNITS': the network uses US flow units"):
        build_inp(one_hectare(outlet="MH1", network=path), BASELINE, short_storm_series())


@pytest.mark.parametrize("options", ["", "[OPTIONS]\nINFILTRATION HORTON\n", "[OPTIONS]\nFLOW_UNITS\n"])
def test_network_without_flow_units_is_rejected_as_swmm_would_read_it_in_cfs(tmp_path, options):
    path = tmp_path / "network.inp"
    path.write_text(NETWORK.replace("[OPTIONS]\nFLOW_UNITS CMS\n", options))
    with pytest.raises(InputError, match=r"network.inp, field 'FLOW_UNITS': no FLOW_UNITS option.*CMS, LPS or MLD"):
        build_inp(one_hectare(outlet="MH1", network=path), BASELINE, short_storm_series())


@pytest.mark.parametrize("units", ["CMS", "LPS", "MLD", "lps"])
def test_network_in_si_flow_units_is_accepted(tmp_path, units):
    path = tmp_path / "network.inp"
    path.write_text(NETWORK.replace("FLOW_UNITS CMS", f"FLOW_UNITS {units}"))
    assert "CONDUITS" in parse_sections(build_inp(one_hectare(outlet="MH1", network=path), BASELINE,
                                                  short_storm_series()))


def test_example_and_fixture_networks_state_si_flow_units():
    root = Path(__file__).parents[2]
    for path in (root / "examples" / "tongzhou" / "network.inp",
                 root / "tests" / "data" / "districts" / "small_network" / "network.inp"):
        assert network_from_text(path.read_text(encoding="utf-8"), where=str(path)).outfalls()


def test_a_network_with_flows_in_lps_is_refused_since_the_model_runs_in_cms(tmp_path):
    text = NETWORK.replace("FLOW_UNITS CMS", "FLOW_UNITS LPS") + "\n[DWF]\nMH1 FLOW 12.5\n"
    with pytest.raises(InputError, match=r"network.inp.*FLOW_UNITS.*DWF"):
        network_from_text(text, where=str(tmp_path / "network.inp"))
