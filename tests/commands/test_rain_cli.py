"""End-to-end tests of ``ecocity rain`` through ``ecocity.cli.main`` (which maps InputError to exit 2)."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest


def ecocity(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ecocity.cli", "rain", *args], capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def daily_csv(tmp_path):
    # Daily steps: 0.5 and 2.0 mm are dropped (<= 2 mm); retained 3, 5, 5, 10, 27 mm (total 50).
    # alpha between 10 and 27 mm is (23 + X)/50, so the 80 % design depth is 17 mm (see
    # tests/climate/test_capture.py for the full hand computation).
    path = tmp_path / "daily.csv"
    depths = [0.5, 2.0, 3.0, 5.0, 5.0, 10.0, 27.0]
    rows = [f"2020-07-0{i + 1},{d}" for i, d in enumerate(depths)]
    path.write_text("timestamp,depth_mm\n" + "\n".join(rows) + "\n")
    return path


def test_capture_json_gives_design_depth_and_curve(daily_csv):
    result = ecocity("capture", str(daily_csv), "--target", "0.8", "--json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["target"] == 0.8
    assert payload["design_depth_mm"] == pytest.approx(17.0, rel=1e-12)
    assert payload["curve"][-1] == {"depth_mm": 27.0, "capture_ratio": 1.0}
    assert [row["depth_mm"] for row in payload["curve"]] == [3.0, 5.0, 10.0, 27.0]


def test_storm_writes_csv_of_depth_per_step(tmp_path):
    out = tmp_path / "storm.csv"
    result = ecocity(
        "storm", "--idf", "beijing-classic-zone2", "--return-period", "2", "--duration-min", "120",
        "--step-min", "5", "--out", str(out), "--json",
    )
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    hyetograph = pd.read_csv(out)
    assert list(hyetograph.columns) == ["time_min", "depth_mm"]
    assert hyetograph["time_min"].tolist() == [5.0 * i for i in range(24)]
    # Reference: q(2 yr, 120 min) = 2001(1 + 0.811 lg 2)/128^0.711 -> depth 56.9 mm (see tests/climate/SOURCES.md).
    assert hyetograph["depth_mm"].sum() == pytest.approx(56.91, abs=0.01)  # CSV keeps 6 significant digits
    assert payload["total_depth_mm"] == pytest.approx(payload["formula_depth_mm"], rel=1e-12)
    assert payload["peak_time_min"] == 40.0


def test_check_reports_gaps_and_synth_is_labelled(tmp_path):
    gappy = tmp_path / "gappy.csv"
    gappy.write_text("timestamp,depth_mm\n2020-07-01 00:00,1\n2020-07-01 00:05,0\n2020-07-01 00:20,2\n")
    result = ecocity("check", str(gappy), "--json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["step_min"] == 5.0
    assert payload["missing_steps"] == 2
    assert payload["gaps"] == [["2020-07-01T00:10:00", "2020-07-01T00:15:00"]]

    out = tmp_path / "synthetic.parquet"
    result = ecocity("synth", "--years", "1", "--step-min", "15", "--seed", "3", "--out", str(out))
    assert result.returncode == 0, result.stderr
    payload = json.loads(ecocity("check", str(out), "--json").stdout)
    assert payload["synthetic"] is True
    assert payload["step_min"] == 15.0
    assert payload["n_steps"] == 365 * 96
    assert payload["gaps"] == []


def test_synth_to_csv_stays_labelled_synthetic(tmp_path):
    out = tmp_path / "s.csv"
    result = ecocity("synth", "--years", "1", "--step-min", "60", "--seed", "4", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_text().startswith("# synthetic: ")
    for command in ("capture", "check"):
        result = ecocity(command, str(out), "--json")
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["synthetic"] is True


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["capture", "{bad}", "--json"], ["bad.csv", "record 'row 2'", "field 'depth_mm'"]),
        (["storm", "--idf", "2001,0.8", "--json"], ["field 'idf'", "A,C,b,n"]),
        (["storm", "--step-min", "7", "--json"], ["field 'step_min'"]),
    ],
)
def test_bad_input_exits_2_naming_file_and_field(tmp_path, args, expected):
    bad = tmp_path / "bad.csv"
    bad.write_text("timestamp,depth_mm\n2020-07-01 00:00,1\n2020-07-01 00:05,-3\n")
    result = ecocity(*[a.format(bad=bad) for a in args])
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    message = " ".join(result.stderr.split())  # rich wraps long lines
    for text in expected:
        assert text in message


def test_climate_writes_the_future_series(tmp_path):
    # Two events (4 mm and 10 mm, 11 h apart); user:1.25 scales both: 14 -> 17.5 mm.
    rain = tmp_path / "rain.csv"
    index = pd.date_range("2024-07-01", periods=200, freq="5min")
    depth = [0.0] * 200
    depth[10:14] = [1.0, 2.0, 0.0, 1.0]
    depth[150:152] = [5.0, 5.0]
    pd.DataFrame({"timestamp": index.strftime("%Y-%m-%d %H:%M"), "depth_mm": depth}).to_csv(rain, index=False)
    out = tmp_path / "future.csv"
    result = ecocity("climate", str(rain), "--scenario", "user:1.25", "--out", str(out), "--json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["events"] == 2 and payload["total_mm_future"] == pytest.approx(17.5, rel=1e-12)
    future = pd.read_csv(out)
    assert future["depth_mm"].sum() == pytest.approx(17.5, abs=1e-9)
    assert future["timestamp"].tolist() == pd.read_csv(rain)["timestamp"].tolist()
    dk = ecocity("climate", str(rain), "--scenario", "dk-100yr", "--out", str(tmp_path / "dk.parquet"), "--json")
    factors = {row["return_period_yr"]: row["factor"] for row in json.loads(dk.stdout)["storm_factors"]}
    assert factors[2.0] == 1.2 and factors[10.0] == 1.3 and factors[100.0] == 1.4  # Skrift 29/30


def test_climate_unknown_scenario_exits_2(tmp_path):
    rain = tmp_path / "rain.csv"
    rain.write_text("timestamp,depth_mm\n2024-07-01 00:00,1.0\n2024-07-01 00:05,0.0\n")
    result = ecocity("climate", str(rain), "--scenario", "mars", "--out", str(tmp_path / "x.csv"))
    assert result.returncode == 2 and "unknown climate scenario 'mars'" in result.stderr
    assert "Traceback" not in result.stderr
