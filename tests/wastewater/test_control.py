"""BSM1 default PI control: tuning as cited data, set-points reached, anti-windup limits."""

from __future__ import annotations

import numpy as np
import pytest

from ecocity.errors import InputError
from ecocity.wastewater.control import controller_table, load_control
from ecocity.wastewater.influent import read_influent
from ecocity.wastewater.layout import load_plant
from ecocity.wastewater.plant import PlantModel
from ecocity.wastewater.simulate import simulate, steady_state


@pytest.fixture(scope="module")
def bsm1():
    plant = load_plant("bsm1")
    return plant, steady_state(plant), load_control("bsm1")


def test_bsm1_tuning_is_the_updated_benchmark_code():
    """reginit.m / sensorinit.m of the official BSM1 release (data/control_bsm1.toml)."""
    oxygen, nitrate = load_control("bsm1")
    assert (oxygen.setpoint, oxygen.gain, oxygen.integral_time_d, oxygen.tracking_time_d) == (2.0, 25.0, 0.002, 0.001)
    assert (oxygen.output_min, oxygen.output_max) == (0.0, 360.0)
    assert (nitrate.setpoint, nitrate.gain, nitrate.integral_time_d, nitrate.tracking_time_d) == (1.0, 10000.0, 0.025, 0.015)
    assert nitrate.output_max == 92230.0


def test_constant_influent_settles_at_both_set_points(bsm1):
    plant, steady, control = bsm1
    result = simulate(plant, read_influent("constant").iloc[:1], initial=steady.state, days=30.0, control=control)
    assert result.final_state[4 * 13 + 7] == pytest.approx(2.0, abs=1e-4)  # S_O in tank 5
    assert result.final_state[13 + 8] == pytest.approx(1.0, abs=1e-3)  # S_NO in tank 2
    # the manipulated variables stay inside their limits and are reported as applied
    assert 0.0 < result.kla_per_d["tank5"].iloc[-1] < 360.0
    assert 0.0 < result.internal_recycle_m3_per_d.iloc[-1, 0] < 92230.0
    assert (result.kla_per_d["tank3"] == 240.0).all()


def test_saturated_controller_holds_its_limit(bsm1):
    """A DO set-point no KLa can reach keeps KLa5 at its 360 1/d limit (anti-windup: the integral
    state tracks the limit instead of growing without bound)."""
    plant, steady, control = bsm1
    greedy = (control[0].model_copy(update={"setpoint": 7.9}),)
    result = simulate(plant, "dry", initial=steady.state, days=1.0, control=greedy)
    assert result.kla_per_d["tank5"].iloc[-1] == 360.0
    model = PlantModel.from_layout(plant)
    integral = result.final_state[model.size]
    assert integral < 360.0  # u = offset + K e + I stays near the limit


def test_controller_on_a_missing_tank_is_refused(bsm1):
    plant, _, control = bsm1
    wrong = (control[0].model_copy(update={"measured_tank": "tank9"}),)
    with pytest.raises(InputError, match="no tank 'tank9'"):
        controller_table(PlantModel.from_layout(plant), wrong)


def test_bumpless_start_keeps_the_open_loop_state_for_an_instant(bsm1):
    plant, steady, control = bsm1
    result = simulate(plant, "dry", initial=steady.state, days=1e-3, control=control)
    np.testing.assert_allclose(result.kla_per_d["tank5"].iloc[0], 84.0)
    np.testing.assert_allclose(result.internal_recycle_m3_per_d.iloc[0, 0], 55338.0)
