"""``ecocity wastewater`` end to end (through ``ecocity.cli``)."""

import json
import subprocess
import sys


def ecocity(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ecocity.cli", *args], capture_output=True, text=True,
                          timeout=300, cwd=cwd)


def test_simulate_json_then_read_from_the_store(tmp_path):
    done = ecocity("wastewater", "simulate", "bsm1", "--out", str(tmp_path), "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert {"effluent", "evaluation", "compliance", "energy"} <= set(summary)
    assert {"EQI", "AE", "PE", "ME", "SP", "OCI", "violations"} <= set(summary["evaluation"])
    assert summary["cached"] is False and (tmp_path / "ecocity.db").is_file()
    again = json.loads(ecocity("wastewater", "simulate", "bsm1", "--out", str(tmp_path), "--json").stdout)
    assert again["cached"] is True and again["run_id"] == summary["run_id"]
    assert again["effluent"] == summary["effluent"]


def test_simulate_dynamic_closed_loop_with_two_standards(tmp_path):
    done = ecocity("wastewater", "simulate", "bsm1", "--influent", "dry", "--control", "default", "--days", "0.5",
                   "--standard", "gb18918_2002_1a", "--standard", "uwwtd_91_271_secondary",
                   "--out", str(tmp_path), "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["mode"] == "dynamic" and summary["control"] == "default"
    assert [c["standard"] for c in summary["compliance"]] == ["gb18918_2002_1a", "uwwtd_91_271_secondary"]


def test_simulate_human_output_has_tables(tmp_path):
    done = ecocity("wastewater", "simulate", "bsm1", "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert "BSM1 criteria" in done.stdout and "kWh/m³" in done.stdout


def test_bad_influent_is_exit_2_without_traceback(tmp_path):
    done = ecocity("wastewater", "simulate", "bsm1", "--influent", "monsoon", "--out", str(tmp_path))
    assert done.returncode == 2
    assert "no such influent file" in done.stderr and "Traceback" not in done.stderr


def test_compare_tabulates_eqi_against_oci_and_writes_the_plot(tmp_path):
    done = ecocity("wastewater", "compare", "bsm1", "--kla5", "60", "--kla5", "120", "--do-setpoint", "2",
                   "--workers", "2", "--out", str(tmp_path), "--json")
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    rows = payload["variants"]
    assert [r["label"] for r in rows] == ["DO 2 g/m³", "KLa5 60 1/d", "KLa5 120 1/d"]
    assert rows[2]["AE"] > rows[1]["AE"]  # more aeration costs more energy
    assert rows[2]["effluent"]["S_O"] > rows[1]["effluent"]["S_O"]
    assert (tmp_path / "compare.html").is_file() and payload["html"] == str(tmp_path / "compare.html")


def test_compare_without_variants_is_an_input_error():
    done = ecocity("wastewater", "compare", "bsm1")
    assert done.returncode == 2 and "--do-setpoint" in done.stderr


def test_noise_is_checked_before_the_run(tmp_path):
    """--noise: off, seeded or a file; only with the benchmark sensors (exit 2, no traceback)."""
    done = ecocity("wastewater", "simulate", "bsm1", "--influent", "dry", "--control", "default",
                   "--noise", "loud", "--out", str(tmp_path))
    assert done.returncode == 2
    assert "unknown noise 'loud'" in done.stderr and "Traceback" not in done.stderr
    done = ecocity("wastewater", "simulate", "bsm1", "--influent", "dry", "--control", "default",
                   "--noise", "seeded", "--out", str(tmp_path))
    assert done.returncode == 2
    assert "benchmark sensors" in done.stderr and "Traceback" not in done.stderr
