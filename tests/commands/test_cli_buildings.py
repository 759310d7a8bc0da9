"""``ecocity buildings`` end to end on the example portfolio (through ``ecocity.cli``)."""

import json
from dataclasses import dataclass
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from buildings.example_portfolio import small_portfolio
from ecocity.errors import InputError

EXAMPLE = Path(__file__).parents[2] / "examples" / "buildings"
METER = EXAMPLE / "meters" / "TZ-OFF-03_electricity.parquet"
WEATHER = EXAMPLE / "weather" / "beijing_hourly.csv"



def ecocity(*args: str) -> subprocess.CompletedProcess:
    """The CLI in a subprocess (exit status and stderr as a user sees them)."""
    return subprocess.run([sys.executable, "-m", "ecocity.cli", *map(str, args)], capture_output=True, text=True,
                          timeout=300)


@dataclass
class Done:
    returncode: int
    stdout: str
    stderr: str


def run(*args: str) -> Done:
    """The CLI in this process (fast); an InputError gives exit 2 and its message, as ``ecocity.cli.main``."""
    from typer.testing import CliRunner

    from ecocity.cli import _register, app

    if not any(group.name == "buildings" for group in app.registered_groups):
        _register()
    result = CliRunner().invoke(app, [str(a) for a in args])
    if isinstance(result.exception, InputError):
        return Done(2, result.stdout, str(result.exception))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Done(result.exit_code, result.stdout, "")


