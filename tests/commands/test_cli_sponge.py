"""The ecocity CLI end to end on the small fixture district (through ``ecocity.cli.main``)."""

import json
import subprocess
import sys
from pathlib import Path

SMALL = Path(__file__).parents[1] / "data" / "districts" / "small"
SMALL_NETWORK = Path(__file__).parents[1] / "data" / "districts" / "small_network"


def ecocity(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ecocity.cli", *args], capture_output=True, text=True, timeout=300)


def test_assess_json_prints_the_results_document(tmp_path):
    done = ecocity("assess", str(SMALL), "--out", str(tmp_path), "--json", "--workers", "1")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert [s["name"] for s in document["scenarios"]] == ["baseline", "green-roofs", "sponge mix"]
    assert (tmp_path / "report.html").is_file() and (tmp_path / "ecocity.db").is_file()


def test_sponge_run_json_gives_one_scenario(tmp_path):
    done = ecocity("sponge", "run", str(SMALL_NETWORK), "--out", str(tmp_path), "--json")
    assert done.returncode == 0, done.stderr
    scenario = json.loads(done.stdout)["scenario"]
    names = {i["name"] for i in scenario["indicators"]}
    assert {"capture_ratio", "flood_volume_m3", "flooded_nodes", "peak_flow_P2"} <= names


def test_export_then_import_round_trip(tmp_path):
    inp = tmp_path / "model.inp"
    done = ecocity("sponge", "export", str(SMALL_NETWORK), "--scenario", "baseline", "--out", str(inp))
    assert done.returncode == 0, done.stderr
    assert inp.is_file() and (tmp_path / "model.rain.dat").is_file()
    folder = tmp_path / "imported"
    done = ecocity("sponge", "import", str(inp), "--out", str(folder), "--crs", "EPSG:4548",
                   "--rainfall", str(SMALL_NETWORK / "rain.csv"), "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["subcatchments"] == 3
    done = ecocity("sponge", "run", str(folder), "--out", str(tmp_path / "out"), "--json")
    assert done.returncode == 0, done.stderr


def test_bad_district_exits_2_naming_the_file_and_field(tmp_path):
    folder = tmp_path / "bad"
    folder.mkdir()
    for path in SMALL.iterdir():
        if path.is_file():
            (folder / path.name).write_bytes(path.read_bytes())
    (folder / "scenarios").mkdir()
    toml = (folder / "district.toml").read_text().replace("capture_ratio = 0.85", "capture_ratio = 1.7")
    (folder / "district.toml").write_text(toml)
    done = ecocity("assess", str(folder), "--out", str(tmp_path / "out"))
    assert done.returncode == 2
    assert "district.toml" in done.stderr and "capture_ratio" in done.stderr
    assert "Traceback" not in done.stderr


def test_export_refuses_a_non_inp_target(tmp_path):
    done = ecocity("sponge", "export", str(SMALL), "--scenario", "baseline", "--out", str(tmp_path / "x.txt"))
    assert done.returncode == 2 and "--out" in done.stderr
