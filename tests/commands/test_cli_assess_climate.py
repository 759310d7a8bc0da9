"""``ecocity assess --climate`` and the lines it prints for the climate section."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ecocity.commands.assess import climate_lines

SMALL = Path(__file__).parents[1] / "data" / "districts" / "small"


def test_climate_lines_say_the_capture_ratio_and_the_targets():
    results = {"climate": {"scenarios": [{"name": "dk-100yr", "designs": [
        {"name": "baseline", "meets_targets_today": True, "meets_targets_future": False,
         "indicators": [{"name": "capture_ratio", "today": 0.86, "future": 0.82}]},
    ]}]}}  # fmt: skip
    assert climate_lines(results) == [
        "climate dk-100yr: baseline: capture ratio 86.0% -> 82.0%; targets met today, targets missed then"]
    assert climate_lines({"scenarios": []}) == []


def _command(tmp_path: Path) -> list[str]:
    folder = tmp_path / "small"
    shutil.copytree(SMALL, folder)
    toml = folder / "district.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("[2, 5, 50]", "[10]"), encoding="utf-8")
    return [sys.executable, "-m", "ecocity.cli", "assess", str(folder), "--scenario", "baseline", "--workers", "1"]


def test_a_bad_climate_name_exits_2_before_simulating(tmp_path):
    bad = subprocess.run([*_command(tmp_path), "--climate", "user:wet"], capture_output=True, text=True, timeout=300)
    assert bad.returncode == 2 and "expected a number after 'user:'" in bad.stderr and "Traceback" not in bad.stderr
    assert not (tmp_path / "small" / "ecocity-out").exists()


@pytest.mark.slow
def test_assess_climate_option_adds_the_section(tmp_path):
    command = _command(tmp_path)
    folder = tmp_path / "small"
    result = subprocess.run([*command, "--climate", "user:1.3", "--json"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    climate = json.loads(result.stdout)["climate"]["scenarios"]
    assert [c["name"] for c in climate] == ["user:1.3"]
    assert climate[0]["storm_factors"] == [{"return_period_yr": 10.0, "factor": 1.3}]
    report = (folder / "ecocity-out" / "report.html").read_text(encoding="utf-8")
    assert 'id="climate"' in report