def test_baseline_json_gives_model_balance_points_coefficients_and_metrics():
    done = run("buildings", "baseline", METER, "--temperature", WEATHER, "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    b = result["baseline"]
    assert {"model_type", "heating_balance_c", "cooling_balance_c", "intercept_kwh_per_d", "beta_hdd_kwh_per_c_day",
            "beta_cdd_kwh_per_c_day", "r_squared", "cvrmse", "nmbe", "sufficient"} <= set(b)
    assert result["sufficiency"]["ok"] and result["savings"] is None


def test_baseline_from_the_simplest_csv_files(tmp_path):
    # meter CSV timestamp,value in Wh (--unit) and temperature CSV timestamp,temperature_c
    meter = pd.read_parquet(METER)
    meter.assign(value=meter["value"] * 1000).to_csv(tmp_path / "m.csv", index=False)
    done = run("buildings", "baseline", tmp_path / "m.csv", "--temperature", WEATHER, "--unit", "Wh", "--json")
    assert done.returncode == 0, done.stderr
    parquet = json.loads(run("buildings", "baseline", METER, "--temperature", WEATHER, "--json").stdout)
    assert json.loads(done.stdout)["baseline"]["intercept_kwh_per_d"] == pytest.approx(
        parquet["baseline"]["intercept_kwh_per_d"], rel=1e-6)


def test_savings_json_and_table():
    done = run("buildings", "savings", METER, "--temperature", WEATHER, "--intervention", "2023-07-01", "--json")
    assert done.returncode == 0, done.stderr
    s = json.loads(done.stdout)["savings"]
    assert {"intervention", "avoided_kwh", "fraction", "band90_kwh", "daily"} <= set(s)
    assert s["fraction"] == pytest.approx(0.20, abs=0.02)  # truth: 20 % retrofit (truth.csv)
    table = run("buildings", "savings", METER, "--temperature", WEATHER, "--intervention", "2023-07-01")
    assert table.returncode == 0 and "Avoided energy" in table.stdout


def test_portfolio_json_and_table_on_a_small_copy(tmp_path):
    folder = small_portfolio(tmp_path / "p", ids=("TZ-OFF-03", "TZ-MAL-12", "CPH-OFF-02"))
    done = run("buildings", "portfolio", folder, "--workers", "1", "--json")
    assert done.returncode == 0, done.stderr
    section = json.loads(done.stdout)
    assert section["n_buildings"] == 3 and not section["synthetic"] and [b["rank"] for b in section["buildings"]] == [1, 2, 3]
    assert section["run_id"] and section["cached"] is False
    assert (folder / "ecocity-out" / "ecocity.db").is_file()  # the default store
    table = run("buildings", "portfolio", folder, "--workers", "1")
    assert table.returncode == 0 and "ranked by savings potential" in table.stdout
    assert f"run {section['run_id']} read back from the store" in table.stdout
    again = json.loads(run("buildings", "portfolio", folder, "--json").stdout)
    assert again["cached"] is True and again["run_id"] == section["run_id"]
    assert {k: v for k, v in again.items() if k != "cached"} == {k: v for k, v in section.items() if k != "cached"}
    fresh = json.loads(run("buildings", "portfolio", folder, "--workers", "1", "--no-cache", "--json").stdout)
    assert fresh["cached"] is False and fresh["run_id"] != section["run_id"]


def test_portfolio_grid_and_own_store(tmp_path):
    # --grid replaces the electricity factor of every building: Copenhagen's CPH-OFF-02 then uses
    # china-2023 (0.5306 kg CO2/kWh) for its electricity share instead of denmark-2023 (0.096).
    folder = small_portfolio(tmp_path / "p", ids=("CPH-OFF-02", "CPH-OFF-03"))
    store = tmp_path / "elsewhere" / "runs.db"
    own = json.loads(run("buildings", "portfolio", folder, "--workers", "1", "--store", store, "--json").stdout)
    china = json.loads(run("buildings", "portfolio", folder, "--workers", "1", "--store", store, "--grid",
                           "china-2023", "--json").stdout)
    assert store.is_file() and not (folder / "ecocity-out").exists()
    assert china["run_id"] != own["run_id"] and not china["cached"]
    a, b = own["buildings"][0]["potential"], china["buildings"][0]["potential"]  # rank 1: above the peer median
    assert a["kwh"] == b["kwh"] > 0 and b["t_co2"] > a["t_co2"] > 0
    assert any("china-2023" in s["value"] for s in china["sources"])
    bad = run("buildings", "portfolio", folder, "--grid", "mars", "--json")
    assert bad.returncode == 2 and "grid factor 'mars'" in bad.stderr and "emission_factors.toml" in bad.stderr


def test_portfolio_indicator_table_option(tmp_path):
    # --indicators: the user's GB/T 51161 rows (made-up test values) give Beijing a verdict marked "user"
    folder = small_portfolio(tmp_path / "p", ids=("TZ-OFF-03",))
    table = tmp_path / "mine.csv"
    table.write_text("building_type,climate_zone,constraint_kwh_per_m2,guide_kwh_per_m2,source\n"
                     "office,beijing,10,5,made-up test values\n")
    done = json.loads(run("buildings", "portfolio", folder, "--workers", "1", "--indicators", table,
                          "--json").stdout)
    bench = done["buildings"][0]["benchmark"]
    assert (bench["verdict"], bench["confidence"], bench["constraint_kwh_per_m2"]) == ("exceeds constraint", "user",
                                                                                       10.0)
    assert "made-up test values" in bench["source"] and "mine.csv" in bench["source"]
    table.write_text("building_type,climate_zone,constraint_kwh_per_m2,guide_kwh_per_m2,source\n"
                     "office,beijing,10,20,made-up test values\n")
    bad = run("buildings", "portfolio", folder, "--indicators", table, "--json")
    assert bad.returncode == 2 and "mine.csv" in bad.stderr and "guide_kwh_per_m2" in bad.stderr


def test_bad_inputs_exit_2_naming_file_and_column(tmp_path):
    (tmp_path / "t.csv").write_text("timestamp,temp\n2022-01-01 00:00,1.0\n")
    done = ecocity("buildings", "baseline", METER, "--temperature", tmp_path / "t.csv")
    assert done.returncode == 2
    assert "t.csv" in done.stderr and "temperature_c" in done.stderr
    folder = small_portfolio(tmp_path / "p", ids=("TZ-OFF-03",))
    text = (folder / "portfolio.csv").read_text().replace("floor_area_m2", "area")
    (folder / "portfolio.csv").write_text(text)
    done = run("buildings", "portfolio", folder, "--json")
    assert done.returncode == 2
    assert "portfolio.csv" in done.stderr and "floor_area_m2" in done.stderr
    done = run("buildings", "baseline", METER, "--temperature", WEATHER, "--model", "weekly")
    assert done.returncode == 2 and "--model" in done.stderr


@pytest.mark.slow
def test_whole_example_portfolio(tmp_path):
    done = ecocity("buildings", "portfolio", EXAMPLE, "--store", tmp_path / "runs.db", "--json")
    assert done.returncode == 0, done.stderr
    section = json.loads(done.stdout)
    assert section["n_buildings"] == 70 and section["synthetic"]
    retrofits = {b["building_id"]: b["savings"] for b in section["buildings"] if b["savings"]}
    assert set(retrofits) == {"TZ-OFF-03", "TZ-OFF-11", "TZ-SCH-05", "TZ-HOS-02"}
