"""A search's designs under a future climate (optimise/robustness.py, ``--climate``).

The references are invariants, not published numbers: a climate factor above 1 on every event
and on the design storm cannot raise a design's capture ratio nor lower its storm peak; a
factor of exactly 1 is today's climate (same rainfall, same storm) and so today's stored values;
"meets" is the search's test of the targets (capture ratio, TSS reduction, budget).
"""

from __future__ import annotations

import dataclasses
import json
import sys

import pytest
from typer.testing import CliRunner

from ecocity.climate.change import climate_scenario
from ecocity.district.write import write_district
from ecocity.errors import InputError
from ecocity.optimise.evaluate import settings_for
from ecocity.optimise.output import optimisation_section
from ecocity.optimise.robustness import future_check
from ecocity.optimise.search import SearchSettings, optimise
from ecocity.stormwater.design_space import design_space

from .helpers import small_district

YEARS = 0.5
"""The last half year of the small district's rain (July's 40 mm/h burst included): a fast check."""
CAPTURE_TARGET = 0.69
"""Met today by one bioretention block alone (capture 0.696 and 0.700 on this half year), not
under a factor 1.2 (0.671, 0.670); both blocks meet it in either climate (0.90, 0.88)."""
SEARCH = SearchSettings(evaluations=4, population=4, seed=1)
"""Four designs: every design of 2 blocks × bioretention at levels 0..1."""
CLI_OPTIONS = ("--years", str(YEARS), "--lid", "bioretention", "--levels", "1", "--evaluations", "4", "--population", "4", "--seed", "1",
               "--workers", "1")  # fmt: skip


@pytest.fixture(scope="module")
def searched(tmp_path_factory):
    """The search the CLI runs on the written small district, into the CLI's default store."""
    from ecocity.assess import STORE_FILE, load_inputs

    root = tmp_path_factory.mktemp("future")
    district, _ = small_district(root / "src", capture_target=CAPTURE_TARGET)
    folder = write_district(district, root / "district")
    loaded, rain = load_inputs(folder, YEARS)
    space = design_space(loaded, ("bioretention",), levels=1)
    store = folder / "ecocity-out" / "optimise" / STORE_FILE
    evaluation = settings_for(loaded)  # as the CLI
    result = optimise(loaded, rain, space, store, SEARCH, evaluation=evaluation, workers=1)
    return folder, loaded, rain, space, store, evaluation, result


@pytest.fixture(scope="module")
def wetter(searched):
    """The check under one factor 1.2 on event depths and on the design storm."""
    folder, loaded, rain, space, store, evaluation, result = searched
    return future_check(result, loaded, space, rain, climate_scenario("user:1.2"), store, evaluation=evaluation,
                        workers=1)  # fmt: skip


def test_a_wetter_climate_lowers_every_capture_ratio_and_raises_every_peak(searched, wetter):
    table = wetter.table
    assert len(table) == 4 and table["roles"].map(lambda r: "baseline" in r).sum() == 1
    assert (table["capture_ratio_future"] < table["capture_ratio_today"]).all()
    assert (table["peak_flow_m3_per_s_future"] >= table["peak_flow_m3_per_s_today"]).all()
    assert (table["capital_cost_yuan"].diff().dropna() >= 0).all()  # by ascending cost
    assert wetter.climate["storm_factor"] == pytest.approx(1.2, rel=1e-12)
    assert wetter.climate["rainfall"]["annual_mean_mm_future"] == pytest.approx(
        1.2 * wetter.climate["rainfall"]["annual_mean_mm_today"], rel=1e-9)  # fmt: skip
    assert wetter.baseline["capture_ratio_future"] < wetter.baseline["capture_ratio_today"]


def test_today_values_are_the_search_s_and_read_from_the_store(searched, wetter):
    result = searched[-1]
    front = {tuple(row["levels"]): row["capture_ratio"] for _, row in result.front.iterrows()}
    for _, row in wetter.table.iterrows():
        if tuple(row["levels"]) in front:
            assert row["capture_ratio_today"] == front[tuple(row["levels"])]
    assert wetter.counts["from_store"] >= 4  # today's four designs were never simulated again


def test_meets_future_is_the_targets_test_and_the_least_cost_design_moves_up(searched, wetter):
    result = searched[-1]
    table = wetter.table
    expected = table["capture_ratio_future"] >= CAPTURE_TARGET
    assert (table["meets_future"] == expected).all()
    assert (table["meets_today"] == (table["capture_ratio_today"] >= CAPTURE_TARGET)).all()
    assert result.chosen is not None and wetter.chosen is not None
    chosen_today = table[table["roles"].map(lambda roles: "chosen" in roles)]
    assert list(chosen_today["levels"]) == [tuple(result.chosen["levels"])] and chosen_today["meets_today"].all()
    # Today one block of bioretention is enough; under the factor 1.2 it is not, both blocks are.
    assert wetter.chosen["capital_cost_yuan"] > result.chosen["capital_cost_yuan"]
    assert wetter.chosen["capture_ratio_future"] >= CAPTURE_TARGET
    cheaper = table[table["capital_cost_yuan"] < wetter.chosen["capital_cost_yuan"]]
    assert not cheaper["meets_future"].any()
    assert wetter.status == "feasible"


