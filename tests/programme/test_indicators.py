"""Indicator values for a year: entered by hand, or read from a results document.

The results document is tests/report/data/results_small.json (see its SOURCES.md); the values
expected here are read from it, or are the numbers of its hand-made parts.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ecocity.errors import InputError
from ecocity.programme import indicator_values, load_programme
from ecocity.programme.indicators import PORTFOLIO_FIGURES, model_value
from ecocity.programme.model import ModelSource

from programme_data import INDICATORS, write_programme

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "programme-bjcph"


def _by_id(records, year):
    return {v.spec.id: v for v in indicator_values(records, year)}


def test_model_linked_values_come_from_the_results_document(programme_dir, results_small):
    values = _by_id(load_programme(programme_dir), 2018)
    combined = next(s for s in results_small["scenarios"] if s["name"] == "combined")
    expected = next(i["value"] for i in combined["indicators"] if i["name"] == "capture_ratio" and i["scope"] == "district")
    capture = values["capture"]
    assert capture.origin == "model" and capture.value == expected
    assert capture.progress == pytest.approx((expected - 0.6) / (0.85 - 0.6), rel=1e-12)
    assert capture.met is (expected >= 0.85)
    assert "scenario combined, run run-0003-a1b2c3" in capture.detail
    plant = values["self_sufficiency"]
    assert plant.value == pytest.approx(results_small["wastewater"]["energy"]["electricity_self_sufficiency"], rel=1e-12)
    assert plant.met is None and plant.progress is None  # no target
    # The hand-made portfolio has one building with measured savings: 18 000 kWh avoided.
    assert values["saved"].value == 18_000.0


def test_entered_values_are_those_of_the_year(programme_dir):
    records = load_programme(programme_dir)
    treated = _by_id(records, 2018)["treated"]
    assert (treated.origin, treated.value, treated.met) == ("entered", 0.93, False)
    assert treated.progress == pytest.approx((0.93 - 0.90) / (0.95 - 0.90), rel=1e-12)
    none_yet = _by_id(records, 2019)["treated"]
    assert (none_yet.origin, none_yet.value, none_yet.progress, none_yet.met) == ("missing", None, None, None)


def test_lower_is_better_targets_are_met_from_above(tmp_path):
    text = INDICATORS.replace('target = 0.95\n', 'target = 0.95\nhigher_is_better = false\n')
    values = _by_id(load_programme(write_programme(tmp_path / "p", indicators=text)), 2018)
    assert values["treated"].met is True


def test_missing_model_results_give_no_value_and_the_command_that_makes_them(programme_dir):
    (programme_dir / "results.json").unlink()
    (programme_dir / "indicators.toml").write_text(
        INDICATORS.replace('district = "results.json"', 'district = "../tongzhou"'), encoding="utf-8")
    capture = _by_id(load_programme(programme_dir), 2018)["capture"]
    assert (capture.origin, capture.value) == ("missing", None)
    assert "ecocity assess" in capture.detail and "tongzhou" in capture.detail


@pytest.mark.parametrize(("old", "new", "message"), [
    ('scenario = "combined"', 'scenario = "combined_85"', r"no scenario 'combined_85' in the results \(they hold: baseline"),
    ('indicator = "capture_ratio"', 'indicator = "capture"', r"scenario 'combined' has no district indicator 'capture'"),
    ('indicator = "kwh_saved"', 'indicator = "kwh"', r"unknown portfolio figure 'kwh'"),
    ('indicator = "electricity_self_sufficiency"', 'indicator = "biogas"', r"the plant section has no indicator or energy figure 'biogas'"),
])
def test_a_result_the_document_does_not_hold_is_an_input_error(programme_dir, old, new, message):
    (programme_dir / "indicators.toml").write_text(INDICATORS.replace(old, new), encoding="utf-8")
    records = load_programme(programme_dir)
    with pytest.raises(InputError, match=r"indicators.toml, record '\w+', field 'from.indicator': " + message):
        indicator_values(records, 2018)


def test_a_results_document_without_the_section_names_what_is_missing(results_small):
    del results_small["buildings"]
    with pytest.raises(KeyError, match="no buildings"):
        model_value(ModelSource(portfolio="r.json", indicator="kwh_saved"), results_small)
    assert set(PORTFOLIO_FIGURES) >= {"kwh_saved", "potential_kwh", "n_buildings"}


def test_the_example_reads_the_plant_from_the_stored_bsm2_summary(tmp_path):
    """examples/programme-bjcph/results/bsm2-default.json is `ecocity wastewater simulate bsm2
    --json` (default closed loop, 609 d): the BSM2 default plant's CHP covers its electricity."""
    folder = tmp_path / "programme-bjcph"
    shutil.copytree(EXAMPLE, folder)
    summary = json.loads((folder / "results" / "bsm2-default.json").read_text(encoding="utf-8"))
    value = _by_id(load_programme(folder), 2018)["plant_electricity_self_sufficiency"]
    assert value.origin == "model"
    assert value.value == summary["energy"]["electricity_self_sufficiency"]
    assert summary["benchmark_window"] is True and summary["window_d"] == [245.0, 609.0]
