"""The surrogate (RBF over simulated designs) and the surrogate-assisted search.

References: a thin-plate spline with a linear polynomial tail reproduces any linear function
exactly and interpolates its data (Wendland, *Scattered Data Approximation*, 2005, Thm 8.21 and
ch. 11: conditionally positive definite kernels with polynomial reproduction); the search's
answer is checked against an exhaustive enumeration through the same SWMM evaluation.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from ecocity.errors import InputError
from ecocity.optimise.evaluate import settings_for
from ecocity.optimise.evaluator import Evaluator
from ecocity.optimise.search import SearchSettings, _preselect, optimise
from ecocity.optimise.surrogate import PREDICTED, Surrogate, SurrogateCheck
from ecocity.stormwater.design_space import design_space

from .helpers import small_district


def _memory(designs, fn):
    return {d: {name: fn(np.asarray(d, float)) for name in PREDICTED} for d in designs}


def test_linear_function_is_reproduced_exactly_off_the_data():
    designs = list(itertools.product(range(0, 5, 2), repeat=3))  # 27 designs on a 3-d grid, levels 0..4
    model = Surrogate(levels=4)
    assert model.fit(_memory(designs, lambda x: 0.1 + 0.05 * x[0] + 0.02 * x[1] + 0.01 * x[2]))
    for guess, design in zip(model.predict([(1, 3, 1), (3, 1, 4)]), [(1, 3, 1), (3, 1, 4)], strict=True):
        expected = 0.1 + 0.05 * design[0] + 0.02 * design[1] + 0.01 * design[2]
        assert guess["capture_ratio"] == pytest.approx(expected, abs=1e-9)


def test_interpolates_its_data_and_bounds_ratios():
    rng = np.random.default_rng(3)
    designs = [tuple(int(v) for v in row) for row in rng.integers(0, 5, size=(30, 3))]
    memory = _memory(dict.fromkeys(designs), lambda x: float(np.tanh(x.sum() / 6.0)))
    model = Surrogate(levels=4)
    model.fit(memory)
    for design, guess in zip(list(memory), model.predict(list(memory)), strict=True):
        assert guess["capture_ratio"] == pytest.approx(memory[design]["capture_ratio"], abs=1e-7)
    far = model.predict([(4, 4, 4), (0, 0, 0)])
    assert all(0.0 <= g[name] <= 1.0 for g in far for name in ("capture_ratio", "tss_reduction"))


def test_too_few_designs_give_no_model():
    model = Surrogate(levels=2)
    assert not model.fit(_memory([(0, 0), (1, 1), (2, 2)], lambda x: 0.5))  # needs n_var + 2 = 4
    assert not model.ready


def test_check_reports_out_of_sample_errors():
    check = SurrogateCheck()
    check.add([{n: 0.8 for n in PREDICTED}, {n: 0.5 for n in PREDICTED}],
              [{n: 0.7 for n in PREDICTED}, {n: 0.6 for n in PREDICTED}])  # fmt: skip
    summary = check.summary()["capture_ratio"]
    assert summary["designs"] == 2
    assert summary["max_abs"] == pytest.approx(0.1)
    assert summary["rmse"] == pytest.approx(0.1)
    assert summary["mean"] == pytest.approx(0.0, abs=1e-12)


def _guess(cost, capture, tss=0.9):
    return {"capital_cost_yuan": cost, "capture_ratio": capture, "tss_reduction": tss}


def test_preselection_takes_the_predicted_cheapest_design_meeting_targets_first():
    targets = {"capture_ratio": 0.8, "tss_reduction": 0.5, "budget_yuan": None}
    guesses = [_guess(10, 0.5), _guess(50, 0.85), _guess(40, 0.81), _guess(30, 0.95, tss=0.2), _guess(90, 0.99)]
    picked = _preselect(guesses, 3, "capital_cost_yuan", targets)
    assert picked[0] == 2  # cheapest meeting capture and TSS
    assert 3 not in picked  # violates the TSS constraint: last
    assert len(picked) == 3
    assert _preselect(guesses, 5, "capital_cost_yuan", targets)[-1] == 3


def test_simulations_per_generation_are_checked(tmp_path):
    with pytest.raises(InputError, match="simulated per generation"):
        SearchSettings(population=4, evaluations=8, surrogate=True, simulate_per_generation=5).check()


@pytest.fixture(scope="module")
def exhaustive4(tmp_path_factory):
    """Every design of 2 subcatchments × bioretention, permeable paving at levels 0..2 (81 designs)."""
    folder = tmp_path_factory.mktemp("exhaustive4")
    district, rain = small_district(folder / "district", capture_target=0.8)
    space = design_space(district, ("bioretention", "permeable_pavement"), levels=2)
    store = folder / "ecocity.db"
    evaluator = Evaluator(district, space, rain, settings_for(district, peak=False), store, workers=2)
    designs = list(itertools.product(range(3), repeat=space.n_var))
    return district, rain, space, store, dict(zip(designs, evaluator.evaluate(designs), strict=True))


@pytest.mark.slow
def test_assisted_search_finds_the_exhaustive_optimum_with_fewer_simulations(exhaustive4, tmp_path):
    district, rain, space, store, values = exhaustive4
    meeting = [(v["capital_cost_yuan"], d) for d, v in values.items() if v["capture_ratio"] >= 0.8]
    best = min(meeting)[1]
    result = optimise(district, rain, space, tmp_path / "search.db",
                      SearchSettings(evaluations=120, population=10, seed=1, surrogate=True, simulate_per_generation=3),
                      evaluation=settings_for(district, peak=False), workers=1)  # fmt: skip
    assert tuple(result.chosen["levels"]) == best
    assert result.counts["simulated"] < 60 < len(values)
    assert result.counts["predicted"] > 0
    # Only simulated designs decide: every front member and the answer have the exhaustive (SWMM) values.
    for row in result.front.itertuples():
        assert row.capture_ratio == pytest.approx(values[row.levels]["capture_ratio"], abs=1e-12)
    error = result.surrogate["error"]["capture_ratio"]
    assert error["designs"] > 0
    assert error["max_abs"] < 0.1  # measured, see docs/methods/optimisation.md


def test_settings_for_the_district_keep_today_storm_and_the_cited_discount_rate(tmp_path):
    district, _ = small_district(tmp_path / "d")
    settings = settings_for(district)
    assert settings.storm_factor == 1.0  # today's climate
    assert settings.discount_rate == pytest.approx(0.08)  # docs/methods/optimisation.md, whole-life cost
    assert settings.horizon_yr == pytest.approx(30.0)
    assert settings.storm_return_period_yr == 2.0


class _Interrupted(Exception):
    """Stands for a search killed between two generations."""


@pytest.mark.slow
def test_assisted_search_resumes_from_the_store_and_replays_the_same_path(tmp_path, monkeypatch):
    from ecocity.optimise import evaluate as evaluate_module

    calls = []
    real = evaluate_module.simulate
    monkeypatch.setattr(evaluate_module, "simulate", lambda *a, **k: (calls.append(1), real(*a, **k))[1])
    district, rain = small_district(tmp_path / "district", capture_target=0.8)
    space = design_space(district, ("green_roof", "bioretention"), levels=2)
    search = SearchSettings(evaluations=30, population=6, seed=3, surrogate=True, simulate_per_generation=2)
    settings = settings_for(district, peak=False)

    def stop(generation: int, n_eval: int) -> None:
        if generation == 3:  # after two surrogate-assisted generations
            raise _Interrupted

    store = tmp_path / "out" / "ecocity.db"
    with pytest.raises(_Interrupted):
        optimise(district, rain, space, store, search, evaluation=settings, workers=1, on_generation=stop)
    before = len(calls)
    resumed = optimise(district, rain, space, store, search, evaluation=settings, workers=1)
    assert resumed.counts["predicted"] > 0
    assert len(calls) == len(resumed.evaluations)  # every design simulated once over both runs
    assert resumed.counts["from_store"] == before
    fresh = optimise(district, rain, space, tmp_path / "fresh" / "ecocity.db", search, evaluation=settings, workers=1)
    assert fresh.evaluations["levels"].tolist() == resumed.evaluations["levels"].tolist()
    assert fresh.surrogate["error"] == resumed.surrogate["error"]
    assert fresh.chosen["levels"] == resumed.chosen["levels"]
