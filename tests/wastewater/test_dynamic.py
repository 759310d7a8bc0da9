"""Dynamic runs: zero-order hold of the 15-min influent, and a 14-day dry-weather open-loop run."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ecocity.errors import InputError
from ecocity.wastewater.influent import read_influent
from ecocity.wastewater.layout import load_plant
from ecocity.wastewater.simulate import simulate, steady_state


@pytest.fixture(scope="module")
def bsm1():
    plant = load_plant("bsm1")
    return plant, steady_state(plant)


def test_constant_influent_keeps_the_steady_state(bsm1):
    plant, steady = bsm1
    influent = read_influent("constant")
    result = simulate(plant, influent.iloc[:1], initial=steady.state, days=0.2)
    np.testing.assert_allclose(result.final_state, steady.state, rtol=1e-4, atol=1e-6)


def test_dry_weather_effluent_flow_is_the_held_influent_minus_wastage(bsm1):
    plant, steady = bsm1
    dry = read_influent("dry")
    result = simulate(plant, dry, initial=steady.state, days=0.25)
    assert result.effluent.index.tolist() == pytest.approx(dry.index[dry.index <= 0.25].tolist())
    np.testing.assert_allclose(result.effluent["Q"], dry["Q"].iloc[: len(result.effluent)] - 385.0)
    assert np.all(result.tanks >= -1e-6)


def test_end_before_the_influent_starts_is_refused(bsm1):
    plant, steady = bsm1
    with pytest.raises(InputError, match="days must be after"):
        simulate(plant, "dry", initial=steady.state, days=-1.0)


@pytest.mark.slow
def test_dry_weather_open_loop_run_of_14_days(bsm1):
    """Smoke test of the full 14-day run (< 1 s with the compiled integrator).

    Not a validation against the BSM1 dynamic reference: the benchmark evaluates days 7–14 after
    a first 14 days of dry weather, which this run does not do.
    """
    plant, steady = bsm1
    result = simulate(plant, "dry", initial=steady.state)
    window = result.effluent[result.effluent.index >= 7.0]
    assert window["Q"].mean() == pytest.approx(18061.33, rel=1e-4)
    mean = window.mul(window["Q"], axis=0).sum() / window["Q"].sum()
    assert 2.0 < mean["S_NH"] < 8.0 and 5.0 < mean["S_NO"] < 12.0


def _window_means(result) -> pd.Series:
    window = result.effluent[(result.effluent.index >= 7.0) & (result.effluent.index < 14.0 - 1e-9)]
    return window.mul(window["Q"], axis=0).sum() / window["Q"].sum()


@pytest.mark.slow
def test_open_loop_dry_weather_protocol_matches_the_published_averages(bsm1):
    """Benchmark protocol: steady state, 14 d dry weather, then the evaluated 14 d of dry weather,
    flow-weighted effluent means over days 7–14. Published open-loop dry-weather averages: Alex et
    al. (2008), as reproduced in a public test suite (docs/methods/wastewater.md §4). Measured:
    0.06–0.8 % (S_NH 4.758 vs 4.794)."""
    plant, steady = bsm1
    first = simulate(plant, "dry", initial=steady.state)
    second = simulate(plant, "dry", initial=first.final_state)
    means = _window_means(second)
    published = {"S_S": 0.9725, "X_BH": 10.22, "S_O": 0.7462, "S_NO": 8.801, "S_NH": 4.794}
    for name, value in published.items():
        assert means[name] == pytest.approx(value, rel=0.01), name


def test_closed_loop_dry_weather_day_holds_the_oxygen_set_point_on_average(bsm1):
    """Fast check of the closed loop in the default run: one day of dry weather."""
    from ecocity.wastewater.control import load_control

    plant, steady = bsm1
    result = simulate(plant, "dry", initial=steady.state, days=1.0, control=load_control("bsm1"))
    late = result.tanks[result.effluent.index >= 0.5, 4, 7]
    assert late.mean() == pytest.approx(2.0, abs=0.05)