def test_a_factor_of_one_reproduces_today_from_the_store_without_a_swmm_run(searched):
    folder, loaded, rain, space, store, evaluation, result = searched
    same = future_check(result, loaded, space, rain, climate_scenario("user:1.0"), store, evaluation=evaluation,
                        workers=1)  # fmt: skip
    assert same.counts == {"simulated": 0, "from_store": 8}
    for name in ("capture_ratio", "tss_reduction", "share_of_area_meeting_target", "peak_flow_m3_per_s"):
        assert same.table[f"{name}_future"].to_numpy() == pytest.approx(same.table[f"{name}_today"].to_numpy(),
                                                                        rel=1e-12, abs=1e-12, nan_ok=True)
    assert (same.table["meets_future"] == same.table["meets_today"]).all()


def test_no_design_meeting_the_targets_in_the_future_is_reported_with_the_best_reachable(searched):
    folder, loaded, rain, space, store, evaluation, result = searched
    # A budget only the one-block designs fit: they meet the capture target today, not under 1.2.
    budget = dataclasses.replace(result, targets=result.targets | {"budget_yuan": 3.0e5})
    check = future_check(budget, loaded, space, rain, climate_scenario("user:1.2"), store, evaluation=evaluation,
                         workers=1)  # fmt: skip
    assert check.counts["simulated"] == 0  # the future runs of the first check are stored
    assert check.status == "infeasible" and check.chosen is None
    assert check.table["meets_today"].any() and not check.table["meets_future"].any()
    best = check.best_reachable
    assert best["capture_ratio"]["best"] == check.table["capture_ratio_future"].max()
    assert best["capital_cost_yuan"]["best"] == 0.0
    section = optimisation_section(budget, loaded, space, check)["future_climate"]
    assert section["status"] == "infeasible" and section["chosen"] is None
    json.dumps(section, allow_nan=False)


def _cli(*args: str):
    from ecocity.cli import _register, app

    if not any(group.name == "sponge" for group in app.registered_groups):
        _register()
    return CliRunner().invoke(app, ["sponge", "optimise", *map(str, args)])


def test_cli_json_has_the_future_climate(searched, wetter):
    folder = searched[0]
    result = _cli(folder, *CLI_OPTIONS, "--climate", "user:1.2", "--json")
    assert result.exit_code == 0, result.output
    section = json.loads(result.output)
    future = section["future_climate"]
    assert future["climate"]["name"] == "user:1.2" and future["counts"]["simulated"] == 0
    assert [row["levels"] for row in future["designs"]] == [list(v) for v in wetter.table["levels"]]
    assert future["chosen"]["levels"] == wetter.chosen["levels"]
    assert (folder / "ecocity-out" / "optimise" / "future_climate.csv").exists()


def test_cli_text_shows_the_designs_today_and_in_the_future(searched, wetter):
    result = _cli(searched[0], *CLI_OPTIONS, "--climate", "user:1.2")
    assert result.exit_code == 0, result.output
    assert "under user:1.2" in result.output and "least-cost design meeting every target under user:1.2" in result.output


def test_unknown_climate_is_an_input_error_before_any_run(searched):
    result = _cli(searched[0], *CLI_OPTIONS, "--climate", "dk-3000yr", "--out", searched[0] / "never")
    assert isinstance(result.exception, InputError)
    assert "unknown climate scenario 'dk-3000yr'" in str(result.exception) and "climate" in str(result.exception)
    assert not (searched[0] / "never").exists()


def test_unknown_climate_exits_2_with_one_line(searched, monkeypatch, capsys):
    from ecocity import cli

    _cli("--help")  # registers the command groups once
    monkeypatch.setattr(cli, "_register", lambda: None)
    monkeypatch.setattr(sys, "argv", ["ecocity", "sponge", "optimise", str(searched[0]), "--climate", "user:wet"])
    with pytest.raises(SystemExit) as done:
        cli.main()
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert "expected a number after 'user:'" in err and "Traceback" not in err


def test_report_shows_the_designs_today_and_in_the_future_in_both_languages(searched, wetter):
    from ecocity.report.optimisation import future_figure, optimisation_page
    from ecocity.report.render import report_html
    from tests.report.conftest import make_results

    folder, loaded, rain, space, store, evaluation, result = searched
    section = optimisation_section(result, loaded, space, wetter)
    figure = future_figure(section["future_climate"])
    assert len(figure["layout"]["annotations"]) == 4  # one arrow per checked design, today -> future
    arrow = figure["layout"]["annotations"][0]
    assert arrow["ay"] == section["future_climate"]["designs"][0]["capture_ratio_today"]
    assert arrow["y"] == section["future_climate"]["designs"][0]["capture_ratio_future"]
    page = optimisation_page(section)
    assert "optimisation-future-table" in page and "user:1.2" in page and "1.2 at T = 2 yr" in page
    assert page.count('data-meets-future="✔"') == int(wetter.table["meets_future"].sum())
    assert "Least-cost design still meeting every target in the future climate: 1-1" in page
    zh = report_html(make_results() | {"optimisation": section}, language="zh")
    assert "未来气候下的方案：user:1.2" in zh and "未来气候下仍满足全部目标的最低造价方案" in zh
    infeasible = section | {"future_climate": section["future_climate"] | {"status": "infeasible", "chosen": None}}
    assert "No checked design meets every target in the future climate" in optimisation_page(infeasible)
