"""NSGA-II search on a small district: exhaustive optimum, bounds, infeasible targets, restart.

Reference values here are not published numbers: the reference is an exhaustive enumeration of
every design through the same evaluation (the optimiser must find its least-cost design that
meets every target).
"""

from __future__ import annotations

import itertools
import shutil

import pytest

from ecocity.optimise import evaluate as evaluate_module
from ecocity.optimise.evaluate import settings_for
from ecocity.optimise.evaluator import Evaluator
from ecocity.optimise.search import SearchSettings, optimise
from ecocity.stormwater.design_space import design_space

from .helpers import small_district


class _Interrupted(Exception):
    """Stands for a search killed between two generations."""


@pytest.fixture
def count_swmm(monkeypatch):
    """Counts the continuous SWMM runs of evaluations made in this process (workers=1)."""
    calls = []
    real = evaluate_module.simulate

    def counting(*args, **kwargs):
        calls.append(kwargs.get("mode"))
        return real(*args, **kwargs)

    monkeypatch.setattr(evaluate_module, "simulate", counting)
    return calls


@pytest.fixture(scope="module")
def exhaustive(tmp_path_factory):
    """Every design of 2 subcatchments × bioretention at levels 0..2 (9 designs), one year of rain."""
    folder = tmp_path_factory.mktemp("exhaustive")
    district, rain = small_district(folder / "district", capture_target=0.75)
    space = design_space(district, ("bioretention",), levels=2)
    store = folder / "ecocity.db"
    evaluator = Evaluator(district, space, rain, settings_for(district, peak=False), store, workers=1)
    designs = list(itertools.product(range(3), repeat=space.n_var))
    values = dict(zip(designs, evaluator.evaluate(designs), strict=True))
    return district, rain, space, store, values


def _least_cost(values: dict, capture: float, tss: float | None = None) -> tuple[int, ...] | None:
    meeting = [(v["capital_cost_yuan"], -v["capture_ratio"], d) for d, v in values.items()
               if v["capture_ratio"] >= capture and (tss is None or v["tss_reduction"] >= tss)]
    return min(meeting)[2] if meeting else None


def test_optimiser_finds_the_exhaustive_least_cost_design(exhaustive, count_swmm):
    district, rain, space, store, values = exhaustive
    expected = _least_cost(values, 0.75)
    assert expected is not None and expected != (2, 2)  # the target is binding but not trivial
    result = optimise(district, rain, space, store, SearchSettings(evaluations=12, population=4, seed=3),
                      evaluation=settings_for(district, peak=False), workers=1)
    assert result.status == "feasible"
    assert tuple(result.chosen["levels"]) == expected
    assert result.chosen["capital_cost_yuan"] == pytest.approx(values[expected]["capital_cost_yuan"], rel=1e-12)
    assert count_swmm == []  # every design came from the store of the enumeration
    assert result.counts["simulated"] == 0 and result.counts["from_store"] >= 4


def test_every_evaluated_design_is_within_bounds_and_the_front_is_non_dominated(exhaustive):
    district, rain, space, store, values = exhaustive
    result = optimise(district, rain, space, store, SearchSettings(evaluations=12, population=4, seed=5),
                      evaluation=settings_for(district, peak=False), workers=1)
    for levels in result.evaluations["levels"]:
        assert all(0 <= v <= space.levels for v in levels)
    front = result.front
    for _, a in front.iterrows():
        for _, b in front.iterrows():
            assert not (b["capital_cost_yuan"] < a["capital_cost_yuan"] and b["capture_ratio"] > a["capture_ratio"])


def test_budget_constraint_holds_for_the_chosen_design_and_the_front(exhaustive):
    district, rain, space, store, values = exhaustive
    cheapest = min(v["capital_cost_yuan"] for d, v in values.items() if v["capture_ratio"] >= 0.75)
    result = optimise(district, rain, space, store,
                      SearchSettings(evaluations=12, population=4, seed=3, budget_yuan=cheapest * 0.5),
                      evaluation=settings_for(district, peak=False), workers=1)
    assert result.status == "infeasible"  # the target cannot be met for half the least cost
    assert (result.front["capital_cost_yuan"] <= cheapest * 0.5).all()


