"""The bilingual label table: complete in both languages, return-period names, fallbacks."""

from __future__ import annotations

import re
from importlib import resources

import pytest

from ecocity import InputError
from ecocity.report.labels import Labels, _table
from ecocity.report.render import SECTIONS

DISTRICT_INDICATORS = ("capture_ratio", "tss_reduction", "share_of_area_meeting_target",
                       "runoff_depth_mm_per_yr", "peak_flow_reduction_P2", "volume_reduction_P5",
                       "flood_volume_m3", "flooded_nodes", "capital_cost_yuan",
                       "cost_per_m3_retained_yuan")


def test_every_label_exists_in_english_and_chinese():
    table = _table()
    for section in ("text", "confidence", "lid", "unit", "indicator"):
        for key, entry in table[section].items():
            assert entry["en"].strip() and entry["zh"].strip(), f"{section}.{key}"


def test_every_heading_the_template_and_figures_use_is_in_the_table():
    package = resources.files("ecocity.report")
    used = set()
    sections = [f"templates/sections/{p.name}" for p in package.joinpath("templates", "sections").iterdir()]
    for name in ("templates/report.html", "templates/_macros.html", *sections, "figures.py", "maps.py",
                 "tables.py", "static_figures.py"):
        used |= set(re.findall(r"""text\(['"]([a-z_0-9]+)['"]""", package.joinpath(name).read_text("utf-8")))
    used |= {section.title for section in SECTIONS}  # the contents, made from render.SECTIONS
    used |= {f"wb_{part}" for part in ("rainfall", "runoff", "infiltration", "evaporation", "storage_change")}
    used |= {"sub_area", "subcatchment"}  # scope kinds, looked up by variable
    assert len(used) > 50
    assert used <= set(_table()["text"])


@pytest.mark.parametrize("name", DISTRICT_INDICATORS)
def test_district_indicators_have_their_own_labels(name):
    english, chinese = Labels("en").indicator(name), Labels("zh").indicator(name)
    assert english.text != name and chinese.text != name
    assert english.format is not None


def test_return_period_suffix_names_the_period():
    assert Labels("en").indicator("peak_flow_reduction_P2").text == "Peak outfall flow reduction (P = 2 yr)"
    assert Labels("zh").indicator("volume_reduction_P5").text == "排口径流总量削减率 (P = 5 年)"
    assert Labels("en").indicator("peak_flow_reduction_P2.5").return_period_yr == 2.5


def test_unknown_keys_fall_back_to_the_key():
    labels = Labels("zh")
    assert labels.indicator("groundwater_recharge_mm").text == "groundwater_recharge_mm"
    assert labels.indicator("groundwater_recharge_mm").format is None
    assert labels.indicator("mystery_P3").text == "mystery_P3"
    assert labels.text("no_such_heading") == "no_such_heading"
    assert labels.lid("floating_wetland") == "floating_wetland"
    assert labels.confidence("X9") == ""


def test_unknown_language_is_an_input_error():
    with pytest.raises(InputError, match="language must be one of en, zh"):
        Labels("fr")


def test_compliance_notes_of_a_real_plant_run_read_in_chinese_and_unchanged_in_english():
    # The notes are those the compliance check wrote for the BSM2 plant of the web fixture
    # (tests/web/data/results_tongzhou.json, see its SOURCES.md); each [note.*] entry's English
    # template is the check's own sentence, so English is the identity.
    import json
    from pathlib import Path

    fixture = Path(__file__).parents[1] / "web" / "data" / "results_tongzhou.json"
    plant = json.loads(fixture.read_text(encoding="utf-8"))["wastewater"]
    notes = [c["note"] for s in plant["compliance"] for c in s["checks"] if c.get("note")]
    notes += [n for s in plant["compliance"] for n in s.get("notes", [])]
    assert notes, "the fixture's plant should carry compliance notes"
    zh, en = Labels("zh"), Labels("en")
    for note in notes:
        assert en.note(note) == note
        assert re.search(r"[\u4e00-\u9fff]", zh.note(note)), note
    assert zh.note("TN: winter limit (Nov-Mar) used") == "TN：采用冬季限值（Nov-Mar）"
    assert zh.note("S_NH: water temperature not given; the limit for > 12 °C is used") == \
        "S_NH：未给出水温，采用水温 > 12 °C 时的限值"
    assert zh.note("an unknown remark") == "an unknown remark"
