"""The orchestrator: scenarios through compute/, the store cache, results.json and report.html."""

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from ecocity.assess import assess_district, input_hash, last_years, load_inputs
from ecocity.errors import InputError

SMALL = Path(__file__).parent / "data" / "districts" / "small"


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("assess")
    return assess_district(SMALL, out, workers=1)


def test_every_scenario_is_simulated_and_written(first_run):
    names = [s["name"] for s in first_run.results["scenarios"]]
    assert names == ["baseline", "green-roofs", "sponge mix"]
    assert set(first_run.simulated) == set(names) and first_run.cached == ()
    document = json.loads(first_run.results_path.read_text(encoding="utf-8"))
    assert document["district"]["n_subcatchments"] == 5
    assert first_run.report_path.is_file() and first_run.report_path.stat().st_size > 100_000


def test_unchanged_scenarios_are_read_from_the_store(first_run):
    again = assess_district(SMALL, first_run.out_dir, workers=1)
    assert again.simulated == () and set(again.cached) == {"baseline", "green-roofs", "sponge mix"}
    assert again.results["scenarios"] == [dict(s, cached=True) for s in first_run.results["scenarios"]]


def test_a_changed_rainfall_file_invalidates_the_cache(first_run, tmp_path):
    folder = tmp_path / "small"
    shutil.copytree(SMALL, folder)
    district, rain = load_inputs(folder)
    before = input_hash(district, district.scenario("baseline"), rain)
    rain_file = folder / "rain.csv"
    rain_file.write_text(rain_file.read_text().replace(",0.00\n", ",0.10\n", 1))
    district, rain = load_inputs(folder)
    assert input_hash(district, district.scenario("baseline"), rain) != before


def test_the_hash_does_not_depend_on_where_the_folder_is(tmp_path):
    moved = tmp_path / "elsewhere"
    shutil.copytree(SMALL, moved)
    a, rain_a = load_inputs(SMALL)
    b, rain_b = load_inputs(moved)
    assert input_hash(a, a.scenario("baseline"), rain_a) == input_hash(b, b.scenario("baseline"), rain_b)


def test_results_carry_indicators_with_targets_and_sources(first_run):
    district = first_run.results["district"]
    for scenario in first_run.results["scenarios"]:
        ratio = next(i for i in scenario["indicators"] if i["name"] == "capture_ratio" and i["scope"] == "district")
        assert ratio["target"] == district["targets"]["capture_ratio"]
        assert ratio["passed"] == (ratio["value"] >= ratio["target"])
        assert all(i["source"] for i in scenario["indicators"])
    assert any(row["item"].startswith("SS removal") for row in first_run.results["sources"])


def test_water_balance_closes(first_run):
    for scenario in first_run.results["scenarios"]:
        wb = scenario["water_balance_mm"]
        out = wb["runoff"] + wb["infiltration"] + wb["evaporation"] + wb["storage_change"]
        assert out == pytest.approx(wb["rainfall"], rel=0.01)  # SWMM continuity <= 1 %


def test_unknown_scenario_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="scenario"):
        assess_district(SMALL, tmp_path, scenarios=["no such plan"])


def test_last_years_keeps_the_end_of_the_series():
    index = pd.date_range("2000-01-01", "2009-12-31 23:00", freq="h")
    rain = pd.Series(1.0, index=index)
    kept = last_years(rain, 3)
    assert kept.index[0] == pd.Timestamp("2007-01-01 00:00") and kept.index[-1] == index[-1]
    with pytest.raises(InputError, match="years"):
        last_years(rain, 0)


def test_short_or_coarse_rainfall_is_noted(first_run):
    # the fixture holds two days of rain: far short of the 10 years capture ratios need
    notes = first_run.results["notes"]
    assert any("at least 10 years" in note for note in notes)
    assert first_run.report_path.read_text(encoding="utf-8").count("at least 10 years") == 1


def test_lid_water_balance_closes_per_type(first_run):
    for scenario in first_run.results["scenarios"][1:]:
        assert scenario["lid_water_balance"], scenario["name"]
        for item in scenario["lid_water_balance"]:
            out = sum(item[f"{c}_m3_per_yr"] for c in
                      ("evaporation", "infiltration", "surface_outflow", "drain_outflow", "storage_change"))
            assert out == pytest.approx(item["inflow_m3_per_yr"], rel=0.01), item["lid"]
    assert "Water balance of the LID facilities" in first_run.report_path.read_text(encoding="utf-8")


def test_scenarios_run_on_a_dask_cluster_give_the_same_results(first_run, tmp_path):
    from ecocity.compute import local_cluster

    with local_cluster(2) as cluster:
        on_dask = assess_district(SMALL, tmp_path, dask_address=cluster.scheduler_address, report=False)
    assert set(on_dask.simulated) == {"baseline", "green-roofs", "sponge mix"}
    for ours, theirs in zip(first_run.results["scenarios"], on_dask.results["scenarios"]):
        assert ours["indicators"] == theirs["indicators"]


def test_a_district_with_a_plant_gets_its_wastewater_section(tmp_path):
    folder = tmp_path / "small"
    shutil.copytree(SMALL, folder)
    (folder / "wastewater.toml").write_text('plant = "bsm1"\ninfluent = "constant"\nstandards = ["gb18918_2002_1a"]\n')
    done = assess_district(folder, tmp_path / "out", workers=1, scenarios=["green-roofs"])
    section = json.loads(done.results_path.read_text(encoding="utf-8"))["wastewater"]
    assert section["plant"] == "bsm1" and section["compliance"][0]["standard"] == "gb18918_2002_1a"
    assert section["energy"]["kwh_per_m3"] > 0 and section["run_id"]
    html = done.report_path.read_text(encoding="utf-8")
    assert 'id="wastewater"' in html and 'data-standard="gb18918_2002_1a"' in html
    chinese = __import__("ecocity.report", fromlist=["report_html"]).report_html(done.results, language="zh")
    assert "污水处理厂" in chinese


def test_a_district_without_a_plant_has_no_wastewater_section(first_run):
    assert "wastewater" not in first_run.results
    assert 'id="wastewater"' not in first_run.report_path.read_text(encoding="utf-8")
