"""The district report's plant section for the plant-wide BSM2 plant: effluent against the
standards, energy per m³, the Sankey of the energy flows, self-sufficiency and the GHG bars.

The plant section comes from one real short BSM2 run (one day of the dynamic influent, no
stabilisation); its numbers are pinned by tests/wastewater/test_plantwide.py, here only how
the report shows them.
"""

import json
import shutil
from pathlib import Path

import pytest

from ecocity.indicators.records import AreaResult
from ecocity.report import report_html
from ecocity.results import wastewater_section
from ecocity.wastewater import bsm2, plantwide

SMALL = Path(__file__).parents[1] / "data" / "districts" / "small"


@pytest.fixture(scope="module")
def plant() -> AreaResult:
    parts = bsm2.load_bsm2()
    run = bsm2.run_bsm2("dynamic", control="default", days=1.0, stabilisation_d=0.0, parts=parts)
    return plantwide.summarise(run, parts, source="dynamic", standards=("gb18918_2002_1a",))


@pytest.fixture
def document(results, plant) -> dict:
    return {**results, "wastewater": wastewater_section(plant, "run-bsm2", cached=False)}


def test_the_section_has_the_sankey_the_ghg_bars_and_self_sufficiency(document):
    html = report_html(document)
    assert 'id="wastewater"' in html and 'id="plantwide-facts"' in html
    assert 'id="plant-energy-sankey"' in html and '"type": "sankey"' in html
    assert 'id="plant-ghg-bars"' in html and '"type": "bar"' in html
    e = document["wastewater"]["energy"]
    shown = f"{100 * e['electricity_self_sufficiency']:.0f} %"
    assert "Energy self-sufficiency" in html and shown in html
    assert f"{e['electricity_kwh_per_m3']:.3f} kWh/m³" in html
    assert f"{document['wastewater']['ghg']['net_t_co2e_per_yr']:,.0f} t CO₂e/yr" in html


def test_the_section_checks_the_effluent_against_the_standard(document):
    html = report_html(document)
    assert 'data-standard="gb18918_2002_1a"' in html and 'data-parameter="NH3_N"' in html


def test_a_short_run_is_marked_as_not_the_benchmark_window(document):
    html = report_html(document)
    assert 'id="ww-not-benchmark"' in html and "Not the BSM2 benchmark window" in html


def test_the_section_in_chinese(document):
    html = report_html(document, language="zh")
    assert "能源自给率" in html and "温室气体" in html and "能量流" in html and "非 BSM2 基准评价期" in html
    assert "t CO₂e/年" in html and "不可与已发表的 BSM2 结果比较" in html
    assert "沼气" in html  # the Sankey's node labels in Chinese


def test_a_bsm1_section_keeps_its_own_layout(results):
    bsm1 = {"plant": "bsm1", "influent": "constant", "control": "open", "mode": "steady_state", "window_d": [0, 1],
            "energy": {"kwh_per_m3": 0.4, "aeration_kwh_per_m3": 0.3, "pumping_kwh_per_m3": 0.08,
                       "mixing_kwh_per_m3": 0.02},
            "evaluation": {"EQI": 6000.0, "OCI": 16000.0}, "run_id": "r", "cached": False, "compliance": []}
    html = report_html({**results, "wastewater": bsm1})
    assert 'id="wastewater"' in html and "plant-energy-sankey" not in html and "0.400 kWh/m³" in html


def test_a_district_naming_bsm2_gets_the_plant_wide_section(tmp_path, monkeypatch, plant):
    """Through ``assess_district``: the district's wastewater.toml names the BSM2 plant and a
    grid factor (the simulation is the short run)."""
    from ecocity.assess import assess_district

    calls = []

    def simulated(*args, **kwargs):
        calls.append(args)
        assert kwargs["grid"] == "denmark-2023"
        return plant

    monkeypatch.setattr(plantwide, "simulate_plantwide", simulated)
    folder = tmp_path / "small"
    shutil.copytree(SMALL, folder)
    (folder / "wastewater.toml").write_text('plant = "bsm2"\ninfluent = "dynamic"\ncontrol = "default"\n'
                                            'days = 1.0\nstandards = ["gb18918_2002_1a"]\ngrid = "denmark-2023"\n')
    done = assess_district(folder, tmp_path / "out", workers=1, scenarios=["green-roofs"])
    assert calls == [("dynamic", "default", 1.0, None)]
    section = json.loads(done.results_path.read_text(encoding="utf-8"))["wastewater"]
    assert section["plant"] == "bsm2" and section["run_id"] and {"digester", "energy", "ghg"} <= set(section)
    items = {row["item"] for row in done.results["sources"]}
    assert "methane energy content" in items and "grid factor beijing-2022" in items
    html = done.report_path.read_text(encoding="utf-8")
    assert 'id="plant-energy-sankey"' in html and 'id="plant-ghg-bars"' in html