def test_infeasible_target_is_reported_with_the_best_reachable_value(exhaustive):
    district, rain, space, store, values = exhaustive
    strict = district.model_copy(update={"targets": district.targets.model_copy(update={"tss_reduction": 0.99})})
    result = optimise(strict, rain, space, store, SearchSettings(evaluations=8, population=4, seed=1),
                      evaluation=settings_for(strict, peak=False), workers=1)
    assert result.status == "infeasible" and result.chosen is None
    best_tss = max(v["tss_reduction"] for v in values.values())
    assert result.best_reachable["tss_reduction"]["target"] == 0.99
    assert result.best_reachable["tss_reduction"]["best"] == pytest.approx(best_tss, rel=1e-12)
    assert result.best_reachable["capture_ratio"]["best"] == pytest.approx(values[(2, 2)]["capture_ratio"], rel=1e-12)


def test_restart_after_an_interrupted_search_evaluates_nothing_twice(tmp_path, count_swmm):
    district, rain = small_district(tmp_path / "district", capture_target=0.7)
    space = design_space(district, ("green_roof",), levels=1)  # 4 designs
    store = tmp_path / "out" / "ecocity.db"
    search = SearchSettings(evaluations=8, population=2, seed=2)

    def stop(generation: int, n_eval: int) -> None:
        raise _Interrupted

    with pytest.raises(_Interrupted):
        optimise(district, rain, space, store, search, evaluation=settings_for(district, peak=False), workers=1,
                 on_generation=stop)
    done_before = len(count_swmm)
    assert done_before >= 2  # the baseline and the first generation were saved
    resumed = optimise(district, rain, space, store, search, evaluation=settings_for(district, peak=False), workers=1)
    designs = len(resumed.evaluations)
    assert len(count_swmm) == designs  # each design simulated exactly once over both runs
    assert resumed.counts["from_store"] == done_before
    assert resumed.counts["simulated"] == designs - done_before
    # the same search without interruption, from a copy of the finished store: nothing to simulate
    shutil.copytree(tmp_path / "out", tmp_path / "again")
    again = optimise(district, rain, space, tmp_path / "again" / "ecocity.db", search,
                     evaluation=settings_for(district, peak=False), workers=1)
    assert again.counts["simulated"] == 0
    assert again.front["levels"].tolist() == resumed.front["levels"].tolist()


@pytest.mark.slow
def test_screening_on_one_year_is_validated_on_the_full_record(tmp_path):
    district, rain = small_district(tmp_path / "district", capture_target=0.7, years=2)
    space = design_space(district, ("green_roof",), levels=1)
    result = optimise(district, rain, space, tmp_path / "ecocity.db",
                      SearchSettings(evaluations=6, population=3, seed=1, screen_years=1),
                      evaluation=settings_for(district, peak=False), workers=1)
    window = result.screening["window"]
    assert window["years"] == 1.0 and window["candidates"] == 2
    error = result.screening["error"]["capture_ratio"]
    assert error["designs"] >= len(result.front)
    diff = (result.front["capture_ratio_screening"] - result.front["capture_ratio"]).abs().max()
    assert error["max_abs"] >= diff  # the front's differences are among those reported
    if result.chosen is not None:  # chosen on the full record's values
        assert result.chosen["capture_ratio"] >= 0.7


def test_outputs_hold_the_chosen_design_as_scenario_file_and_swmm_input(exhaustive, tmp_path):
    import json

    from ecocity.district.scenarios import read_scenario
    from ecocity.optimise.output import write_outputs

    district, rain, space, store, values = exhaustive
    result = optimise(district, rain, space, store, SearchSettings(evaluations=12, population=4, seed=3),
                      evaluation=settings_for(district, peak=False), workers=1)
    section = write_outputs(result, district, space, rain, tmp_path / "out")
    document = json.loads((tmp_path / "out" / "optimisation.json").read_text(encoding="utf-8"))
    assert document["status"] == "feasible" and document["chosen"]["levels"] == list(result.chosen["levels"])
    scenario = read_scenario(tmp_path / "out" / "optimised.toml", district.subcatchments, None)
    assert len(scenario.measures) == sum(1 for v in result.chosen["levels"] if v)
    inp = (tmp_path / "out" / "optimised.inp").read_text(encoding="utf-8")
    assert "[LID_USAGE]" in inp and (tmp_path / "out" / "optimised.rain.dat").exists()
    lid_m2 = sum(sum(s["lid_area_m2"].values()) for s in section["map"])
    assert lid_m2 == pytest.approx(result.chosen["lid_area_m2"], rel=1e-9)
